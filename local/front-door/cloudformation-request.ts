/**
 * CloudFormation (awsQuery, `Version=2010-05-15`) requests → IAM requests. A stack's resource is
 * `arn:aws:cloudformation:<region>:<account>:stack/<name>/*` when the request names the stack
 * (its id is not known yet), or the stack id itself. A request with a RoleARN also needs
 * `iam:PassRole` on that role for `cloudformation.amazonaws.com`, as in AWS.
 */
import { type IamRequest, type ParsedRequest, UnrecognizedRequestError } from './iam-request.js';

/** The service principal CloudFormation acts as (a service role must trust it; PassRole names it). */
export const CLOUDFORMATION_SERVICE = 'cloudformation.amazonaws.com';

export const CLOUDFORMATION_ACTIONS = ['CreateStack', 'DescribeStacks', 'DeleteStack'] as const;
export type CloudFormationAction = (typeof CLOUDFORMATION_ACTIONS)[number];

export type CloudFormationRequest =
  | {
      readonly action: 'CreateStack';
      readonly stackName: string;
      readonly templateUrl: string;
      readonly parameters: Readonly<Record<string, string>>;
      readonly roleArn?: string;
      readonly tags: Readonly<Record<string, string>>;
    }
  | { readonly action: 'DescribeStacks'; readonly stackName?: string }
  | { readonly action: 'DeleteStack'; readonly stackName: string; readonly roleArn?: string };

/** Thrown for a malformed CloudFormation request; answered as CloudFormation's ValidationError. */
export class CloudFormationValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudFormationValidationError';
  }
}

const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const STACK_ID = /^arn:aws:cloudformation:[a-z0-9-]+:\d{12}:stack\/[a-zA-Z][-a-zA-Z0-9]{0,127}\/[-a-f0-9]+$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Parses and validates the form body of a CloudFormation request. */
export function cloudFormationRequest(request: ParsedRequest): CloudFormationRequest {
  const form = new URLSearchParams(request.body.toString('utf8'));
  const action = CLOUDFORMATION_ACTIONS.find((candidate) => candidate === form.get('Action'));
  if (request.method !== 'POST' || action === undefined) {
    throw new UnrecognizedRequestError(
      `CloudFormation action ${form.get('Action') ?? '(none)'} is not recognised`,
    );
  }
  const stackName = form.get('StackName') ?? undefined;
  if (stackName !== undefined && !STACK_NAME.test(stackName) && !STACK_ID.test(stackName)) {
    throw new CloudFormationValidationError(
      `1 validation error detected: Value '${stackName}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*`,
    );
  }
  const roleArn = form.get('RoleARN') ?? undefined;
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn))
    throw new CloudFormationValidationError(`RoleARN ${roleArn} is not a role ARN`);
  const role = roleArn === undefined ? {} : { roleArn };
  if (action === 'DescribeStacks') return { action, ...(stackName === undefined ? {} : { stackName }) };
  if (stackName === undefined) throw new CloudFormationValidationError('StackName is required');
  if (action === 'DeleteStack') return { action, stackName, ...role };
  if (!STACK_NAME.test(stackName)) throw new CloudFormationValidationError('StackName must be a name');
  const templateUrl = form.get('TemplateURL');
  if (templateUrl === null)
    throw new CloudFormationValidationError('Either TemplateBody or TemplateURL must be specified.');
  return {
    action,
    stackName,
    templateUrl,
    parameters: members(form, 'Parameters', 'ParameterKey', 'ParameterValue'),
    tags: members(form, 'Tags', 'Key', 'Value'),
    ...role,
  };
}

/** A `<list>.member.N.<key>/<value>` list as a map (each key once). */
function members(
  form: URLSearchParams,
  list: string,
  keyField: string,
  valueField: string,
): Record<string, string> {
  const entries: Record<string, string> = {};
  for (let n = 1; form.has(`${list}.member.${n}.${keyField}`); n++) {
    const key = form.get(`${list}.member.${n}.${keyField}`) ?? '';
    if (key in entries) throw new CloudFormationValidationError(`${list}: ${key} is given more than once`);
    entries[key] = form.get(`${list}.member.${n}.${valueField}`) ?? '';
  }
  return entries;
}

/**
 * What listing every stack is asked about: a stack name no stack can have (names start with a
 * letter), so only a grant on every stack (`stack/*`, `*`) allows it. Not `*` itself: the
 * simulator reads a `*` in the request as a wildcard that any grant matches.
 */
const EVERY_STACK = '-every-stack-/-';

/** The ARN IAM evaluates for a stack named by name (any of its ids) or by id. */
export function stackResource(stackName: string, region: string, accountId: string): string {
  return STACK_ID.test(stackName)
    ? stackName
    : `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/*`;
}

export function cloudFormationIamRequests(
  request: ParsedRequest,
  region: string,
  accountId: string,
): IamRequest[] {
  const parsed = cloudFormationRequest(request);
  if (parsed.action === 'DescribeStacks') {
    const resource =
      parsed.stackName === undefined
        ? `arn:aws:cloudformation:${region}:${accountId}:stack/${EVERY_STACK}`
        : stackResource(parsed.stackName, region, accountId);
    return [{ action: 'cloudformation:DescribeStacks', resource, context: {} }];
  }
  const context: Record<string, string | readonly string[]> =
    parsed.roleArn === undefined ? {} : { 'cloudformation:RoleArn': parsed.roleArn };
  if (parsed.action === 'CreateStack') {
    context['cloudformation:TemplateUrl'] = parsed.templateUrl;
    context['aws:TagKeys'] = Object.keys(parsed.tags);
    for (const [key, value] of Object.entries(parsed.tags)) context[`aws:RequestTag/${key}`] = value;
  }
  const stack: IamRequest = {
    action: `cloudformation:${parsed.action}`,
    resource: stackResource(parsed.stackName, region, accountId),
    context,
  };
  if (parsed.roleArn === undefined) return [stack];
  return [
    stack,
    {
      action: 'iam:PassRole',
      resource: parsed.roleArn,
      context: { 'iam:PassedToService': CLOUDFORMATION_SERVICE },
    },
  ];
}
