/**
 * The console's host on this machine, playing CloudFront for `/console/*` (lib/console-hosting.ts):
 * the Vite build from `packages/console/dist`, an extension-less path falls back to `index.html`
 * (the app routes it, as the distribution's routes function does), the same security headers as
 * the distribution's response-headers policy (lib/console-headers.ts) with the local API
 * and issuer origins, and a generated `config.json` (the runtime settings CDK writes next to the
 * app in AWS). Its own loopback origin, so the console calls the API cross-origin, as in the cloud.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import {
  CONSOLE_BASE_PATH,
  CONSOLE_SECURITY_HEADERS,
  consoleContentSecurityPolicy,
  ENTRY_CACHE,
  HASHED_ASSETS_CACHE,
  HASHED_ASSETS_DIRECTORY,
} from '../lib/console-headers.js';
import { repoPath } from '../lib/repo-root.js';

export const CONSOLE_DIST = repoPath('packages/console/dist');
const BASE = CONSOLE_BASE_PATH;

/** What `config.json` tells the app (packages/console/src/config.ts). */
export interface ConsoleSettings {
  readonly apiUrl: string;
  /** The silo API's base URL: tenants placed in silos are served there (the pool API answers 421). */
  readonly siloApiUrl: string;
  readonly issuer: string;
  readonly clientId: string;
}

export interface ConsoleServer {
  /** The console's origin, e.g. for `bulkhead:corsOrigins`. */
  readonly origin: string;
  /** Where a person opens it. */
  readonly url: string;
  /** Sets what `config.json` answers (the API's URL is known only once the cloud is up). */
  configure(settings: ConsoleSettings): void;
  stop(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The policy CloudFront's response-headers policy sends, with the local API and issuer origins. */
export function contentSecurityPolicy(settings: ConsoleSettings | undefined): string {
  if (settings === undefined) return consoleContentSecurityPolicy({ connect: [], formAction: [] });
  const signIn = [new URL(settings.issuer).origin];
  return consoleContentSecurityPolicy({
    connect: [...[settings.apiUrl, settings.siloApiUrl].map((url) => new URL(url).origin), ...signIn],
    formAction: signIn,
  });
}

export async function startConsoleServer(port = 0, dist = CONSOLE_DIST): Promise<ConsoleServer> {
  let settings: ConsoleSettings | undefined;
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://console').pathname;
    // No HSTS: it means nothing over plain http.
    const headers = {
      'content-security-policy': contentSecurityPolicy(settings),
      ...CONSOLE_SECURITY_HEADERS,
    };
    const send = (status: number, type: string, body: string | Buffer, cache: string = ENTRY_CACHE) => {
      response.writeHead(status, { ...headers, 'content-type': type, 'cache-control': cache });
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(405, 'text/plain', 'method not allowed');
    // As the distribution's routes function does.
    if (path === '/console' || path === '/') return response.writeHead(301, { location: BASE }).end();
    if (!path.startsWith(BASE)) return send(404, 'text/plain', 'not found');
    let relative: string;
    try {
      relative = normalize(decodeURIComponent(path.slice(BASE.length)));
    } catch {
      // Malformed percent-encoding (URIError): a bad request, never a crash of the host.
      return send(400, 'text/plain', 'bad path');
    }
    if (relative === 'config.json') {
      if (settings === undefined) return send(503, 'text/plain', 'the console is not configured yet');
      return send(200, CONTENT_TYPES['.json'] ?? '', JSON.stringify(settings));
    }
    if (relative.startsWith('..')) return send(404, 'text/plain', 'not found');
    const asset = extname(relative) !== '';
    const file = asset ? join(dist, relative) : join(dist, 'index.html');
    readFile(file).then(
      (body) =>
        send(
          200,
          CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          body,
          relative.startsWith(HASHED_ASSETS_DIRECTORY) ? HASHED_ASSETS_CACHE : ENTRY_CACHE,
        ),
      () =>
        asset
          ? send(404, 'text/plain', 'not found')
          : send(503, 'text/plain', 'the console is not built: npm run console:build'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}${BASE}`,
    configure(next) {
      settings = next;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
