/**
 * A dependency that is down (issue 8): with DynamoDB stopped, every kind of request answers
 * 503 with `Retry-After` and the error shape — never a generic 500 — and after the platform
 * comes back on the same data (`npm start -- --persist`), requests succeed with nothing lost.
 *
 * This file runs its own local cloud with a data directory (the shared one must stay up for the
 * other files): the same `startLocalCloud` that `npm start -- --persist` runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoIdentity } from '../../local/emulators/jwt-issuer.js';
import { type LocalCloud, startLocalCloud } from '../../local/local-cloud.js';
import { callerOf } from './support/json-request.js';

const dataDir = mkdtempSync(join(tmpdir(), 'bulkhead-outage-'));
const tenant = 'outage-co';
const operator: DemoIdentity = { sub: 'ops-9', tenantId: 'platform', groups: ['operator'] };
const analyst: DemoIdentity = { sub: 'ann', tenantId: tenant, groups: ['analyst'] };
let cloud: LocalCloud;

const call = callerOf(() => cloud);

const start = () => startLocalCloud({ dataDir, echoFunctionLogs: false });

beforeAll(async () => {
  cloud = await start();
});

afterAll(async () => {
  await cloud.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('with DynamoDB down', () => {
  it('answers 503 with Retry-After on every kind of route, then serves the kept data once it is back', async () => {
    expect(
      (await call(operator, 'POST', '/v1/admin/tenants', { tenantId: tenant, name: 'O', tier: 'basic' }))
        .status,
    ).toBe(201);
    const kept = await call(analyst, 'PUT', '/v1/memory', { fact: 'survives the outage' });
    expect(kept.status).toBe(201);

    await cloud.stopDynamoDb();
    const during = await Promise.all([
      call(analyst, 'GET', '/v1/me'),
      call(analyst, 'GET', '/v1/memory'),
      call(analyst, 'PUT', '/v1/memory', { fact: 'written during the outage' }),
      call(analyst, 'POST', '/v1/chat', { message: 'hello' }),
      call(analyst, 'GET', '/v1/sessions'),
      call(operator, 'GET', `/v1/admin/tenants/${tenant}`),
    ]);

    for (const answer of during) {
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answer.body).toMatchObject({
        error: { code: 'dependency_unavailable', requestId: expect.any(String) },
      });
    }

    await cloud.stop();
    cloud = await start();
    const after = await call(analyst, 'GET', '/v1/memory');
    const written = await call(analyst, 'PUT', '/v1/memory', { fact: 'written after the outage' });

    expect(after.status).toBe(200);
    expect((after.body as { facts: { fact: string }[] }).facts.map((fact) => fact.fact)).toEqual([
      'survives the outage',
    ]);
    expect(written.status).toBe(201);
  });
});
