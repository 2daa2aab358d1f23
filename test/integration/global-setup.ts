/**
 * Starts one local cloud for all integration tests and hands its coordinates to them.
 *
 * BULKHEAD_DELIBERATE_BUG=no-iam starts it with IAM enforcement OFF: the deliberate-bug check,
 * run by hand, which must make the isolation tests fail (see docs/local-cloud.md).
 */
import type { TestProject } from 'vitest/node';
import type { Credentials } from '../../local/front-door/principals.js';
import { startLocalCloud } from '../../local/local-cloud.js';

export interface LocalCloudInfo {
  readonly endpoint: string;
  readonly apiEndpoint: string;
  /** Read-only view of the model's recorded requests and the vector indexes (local/inspector.ts). */
  readonly inspectorEndpoint: string;
  readonly region: string;
  readonly issuer: string;
  readonly tenantRoleArn: string;
  /** Each function's own credentials and resolved environment, by entry file. */
  readonly functions: Readonly<
    Record<
      string,
      { readonly credentials: Omit<Credentials, 'expiration'>; readonly environment: Record<string, string> }
    >
  >;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localCloud: LocalCloudInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cloud = await startLocalCloud({ enforceIam: process.env.BULKHEAD_DELIBERATE_BUG !== 'no-iam' });
  const functions: Record<string, LocalCloudInfo['functions'][string]> = {};
  for (const fn of cloud.model.functions) {
    const { expiration: _expiration, ...credentials } = cloud.functionCredentials(fn.logicalId);
    functions[fn.entry] = { credentials, environment: fn.environment };
  }
  project.provide('localCloud', {
    endpoint: cloud.endpoint,
    apiEndpoint: cloud.apiEndpoint,
    inspectorEndpoint: cloud.inspectorEndpoint,
    region: cloud.region,
    issuer: cloud.issuer.issuer,
    tenantRoleArn: cloud.model.tenantRoleArn,
    functions,
  });
  return () => cloud.stop();
}
