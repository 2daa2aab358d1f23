import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ChatRequestSchema } from '../../lambdas/conversations/chat.js';
import { NewDocumentSchema } from '../../lambdas/documents/document-library.js';
import { createHttpHandler } from '../../lambdas/http/http-handler.js';
import { buildOpenApiDocument } from '../../lambdas/http/openapi.js';
import { isRecord } from '../../lambdas/is-record.js';
import { apiDocument, getOpenApi } from '../../lambdas/routes/api-document.js';
import { TENANT_API_ENDPOINTS } from '../../lambdas/routes/api-endpoints.js';
import { apiRouter } from '../../lambdas/routes/api-routes.js';
import { CONTROL_ENDPOINTS } from '../../lambdas/routes/control-endpoints.js';
import { controlRouter } from '../../lambdas/routes/control-routes.js';
import { ALICE_ANALYST, apiHarness } from './support/api-harness.js';
import { proxyEvent } from './support/events.js';
import { fakeRuntime } from './support/fake-runtime.js';
import {
  assertDocumentedResponse,
  referringToCompiled,
  resolveComponents,
  schemaCompiler,
} from './support/openapi-validator.js';

/** Redocly's recommended rules, plus the ones that make every operation described and tagged. */
async function redoclyProblems(document: unknown) {
  const config = await createConfig({
    extends: ['recommended'],
    rules: {
      'operation-description': 'error',
      'operation-tag-defined': 'error',
      'operation-singular-tag': 'error',
    },
  });
  const problems = await lintFromString({
    source: JSON.stringify(document),
    absoluteRef: 'openapi.json',
    config,
  });
  return problems.map(
    (problem) =>
      `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`,
  );
}

