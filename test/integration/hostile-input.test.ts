/**
 * A hostile-input run over every route of the served OpenAPI document (issue 8): malformed JSON,
 * wrong types for every body field, huge and deeply nested bodies, odd unicode, bad cursors and
 * limits, undecodable and oversized path parameters, wrong content types and out-of-range
 * numbers. Every answer must be a 4xx with the error shape — never a 5xx — and an invalid request
 * must change nothing the tenant can see (memory, documents, sessions, the tenant record).
 * Callers hold the role each route needs, so refusals by role do not hide input handling.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRecord } from '../../lambdas/is-record.js';
import { apiDocument } from '../../lambdas/routes/api-document.js';
import { type Caller, callAs, OPERATOR, onboard, tokenFor } from './support/api-client.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenant = `hostile-${suffix}`;
const admin: Caller = { sub: 'hal', tenantId: tenant, groups: ['admin'] };
const DOCUMENT = randomUUID();

interface Probe {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string | null;
}

interface Answer {
  readonly probe: Probe;
  readonly status: number;
  readonly text: string;
}

/** Operations of the served document, with the caller who may use each. */
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown> | undefined;
  /** Names of its query parameters. */
  readonly query: readonly string[];
}

function operations(): Operation[] {
  const found: Operation[] = [];
  const document = apiDocument();
  // A body schema named as a component is probed field by field like an inline one.
  const named = (schema: Record<string, unknown>) =>
    typeof schema.$ref === 'string'
      ? document.components.schemas[schema.$ref.slice('#/components/schemas/'.length)]
      : schema;
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const requestBody = isRecord(operation) ? operation.requestBody : undefined;
      const content = isRecord(requestBody) ? requestBody.content : undefined;
      const media = isRecord(content) ? content['application/json'] : undefined;
      const schema = isRecord(media) && isRecord(media.schema) ? named(media.schema) : undefined;
      const parameters =
        isRecord(operation) && Array.isArray(operation.parameters) ? operation.parameters : [];
      const query = parameters.flatMap((parameter: unknown) =>
        isRecord(parameter) && parameter.in === 'query' && typeof parameter.name === 'string'
          ? [parameter.name]
          : [],
      );
      found.push({ method: method.toUpperCase(), path, body: schema, query });
    }
  }
  return found;
}

const callerFor = (path: string): Caller => (path.startsWith('/v1/admin') ? OPERATOR : admin);

function concrete(path: string, value?: string): string {
  return path
    .replace('{tenantId}', value ?? tenant)
    .replace('{userId}', value ?? 'hal')
    .replace('{id}', value ?? DOCUMENT)
    .replace('{name}', value ?? 'hostile');
}

/** A JSON value of the wrong type for each JSON Schema type. */
function wrongTypes(schema: unknown): unknown[] {
  const type = isRecord(schema) ? schema.type : undefined;
  const all: unknown[] = [null, true, 1.5, -1, 'text', [], {}, [1, 2], { nested: { deeper: true } }];
  if (type === 'string') return all.filter((value) => typeof value !== 'string');
  if (type === 'number' || type === 'integer')
    return [...all.filter((value) => typeof value !== 'number'), '12'];
  if (type === 'boolean') return all.filter((value) => typeof value !== 'boolean');
  if (type === 'array') return all.filter((value) => !Array.isArray(value));
  return all.filter((value) => !isRecord(value));
}

const OUT_OF_RANGE = [1e308, -1e308, -1, 2 ** 53 + 1, 1e16, 0.000_000_1, -0];
const ODD_STRINGS = ['\u0000', '\ud800', '\u202e\u202d', '🏴‍☠️'.repeat(500), '\uffff', 'a'.repeat(300_000)];
const BAD_SEGMENTS = [
  '%ZZ',
  '%',
  '%C0%AF',
  '%E0%A4%A',
  'x'.repeat(3000),
  '..',
  '%2e%2e',
  '%00',
  'é',
  '%F0%9F',
];
const BAD_CURSORS = [
  'x',
  '!!!',
  'A'.repeat(2049),
  '%ZZ',
  'eyJ',
  Buffer.from('{"sk":"x"}').toString('base64url'),
];
const BAD_LIMITS = ['-1', '0', '101', '1e9', 'abc', '1.5', ''];

