import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorCallError, ConnectorUrlError } from '../../lambdas/connectors/errors.js';
import {
  CLOUD_OUTBOUND_POLICY,
  checkConnectorUrl,
  guardedFetch,
  type OutboundPolicy,
} from '../../lambdas/connectors/outbound-fetch.js';

const LOCAL: OutboundPolicy = { allowLoopback: true };
const LIMITS = { timeoutMs: 2000, maxResponseBytes: 4096 };

/** A real loopback HTTP server; records the paths it was asked for and the connections it accepted. */
async function serve(handler: RequestListener) {
  const paths: string[] = [];
  let connections = 0;
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    handler(request, response);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}`, port, paths, connections: () => connections };
}

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function callError(promise: Promise<unknown>, kind: ConnectorCallError['kind']) {
  const error = await promise.then(
    () => expect.unreachable('should have been refused'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorCallError);
  expect(error).toMatchObject({ kind });
  return error as ConnectorCallError;
}

describe('checkConnectorUrl', () => {
  it.each([
    ['http in the cloud', 'http://example.com/mcp'],
    ['another scheme', 'ftp://example.com/'],
    ['no host', 'file:///etc/passwd'],
    ['not a URL', 'example.com/mcp'],
    ['too long', `https://example.com/${'a'.repeat(2048)}`],
    ['credentials', 'https://user:secret@example.com/'],
    ['a username alone', 'https://user@example.com/'],
    ['loopback', 'https://127.0.0.1/'],
    ['loopback, decimal', 'https://2130706433/'],
    ['10/8', 'https://10.1.2.3/'],
    ['172.16/12', 'https://172.16.0.1/'],
    ['192.168/16', 'https://192.168.1.1/'],
    ['carrier-grade NAT', 'https://100.64.0.1/'],
    ['instance metadata', 'https://169.254.169.254/latest/meta-data/'],
    ['unspecified', 'https://0.0.0.0/'],
    ['broadcast', 'https://255.255.255.255/'],
    ['IPv6 loopback', 'https://[::1]/'],
    ['IPv6 unique local', 'https://[fc00::1]/'],
    ['IPv6 link local', 'https://[fe80::1]/'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped metadata', 'https://[::ffff:169.254.169.254]/'],
  ])('refuses %s under the cloud policy', (_, url) => {
    expect(() => checkConnectorUrl(url, CLOUD_OUTBOUND_POLICY)).toThrow(ConnectorUrlError);
  });

  it.each([
    'https://example.com/mcp',
    'https://mcp.example.com:8443/v1?x=1',
    'https://93.184.216.34/',
    'https://[2606:4700::1111]/',
    'https://[::ffff:93.184.216.34]/',
  ])('accepts public https %s under the cloud policy', (url) => {
    expect(checkConnectorUrl(url, CLOUD_OUTBOUND_POLICY).href).toBe(new URL(url).href);
  });

  it.each([
    'http://localhost:3000/mcp',
    'http://127.0.0.1:3000/',
    'http://127.9.9.9/',
    'http://[::1]:3000/',
    'http://[::ffff:127.0.0.1]:3000/',
    'https://localhost/',
    'https://127.0.0.1/',
    'https://example.com/',
  ])('accepts %s under the local policy', (url) => {
    expect(checkConnectorUrl(url, LOCAL).href).toBe(new URL(url).href);
  });

  it.each([
    'http://10.0.0.1/',
    'https://10.0.0.1/',
    'https://169.254.169.254/',
    'https://[::ffff:10.0.0.1]/',
    'http://example.com/',
    'http://user:pw@localhost/',
  ])('refuses %s under the local policy too', (url) => {
    expect(() => checkConnectorUrl(url, LOCAL)).toThrow(ConnectorUrlError);
  });
});

