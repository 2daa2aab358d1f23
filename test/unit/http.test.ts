import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { BudgetExceededError, RateLimitedError } from '../../lambdas/admission/errors.js';
import { AgentDeadlineError } from '../../lambdas/agent/errors.js';
import { AuditAppendError } from '../../lambdas/audit/errors.js';
import { parseJsonBody } from '../../lambdas/http/body.js';
import { endpoint, NO_BODY, NO_QUERY } from '../../lambdas/http/endpoint.js';
import { errorResponse } from '../../lambdas/http/error-response.js';
import {
  BadRequestError,
  ForbiddenError,
  MethodNotAllowedError,
  RouteNotFoundError,
  UnsupportedMediaTypeError,
} from '../../lambdas/http/errors.js';
import { jsonResponse } from '../../lambdas/http/response.js';
import { Router } from '../../lambdas/http/router.js';
import { FactNotFoundError } from '../../lambdas/memory/errors.js';
import { type Logger, redactIdentity } from '../../lambdas/observability/logger.js';
import { TenantExistsError } from '../../lambdas/registry/errors.js';
import { ModelUnavailableError } from '../../lambdas/resilience/errors.js';
import { ScopedKeyError, TransactionConflictError } from '../../lambdas/tenancy/errors.js';

function sdkError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode } });
}

function logger() {
  return { info: vi.fn<Logger['info']>(), error: vi.fn<Logger['error']>() };
}

describe('Router', () => {
  const ok = async () => jsonResponse(200, {});
  const item = {
    operationId: 'item',
    tag: 'Items',
    path: '/v1/items/{id}',
    summary: 'an item',
    body: NO_BODY,
    query: NO_QUERY,
    responses: {},
  };
  const router = new Router<null>()
    .implement(endpoint({ ...item, method: 'GET', action: 'documents.read' }), ok)
    .implement(endpoint({ ...item, method: 'DELETE', action: 'documents.delete.private' }), ok);

  it('matches a template, decodes its parameters and names the endpoint’s action', () => {
    expect(router.match('GET', '/v1/items/a%20b').params).toEqual({ id: 'a b' });
    expect(router.match('DELETE', '/v1/items/1').action).toBe('documents.delete.private');
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
    [new UnsupportedMediaTypeError('json only'), 415, 'unsupported_media_type'],
    [new BudgetExceededError(), 402, 'budget_exceeded'],
  ])('maps %s to its status and code in the shared shape', (err, status, code) => {
    const result = errorResponse(err, 'req-7', { logger: logger() });

    expect(result.statusCode).toBe(status);
    expect(JSON.parse(result.body)).toEqual({ error: { code, message: err.message, requestId: 'req-7' } });
  });

  it.each([
    [new RateLimitedError('user', 7), 429, 'rate_limited', '7'],
    [new ModelUnavailableError(5), 503, 'model_unavailable', '5'],
    [new AuditAppendError('lost the race'), 503, 'audit_busy', '1'],
    [new TransactionConflictError(), 503, 'conflict', '1'],
    [new AgentDeadlineError(), 504, 'deadline_exceeded', '5'],
  ])('maps %s to its status with Retry-After', (err, status, code, retryAfter) => {
    const result = errorResponse(err, 'req-9', { logger: logger() });

    expect(result.statusCode).toBe(status);
    expect(result.headers?.['retry-after']).toBe(retryAfter);
    expect(JSON.parse(result.body).error.code).toBe(code);
  });

  it.each([
    ['DynamoDB throttling', sdkError('ProvisionedThroughputExceededException', 400), 503],
    ['STS throttling', sdkError('Throttling', 400), 503],
    ['S3 slow down', sdkError('SlowDown', 503), 503],
    ['a 500 from any service', sdkError('InternalServerError', 500), 503],
    ['an unknown 502', sdkError('SomethingNew', 502), 503],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      503,
    ],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 503],
    ['a hung-up socket', new Error('socket hang up'), 503],
    ['an SDK timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 504],
    [
      'a wrapped refused connection',
      new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
      503,
    ],
  ])('answers %s as a dependency fault with Retry-After, never 500', (_label, err, status) => {
    const log = logger();

    const result = errorResponse(err, 'req-10', { logger: log });

    expect(result.statusCode).toBe(status);
    expect(Number(result.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(result.body).error.code).toBe(
      status === 504 ? 'dependency_timeout' : 'dependency_unavailable',
    );
    expect(log.error).toHaveBeenCalledWith('dependency fault', expect.objectContaining({ status }));
  });

  it.each([
    ['an access denial', sdkError('AccessDeniedException', 403)],
    ['a validation error', sdkError('ValidationException', 400)],
    ['a type error', new TypeError('x is undefined')],
  ])('keeps 500 for %s, which is our bug', (_label, err) => {
    expect(errorResponse(err, 'req-11', { logger: logger() }).statusCode).toBe(500);
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
  const json = { 'content-type': 'application/json' };

  it('parses a valid body, including a base64-encoded one', () => {
    expect(parseJsonBody({ body: '{"name":"ab"}', isBase64Encoded: false, headers: json }, schema)).toEqual({
      name: 'ab',
    });
    const encoded = Buffer.from('{"name":"cd"}').toString('base64');
    expect(parseJsonBody({ body: encoded, isBase64Encoded: true, headers: json }, schema)).toEqual({
      name: 'cd',
    });
  });

  it.each([
    { 'Content-Type': 'application/json' },
    { 'CONTENT-TYPE': 'Application/JSON; charset=utf-8' },
    { 'content-type': 'application/json;charset=UTF-8' },
  ])('accepts the JSON content type %j in any case', (headers) => {
    expect(parseJsonBody({ body: '{"name":"ab"}', isBase64Encoded: false, headers }, schema)).toEqual({
      name: 'ab',
    });
  });

  it.each([
    {},
    { 'content-type': 'text/plain' },
    { 'content-type': 'application/x-www-form-urlencoded' },
    { 'content-type': 'multipart/form-data; boundary=x' },
    { 'content-type': 'application/jsonx' },
    { 'content-type': 'application/json-seq' },
    { 'content-type': '' },
  ])('answers 415 for a JSON body sent with the headers %j', (headers) => {
    expect(() => parseJsonBody({ body: '{"name":"ab"}', isBase64Encoded: false, headers }, schema)).toThrow(
      UnsupportedMediaTypeError,
    );
  });

  it.each([null, '', '{', '[]', '{"name":"toolong"}', '{"name":"a","extra":1}'])(
    'answers 400 for the body %j',
    (body) => {
      expect(() => parseJsonBody({ body, isBase64Encoded: false, headers: json }, schema)).toThrow(
        BadRequestError,
      );
    },
  );
});
