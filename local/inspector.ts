/**
 * The inspector: a window into the emulators' state on 127.0.0.1, for tests (which run in
 * other processes than the cloud) and for people poking at `npm start`. It shows what the
 * platform cannot be trusted to report about itself: what the model was offered and billed,
 * what a vector index really holds, what the functions logged. It bypasses IAM on purpose,
 * like looking at a console; nothing the platform runs ever calls it. Its one write is fault
 * injection into the model (whichever backend answers).
 *
 *   GET  /model/requests?after=<sequence>     → { requests: RecordedModelRequest[] }
 *   GET  /model/usage?tenantId=<id>           → TenantModelUsage (what the model reported to that tenant)
 *   POST /model/fail-next {failure, times?, modelId?, tenantId?}  → 204
 *   GET  /vectors/<vectorBucket>/<indexName>  → { vectors: { key, metadata }[] }   (404 if no index)
 *   GET  /logs?after=<sequence>               → { lines: CapturedLogLine[], dropped, latest } (latest: the newest line's sequence)
 *   GET  /sessions/identities                 → { tenantIds, userIds } every session tag minted
 *   GET  /secrets/values                      → { values } every secret value Secrets Manager has held
 *   GET  /secrets/names                       → { names } the secrets it holds now
 *   POST /secrets/watch {values}              → 204 values scans must also never find (tokens a test issued)
 *   POST /schedules/run {at?, only?}          → { results } runs the scheduled functions once (event time `at`; `only`: one entry)
 *   POST /faults/next {action, times?, resourcePrefix?} → 204 the next requests needing that IAM action
 *                                               (on a resource ARN starting with the prefix) get a 503
 *   POST /ttl/expire {at?, keyPrefix?}        → { deleted } DynamoDB TTL as of `at` (epoch seconds; default now)
 *   GET  /functions/workers                   → { workers } each worker: function, bound tenant, request ids served
 *   POST /functions/invoke {functionLogicalId, tenantId?, event} → { result } Lambda's Invoke (tenantId =
 *                                               `X-Amz-Tenant-Id`) straight to a worker, bypassing the gateway
 *   GET  /cloudformation/stacks               → { stacks: StackView[] } every stack, deleted ones too, with its resources
 *   GET  /aws-calls?tenantId=<id>             → { byService } AWS calls made through that tenant's sessions so far
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as z from 'zod';
import type { WorkerReport } from './api-gateway/function-hosts.js';
import type { CloudFormationEmulator } from './emulators/cloudformation.js';
import type { S3VectorsEmulator } from './emulators/s3-vectors.js';
import type { SecretsManagerEmulator } from './emulators/secrets-manager.js';
import type { InjectedFaults } from './front-door/injected-faults.js';
import type { CredentialRegistry } from './front-door/principals.js';
import type { TenantCalls } from './front-door/tenant-calls.js';
import type { FunctionLogs } from './function-logs.js';
import type { ModelRecord } from './model-backend/model-record.js';
import { closeServer, LOOPBACK, listenOnLoopback } from './net.js';
import type { TtlSweeper } from './ttl-sweeper.js';

export interface Inspector {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface InspectorSources {
  readonly model: Pick<ModelRecord, 'failNext' | 'requests' | 'usageOf'>;
  readonly vectors: S3VectorsEmulator;
  readonly logs: FunctionLogs;
  readonly sessions: Pick<CredentialRegistry, 'sessionIdentities'>;
  readonly secrets: Pick<SecretsManagerEmulator, 'values' | 'watch' | 'names'>;
  readonly schedules: { runAll(options?: { at?: Date; only?: string }): Promise<unknown[]> };
  readonly functions: {
    workers(): Promise<WorkerReport[]>;
    invoke(logicalId: string, tenantId: string | undefined, event: unknown): Promise<unknown>;
  };
  readonly faults: Pick<InjectedFaults, 'failNext'>;
  readonly ttl: Pick<TtlSweeper, 'expire'>;
  readonly cloudFormation: Pick<CloudFormationEmulator, 'list'>;
  readonly tenantCalls: Pick<TenantCalls, 'of'>;
}

const RunSchema = z.object({ at: z.iso.datetime().optional(), only: z.string().min(1).optional() }).strict();

const ExpireSchema = z
  .object({ at: z.number().int().nonnegative().optional(), keyPrefix: z.string().min(1).optional() })
  .strict();

const FaultSchema = z
  .object({
    action: z.string().regex(/^[a-z0-9-]+:[A-Za-z]+$/),
    times: z.number().int().min(1).max(100).default(1),
    /** Only requests on a resource whose ARN starts with this. */
    resourcePrefix: z.string().min(1).max(2048).optional(),
  })
  .strict();

const InvokeSchema = z
  .object({
    functionLogicalId: z.string().min(1),
    tenantId: z.string().min(1).optional(),
    event: z.unknown(),
  })
  .strict();

const WatchSchema = z.object({ values: z.array(z.string().max(8192)).max(1000) }).strict();

const FailNextSchema = z
  .object({
    failure: z.enum(['throttle', 'fail']),
    times: z.number().int().min(1).max(1000).default(1),
    modelId: z.string().min(1).optional(),
    tenantId: z.string().min(1).optional(),
  })
  .strict();

