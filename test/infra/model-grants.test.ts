/**
 * Model grants, read from the synthesized tenant role and judged by iam-simulate, both sides:
 * - a foundation model id is granted as that model in the deployment's Region;
 * - a geographic cross-Region inference profile (`us.…`) as the profile plus its foundation model
 *   in any Region, invocable only through the profile;
 * - a global profile (`global.…`) as the profile plus its foundation model in the deployment's
 *   Region and the Region-less foundation-model ARN, only through the profile;
 * - a model added to the catalogue file (configuration only) is granted and priced; a model the
 *   catalogue does not price fails synth with a message naming it and the file.
 */
import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import {
  functionSpecs,
  resourceArn,
  rolePolicyDocuments,
  tenantAccessRoleLogicalId,
} from '../../lib/template/local-resolution.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import type { PolicyDocumentJson } from '../../lib/tenant-policy.js';
import { testApp } from '../support/bulkhead-app.js';
import {
  assumedRoleSession,
  evaluateAccess,
  evaluateUnlistedResource,
  sessionTags,
} from '../support/iam-evaluation.js';
import { editedCatalog, writeCatalogFile } from '../support/model-catalog.js';

const ACCOUNT = '000000000000';
const profileArn = (profile: string, region = 'us-east-1') =>
  `arn:aws:bedrock:${region}:${ACCOUNT}:inference-profile/${profile}`;
const modelArn = (region: string, model: string) => `arn:aws:bedrock:${region}::foundation-model/${model}`;

/** The tenant role of `template` and a way to ask IAM whether a tenant session may invoke a resource. */
function tenantRoleOf(template: CfnTemplate) {
  const roleId = tenantAccessRoleLogicalId(template);
  const documents = rolePolicyDocuments(template, roleId);
  const session = assumedRoleSession(resourceArn(template, roleId));
  const request = (resource: string, context: Record<string, string>) => ({
    principal: session,
    action: 'bedrock:InvokeModel',
    resource,
    context: { ...sessionTags({ tenantId: 'acme', userId: 'alice' }), ...context },
  });
  const invoke = (resource: string, context: Record<string, string> = {}) =>
    evaluateAccess({ identity: documents }, request(resource, context));
  /** The same, for the Region-less foundation-model ARN of a global profile (see evaluateUnlistedResource). */
  const invokeRegionless = (model: string, context: Record<string, string> = {}) =>
    evaluateUnlistedResource(
      { identity: documents },
      request(`arn:aws:bedrock:::foundation-model/${model}`, context),
    );
  return { documents, invoke, invokeRegionless };
}

/** The resources of the tenant role's statement `sid`, as a set (CDK's policy minimization may reorder them). */
function statementResources(documents: readonly PolicyDocumentJson[], sid: string): Set<string> {
  const statement = documents.flatMap((document) => document.Statement).find((s) => s.Sid === sid);
  if (statement === undefined) throw new Error(`no statement ${sid}`);
  return new Set([statement.Resource ?? []].flat());
}

function apiCatalog(template: CfnTemplate): unknown {
  const api = functionSpecs(template).find((spec) => spec.entry === 'lambdas/handlers/api.ts');
  return JSON.parse(api?.environment.MODEL_CATALOG ?? 'null');
}

