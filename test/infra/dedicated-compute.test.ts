/**
 * Dedicated compute for the silo tier: the tenant API and streaming chat have tenant-isolated
 * twins (TenancyConfig PER_TENANT) with the originals' environment and trust, and the silo API
 * invokes them with the authorizer's verified tenant id as `X-Amz-Tenant-Id`.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TENANT_ISOLATION_VARIABLE } from '../../lambdas/http/environment-binding.js';
import { asCfnTemplate, type CfnTemplate } from '../../lib/template/cfn-template.js';
import {
  apiRoutes,
  type FunctionSpec,
  functionSpecs,
  resourceArn,
  restApiOfOutput,
  roleTrustPolicy,
  tenantAccessRoleLogicalId,
} from '../../lib/template/local-resolution.js';
import { API_ENTRIES, testTemplate } from '../support/bulkhead-app.js';

let template: Template;
let cfn: CfnTemplate;
let functions: FunctionSpec[];

beforeAll(() => {
  template = testTemplate();
  cfn = asCfnTemplate(template.toJSON());
  functions = functionSpecs(cfn);
});

const tenancyOf = (logicalId: string): unknown => cfn.Resources[logicalId]?.Properties?.TenancyConfig;
const isolated = () => functions.filter((fn) => fn.tenantIsolated);
const pooledTwinOf = (twin: FunctionSpec): FunctionSpec => {
  const pooled = functions.find((fn) => fn.entry === twin.entry && !fn.tenantIsolated);
  if (pooled === undefined) throw new Error(`no pooled function for ${twin.entry}`);
  return pooled;
};

describe('the tenant-isolated twins', () => {
  it('run the tenant API and the streaming chat with TenancyConfig PER_TENANT; every other function has none', () => {
    expect(
      isolated()
        .map((fn) => fn.entry)
        .sort(),
    ).toEqual(['lambdas/handlers/api.ts', 'lambdas/handlers/chat-stream.ts']);
    for (const fn of functions)
      expect(tenancyOf(fn.logicalId)).toEqual(
        fn.tenantIsolated ? { TenantIsolationMode: 'PER_TENANT' } : undefined,
      );
  });

  it('have the environment of their pooled originals, plus TENANT_ISOLATION=PER_TENANT', () => {
    for (const twin of isolated()) {
      const pooled = pooledTwinOf(twin);
      const { [TENANT_ISOLATION_VARIABLE]: mode, ...rest } = twin.environment;
      expect(mode).toBe('PER_TENANT');
      expect(pooled.environment[TENANT_ISOLATION_VARIABLE]).toBeUndefined();
      // Every binding (names, ARNs, grants' variables) is the original's.
      expect(rest).toEqual(pooled.environment);
    }
  });

  it('are trusted by the tenant access role and the audit writer wherever their originals are', () => {
    const trusted = (roleLogicalId: string) => JSON.stringify(roleTrustPolicy(cfn, roleLogicalId));
    const auditRoleArn = pooledTwinOf(isolated()[0] as FunctionSpec).environment.AUDIT_ROLE_ARN;
    const auditRole = Object.keys(cfn.Resources).find(
      (logicalId) =>
        cfn.Resources[logicalId]?.Type === 'AWS::IAM::Role' && resourceArn(cfn, logicalId) === auditRoleArn,
    );
    if (auditRole === undefined) throw new Error('no audit writer role');
    const platform = functions.filter((fn) => API_ENTRIES.includes(fn.entry));
    for (const role of [tenantAccessRoleLogicalId(cfn), auditRole])
      for (const fn of platform) expect(trusted(role)).toContain(resourceArn(cfn, fn.roleLogicalId));
  });
});

describe('the silo API', () => {
  it('sends the tenant routes to the twins with X-Amz-Tenant-Id mapped from the authorizer’s tenant id, and the control routes and the API document to the control function', () => {
    const siloApi = restApiOfOutput(cfn, 'SiloApiUrl');
    const routes = apiRoutes(cfn).filter((route) => route.restApiLogicalId === siloApi);
    const entryOf = (logicalId: string) => functions.find((fn) => fn.logicalId === logicalId);

    expect(
      routes.map((route) => ({
        path: route.path,
        entry: entryOf(route.functionLogicalId)?.entry,
        isolated: entryOf(route.functionLogicalId)?.tenantIsolated,
        tenantIdFrom: route.tenantIdFrom,
      })),
    ).toEqual(
      expect.arrayContaining([
        {
          path: '/v1/admin/{proxy+}',
          entry: 'lambdas/handlers/control.ts',
          isolated: false,
          tenantIdFrom: undefined,
        },
        { path: '/v1/{proxy+}', entry: 'lambdas/handlers/api.ts', isolated: true, tenantIdFrom: 'tenantId' },
        {
          path: '/v1/chat/stream',
          entry: 'lambdas/handlers/chat-stream.ts',
          isolated: true,
          tenantIdFrom: 'tenantId',
        },
        {
          path: '/v1/openapi.json',
          entry: 'lambdas/handlers/control.ts',
          isolated: false,
          tenantIdFrom: undefined,
        },
      ]),
    );
    expect(routes).toHaveLength(4);
  });

  it('writes the mapping as API Gateway reads it, on the streaming integration too', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const mapped = methods.filter((method) => method.Properties.Integration.RequestParameters !== undefined);

    expect(mapped.map((method) => method.Properties.Integration.RequestParameters)).toEqual([
      { 'integration.request.header.X-Amz-Tenant-Id': 'context.authorizer.tenantId' },
      { 'integration.request.header.X-Amz-Tenant-Id': 'context.authorizer.tenantId' },
    ]);
    expect(mapped.map((method) => method.Properties.Integration.ResponseTransferMode).sort()).toEqual([
      'BUFFERED',
      'STREAM',
    ]);
  });

  it('leaves the pool API’s integrations without a tenant header, on the pooled functions', () => {
    const poolApi = restApiOfOutput(cfn, 'ApiUrl');
    const routes = apiRoutes(cfn).filter((route) => route.restApiLogicalId === poolApi);

    expect(routes).toHaveLength(4);
    for (const route of routes) {
      expect(route.tenantIdFrom).toBeUndefined();
      expect(functions.find((fn) => fn.logicalId === route.functionLogicalId)?.tenantIsolated).toBe(false);
    }
  });

  it('lets only the pool API own the account’s API Gateway logging role, and outputs its URL', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 2);
    expect(Object.keys(template.findOutputs('SiloApiUrl'))).toEqual(['SiloApiUrl']);
  });
});