/** The control function over a fake runtime: it serves the document. */
function controlHandler() {
  const fake = fakeRuntime({ tenants: [] });
  return createHttpHandler({
    router: controlRouter(fake.runtime),
    resolveContext: (event) => fake.runtime.resolveContext(event),
  });
}

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
    expect(controlRouter(fake.runtime).endpoints).toEqual([...CONTROL_ENDPOINTS, getOpenApi]);
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
    for (const schema of schemas) expect(() => ajv.compile(referringToCompiled(schema))).not.toThrow();
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
      return resolveComponents(
        document,
        schemasIn(isRecord(operation) ? operation.requestBody : undefined)[0],
      );
    };
    const parsedWith = (schema: z.ZodType) => {
      const { $schema: _dialect, $defs: _named, ...root } = z.toJSONSchema(schema, { io: 'input' });
      return resolveComponents(
        document,
        JSON.parse(JSON.stringify(root).replaceAll('#/$defs/', '#/components/schemas/')),
      );
    };

    expect(requestSchema('/v1/documents')).toEqual(parsedWith(NewDocumentSchema));
    expect(requestSchema('/v1/chat')).toEqual(parsedWith(ChatRequestSchema));
    expect(requestSchema('/v1/documents')).toMatchObject({
      additionalProperties: false,
      required: ['title', 'content', 'visibility'],
    });
  });

  it('passes Redocly’s recommended rules with no error and no warning', async () => {
    expect(await redoclyProblems(apiDocument('https://api.example.org/prod'))).toEqual([]);
  });

  it('lints for real: a document without summaries, tags or servers is refused', async () => {
    const bare = { ...structuredClone(apiDocument()), servers: [], tags: [] };
    const operation = bare.paths['/v1/me']?.get;
    if (isRecord(operation)) {
      delete operation.summary;
      delete operation.tags;
    }

    const problems = (await redoclyProblems(bare)).join('\n');

    expect(problems).toMatch(/no-empty-servers/);
    expect(problems).toMatch(/operation-summary/);
    expect(problems).toMatch(/operation-tag-defined|operation-singular-tag/);
  });

  it('names the shared schemas as components and documents every operation’s area, summary and access', () => {
    const document = apiDocument();
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path).filter(isRecord));

    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Error',
        'ChatRequest',
        'ChatResponse',
        'ChatStreamEvent',
        'TenantRecord',
        'PlatformCosts',
      ]),
    );
    expect(JSON.stringify(document.paths['/v1/chat'])).toContain(
      '"$ref":"#/components/schemas/ChatResponse"',
    );
    for (const operation of operations) {
      expect(operation.tags).toHaveLength(1);
      expect(operation.summary).toEqual(expect.any(String));
      expect(operation.description).toMatch(/Action `[a-z.]+`: roles|Public: no token needed/);
    }
    expect(document.tags.map((tag) => tag.name)).toEqual(
      expect.arrayContaining(['Chat', 'Documents', 'Tenants', 'API description']),
    );
  });

  it('types path parameters and documents the streamed chat’s events', () => {
    const document = apiDocument();
    const parameter = (path: string, method: string, name: string) => {
      const operation = document.paths[path]?.[method];
      const parameters =
        isRecord(operation) && Array.isArray(operation.parameters) ? operation.parameters : [];
      return parameters.find((candidate) => isRecord(candidate) && candidate.name === name);
    };

    expect(parameter('/v1/admin/tenants/{tenantId}', 'get', 'tenantId')).toMatchObject({
      in: 'path',
      schema: { type: 'string', pattern: expect.any(String) },
    });
    expect(parameter('/v1/documents/{id}', 'get', 'id')).toMatchObject({ schema: { format: 'uuid' } });
    expect(document.paths['/v1/chat/stream']?.post).toMatchObject({
      responses: {
        200: {
          content: { 'text/event-stream': { schema: { $ref: '#/components/schemas/ChatStreamEvent' } } },
        },
      },
    });
    const events = JSON.stringify(document.components.schemas.ChatStreamEvent);
    for (const event of ['text', 'tool', 'approval', 'connection_required', 'done', 'error'])
      expect(events).toContain(`"const":"${event}"`);
  });

  it('refuses an endpoint whose path parameter has no schema, or whose tag is not declared', () => {
    const build = (overrides: Partial<typeof getOpenApi>) =>
      buildOpenApiDocument({
        info: apiDocument().info,
        servers: [],
        tags: [{ name: 'API description', description: 'x' }],
        endpoints: [{ ...getOpenApi, ...overrides }],
        securityDescription: 'x',
      });

    expect(() => build({ path: '/v1/things/{id}' })).toThrow(/declares no schema for \{id\}/);
    expect(() => build({ tag: 'Elsewhere' })).toThrow(/undeclared tag Elsewhere/);
  });

  it('is served without a token at GET /v1/openapi.json, naming the API’s own URL as its server', async () => {
    const handler = controlHandler();
    const event = proxyEvent({
      path: '/v1/openapi.json',
      authorizer: null,
      headers: { host: 'api.example.org' },
    });

    const served = await handler({
      ...event,
      requestContext: { ...event.requestContext, path: '/prod/v1/openapi.json' },
    });

    expect(served.statusCode).toBe(200);
    const document = JSON.parse(served.body);
    expect(document.servers).toEqual([expect.objectContaining({ url: 'https://api.example.org/prod' })]);
    expect(document.paths).toEqual(JSON.parse(JSON.stringify(apiDocument().paths)));
    assertDocumentedResponse('GET', '/v1/openapi.json', served);
  });

  it('still refuses every other route without a token, on the control and the tenant API', async () => {
    const control = controlHandler();
    const api = apiHarness();
    const anonymous = (path: string, method = 'GET') => proxyEvent({ method, path, authorizer: null });

    const answers = await Promise.all([
      control(anonymous('/v1/admin/tenants')),
      control(anonymous('/v1/openapi.json', 'POST')),
      control(anonymous('/v1/openapi.json/x')),
      api.handler(anonymous('/v1/me')),
      api.handler(anonymous('/v1/openapi.json')),
    ]);

    expect(answers.map((answer) => answer.statusCode)).toEqual([401, 401, 401, 401, 401]);
  });

  it('answers real responses and errors that validate against it', async () => {
    const api = apiHarness();

    const me = await api.call(ALICE_ANALYST, 'GET', '/v1/me');
    const missing = await api.call(
      ALICE_ANALYST,
      'GET',
      '/v1/documents/00000000-0000-4000-8000-000000000000',
    );
    const badQuery = await api.call(ALICE_ANALYST, 'GET', '/v1/sessions', undefined, { limit: '1000' });

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
