/**
 * Model grants: a foundation model id is granted as that model in the deployment's Region; a
 * cross-Region inference profile id (`us.…`) as the profile itself plus its foundation model in
 * any Region, invocable only through the profile — the pattern Bedrock's documentation gives.
 * Judged by iam-simulate on the synthesized tenant role, both sides.
 */
import { describe, expect, it } from 'vitest';
import {
  resourceArn,
  rolePolicyDocuments,
  tenantAccessRoleLogicalId,
} from '../../lib/template/local-resolution.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import { assumedRoleSession, evaluateAccess, sessionTags } from '../support/iam-evaluation.js';

const PROFILE = 'us.amazon.nova-lite-v1:0';
const template = synthesizeBulkheadTemplate({
  context: { 'bulkhead:modelIds': `${PROFILE},amazon.nova-micro-v1:0` },
});
const roleId = tenantAccessRoleLogicalId(template);
const documents = rolePolicyDocuments(template, roleId);
const session = assumedRoleSession(resourceArn(template, roleId));
const ACCOUNT = '000000000000';
const profileArn = (region: string) => `arn:aws:bedrock:${region}:${ACCOUNT}:inference-profile/${PROFILE}`;
const modelArn = (region: string, model: string) => `arn:aws:bedrock:${region}::foundation-model/${model}`;

function invoke(resource: string, context: Record<string, string> = {}) {
  return evaluateAccess(
    { identity: documents },
    {
      principal: session,
      action: 'bedrock:InvokeModel',
      resource,
      context: { ...sessionTags({ tenantId: 'acme', userId: 'alice' }), ...context },
    },
  );
}

describe('model grants for inference profiles', () => {
  it('allows the configured inference profile in the deployment’s Region', async () => {
    expect(await invoke(profileArn('us-east-1'))).toBe('Allowed');
  });

  it.each(['us-east-1', 'us-east-2', 'us-west-2'])(
    'allows its foundation model in %s when reached through that profile',
    async (region) => {
      expect(
        await invoke(modelArn(region, 'amazon.nova-lite-v1:0'), {
          'bedrock:InferenceProfileArn': profileArn('us-east-1'),
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
        'bedrock:InferenceProfileArn': `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.amazon.nova-pro-v1:0`,
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