describe('model grants for a geographic inference profile (bulkhead:modelIds)', () => {
  const PROFILE = 'us.amazon.nova-lite-v1:0';
  const { documents, invoke } = tenantRoleOf(
    synthesizeBulkheadTemplate({ context: { 'bulkhead:modelIds': `${PROFILE},amazon.nova-micro-v1:0` } }),
  );

  it('grants exactly the profile, the plain models in the deployment’s Region, and the profile’s model in any Region', () => {
    expect(statementResources(documents, 'SharedModels')).toEqual(
      new Set([
        profileArn(PROFILE),
        modelArn('us-east-1', 'amazon.nova-micro-v1:0'),
        modelArn('us-east-1', 'amazon.titan-embed-text-v2:0'),
      ]),
    );
    expect(statementResources(documents, 'SharedModelThroughProfile0')).toEqual(
      new Set([modelArn('*', 'amazon.nova-lite-v1:0')]),
    );
  });

  it('allows the configured inference profile in the deployment’s Region', async () => {
    expect(await invoke(profileArn(PROFILE))).toBe('Allowed');
  });

  it.each(['us-east-1', 'us-east-2', 'us-west-2'])(
    'allows its foundation model in %s when reached through that profile',
    async (region) => {
      expect(
        await invoke(modelArn(region, 'amazon.nova-lite-v1:0'), {
          'bedrock:InferenceProfileArn': profileArn(PROFILE),
        }),
      ).toBe('Allowed');
    },
  );

  it('denies its foundation model in another Region when invoked directly', async () => {
    expect(await invoke(modelArn('us-west-2', 'amazon.nova-lite-v1:0'))).toBe('ImplicitlyDenied');
  });

  it('denies a foundation model reached through a profile the platform did not configure', async () => {
    expect(
      await invoke(modelArn('us-west-2', 'amazon.nova-pro-v1:0'), {
        'bedrock:InferenceProfileArn': profileArn('us.amazon.nova-pro-v1:0'),
      }),
    ).toBe('ImplicitlyDenied');
  });

  it('keeps a plain foundation model id a foundation model in the deployment’s Region only', async () => {
    expect(await invoke(modelArn('us-east-1', 'amazon.nova-micro-v1:0'))).toBe('Allowed');
    expect(await invoke(modelArn('us-west-2', 'amazon.nova-micro-v1:0'))).toBe('ImplicitlyDenied');
  });

  it('never grants the profile id as a foundation model that does not exist', () => {
    expect(JSON.stringify(documents)).not.toContain(`foundation-model/${PROFILE}`);
  });
});

describe('model grants for a global inference profile (catalogue file)', () => {
  const MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
  const GLOBAL = `global.${MODEL}`;
  const template = synthesizeBulkheadTemplate({
    context: {
      'bulkhead:modelCatalog': writeCatalogFile(
        editedCatalog({
          prices: {
            version: '2026-12',
            models: {
              // A global profile may carry its own (lower) price; its foundation model is not needed.
              [GLOBAL]: { inputPer1kUsd: 0.0027, outputPer1kUsd: 0.0135 },
              'amazon.nova-micro-v1:0': { inputPer1kUsd: 0.000035, outputPer1kUsd: 0.00014 },
              'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002 },
            },
          },
          chatModels: [GLOBAL, 'amazon.nova-micro-v1:0'],
        }),
      ),
    },
  });
  const { documents, invoke, invokeRegionless } = tenantRoleOf(template);
  const throughProfile = { 'bedrock:InferenceProfileArn': profileArn(GLOBAL) };

  it('grants the profile, and its model in the deployment’s Region and without a Region, through the profile only', () => {
    expect(statementResources(documents, 'SharedModels').has(profileArn(GLOBAL))).toBe(true);
    expect(statementResources(documents, 'SharedModelThroughProfile0')).toEqual(
      new Set([modelArn('us-east-1', MODEL), `arn:aws:bedrock:::foundation-model/${MODEL}`]),
    );
  });

  it('allows the profile, and its Region-less and source-Region foundation model through it', async () => {
    expect(await invoke(profileArn(GLOBAL))).toBe('Allowed');
    expect(invokeRegionless(MODEL, throughProfile)).toBe('Allowed');
    expect(await invoke(modelArn('us-east-1', MODEL), throughProfile)).toBe('Allowed');
  });

  it('denies its foundation model invoked directly, with or without a Region', async () => {
    expect(invokeRegionless(MODEL)).toBe('ImplicitlyDenied');
    expect(await invoke(modelArn('us-east-1', MODEL))).toBe('ImplicitlyDenied');
  });

  it('denies a model the catalogue does not name, even through another global profile', async () => {
    const other = 'anthropic.claude-opus-4-1-20250805-v1:0';
    expect(invokeRegionless(other, { 'bedrock:InferenceProfileArn': profileArn(`global.${other}`) })).toBe(
      'ImplicitlyDenied',
    );
    expect(await invoke(profileArn(`global.${other}`))).toBe('ImplicitlyDenied');
  });

  it('gives the functions the profile’s own price', () => {
    expect(apiCatalog(template)).toMatchObject({
      prices: { version: '2026-12', models: { [GLOBAL]: { inputPer1kUsd: 0.0027, outputPer1kUsd: 0.0135 } } },
      chatModels: [GLOBAL, 'amazon.nova-micro-v1:0'],
    });
  });
});

