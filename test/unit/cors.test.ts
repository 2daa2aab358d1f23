import { describe, expect, it } from 'vitest';
import { corsHeaders } from '../../lambdas/http/cors.js';
import { createHttpHandler } from '../../lambdas/http/http-handler.js';
import { Router } from '../../lambdas/http/router.js';
import type { RequestContext } from '../../lambdas/tenancy/request-context.js';
import { proxyEvent } from './support/events.js';

const ORIGINS = ['https://app.example.com', 'http://localhost:5173'];

const request = (origin?: string) => ({ headers: origin === undefined ? {} : { Origin: origin } });

describe('CORS headers of a function response', () => {
  it('allow exactly a configured origin, with Vary: Origin and the headers a client reads', () => {
    const headers = corsHeaders(request('https://app.example.com'), ORIGINS);

    expect(headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      vary: 'Origin',
    });
    expect(headers['access-control-expose-headers']).toMatch(/Retry-After/);
    expect(headers['access-control-expose-headers']).toMatch(/idempotent-replayed/);
    expect(headers['access-control-expose-headers']).toMatch(/x-bulkhead-overhead-ms/);
  });

  it('allow no other origin, however close (scheme, port, suffix, case)', () => {
    for (const origin of [
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://app.example.com.evil.test',
      'https://APP.example.com',
      'null',
    ]) {
      expect(corsHeaders(request(origin), ORIGINS), origin).toEqual({ vary: 'Origin' });
    }
    expect(corsHeaders(request(), ORIGINS)).toEqual({ vary: 'Origin' });
  });

  it('add nothing at all when no origin is configured', () => {
    expect(corsHeaders(request('https://app.example.com'), [])).toEqual({});
  });
});

describe('the request pipeline with CORS origins', () => {
  const handler = createHttpHandler({
    router: new Router<RequestContext>(),
    resolveContext: async () => {
      throw new Error('unreachable in this test');
    },
    corsOrigins: ORIGINS,
  });
  const event = (origin: string) => proxyEvent({ path: '/v1/nowhere', headers: { origin } });

  it('puts the allow-origin on error answers too, for an allowed origin only', async () => {
    const allowed = await handler(event('http://localhost:5173'));
    const other = await handler(event('https://evil.test'));

    expect(allowed.statusCode).toBe(500);
    expect(allowed.headers?.['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(other.headers?.['access-control-allow-origin']).toBeUndefined();
    expect(other.headers?.vary).toBe('Origin');
  });
});