describe('guardedFetch', () => {
  const local = guardedFetch(LOCAL, LIMITS);

  it('passes a JSON answer through intact, status and headers included', async () => {
    const server = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's-1' });
        response.end(JSON.stringify({ echo: JSON.parse(body), method: request.method }));
      });
    });
    const response = await local(`${server.url}/mcp`, { method: 'POST', body: JSON.stringify({ a: 1 }) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('mcp-session-id')).toBe('s-1');
    expect(await response.json()).toEqual({ echo: { a: 1 }, method: 'POST' });
  });

  it('takes a Request as input, as fetch does', async () => {
    const server = await serve((request, response) => request.pipe(response));
    const response = await local(new Request(`${server.url}/echo`, { method: 'POST', body: 'hello' }));
    expect(await response.text()).toBe('hello');
    expect(server.paths).toEqual(['/echo']);
  });

  it('resolves names at connect time: localhost is allowed under the local policy', async () => {
    const server = await serve((_, response) => response.end('ok'));
    const response = await local(`http://localhost:${server.port}/`);
    expect(await response.text()).toBe('ok');
  });

  it('passes an HTTP error through as a Response: the caller decides', async () => {
    const server = await serve((_, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('boom');
    });
    const response = await local(server.url);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('boom');
  });

  it('refuses, at connect time, a name that resolves to a non-public address', async () => {
    const server = await serve((_, response) => response.end('secret'));
    const error = await callError(
      guardedFetch(CLOUD_OUTBOUND_POLICY, LIMITS)(`https://localhost:${server.port}/`),
      'address',
    );
    expect(error.message).toMatch(/localhost resolves to/);
    expect(server.connections()).toBe(0);
  });

  it('checks every request URL against the policy', async () => {
    const server = await serve((_, response) => response.end('secret'));
    await expect(guardedFetch(CLOUD_OUTBOUND_POLICY, LIMITS)(server.url)).rejects.toThrow(ConnectorUrlError);
    await expect(local('http://10.0.0.1/')).rejects.toThrow(ConnectorUrlError);
    expect(server.connections()).toBe(0);
  });

  it('turns an unreachable address into a ConnectorCallError', async () => {
    const server = await serve(() => undefined);
    const closed = server.url;
    servers.splice(0).forEach((s) => {
      s.close();
    });
    await callError(local(closed), 'address');
  });

  it.each([
    ['the same host', (url: string) => `${url}/elsewhere`, 302],
    ['another host', (url: string) => url.replace('127.0.0.1', 'localhost'), 301],
    ['a relative location', () => '/elsewhere', 307],
  ])('follows no redirect, to %s', async (_, location, status) => {
    const server = await serve((request, response) => {
      if (request.url === '/start') response.writeHead(status, { location: location(server.url) }).end();
      else response.end('followed');
    });
    await callError(local(`${server.url}/start`), 'redirect');
    expect(server.paths).toEqual(['/start']);
  });

  it('times out when the answer does not start in time', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    await callError(guardedFetch(LOCAL, { ...LIMITS, timeoutMs: 200 })(server.url), 'timeout');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('times out when the body does not finish in time', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200);
      response.write('partial');
    });
    const response = await guardedFetch(LOCAL, { ...LIMITS, timeoutMs: 300 })(server.url);
    await callError(response.text(), 'timeout');
  });

  it('leaves the caller’s abort as the caller’s', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const reason = new Error('the turn was cancelled');
    setTimeout(() => controller.abort(reason), 50);
    await expect(local(server.url, { signal: controller.signal })).rejects.toBe(reason);

    const second = new AbortController();
    second.abort();
    await expect(local(server.url, { signal: second.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a streamed body (no content-length) once it passes the cap', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 10; i++) response.write('x'.repeat(1024));
      response.end();
    });
    const response = await local(server.url);
    expect(response.headers.get('content-length')).toBeNull();
    await callError(response.text(), 'too_large');
  });

  it('refuses up front an answer whose content-length passes the cap', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-length': String(LIMITS.maxResponseBytes + 1) });
      response.end('x'.repeat(LIMITS.maxResponseBytes + 1));
    });
    await callError(local(server.url), 'too_large');
  });

  it('passes a body of exactly the cap, streamed or not', async () => {
    const body = 'y'.repeat(LIMITS.maxResponseBytes);
    const server = await serve((request, response) => {
      if (request.url === '/streamed') {
        response.write(body.slice(0, 1000));
        response.end(body.slice(1000));
      } else response.end(body);
    });
    expect(await (await local(`${server.url}/streamed`)).text()).toBe(body);
    expect(await (await local(server.url)).text()).toBe(body);
  });
});