describe('a model added by configuration only', () => {
  const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
  const template = synthesizeBulkheadTemplate({
    context: {
      'bulkhead:modelCatalog': writeCatalogFile(
        editedCatalog({
          prices: {
            version: '2026-12',
            models: {
              'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.00006, outputPer1kUsd: 0.00024 },
              [HAIKU]: { inputPer1kUsd: 0.00025, outputPer1kUsd: 0.00125 },
              'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002 },
            },
          },
          chatModels: [HAIKU, 'amazon.nova-lite-v1:0'],
          fallbackModels: { basic: 'amazon.nova-lite-v1:0' },
        }),
      ),
    },
  });
  const { documents, invoke } = tenantRoleOf(template);

  it('is granted in the deployment’s Region, with the other models in use and nothing else', async () => {
    expect(statementResources(documents, 'SharedModels')).toEqual(
      new Set([
        modelArn('us-east-1', HAIKU),
        modelArn('us-east-1', 'amazon.nova-lite-v1:0'),
        modelArn('us-east-1', 'amazon.titan-embed-text-v2:0'),
      ]),
    );
    expect(await invoke(modelArn('us-east-1', HAIKU))).toBe('Allowed');
    // Dropped from the catalogue, the old fallback is no longer granted.
    expect(await invoke(modelArn('us-east-1', 'amazon.nova-micro-v1:0'))).toBe('ImplicitlyDenied');
  });

  it('reaches the functions as the default chat model with its price and version', () => {
    expect(apiCatalog(template)).toEqual({
      prices: {
        version: '2026-12',
        models: {
          'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.00006, outputPer1kUsd: 0.00024 },
          [HAIKU]: { inputPer1kUsd: 0.00025, outputPer1kUsd: 0.00125 },
          'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002, outputPer1kUsd: 0 },
        },
      },
      chatModels: [HAIKU, 'amazon.nova-lite-v1:0'],
      embeddingModel: 'amazon.titan-embed-text-v2:0',
      fallbackModels: { basic: 'amazon.nova-lite-v1:0' },
    });
  });
});

describe('a model without a price', () => {
  it('fails synth, naming the model and the file to add its price to', () => {
    const file = writeCatalogFile(
      editedCatalog({ chatModels: ['amazon.nova-lite-v1:0', 'amazon.nova-pro-v1:0'] }),
      'adopter-models.json',
    );

    expect(() => testApp({ 'bulkhead:modelCatalog': file })).toThrow(
      `Invalid bulkhead settings:\n  - chat model "amazon.nova-pro-v1:0" has no price: add "amazon.nova-pro-v1:0": { "inputPer1kUsd": …, "outputPer1kUsd": … } to prices.models in ${file}`,
    );
  });

  it('fails synth when bulkhead:modelIds names one, and for a fallback model too, all at once', () => {
    const file = writeCatalogFile(
      editedCatalog({ fallbackModels: { premium: 'meta.llama3-8b-instruct-v1:0' } }),
    );

    expect(() =>
      testApp({ 'bulkhead:modelCatalog': file, 'bulkhead:modelIds': 'us.amazon.nova-pro-v1:0' }),
    ).toThrow(
      new RegExp(
        [
          'chat model "us\\.amazon\\.nova-pro-v1:0" has no price',
          'fallback model of tier premium "meta\\.llama3-8b-instruct-v1:0" has no price',
        ].join('[\\s\\S]*'),
      ),
    );
  });
});
