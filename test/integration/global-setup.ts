/**
 * Starts one local cloud for all integration tests and hands its coordinates to them.
 *
 * BULKHEAD_DELIBERATE_BUG=no-iam starts it with IAM enforcement OFF: the deliberate-bug check,
 * run by hand, which must make the isolation tests fail (see docs/local-cloud.md).
 * The functions' logs are captured (the inspector's `/logs`, scanned by the log-hygiene test);
 * BULKHEAD_ECHO_LOGS=1 also prints them.
 */
import type { TestProject } from 'vitest/node';
import type { Credentials } from '../../local/front-door/principals.js';
import { type LocalCloud, startLocalCloud } from '../../local/local-cloud.js';
import { describeLeaks, findLogLeaks } from './support/log-leaks.js';

export interface LocalCloudInfo {
  readonly endpoint: string;
  /** The emulators behind the front door (no IAM): raw listings and root-level forgeries. */
  readonly emulatorEndpoints: { readonly dynamoDb: string; readonly s3: string };
  readonly apiEndpoint: string;
  /** The silo tier's API: tenant routes on tenant-isolated functions, one worker per tenant. */
  readonly siloApiEndpoint: string;
  /** The model's record and usage, fault injection, vector indexes, function logs (local/inspector.ts). */
  readonly inspectorEndpoint: string;
  readonly region: string;
  readonly issuer: string;
  readonly tenantRoleArn: string;
  /** Each pooled function's own credentials and resolved environment, by entry file. */
  readonly functions: Readonly<
    Record<
      string,
      {
        readonly logicalId: string;
        readonly credentials: Omit<Credentials, 'expiration'>;
        readonly environment: Record<string, string>;
      }
    >
  >;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localCloud: LocalCloudInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cloud = await startLocalCloud({
    enforceIam: process.env.BULKHEAD_DELIBERATE_BUG !== 'no-iam',
    echoFunctionLogs: process.env.BULKHEAD_ECHO_LOGS === '1',
  });
  const functions: Record<string, LocalCloudInfo['functions'][string]> = {};
  // A tenant-isolated twin shares its entry with the pooled function: the pooled one stands for it.
  for (const fn of cloud.model.functions.filter((candidate) => !candidate.tenantIsolated)) {
    const { expiration: _expiration, ...credentials } = cloud.functionCredentials(fn.logicalId);
    functions[fn.entry] = { logicalId: fn.logicalId, credentials, environment: fn.environment };
  }
  project.provide('localCloud', {
    endpoint: cloud.endpoint,
    emulatorEndpoints: cloud.emulatorEndpoints,
    apiEndpoint: cloud.apiEndpoint,
    siloApiEndpoint: cloud.siloApiEndpoint,
    inspectorEndpoint: cloud.inspectorEndpoint,
    region: cloud.region,
    issuer: cloud.issuer.issuer,
    tenantRoleArn: cloud.model.tenantRoleArn,
    functions,
  });
  return async () => {
    const verdict = logHygieneOfRun(cloud);
    await cloud.stop();
    if (verdict !== undefined) {
      console.error(verdict);
      // A teardown error is only printed by vitest; the exit code makes the run fail.
      process.exitCode = 1;
    }
  };
}

/**
 * The log-hygiene test scans while other files still run; this scans the whole run once it has
 * ended: every captured line, for every tenant and user id the local STS tagged a session with,
 * and every secret value Secrets Manager held (connector keys, the tenant-tag key).
 */
function logHygieneOfRun(cloud: LocalCloud): string | undefined {
  const leaks = findLogLeaks(cloud.functionLogs.lines(), {
    ...cloud.sessionIdentities(),
    texts: cloud.secretValues(),
  });
  const dropped = cloud.functionLogs.dropped;
  const modelSightings = cloud.modelRecord.requestsCarryingSecrets();
  if (leaks.length === 0 && dropped === 0 && modelSightings === 0) return undefined;
  return [
    `log hygiene of the whole run: ${leaks.length} raw id(s) or secret(s) in the functions' logs, ${dropped} line(s) not kept, ${modelSightings} model request(s) holding a secret`,
    describeLeaks(leaks),
  ].join('\n');
}
