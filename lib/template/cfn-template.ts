/**
 * The shape of a synthesized CloudFormation template as the template readers
 * use it. Kept apart from synthesize.ts so readers (e.g. the local cloud
 * loading a cached template) do not load aws-cdk-lib for one shape check.
 */
import { isRecord } from '../../lambdas/is-record.js';

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export type CfnTemplate = {
  Resources: Record<string, CfnResourceJson>;
  [key: string]: unknown;
};

function isCfnTemplate(value: unknown): value is CfnTemplate {
  return (
    isRecord(value) &&
    isRecord(value.Resources) &&
    Object.values(value.Resources).every(
      (resource) => isRecord(resource) && typeof resource.Type === 'string',
    )
  );
}

/** Checks the synthesized JSON has the shape the template readers rely on. */
export function asCfnTemplate(value: unknown): CfnTemplate {
  if (!isCfnTemplate(value)) throw new TypeError('not a CloudFormation template with typed Resources');
  return value;
}
