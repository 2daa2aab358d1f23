/**
 * The inspector: a read-only window into the emulators' state on 127.0.0.1, for tests (which
 * run in other processes than the cloud) and for people poking at `npm start`. It shows what
 * the platform cannot be trusted to report about itself: what the model was offered, and what a
 * vector index really holds. It bypasses IAM on purpose, like looking at a console; nothing the
 * platform runs ever calls it.
 *
 *   GET /model/requests?after=<sequence>     → { requests: RecordedModelRequest[] }
 *   GET /vectors/<vectorBucket>/<indexName>  → { vectors: { key, metadata }[] }   (404 if no index)
 */
import { createServer, type ServerResponse } from 'node:http';
import type { S3VectorsEmulator } from './emulators/s3-vectors.js';
import type { StandInModel } from './emulators/stand-in-model.js';
import { closeServer, LOOPBACK, listenOnLoopback } from './net.js';

export interface Inspector {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startInspector(
  sources: { readonly model: StandInModel; readonly vectors: S3VectorsEmulator },
  port = 0,
): Promise<Inspector> {
  const server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://inspector');
    if (incoming.method !== 'GET') return reply(outgoing, 405, { message: 'only GET' });
    if (url.pathname === '/model/requests') {
      const after = Number(url.searchParams.get('after') ?? '0');
      return reply(outgoing, 200, { requests: sources.model.requests(Number.isFinite(after) ? after : 0) });
    }
    const index = /^\/vectors\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (index?.[1] !== undefined && index[2] !== undefined) {
      const vectors = sources.vectors.contents(decodeURIComponent(index[1]), decodeURIComponent(index[2]));
      return vectors === undefined
        ? reply(outgoing, 404, { message: 'no such vector index' })
        : reply(outgoing, 200, { vectors });
    }
    return reply(outgoing, 404, { message: 'not found' });
  });
  const boundPort = await listenOnLoopback(server, port);
  return { endpoint: `http://${LOOPBACK}:${boundPort}`, stop: () => closeServer(server) };
}

function reply(outgoing: ServerResponse, status: number, body: unknown): void {
  outgoing.writeHead(status, { 'content-type': 'application/json' });
  outgoing.end(JSON.stringify(body));
}
