import { describe, expect, it } from 'vitest';
import { ChatRequestSchema } from '../../lambdas/conversations/chat.js';
import { NewDocumentSchema } from '../../lambdas/documents/document-library.js';
import { jsonSchemaOf } from '../../lambdas/http/openapi.js';
import { isRecord } from '../../lambdas/is-record.js';
import { apiDocument, apiRouter, TENANT_API_ENDPOINTS } from '../../lambdas/routes/api-routes.js';
import { CONTROL_ENDPOINTS } from '../../lambdas/routes/control-endpoints.js';
import { controlRouter } from '../../lambdas/routes/control-routes.js';
import { ALICE_ANALYST, apiHarness } from './support/api-harness.js';
import { fakeRuntime } from './support/fake-runtime.js';
import { assertDocumentedResponse, schemaCompiler } from './support/openapi-validator.js';

/** Every `schema` object anywhere under `value`. */
function schemasIn(value: unknown): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => (key === 'schema' ? [child] : schemasIn(child)));
}

describe('OpenAPI document', () => {
  it('describes exactly the routes the functions serve', () => {
    const fake = fakeRuntime({ tenants: [] });
    const document = apiDocument();

    expect(apiRouter(fake.runtime).endpoints).toEqual(TENANT_API_ENDPOINTS);
    expect(controlRouter(fake.runtime).endpoints).toEqual(CONTROL_ENDPOINTS);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/chat', '/v1/chat/stream', '/v1/documents/{id}', '/v1/admin/tenants']),
    );
    const operationIds = Object.values(document.paths).flatMap((path) =>
      Object.values(path).map((operation) =>
        typeof operation === 'object' && operation !== null && 'operationId' in operation
          ? operation.operationId
          : '',
      ),
    );
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('holds only schemas that compile as JSON Schema 2020-12', () => {
    const { ajv, document } = schemaCompiler();
    const schemas = [...schemasIn(document.paths), ...Object.values(document.components.schemas)];

    expect(schemas.length).toBeGreaterThan(30);
    for (const schema of schemas) {
      const resolved = JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"openapi#/components'));
      expect(() => ajv.compile(resolved)).not.toThrow();
    }
  });

  it('documents Idempotency-Key and the write, body and dependency errors on every write', () => {
    const document = apiDocument();
    const writes = Object.values(document.paths).flatMap((path) =>
      Object.entries(path)
        .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
        .map(([, operation]) => JSON.stringify(operation)),
    );

    expect(writes.length).toBeGreaterThan(10);
    for (const write of writes) {
      expect(write).toContain('"name":"idempotency-key"');
      for (const status of ['"403"', '"409"', '"422"', '"503"', '"504"']) expect(write).toContain(status);
    }
  });

  it('documents the admission limits an operator may set and every admission refusal of a tenant route', () => {
    const document = JSON.stringify(apiDocument().paths);
    const tenantRoute = JSON.stringify(apiDocument().paths['/v1/me']);
    const chat = JSON.stringify(apiDocument().paths['/v1/chat']);

    for (const field of ['tokensPerUserPerMinute', 'tokensPerTenantPerMinute', 'inFlightPerTenant'])
      expect(document).toContain(`"${field}"`);
    for (const code of ['rate_limited', 'token_rate_limited', 'too_many_in_flight']) {
      expect(tenantRoute).toContain(code);
      expect(chat).toContain(code);
    }
  });

  it('publishes the very schemas the routes parse with', () => {
    const document = apiDocument();
    const requestSchema = (path: string) => {
      const operation = document.paths[path]?.post;
      return schemasIn(isRecord(operation) ? operation.requestBody : undefined)[0];
    };

    expect(requestSchema('/v1/documents')).toEqual(jsonSchemaOf(NewDocumentSchema, 'input'));
    expect(requestSchema('/v1/chat')).toEqual(jsonSchemaOf(ChatRequestSchema, 'input'));
    expect(requestSchema('/v1/documents')).toMatchObject({
      additionalProperties: false,
      required: ['title', 'content', 'visibility'],
    });
  });

  it('is served at GET /v1/openapi.json, and real responses and errors validate against it', async () => {
    const api = apiHarness();

    const served = await api.call(ALICE_ANALYST, 'GET', '/v1/openapi.json');
    const me = await api.call(ALICE_ANALYST, 'GET', '/v1/me');
    const missing = await api.call(
      ALICE_ANALYST,
      'GET',
      '/v1/documents/00000000-0000-4000-8000-000000000000',
    );
    const badQuery = await api.call(ALICE_ANALYST, 'GET', '/v1/sessions', undefined, { limit: '1000' });

    expect(served.json).toEqual(JSON.parse(JSON.stringify(apiDocument())));
    assertDocumentedResponse('GET', '/v1/me', me);
    assertDocumentedResponse('GET', '/v1/documents/{id}', missing);
    expect([missing.statusCode, badQuery.statusCode]).toEqual([404, 400]);
    assertDocumentedResponse('GET', '/v1/sessions', badQuery);
  });

  it('catches a response that breaks the document', () => {
    expect(() =>
      assertDocumentedResponse('GET', '/v1/me', {
        statusCode: 200,
        body: JSON.stringify({ tenantId: 'acme' }),
      }),
    ).toThrow(/must have required property/);
  });
});