export async function startInspector(sources: InspectorSources, port = 0): Promise<Inspector> {
  const server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://inspector');
    if (incoming.method === 'POST' && url.pathname === '/model/fail-next') {
      readJson(incoming).then(
        (body) => {
          const parsed = FailNextSchema.safeParse(body);
          if (!parsed.success) return reply(outgoing, 400, { message: parsed.error.message });
          const { failure, times, ...scope } = parsed.data;
          sources.model.failNext(failure, times, scope);
          outgoing.writeHead(204).end();
        },
        () => reply(outgoing, 400, { message: 'the body is not JSON' }),
      );
      return;
    }
    if (incoming.method === 'POST' && url.pathname === '/secrets/watch') {
      readJson(incoming).then(
        (body) => {
          const parsed = WatchSchema.safeParse(body);
          if (!parsed.success) return reply(outgoing, 400, { message: parsed.error.message });
          sources.secrets.watch(parsed.data.values);
          outgoing.writeHead(204).end();
        },
        () => reply(outgoing, 400, { message: 'the body is not JSON' }),
      );
      return;
    }
    if (incoming.method === 'POST' && url.pathname === '/faults/next') {
      readJson(incoming).then(
        (body) => {
          const parsed = FaultSchema.safeParse(body);
          if (!parsed.success) return reply(outgoing, 400, { message: parsed.error.message });
          sources.faults.failNext(parsed.data.action, parsed.data.times, parsed.data.resourcePrefix);
          outgoing.writeHead(204).end();
        },
        () => reply(outgoing, 400, { message: 'the body is not JSON' }),
      );
      return;
    }
    if (incoming.method === 'POST' && url.pathname === '/ttl/expire') {
      readJson(incoming).then(
        (body) => {
          const parsed = ExpireSchema.safeParse(body);
          if (!parsed.success) return reply(outgoing, 400, { message: parsed.error.message });
          sources.ttl.expire(parsed.data.at ?? Math.floor(Date.now() / 1000), parsed.data.keyPrefix).then(
            (deleted) => reply(outgoing, 200, { deleted }),
            (err: unknown) =>
              reply(outgoing, 500, { message: err instanceof Error ? err.message : String(err) }),
          );
        },
        () => reply(outgoing, 400, { message: 'the body is not JSON' }),
      );
      return;
    }
    if (incoming.method === 'POST' && url.pathname === '/functions/invoke') {
      readJson(incoming).then(
        (body) => {
          const parsed = InvokeSchema.safeParse(body);
          if (!parsed.success) return reply(outgoing, 400, { message: parsed.error.message });
          const { functionLogicalId, tenantId, event } = parsed.data;
          sources.functions.invoke(functionLogicalId, tenantId, event).then(
            (result) => reply(outgoing, 200, { result }),
            (err: unknown) =>
              reply(outgoing, 500, { message: err instanceof Error ? err.message : String(err) }),
          );
        },
        () => reply(outgoing, 400, { message: 'the body is not JSON' }),
      );
      return;
    }
    if (incoming.method === 'POST' && url.pathname === '/schedules/run') {
      readJson(incoming).then(
        (body) => {
          const parsed = RunSchema.safeParse(body);
          if (!parsed.success) return reply(outgoing, 400, { message: parsed.error.message });
          const { at, only } = parsed.data;
          sources.schedules
            .runAll({
              ...(at === undefined ? {} : { at: new Date(at) }),
              ...(only === undefined ? {} : { only }),
            })
            .then(
              (results) => reply(outgoing, 200, { results }),
              (err: unknown) =>
                reply(outgoing, 500, { message: err instanceof Error ? err.message : String(err) }),
            );
        },
        () => reply(outgoing, 400, { message: 'the body is not JSON' }),
      );
      return;
    }
    if (incoming.method !== 'GET')
      return reply(outgoing, 405, {
        message:
          'only GET (and POST /model/fail-next, /secrets/watch, /schedules/run, /faults/next, /ttl/expire, /functions/invoke)',
      });
    const after = Number(url.searchParams.get('after') ?? '0');
    const fromSequence = Number.isFinite(after) ? after : 0;
    if (url.pathname === '/model/requests') {
      return reply(outgoing, 200, { requests: sources.model.requests(fromSequence) });
    }
    if (url.pathname === '/model/usage') {
      const tenantId = url.searchParams.get('tenantId');
      if (tenantId === null) return reply(outgoing, 400, { message: 'tenantId is required' });
      return reply(outgoing, 200, sources.model.usageOf(tenantId));
    }
    if (url.pathname === '/aws-calls') {
      const tenantId = url.searchParams.get('tenantId');
      if (tenantId === null) return reply(outgoing, 400, { message: 'tenantId is required' });
      return reply(outgoing, 200, { byService: sources.tenantCalls.of(tenantId) });
    }
    if (url.pathname === '/logs') {
      return reply(outgoing, 200, {
        lines: sources.logs.lines(fromSequence),
        dropped: sources.logs.dropped,
        latest: sources.logs.latest,
      });
    }
    if (url.pathname === '/sessions/identities') {
      return reply(outgoing, 200, sources.sessions.sessionIdentities());
    }
    if (url.pathname === '/secrets/values') {
      return reply(outgoing, 200, { values: sources.secrets.values() });
    }
    if (url.pathname === '/secrets/names') {
      return reply(outgoing, 200, { names: sources.secrets.names() });
    }
    if (url.pathname === '/cloudformation/stacks') {
      return reply(outgoing, 200, { stacks: sources.cloudFormation.list() });
    }
    if (url.pathname === '/functions/workers') {
      sources.functions.workers().then(
        (workers) => reply(outgoing, 200, { workers }),
        (err: unknown) => reply(outgoing, 500, { message: err instanceof Error ? err.message : String(err) }),
      );
      return;
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

async function readJson(incoming: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function reply(outgoing: ServerResponse, status: number, body: unknown): void {
  outgoing.writeHead(status, { 'content-type': 'application/json' });
  outgoing.end(JSON.stringify(body));
}
