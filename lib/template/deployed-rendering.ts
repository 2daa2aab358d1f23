/**
 * A synthesized value as CloudFormation would deploy it, with the longest realistic names: a
 * 12-digit account, a long Region, the stack name at its maximum, resources' generated names at
 * Lambda's 64 characters. Synth-time checks of AWS size limits (IAM policy size, Lambda's
 * environment size) measure this rendering, so a deployment that passes synth fits.
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { MAX_STACK_NAME_LENGTH } from '../stack-name.js';

/** The pseudo parameters at their longest realistic values. */
export const LONGEST_DEPLOYMENT = {
  partition: 'aws',
  region: 'ap-southeast-2',
  account: '123456789012',
  stackName: 'S'.repeat(MAX_STACK_NAME_LENGTH),
} as const;

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': LONGEST_DEPLOYMENT.partition,
  'AWS::Region': LONGEST_DEPLOYMENT.region,
  'AWS::AccountId': LONGEST_DEPLOYMENT.account,
  'AWS::StackName': LONGEST_DEPLOYMENT.stackName,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Generated physical names are `<stack>-<logical id, cut>-<12 random>`; Lambda's limit, 64, bounds them here. */
const GENERATED_NAME_LENGTH = 64;

function generatedName(logicalId: string): string {
  const suffix = '-ABCDEFGHIJKL';
  return (
    `${LONGEST_DEPLOYMENT.stackName}-${logicalId}`.slice(0, GENERATED_NAME_LENGTH - suffix.length) + suffix
  );
}

/** A resource's ARN: a regional ARN (`dynamodb`/`table` stand for the longest service and type in use). */
function generatedArn(logicalId: string): string {
  const { partition, region, account } = LONGEST_DEPLOYMENT;
  return `arn:${partition}:dynamodb:${region}:${account}:table/${generatedName(logicalId)}`;
}

/** `value` (resolved: literals and intrinsic functions) with every intrinsic replaced by its deployed text. */
function deployed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deployed);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only !== undefined && (only[0] === 'Ref' || only[0].startsWith('Fn::')))
    return intrinsic(only[0], only[1]);
  return Object.fromEntries(entries.map(([key, inner]) => [key, deployed(inner)]));
}

function text(value: unknown): string {
  const rendered = deployed(value);
  return typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
}

function intrinsic(name: string, argument: unknown): unknown {
  if (name === 'Ref' && typeof argument === 'string')
    return PSEUDO_PARAMETERS[argument] ?? generatedName(argument);
  if (name === 'Fn::GetAtt' && Array.isArray(argument)) {
    const [logicalId, attribute] = argument.map(String);
    return attribute?.endsWith('Arn') ? generatedArn(String(logicalId)) : generatedName(String(logicalId));
  }
  if (name === 'Fn::Join' && Array.isArray(argument)) {
    const [separator, parts] = argument;
    return (Array.isArray(parts) ? parts : [parts]).map(text).join(String(separator));
  }
  if (name === 'Fn::Split' && Array.isArray(argument)) return text(argument[1]).split(String(argument[0]));
  if (name === 'Fn::Select' && Array.isArray(argument)) {
    const list = deployed(argument[1]);
    return Array.isArray(list) ? list[Number(argument[0])] : text(list);
  }
  // Anything else (never in these templates so far): its own JSON, a generous stand-in.
  return JSON.stringify({ [name]: argument });
}

/** A template value (literals and intrinsic functions) as deployed. */
export function deployedTemplateValue(value: unknown): unknown {
  return deployed(value);
}

/** `value` (tokens and all) resolved in `scope`'s stack, as deployed. */
export function deployedValue(scope: IConstruct, value: unknown): unknown {
  return deployed(Stack.of(scope).resolve(value));
}

/** The characters IAM counts in a deployed policy document: its JSON without whitespace. */
export function policyCharacters(deployedDocument: unknown): number {
  return JSON.stringify(deployedDocument).replace(/\s/g, '').length;
}
