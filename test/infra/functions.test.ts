/** The house Lambda defaults on every platform function. */
import { existsSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_CATALOG_ENV_MAX_BYTES, MODEL_CATALOG_VARIABLE } from '../../lib/model-catalog-file.js';
import { repoPath } from '../../lib/repo-root.js';
import { functionSpecs } from '../../lib/template/local-resolution.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import { API_ENTRIES, houseFunctions, testTemplate } from '../support/bulkhead-app.js';

let template: Template;
beforeAll(() => {
  template = testTemplate();
});

describe('house functions', () => {
  it('run on arm64 with the latest Node runtime and active tracing', () => {
    const functions = Object.values(houseFunctions(template));
    expect(functions).toHaveLength(10);
    for (const fn of functions)
      expect(fn.Properties).toMatchObject({
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
  });

  it("are every Lambda function but one: the console's deployment handler, on a role of its own without AWS managed policies, logging to a retained log group", () => {
    const resources = template.toJSON().Resources;
    const others = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
      ([logicalId]) => !(logicalId in houseFunctions(template)),
    );
    expect(others.map(([logicalId]) => logicalId)).toEqual([
      expect.stringMatching(/^CustomCDKBucketDeployment/),
    ]);
    const [, handler] = others[0] ?? [];
    const roleId = handler?.Properties.Role['Fn::GetAtt'][0];
    expect(roleId).toMatch(/^ConsoleDeploymentRole/);
    expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    expect(resources[handler?.Properties.LoggingConfig.LogGroup.Ref]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
    // It is what BucketDeployment makes it, and serves only the console's custom resource.
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      ServiceToken: { 'Fn::GetAtt': [others[0]?.[0], 'Arn'] },
    });
  });

  it('may send their traces to X-Ray, and none switches Powertools tracing off', () => {
    const functions = Object.values(houseFunctions(template));
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    for (const fn of functions) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const statements = policies
        .filter((policy) => policy.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleId))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Action: expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
          Resource: '*',
        }),
      );
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBeUndefined();
    }
    expect(functions).toHaveLength(10);
  });

  it('log to their own retained log group with a retention', () => {
    const resources = template.toJSON().Resources;
    const functions = Object.values(houseFunctions(template));
    const logGroups = new Set(functions.map((fn) => fn.Properties.LoggingConfig?.LogGroup?.Ref));
    expect(logGroups.size).toBe(functions.length);
    for (const logGroup of logGroups) {
      expect(resources[logGroup]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
        DeletionPolicy: 'Retain',
      });
    }
  });

  it('record a repo-relative entry that exists', () => {
    const entries = Object.values(houseFunctions(template)).map((fn) => fn.Metadata?.['bulkhead:entry']);
    expect(entries.sort()).toEqual([
      'lambdas/handlers/api.ts',
      'lambdas/handlers/api.ts',
      'lambdas/handlers/audit-digest.ts',
      'lambdas/handlers/authorizer.ts',
      'lambdas/handlers/chat-stream.ts',
      'lambdas/handlers/chat-stream.ts',
      'lambdas/handlers/control.ts',
      'lambdas/handlers/placement.ts',
      'lambdas/handlers/retention.ts',
      'lambdas/handlers/tenant-erasure.ts',
    ]);
    for (const entry of entries) expect(existsSync(repoPath(entry))).toBe(true);
  });

  it('use roles without AWS managed policies', () => {
    const functionRoles = Object.values(houseFunctions(template)).map(
      (fn) => fn.Properties.Role['Fn::GetAtt'][0],
    );
    for (const roleId of functionRoles) {
      expect(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('give the authorizer the JWT settings and what vending sessions needs, and no other role or key', () => {
    const authorizer = Object.values(houseFunctions(template)).find(
      (fn) => fn.Metadata?.['bulkhead:entry'] === 'lambdas/handlers/authorizer.ts',
    );
    expect(Object.keys(authorizer?.Properties.Environment.Variables).sort()).toEqual([
      'AUTHORIZER_CACHE_SECONDS',
      'CONTROL_TABLE_NAME',
      'JWKS_URL',
      'JWT_AUDIENCE',
      'JWT_CLAIMS',
      'JWT_ISSUER',
      'NODE_OPTIONS',
      'PLATFORM_ACCOUNT_ID',
      'PLATFORM_STACK_NAME',
      'SILO_TIERS',
      'TENANT_BUCKET_NAME',
      'TENANT_ROLE_ARN',
      'TENANT_TABLE_NAME',
      'TENANT_TAG_SECRET_ARN',
      'VECTOR_BUCKET_NAME',
    ]);
    expect(authorizer?.Properties.Environment.Variables.AUTHORIZER_CACHE_SECONDS).toBe('3000');
  });

  it('give the control, api and chat-stream functions (and the tenant-isolated twins) every agreed variable, and the checked-in model catalogue', () => {
    const platform = Object.values(houseFunctions(template)).filter((fn) =>
      API_ENTRIES.includes(fn.Metadata?.['bulkhead:entry']),
    );
    expect(platform).toHaveLength(5);
    for (const fn of platform) {
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
        expect.arrayContaining([
          'TENANT_TABLE_NAME',
          'CONTROL_TABLE_NAME',
          'TENANT_BUCKET_NAME',
          'VECTOR_BUCKET_NAME',
          'TENANT_ROLE_ARN',
          'AUDIT_ROLE_ARN',
          'TENANT_TAG_SECRET_ARN',
          'TENANT_SECRET_PREFIX',
          'VAULT_KEY_ARN',
          'JWT_ISSUER',
          'JWT_AUDIENCE',
          'JWKS_URL',
          'MODEL_CATALOG',
        ]),
      );
      // models.json holds the prices of the table that was hard-coded before (version 2026-11).
      expect(JSON.parse(fn.Properties.Environment.Variables.MODEL_CATALOG)).toEqual({
        prices: {
          version: '2026-11',
          models: {
            'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.00006, outputPer1kUsd: 0.00024 },
            'amazon.nova-micro-v1:0': { inputPer1kUsd: 0.000035, outputPer1kUsd: 0.00014 },
            'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002, outputPer1kUsd: 0 },
          },
        },
        chatModels: ['amazon.nova-lite-v1:0', 'amazon.nova-micro-v1:0'],
        embeddingModel: 'amazon.titan-embed-text-v2:0',
        fallbackModels: { basic: 'amazon.nova-micro-v1:0', premium: 'amazon.nova-micro-v1:0' },
      });
    }
  });
});

describe('the functions’ environment', () => {
  it('leaves room in Lambda’s 4 KB for the largest model catalogue synth allows', () => {
    const template = synthesizeBulkheadTemplate({ nagChecks: false });
    // Deployed names are longer than the locally resolved ones (stack prefix, random suffixes, key ids).
    const deployedNamesMargin = 512;
    for (const fn of functionSpecs(template)) {
      const others = Object.entries(fn.environment)
        .filter(([name]) => name !== MODEL_CATALOG_VARIABLE)
        .reduce((bytes, [name, value]) => bytes + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
      expect(others + MODEL_CATALOG_ENV_MAX_BYTES + deployedNamesMargin, fn.entry).toBeLessThanOrEqual(4_096);
    }
  });
});

describe('resource descriptions', () => {
  it('use only the characters CloudFormation accepts in IAM and KMS descriptions (no typographic quotes)', () => {
    const template = synthesizeBulkheadTemplate({ nagChecks: false });
    const offending = Object.entries(template.Resources).flatMap(([id, resource]) => {
      const description = resource.Properties?.Description;
      // CloudFormation's pattern: tab, newlines, printable ASCII and Latin-1 (\s stands for the first three).
      return typeof description === 'string' && /[^\s\u0020-\u007E\u00A1-\u00FF]/.test(description)
        ? [`${id}: ${description}`]
        : [];
    });

    expect(offending).toEqual([]);
  });
});
