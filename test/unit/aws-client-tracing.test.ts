/**
 * Every AWS SDK client the functions build is traced in X-Ray through Powertools, in Lambda only,
 * and the subsegments carry no call parameters (S3 keys hold raw tenant and user ids).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import xray from 'aws-xray-sdk-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionClientFactory } from '../../lambdas/tenancy/session-clients.js';
import { testCredentials } from './support/fake-sdk.js';

const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';
const LAMBDAS = join(import.meta.dirname, '..', '..', 'lambdas');

/** Every `new <Client>(` of a client class imported from `@aws-sdk/client-*`, with whether `traced(` wraps it. */
function sdkClientConstructions(): { where: string; traced: boolean }[] {
  const files = readdirSync(LAMBDAS, { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.ts'),
  );
  return files.flatMap((file) => {
    const text = readFileSync(join(LAMBDAS, file), 'utf8');
    const classes = [...text.matchAll(/import \{([^}]*)\} from '@aws-sdk\/client-[a-z0-9-]+'/g)].flatMap(
      (match) =>
        (match[1] ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name.endsWith('Client')),
    );
    return classes.flatMap((name) =>
      [...text.matchAll(new RegExp(`(traced\\()?new ${name}\\(`, 'g'))].map((match) => ({
        where: `${file}: new ${name}`,
        traced: match[1] !== undefined,
      })),
    );
  });
}

/** The session client factory as a fresh module load sees the environment (Powertools reads it once). */
async function loadSessionClients(): Promise<SessionClientFactory> {
  vi.resetModules();
  return (await import('../../lambdas/tenancy/session-clients.js')).sdkSessionClients;
}

function isCaptured(client: { middlewareStack: { identify(): string[] } }): boolean {
  return client.middlewareStack.identify().some((name) => name.startsWith(XRAY_MIDDLEWARE));
}

/** Answers every command below X-Ray's middleware (no network), as a 200 with a request id. */
function answerOffline(client: S3Client): void {
  client.middlewareStack.add(
    () => async () => ({ output: { $metadata: { httpStatusCode: 200, requestId: 'req-1' } }, response: {} }),
    { step: 'finalizeRequest', name: 'answerOffline', priority: 'low' },
  );
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('AWS SDK client tracing', () => {
  it('captures every session client in Lambda', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    const clients = await loadSessionClients();

    const built = [
      clients.dynamodb(testCredentials),
      clients.s3(testCredentials),
      clients.s3vectors(testCredentials),
      clients.bedrock(testCredentials),
      clients.secretsManager(testCredentials),
      clients.kms(testCredentials),
    ];

    expect(built.map(isCaptured)).toEqual([true, true, true, true, true, true]);
  });

  it('wraps every SDK client the functions construct in traced()', () => {
    const constructions = sdkClientConstructions();

    expect(constructions.length).toBeGreaterThanOrEqual(20);
    expect(constructions.filter((construction) => !construction.traced)).toEqual([]);
  });

  it('leaves the clients untouched outside Lambda, where Powertools turns tracing off', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', undefined);
    const clients = await loadSessionClients();

    expect(isCaptured(clients.dynamodb(testCredentials))).toBe(false);
    expect(isCaptured(clients.s3(testCredentials))).toBe(false);
  });

  it('leaves the clients untouched in Lambda with POWERTOOLS_TRACE_ENABLED=false', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
    const clients = await loadSessionClients();

    expect(isCaptured(clients.bedrock(testCredentials))).toBe(false);
  });

  it('records an S3 call as a subsegment without its bucket or key', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const s3 = (await loadSessionClients()).s3(testCredentials);
    answerOffline(s3);
    const segment = new xray.Segment('request');
    segment.notTraced = true;

    await xray.getNamespace().runPromise(async () => {
      xray.setSegment(segment);
      await s3.send(
        new PutObjectCommand({
          Bucket: 'bulkhead-silo-acme-corp',
          Key: 'tenants/acme-corp/users/alice/notes.txt',
          Body: 'x',
        }),
      );
    });

    const recorded = segment.format();
    expect(recorded).toContain('"name":"S3"');
    expect(recorded).toContain('"operation":"PutObject"');
    expect(recorded).not.toContain('acme-corp');
    expect(recorded).not.toContain('alice');
  });
});