/** Every invalid probe for one operation. */
function invalidProbes(op: Operation): Probe[] {
  const probes: Probe[] = [];
  const at = (label: string, extra: Omit<Probe, 'label' | 'method' | 'path'> & { path?: string }) =>
    probes.push({ label, method: op.method, path: extra.path ?? concrete(op.path), ...extra });
  const json = 'application/json';
  // fetch sends no body with GET: bodies are probed on every other method.
  if (op.method !== 'GET') {
    for (const text of ['{', '[', '"unterminated', '{"a":}', 'nul', '{}}', '\u0000', '{"a":1,"a":'])
      at(`malformed JSON ${JSON.stringify(text)}`, { body: text, contentType: json });
    at('deeply nested JSON', { body: `${'['.repeat(50_000)}${']'.repeat(50_000)}`, contentType: json });
    at('a 5 MB body', { body: JSON.stringify({ padding: 'p'.repeat(5 * 1024 * 1024) }), contentType: json });
    for (const value of [null, 42, 'text', [], true])
      at(`a ${JSON.stringify(value)} body`, { body: JSON.stringify(value), contentType: json });
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      null,
    ])
      at(`content type ${contentType}`, { body: op.body === undefined ? '{}' : '{"x":1}', contentType });
    const properties = isRecord(op.body?.properties) ? op.body.properties : {};
    for (const [field, schema] of Object.entries(properties)) {
      for (const value of wrongTypes(schema))
        at(`${field} = ${JSON.stringify(value)}`, {
          body: JSON.stringify({ [field]: value }),
          contentType: json,
        });
      const type = isRecord(schema) ? schema.type : undefined;
      if (type === 'number' || type === 'integer')
        for (const value of OUT_OF_RANGE)
          at(`${field} out of range ${value}`, {
            body: JSON.stringify({ [field]: value, unknownField: 1 }),
            contentType: json,
          });
    }
    at('an unknown field naming another tenant', {
      body: JSON.stringify({ tenantId: 'acme', userId: 'root' }),
      contentType: json,
    });
  }
  if (op.path.includes('{'))
    for (const segment of BAD_SEGMENTS)
      at(`path segment ${segment.slice(0, 12)}`, { path: concrete(op.path, segment) });
  const query = (text: string) => `${concrete(op.path)}?${text}`;
  if (op.query.includes('cursor'))
    for (const cursor of BAD_CURSORS)
      at(`cursor ${cursor.slice(0, 12)}`, { path: query(`cursor=${encodeURIComponent(cursor)}`) });
  if (op.query.includes('limit')) {
    for (const limit of BAD_LIMITS)
      at(`limit ${limit}`, { path: query(`limit=${encodeURIComponent(limit)}`) });
    at('an unknown query parameter', { path: query('bogus=1') });
  }
  if (op.query.includes('month'))
    for (const month of ['2026-13', '1999-00', 'abc', '2026-1', '9'.repeat(300)])
      at(`month ${month.slice(0, 10)}`, { path: query(`month=${encodeURIComponent(month)}`) });
  return probes;
}

/** Odd but well-formed text in each string field: it may be accepted or refused, never a 5xx. */
function oddProbes(op: Operation): Probe[] {
  const properties = isRecord(op.body?.properties) ? op.body.properties : {};
  return Object.entries(properties).flatMap(([field, schema]) =>
    isRecord(schema) && schema.type === 'string'
      ? ODD_STRINGS.map((text) => ({
          label: `${field} odd text ${JSON.stringify(text.slice(0, 6))}`,
          method: op.method,
          path: concrete(op.path),
          body: JSON.stringify({ [field]: text }),
          contentType: 'application/json',
        }))
      : [],
  );
}

async function send(probe: Probe): Promise<Answer> {
  const caller = callerFor(probe.path);
  const headers: Record<string, string> = { authorization: `Bearer ${await tokenFor(caller)}` };
  if (probe.contentType !== undefined && probe.contentType !== null)
    headers['content-type'] = probe.contentType;
  const response = await fetch(`${cloud.apiEndpoint}${probe.path}`, {
    method: probe.method,
    headers,
    ...(probe.body === undefined ? {} : { body: probe.body }),
  });
  return { probe, status: response.status, text: await response.text() };
}

/** Sends probes a few at a time (a flood, bounded). */
async function sendAll(probes: readonly Probe[], concurrency = 8): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < probes.length) {
        const probe = probes[next++];
        if (probe !== undefined) answers.push(await send(probe));
      }
    }),
  );
  return answers;
}

function hasErrorShape(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    const error = isRecord(body) ? body.error : undefined;
    return isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string';
  } catch {
    return false;
  }
}

/** What the tenant can see: it must not move under invalid input. */
async function visibleState() {
  const [memory, documents, sessions, connectors, record] = await Promise.all([
    callAs(admin, 'GET', '/v1/memory'),
    callAs(admin, 'GET', '/v1/documents'),
    callAs(admin, 'GET', '/v1/sessions'),
    callAs(admin, 'GET', '/v1/connectors'),
    callAs(OPERATOR, 'GET', `/v1/admin/tenants/${tenant}`),
  ]);
  return {
    memory: memory.body,
    documents: documents.body,
    sessions: sessions.body,
    connectors: connectors.body,
    record: record.body,
  };
}

describe('a hostile-input run over every route', () => {
  beforeAll(async () => {
    // Enterprise limits, so a flood of probes from one user is not cut short by 429s.
    await onboard(tenant, 'enterprise');
    await callAs(admin, 'PUT', '/v1/memory', { fact: 'a fact that must not move' });
  });

  it('answers every invalid request with a 4xx in the error shape and changes nothing', async () => {
    const probes = operations().flatMap(invalidProbes);
    const before = await visibleState();

    const answers = await sendAll(probes);

    const wrong = answers
      .filter((answer) => answer.status < 400 || answer.status >= 500 || !hasErrorShape(answer.text))
      .map(
        ({ probe, status, text }) =>
          `${probe.method} ${probe.path.slice(0, 80)} [${probe.label}] → ${status} ${text.slice(0, 120)}`,
      );
    console.info(
      `hostile-input run: ${answers.length} invalid requests over ${operations().length} operations`,
    );
    expect(wrong).toEqual([]);
    expect(await visibleState()).toEqual(before);
  });

  it('never answers odd but well-formed text with a 5xx', async () => {
    const probes = operations().flatMap(oddProbes);

    const answers = await sendAll(probes);

    const failures = answers
      .filter((answer) => answer.status >= 500 || (answer.status >= 400 && !hasErrorShape(answer.text)))
      .map(
        ({ probe, status, text }) =>
          `${probe.method} ${probe.path} [${probe.label}] → ${status} ${text.slice(0, 120)}`,
      );
    console.info(`hostile-input run: ${answers.length} odd-text requests`);
    expect(probes.length).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });
});
