/**
 * The tenant role's inline policy against IAM's 10,240 characters per role: each inference profile
 * adds a statement of its own, so a catalogue with too many profiles must fail synth with a
 * readable message (how many fit), not the deploy. Measured as deployed with the longest
 * realistic names (lib/template/deployed-rendering.ts).
 */
import { describe, expect, it } from 'vitest';
import { isRecord } from '../../lambdas/is-record.js';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import { deployedTemplateValue, policyCharacters } from '../../lib/template/deployed-rendering.js';
import { tenantAccessRoleLogicalId } from '../../lib/template/local-resolution.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import {
  ROLE_INLINE_POLICY_MARGIN,
  ROLE_INLINE_POLICY_MAX_CHARACTERS,
} from '../../lib/tenant-access-role.js';
import { editedCatalog, writeCatalogFile } from '../support/model-catalog.js';

/** A catalogue whose chat models are `count` global inference profiles. */
function profilesCatalog(count: number): string {
  const models = Array.from({ length: count }, (_, i) => `anthropic.claude-t${i}-v1:0`);
  return writeCatalogFile(
    editedCatalog({
      prices: {
        version: '2026-12',
        models: {
          ...Object.fromEntries(models.map((id) => [id, { inputPer1kUsd: 0.003, outputPer1kUsd: 0.015 }])),
          'amazon.nova-micro-v1:0': { inputPer1kUsd: 0.000035, outputPer1kUsd: 0.00014 },
          'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002 },
        },
      },
      chatModels: models.map((id) => `global.${id}`),
    }),
  );
}

const synth = (profiles: number) =>
  synthesizeBulkheadTemplate({
    context: { 'bulkhead:modelCatalog': profilesCatalog(profiles) },
    nagChecks: false,
  });

/** Every inline policy of the tenant role in `template` (its own and any AWS::IAM::Policy on it), as IAM counts them. */
function tenantRoleInlineCharacters(template: CfnTemplate): number {
  const roleId = tenantAccessRoleLogicalId(template);
  const resources = Object.values(template.Resources);
  const policies = template.Resources[roleId]?.Properties?.Policies;
  const own = (Array.isArray(policies) ? policies : []).map((policy) =>
    isRecord(policy) ? policy.PolicyDocument : undefined,
  );
  const attached = resources.filter(
    (resource) =>
      resource.Type === 'AWS::IAM::Policy' &&
      JSON.stringify(resource.Properties?.Roles ?? []).includes(`"${roleId}"`),
  );
  return [...own, ...attached.map((p) => p.Properties?.PolicyDocument)]
    .map((document) => policyCharacters(deployedTemplateValue(document)))
    .reduce((sum, characters) => sum + characters, 0);
}

/** More profiles than fit; few enough that MODEL_CATALOG still fits in the functions' environment. */
const TOO_MANY = 12;

describe('the tenant role’s inline policy size', () => {
  const refusal = (() => {
    try {
      synth(TOO_MANY);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    return 'synth passed';
  })();
  const fitting = Number(/at most (\d+) fit/.exec(refusal)?.[1] ?? Number.NaN);

  it('refuses a catalogue with too many inference profiles at synth, saying how many fit', () => {
    expect(refusal).toMatch(
      new RegExp(
        `the tenant role's inline policy would take \\d+ characters once deployed .*more than the ${ROLE_INLINE_POLICY_MAX_CHARACTERS - ROLE_INLINE_POLICY_MARGIN} allowed .*use ${TOO_MANY} inference profiles.*at most \\d+ fit`,
      ),
    );
    expect(fitting).toBeGreaterThanOrEqual(5);
  });

  it('accepts the largest catalogue that fits, whose inline policies stay under IAM’s limit as deployed', () => {
    const characters = tenantRoleInlineCharacters(synth(fitting));

    expect(characters).toBeLessThanOrEqual(ROLE_INLINE_POLICY_MAX_CHARACTERS - ROLE_INLINE_POLICY_MARGIN);
    // Measured close to the budget: one more profile's statement (~550 characters) would not fit.
    expect(characters).toBeGreaterThan(ROLE_INLINE_POLICY_MAX_CHARACTERS - ROLE_INLINE_POLICY_MARGIN - 700);
  });

  it('refuses one more inference profile, naming how many fit', () => {
    expect(() => synth(fitting + 1)).toThrow(
      new RegExp(`use ${fitting + 1} inference profiles.*at most ${fitting} fit`),
    );
  });
});
