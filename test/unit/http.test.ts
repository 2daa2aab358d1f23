import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { parseJsonBody } from '../../lambdas/http/body.js';
import { errorResponse } from '../../lambdas/http/error-response.js';
import {
  BadRequestError,
  ForbiddenError,
  MethodNotAllowedError,
  RouteNotFoundError,
} from '../../lambdas/http/errors.js';
import { jsonResponse } from '../../lambdas/http/response.js';
import { Router } from '../../lambdas/http/router.js';
import { FactNotFoundError } from '../../lambdas/memory/errors.js';
import { type Logger, redactIdentity } from '../../lambdas/observability/logger.js';
import { TenantExistsError } from '../../lambdas/registry/errors.js';
import { ScopedKeyError } from '../../lambdas/tenancy/errors.js';

function logger() {
  return { info: vi.fn<Logger['info']>(), error: vi.fn<Logger['error']>() };
}

describe('Router', () => {
  const ok = async () => jsonResponse(200, {});
  const router = new Router<null>().on('GET', '/v1/items/{id}', ok).on('DELETE', '/v1/items/{id}', ok);

  it('matches a template and decodes its parameters', () => {
    expect(router.match('GET', '/v1/items/a%20b').params).toEqual({ id: 'a b' });
  });

  it('throws 404 for an unknown path and 405 with the allowed methods for a known one', () => {
    expect(() => router.match('GET', '/v1/items')).toThrow(RouteNotFoundError);
    expect(() => router.match('GET', '/v1/items/1/extra')).toThrow(RouteNotFoundError);
    expect(() => router.match('PUT', '/v1/items/1')).toThrow(MethodNotAllowedError);
  });

  it('answers a malformed percent-encoding with 400', () => {
    expect(() => router.match('GET', '/v1/items/%E0%A4%A')).toThrow(BadRequestError);
  });
});

describe('error mapping', () => {
  it.each([
    [new BadRequestError('bad'), 400, 'bad_request'],
    [new ForbiddenError('no'), 403, 'forbidden'],
    [new RouteNotFoundError('GET', '/x'), 404, 'not_found'],
    [new FactNotFoundError(), 404, 'not_found'],
    [new TenantExistsError('acme'), 409, 'tenant_exists'],
    [new ScopedKeyError('bad key'), 400, 'invalid_key'],
  ])('maps %s to its status and code in the shared shape', (err, status, code) => {
    const result = errorResponse(err, 'req-7', { logger: logger() });

    expect(result.statusCode).toBe(status);
    expect(JSON.parse(result.body)).toEqual({ error: { code, message: err.message, requestId: 'req-7' } });
  });

  it('answers an unexpected error with a generic 500 and logs the redacted detail', () => {
    const log = logger();
    const redact = redactIdentity({ tenantId: 'acme', userId: 'alice', tenantTag: 't_0123' });

    const result = errorResponse(new Error('table acme#u#alice#memory exploded'), 'req-8', {
      logger: log,
      redact,
    });

    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({
      error: { code: 'internal_error', message: 'Internal server error', requestId: 'req-8' },
    });
    expect(result.body).not.toContain('exploded');
    const logged = JSON.stringify(log.error.mock.calls);
    expect(logged).toContain('exploded');
    expect(logged).toContain('t_0123#u#<user>#memory');
    expect(logged).not.toContain('acme');
  });
});

describe('JSON body parsing', () => {
  const schema = z.object({ name: z.string().max(3) }).strict();

  it('parses a valid body, including a base64-encoded one', () => {
    expect(parseJsonBody({ body: '{"name":"ab"}', isBase64Encoded: false }, schema)).toEqual({ name: 'ab' });
    const encoded = Buffer.from('{"name":"cd"}').toString('base64');
    expect(parseJsonBody({ body: encoded, isBase64Encoded: true }, schema)).toEqual({ name: 'cd' });
  });

  it.each([null, '', '{', '[]', '{"name":"toolong"}', '{"name":"a","extra":1}'])(
    'answers 400 for the body %j',
    (body) => {
      expect(() => parseJsonBody({ body, isBase64Encoded: false }, schema)).toThrow(BadRequestError);
    },
  );
});
