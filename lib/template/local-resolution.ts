/**
 * Reads the synthesized template the way the local cloud deploys it: every
 * resource gets a deterministic local physical name, intrinsics resolve
 * against a fixed local account, and the pieces the local cloud needs
 * (functions, routes, role policies) are extracted. Only what the bulkhead
 * template actually uses is supported; anything else throws by name.
 */

import { createHash } from 'node:crypto';
import { isRecord } from '../../lambdas/is-record.js';
import type { PolicyDocumentJson } from '../tenant-policy.js';
import type { CfnResourceJson, CfnTemplate } from './cfn-template.js';
import { ENTRY_METADATA_KEY, ROLE_METADATA_KEY, TENANT_ACCESS_ROLE_MARK } from './metadata-keys.js';

export interface LocalAccount {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /**
   * Set when the template is deployed as a stack of its own (CloudFormation CreateStack): its
   * parameters and `AWS::StackName`/`AWS::StackId` resolve from here, and the names generated
   * for unnamed resources are unique to the stack. See `bindStack`.
   */
  readonly stack?: StackBinding;
}

/** A stack created from a template: who it is and the parameter values it was created with. */
export interface StackBinding {
  readonly stackName: string;
  readonly stackId: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/** Thrown when parameter values do not fit a template's Parameters (CloudFormation's ValidationError). */
export class ParameterValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParameterValueError';
  }
}

export const LOCAL_ACCOUNT: LocalAccount = Object.freeze({
  accountId: '000000000000',
  region: 'us-east-1',
  partition: 'aws',
});

export interface FunctionSpec {
  readonly logicalId: string;
  /** Repo-relative handler source, from Metadata `bulkhead:entry`. */
  readonly entry: string;
  readonly roleLogicalId: string;
  /** Environment variables with intrinsics resolved. */
  readonly environment: Record<string, string>;
  /** True in Lambda tenant isolation mode (`TenancyConfig.TenantIsolationMode: PER_TENANT`). */
  readonly tenantIsolated: boolean;
}

export interface RouteSpec {
  /** `ANY`, `GET`, ... */
  readonly method: string;
  /** e.g. `/v1/admin/{proxy+}` */
  readonly path: string;
  readonly functionLogicalId: string;
  readonly authorizerFunctionLogicalId?: string;
  /** True when the integration streams the function's response (Lambda response streaming). */
  readonly streaming: boolean;
  /** The REST API the method belongs to. */
  readonly restApiLogicalId: string;
  /** The authorizer context key the integration maps to `X-Amz-Tenant-Id` (tenant-isolated functions). */
  readonly tenantIdFrom?: string;
}

/**
 * A method API Gateway answers itself (a MOCK integration, e.g. a CORS preflight): the status and
 * literal headers of its one integration response, and the response mapping template that may
 * override headers (`$context.responseOverride.header.*`).
 */
export interface MockRouteSpec {
  readonly method: string;
  readonly path: string;
  readonly restApiLogicalId: string;
  readonly statusCode: number;
  /** Header name → value, from the integration response's literal (`'...'`) parameters. */
  readonly headers: Readonly<Record<string, string>>;
  /** The `application/json` response mapping template, if any. */
  readonly responseTemplate?: string;
}

/** The integration request parameter that carries the tenant id of a tenant-isolated invocation. */
const TENANT_ID_HEADER_PARAMETER = 'integration.request.header.x-amz-tenant-id';

/** Longest generated local name (S3 bucket and S3 Vectors bucket limit). */
const MAX_GENERATED_NAME = 63;
/** CDK logical ids end in an 8-character hash; keep it when shortening. */
const LOGICAL_ID_HASH_LENGTH = 8;

/** Resource types whose names must be lowercase. */
const LOWERCASE_NAMED_TYPES = new Set(['AWS::S3::Bucket', 'AWS::S3Vectors::VectorBucket']);

/** The property that carries an explicit physical name, per type. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::S3Vectors::VectorBucket': 'VectorBucketName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::KMS::Alias': 'AliasName',
};

/** Resource types whose `Ref` is their ARN rather than their name or id. */
const REF_IS_ARN = new Set([
  'AWS::SecretsManager::Secret',
  'AWS::S3Vectors::VectorBucket',
  'AWS::IAM::ManagedPolicy',
]);

/** Stands for `AWS::NoValue`: dropped from the enclosing object or list. */
const NO_VALUE = Symbol('AWS::NoValue');

function resourceOf(template: CfnTemplate, logicalId: string): CfnResourceJson {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId} in the template`);
  return resource;
}

function shortenedId(logicalId: string): string {
  if (logicalId.length <= MAX_GENERATED_NAME) return logicalId;
  const keep = MAX_GENERATED_NAME - LOGICAL_ID_HASH_LENGTH;
  return logicalId.slice(0, keep) + logicalId.slice(-LOGICAL_ID_HASH_LENGTH);
}

/**
 * Deterministic local physical name: the explicit name property (resolved), else one generated
 * from the logical id — in a stack, `<stack>-<logical id>-<suffix>` as CloudFormation names
 * them, and a key id shaped like KMS's.
 */
export function physicalName(
  template: CfnTemplate,
  logicalId: string,
  account: LocalAccount = LOCAL_ACCOUNT,
): string {
  const resource = resourceOf(template, logicalId);
  const nameProperty = NAME_PROPERTIES[resource.Type];
  const explicit = nameProperty === undefined ? undefined : resource.Properties?.[nameProperty];
  if (explicit !== undefined)
    return asString(resolveIntrinsics(explicit, template, account), `the name of ${logicalId}`);
  const { stack } = account;
  if (stack === undefined) return generatedName(resource.Type, logicalId);
  const suffix = createHash('sha256').update(`${stack.stackId}\0${logicalId}`).digest('hex');
  if (resource.Type === 'AWS::KMS::Key') {
    return [
      suffix.slice(0, 8),
      suffix.slice(8, 12),
      suffix.slice(12, 16),
      suffix.slice(16, 20),
      suffix.slice(20, 32),
    ].join('-');
  }
  return generatedName(resource.Type, `${stack.stackName}-${logicalId}-${suffix.slice(0, 12).toUpperCase()}`);
}

function generatedName(type: string, base: string): string {
  const generated = shortenedId(base);
  return LOWERCASE_NAMED_TYPES.has(type) ? generated.toLowerCase() : generated;
}

/**
 * The account as a stack created from `template` sees it: `parameters` checked against the
 * template's Parameters (each one known, each one without a Default given, AllowedPattern and
 * AllowedValues met) and completed with the Defaults.
 */
export function bindStack(
  template: CfnTemplate,
  account: LocalAccount,
  stack: StackBinding,
): LocalAccount & { readonly stack: StackBinding } {
  const declared = isRecord(template.Parameters) ? template.Parameters : {};
  const unknown = Object.keys(stack.parameters).filter((name) => !(name in declared));
  if (unknown.length > 0)
    throw new ParameterValueError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const parameters: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, declaration] of Object.entries(declared)) {
    const spec = isRecord(declaration) ? declaration : {};
    const value = stack.parameters[name] ?? (spec.Default === undefined ? undefined : String(spec.Default));
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    const pattern = typeof spec.AllowedPattern === 'string' ? spec.AllowedPattern : undefined;
    if (pattern !== undefined && !new RegExp(`^(?:${pattern})$`).test(value))
      throw new ParameterValueError(`Parameter '${name}' must match pattern ${pattern}`);
    if (Array.isArray(spec.AllowedValues) && !spec.AllowedValues.map(String).includes(value))
      throw new ParameterValueError(`Parameter '${name}' must be one of AllowedValues`);
    parameters[name] = value;
  }
  if (missing.length > 0)
    throw new ParameterValueError(`Parameters: [${missing.join(', ')}] must have values`);
  return { ...account, stack: { ...stack, parameters } };
}

/** The local ARN of a resource. */
export function resourceArn(
  template: CfnTemplate,
  logicalId: string,
  account: LocalAccount = LOCAL_ACCOUNT,
): string {
  const { partition: p, region: r, accountId: a } = account;
  const resource = resourceOf(template, logicalId);
  const name = physicalName(template, logicalId, account);
  switch (resource.Type) {
    case 'AWS::DynamoDB::Table':
      return `arn:${p}:dynamodb:${r}:${a}:table/${name}`;
    case 'AWS::S3::Bucket':
      return `arn:${p}:s3:::${name}`;
    case 'AWS::S3Vectors::VectorBucket':
      return `arn:${p}:s3vectors:${r}:${a}:bucket/${name}`;
    case 'AWS::IAM::Role': {
      const path = resource.Properties?.Path;
      return `arn:${p}:iam::${a}:role${typeof path === 'string' ? path : '/'}${name}`;
    }
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${p}:iam::${a}:policy/${name}`;
    case 'AWS::Lambda::Function':
      return `arn:${p}:lambda:${r}:${a}:function:${name}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${p}:logs:${r}:${a}:log-group:${name}:*`;
    case 'AWS::SecretsManager::Secret':
      return `arn:${p}:secretsmanager:${r}:${a}:secret:${name}`;
    case 'AWS::KMS::Key':
      return `arn:${p}:kms:${r}:${a}:key/${name}`;
    case 'AWS::KMS::Alias':
      return `arn:${p}:kms:${r}:${a}:${name}`;
    case 'AWS::Cognito::UserPool':
      return `arn:${p}:cognito-idp:${r}:${a}:userpool/${userPoolId(template, logicalId, account)}`;
    case 'AWS::ApiGateway::RestApi':
      return `arn:${p}:apigateway:${r}::/restapis/${name}`;
    default:
      throw new Error(`no local ARN for ${logicalId} of type ${resource.Type}`);
  }
}

function userPoolId(template: CfnTemplate, logicalId: string, account: LocalAccount): string {
  return `${account.region}_${physicalName(template, logicalId, account)}`;
}

function pseudoParameter(name: string, account: LocalAccount): string | typeof NO_VALUE | undefined {
  switch (name) {
    case 'AWS::AccountId':
      return account.accountId;
    case 'AWS::Region':
      return account.region;
    case 'AWS::Partition':
      return account.partition;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return account.stack?.stackName;
    case 'AWS::StackId':
      return account.stack?.stackId;
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return undefined;
  }
}

function resolveRef(name: string, template: CfnTemplate, account: LocalAccount): unknown {
  const pseudo = pseudoParameter(name, account);
  if (pseudo !== undefined) return pseudo;
  const parameters = isRecord(template.Parameters) ? template.Parameters : {};
  const parameter = parameters[name];
  if (parameter !== undefined) {
    const bound = account.stack?.parameters[name];
    if (bound !== undefined) return bound;
    if (isRecord(parameter) && parameter.Default !== undefined) return parameter.Default;
    throw new Error(`parameter ${name} has no value (bindStack) or default to resolve locally`);
  }
  const resource = resourceOf(template, name);
  if (REF_IS_ARN.has(resource.Type)) return resourceArn(template, name, account);
  if (resource.Type === 'AWS::Cognito::UserPool') return userPoolId(template, name, account);
  return physicalName(template, name, account);
}

function resolveGetAtt(
  logicalId: string,
  attribute: string,
  template: CfnTemplate,
  account: LocalAccount,
): string {
  const resource = resourceOf(template, logicalId);
  if (
    attribute === 'Arn' ||
    (resource.Type === 'AWS::S3Vectors::VectorBucket' && attribute === 'VectorBucketArn')
  ) {
    return resourceArn(template, logicalId, account);
  }
  if (resource.Type === 'AWS::ApiGateway::RestApi' && attribute === 'RootResourceId') {
    return `${physicalName(template, logicalId, account)}-root`;
  }
  if (resource.Type === 'AWS::Cognito::UserPool' && attribute === 'ProviderURL') {
    return `cognito-idp.${account.region}.amazonaws.com/${userPoolId(template, logicalId, account)}`;
  }
  // The web console's distribution is not deployed locally (local/console-server.ts plays it):
  // its domain only stands in CORS origins and redirect URLs, where no local browser comes from.
  if (resource.Type === 'AWS::CloudFront::Distribution' && attribute === 'DomainName') {
    return `${physicalName(template, logicalId, account).toLowerCase()}.cloudfront.net`;
  }
  throw new Error(`Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) is not resolvable locally`);
}

function asString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`${where} resolved to a non-string: ${JSON.stringify(value)}`);
}

function asList(value: unknown, where: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new Error(`${where} expects a list, got ${JSON.stringify(value)}`);
}

function resolveSub(argument: unknown, template: CfnTemplate, account: LocalAccount): string {
  const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
  const source = asString(text, 'Fn::Sub');
  const vars = isRecord(variables) ? variables : {};
  return source.replace(/\$\{(!?)([^}]+)\}/g, (_match, bang: string, name: string) => {
    if (bang) return `\${${name}}`;
    if (name in vars) return asString(resolve(vars[name], template, account), `Fn::Sub \${${name}}`);
    const dot = name.indexOf('.');
    if (dot > 0) return resolveGetAtt(name.slice(0, dot), name.slice(dot + 1), template, account);
    return asString(resolveRef(name, template, account), `Fn::Sub \${${name}}`);
  });
}

function resolveIntrinsic(
  key: string,
  argument: unknown,
  template: CfnTemplate,
  account: LocalAccount,
): unknown {
  switch (key) {
    case 'Ref':
      return resolveRef(asString(argument, 'Ref'), template, account);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(argument)
        ? argument
        : asString(argument, 'Fn::GetAtt').split('.');
      return resolveGetAtt(
        asString(logicalId, 'Fn::GetAtt'),
        asString(attribute, 'Fn::GetAtt'),
        template,
        account,
      );
    }
    case 'Fn::Join': {
      const [delimiter, items] = asList(argument, 'Fn::Join');
      const resolved = asList(resolve(items, template, account), 'Fn::Join');
      return resolved.map((item) => asString(item, 'Fn::Join item')).join(asString(delimiter, 'Fn::Join'));
    }
    case 'Fn::Sub':
      return resolveSub(argument, template, account);
    case 'Fn::Select': {
      const [index, items] = asList(argument, 'Fn::Select');
      const list = asList(resolve(items, template, account), 'Fn::Select');
      const position = Number(resolve(index, template, account));
      if (!Number.isInteger(position) || position < 0 || position >= list.length) {
        throw new Error(`Fn::Select index ${position} is out of range`);
      }
      return list[position];
    }
    case 'Fn::Split': {
      const [delimiter, source] = asList(argument, 'Fn::Split');
      return asString(resolve(source, template, account), 'Fn::Split').split(
        asString(delimiter, 'Fn::Split'),
      );
    }
    default:
      throw new Error(`intrinsic ${key} is not resolvable locally`);
  }
}

function intrinsicKey(value: Record<string, unknown>): string | undefined {
  const keys = Object.keys(value);
  const [key] = keys;
  return keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))
    ? key
    : undefined;
}

function resolve(value: unknown, template: CfnTemplate, account: LocalAccount): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolve(item, template, account)).filter((item) => item !== NO_VALUE);
  }
  if (!isRecord(value)) return value;
  const key = intrinsicKey(value);
  if (key !== undefined) return resolveIntrinsic(key, value[key], template, account);
  const resolved: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    const result = resolve(item, template, account);
    if (result !== NO_VALUE) resolved[name] = result;
  }
  return resolved;
}

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split and pseudo parameters. */
export function resolveIntrinsics(
  value: unknown,
  template: CfnTemplate,
  account: LocalAccount = LOCAL_ACCOUNT,
): unknown {
  const resolved = resolve(value, template, account);
  return resolved === NO_VALUE ? undefined : resolved;
}

export function isPolicyDocument(value: unknown): value is PolicyDocumentJson {
  return (
    isRecord(value) &&
    value.Version === '2012-10-17' &&
    Array.isArray(value.Statement) &&
    value.Statement.every(
      (statement) => isRecord(statement) && (statement.Effect === 'Allow' || statement.Effect === 'Deny'),
    )
  );
}

function isRefTo(value: unknown, logicalId: string): boolean {
  return isRecord(value) && value.Ref === logicalId;
}

/**
 * Every permission policy of a role, resolved: its inline `Policies` plus each
 * AWS::IAM::Policy / ManagedPolicy resource attached to it. Throws when the role
 * has managed policy ARNs, whose documents are not in the template.
 */
export function rolePolicyDocuments(
  template: CfnTemplate,
  roleLogicalId: string,
  account: LocalAccount = LOCAL_ACCOUNT,
): PolicyDocumentJson[] {
  const role = resourceOf(template, roleLogicalId);
  if (role.Type !== 'AWS::IAM::Role')
    throw new Error(`${roleLogicalId} is a ${role.Type}, not an AWS::IAM::Role`);
  const managed = role.Properties?.ManagedPolicyArns;
  if (Array.isArray(managed) && managed.length > 0) {
    throw new Error(`role ${roleLogicalId} has managed policies whose documents are not in the template`);
  }
  const inline = Array.isArray(role.Properties?.Policies) ? role.Properties.Policies : [];
  const attached = Object.values(template.Resources).filter(
    (resource) =>
      (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') &&
      Array.isArray(resource.Properties?.Roles) &&
      resource.Properties.Roles.some((entry) => isRefTo(entry, roleLogicalId)),
  );
  const documents = [...inline, ...attached.map((resource) => resource.Properties)].map((holder) =>
    resolveIntrinsics(isRecord(holder) ? holder.PolicyDocument : undefined, template, account),
  );
  return documents.map((document) => {
    if (!isPolicyDocument(document))
      throw new Error(`a policy of role ${roleLogicalId} is not a policy document`);
    return document;
  });
}

/** A role's trust policy (AssumeRolePolicyDocument), resolved. */
export function roleTrustPolicy(
  template: CfnTemplate,
  roleLogicalId: string,
  account: LocalAccount = LOCAL_ACCOUNT,
): PolicyDocumentJson {
  const role = resourceOf(template, roleLogicalId);
  const document = resolveIntrinsics(role.Properties?.AssumeRolePolicyDocument, template, account);
  if (role.Type !== 'AWS::IAM::Role' || !isPolicyDocument(document)) {
    throw new Error(`${roleLogicalId} has no trust policy document`);
  }
  return document;
}

/** The logical id of the one role marked `bulkhead:role = tenant-access`. */
export function tenantAccessRoleLogicalId(template: CfnTemplate): string {
  const marked = Object.entries(template.Resources).filter(
    ([, resource]) =>
      resource.Type === 'AWS::IAM::Role' &&
      resource.Metadata?.[ROLE_METADATA_KEY] === TENANT_ACCESS_ROLE_MARK,
  );
  const [first] = marked;
  if (marked.length !== 1 || first === undefined) {
    throw new Error(`expected exactly one tenant access role, found ${marked.length}`);
  }
  return first[0];
}

/** The logical id X of a `{ "Fn::GetAtt": [X, "Arn"] }`, if it is one. */
function getAttArnTarget(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const getAtt = value['Fn::GetAtt'];
  if (!Array.isArray(getAtt) || getAtt[1] !== 'Arn' || typeof getAtt[0] !== 'string') return undefined;
  return getAtt[0];
}

/** Every platform function (those carrying `bulkhead:entry`), with role and resolved environment. */
export function functionSpecs(template: CfnTemplate, account: LocalAccount = LOCAL_ACCOUNT): FunctionSpec[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .flatMap(([logicalId, resource]) => {
      const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
      if (typeof entry !== 'string') return [];
      const roleLogicalId = getAttArnTarget(resource.Properties?.Role);
      if (roleLogicalId === undefined) throw new Error(`function ${logicalId} has no role in this template`);
      const variables = isRecord(resource.Properties?.Environment)
        ? resource.Properties.Environment.Variables
        : {};
      const resolved = resolveIntrinsics(variables ?? {}, template, account);
      const environment: Record<string, string> = {};
      for (const [name, value] of Object.entries(isRecord(resolved) ? resolved : {})) {
        environment[name] = asString(value, `environment variable ${name} of ${logicalId}`);
      }
      const tenancy = resource.Properties?.TenancyConfig;
      const isolationMode = isRecord(tenancy) ? tenancy.TenantIsolationMode : undefined;
      if (isolationMode !== undefined && isolationMode !== 'PER_TENANT')
        throw new Error(
          `function ${logicalId} has an unsupported TenantIsolationMode ${String(isolationMode)}`,
        );
      return [
        { logicalId, entry, roleLogicalId, environment, tenantIsolated: isolationMode === 'PER_TENANT' },
      ];
    });
}

/** The Lambda function an API Gateway URI (integration or authorizer) invokes. */
function invokedFunction(template: CfnTemplate, uri: unknown, where: string): string {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    const target = getAttArnTarget(value);
    if (target !== undefined && template.Resources[target]?.Type === 'AWS::Lambda::Function')
      found.add(target);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (isRecord(value)) Object.values(value).forEach(visit);
  };
  visit(uri);
  const [only] = found;
  if (found.size !== 1 || only === undefined)
    throw new Error(`${where} does not invoke exactly one function`);
  return only;
}

function resourcePath(template: CfnTemplate, resourceId: unknown): string {
  if (
    isRecord(resourceId) &&
    Array.isArray(resourceId['Fn::GetAtt']) &&
    resourceId['Fn::GetAtt'][1] === 'RootResourceId'
  ) {
    return '';
  }
  if (!isRecord(resourceId) || typeof resourceId.Ref !== 'string') {
    throw new Error(`unsupported API resource reference ${JSON.stringify(resourceId)}`);
  }
  const resource = resourceOf(template, resourceId.Ref);
  const part = resource.Properties?.PathPart;
  if (resource.Type !== 'AWS::ApiGateway::Resource' || typeof part !== 'string') {
    throw new Error(`${resourceId.Ref} is not an API Gateway resource with a PathPart`);
  }
  return `${resourcePath(template, resource.Properties?.ParentId)}/${part}`;
}

function isMockMethod(resource: CfnResourceJson): boolean {
  const integration = resource.Properties?.Integration;
  return isRecord(integration) && integration.Type === 'MOCK';
}

function restApiOf(properties: Record<string, unknown>, logicalId: string): string {
  const restApiLogicalId = isRecord(properties.RestApiId) ? properties.RestApiId.Ref : undefined;
  if (typeof restApiLogicalId !== 'string') throw new Error(`method ${logicalId} has no RestApiId reference`);
  return restApiLogicalId;
}

const METHOD_RESPONSE_HEADER = /^method\.response\.header\.([A-Za-z0-9-]+)$/;
const LITERAL_VALUE = /^'(.*)'$/s;

/** Every MOCK method (API Gateway answers it without a function): status, literal headers, template (intrinsics resolved). */
export function mockRoutes(template: CfnTemplate, account: LocalAccount = LOCAL_ACCOUNT): MockRouteSpec[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::ApiGateway::Method' && isMockMethod(resource))
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const integration = isRecord(properties.Integration) ? properties.Integration : {};
      const responses = Array.isArray(integration.IntegrationResponses)
        ? integration.IntegrationResponses
        : [];
      const [response, ...others] = responses;
      if (!isRecord(response) || others.length > 0)
        throw new Error(`mock method ${logicalId} must have exactly one integration response`);
      const headers: Record<string, string> = {};
      for (const [parameter, value] of Object.entries(
        isRecord(response.ResponseParameters) ? response.ResponseParameters : {},
      )) {
        const name = METHOD_RESPONSE_HEADER.exec(parameter)?.[1];
        const literal = LITERAL_VALUE.exec(String(value))?.[1];
        if (name === undefined || literal === undefined)
          throw new Error(
            `mock method ${logicalId} maps ${parameter} from ${String(value)}, which the local gateway does not model`,
          );
        headers[name] = literal;
      }
      const templates = isRecord(response.ResponseTemplates) ? response.ResponseTemplates : {};
      // The web console's origin is written into a preflight template as an Fn::Join.
      const responseTemplate = resolveIntrinsics(templates['application/json'], template, account);
      return {
        method: asString(properties.HttpMethod, `HttpMethod of ${logicalId}`),
        path: resourcePath(template, properties.ResourceId) || '/',
        restApiLogicalId: restApiOf(properties, logicalId),
        statusCode: Number(asString(response.StatusCode, `StatusCode of ${logicalId}`)),
        headers,
        ...(typeof responseTemplate === 'string' ? { responseTemplate } : {}),
      };
    });
}

/** Every API Gateway method with a Lambda proxy integration: its path, the function behind it and its authorizer's function. */
export function apiRoutes(template: CfnTemplate): RouteSpec[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::ApiGateway::Method' && !isMockMethod(resource))
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const integration = isRecord(properties.Integration) ? properties.Integration : {};
      if (integration.Type !== 'AWS_PROXY') {
        throw new Error(`method ${logicalId} is not a Lambda proxy integration`);
      }
      const restApiLogicalId = restApiOf(properties, logicalId);
      const tenantIdFrom = tenantIdSource(integration.RequestParameters, `method ${logicalId}`);
      const route: RouteSpec = {
        method: asString(properties.HttpMethod, `HttpMethod of ${logicalId}`),
        path: resourcePath(template, properties.ResourceId) || '/',
        functionLogicalId: invokedFunction(template, integration.Uri, `method ${logicalId}`),
        streaming: integration.ResponseTransferMode === 'STREAM',
        restApiLogicalId,
        ...(tenantIdFrom === undefined ? {} : { tenantIdFrom }),
      };
      if (properties.AuthorizationType !== 'CUSTOM') return route;
      const authorizerId = isRecord(properties.AuthorizerId) ? properties.AuthorizerId.Ref : undefined;
      if (typeof authorizerId !== 'string')
        throw new Error(`method ${logicalId} has no authorizer reference`);
      const authorizer = resourceOf(template, authorizerId);
      return {
        ...route,
        authorizerFunctionLogicalId: invokedFunction(
          template,
          authorizer.Properties?.AuthorizerUri,
          `authorizer ${authorizerId}`,
        ),
      };
    });
}

/**
 * The authorizer context key an integration maps to `X-Amz-Tenant-Id`, if it maps one. The only
 * request parameter the local gateway models; any other throws by name.
 */
function tenantIdSource(requestParameters: unknown, where: string): string | undefined {
  if (requestParameters === undefined) return undefined;
  if (!isRecord(requestParameters)) throw new Error(`${where} has malformed RequestParameters`);
  let source: string | undefined;
  for (const [parameter, value] of Object.entries(requestParameters)) {
    if (parameter.toLowerCase() !== TENANT_ID_HEADER_PARAMETER)
      throw new Error(`${where} maps ${parameter}, which the local gateway does not model`);
    const key = /^context\.authorizer\.(\w+)$/.exec(String(value))?.[1];
    if (key === undefined)
      throw new Error(`${where} maps X-Amz-Tenant-Id from ${String(value)}, not from the authorizer context`);
    source = key;
  }
  return source;
}

/** The REST API a stack output's value refers to (e.g. `ApiUrl`, `SiloApiUrl`). */
export function restApiOfOutput(template: CfnTemplate, outputName: string): string {
  const outputs = isRecord(template.Outputs) ? template.Outputs : {};
  const output = outputs[outputName];
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (isRecord(value) && typeof value.Ref === 'string') {
      if (template.Resources[value.Ref]?.Type === 'AWS::ApiGateway::RestApi') found.add(value.Ref);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isRecord(value)) Object.values(value).forEach(visit);
  };
  visit(isRecord(output) ? output.Value : undefined);
  const [only] = found;
  if (found.size !== 1 || only === undefined)
    throw new Error(`output ${outputName} does not name exactly one REST API`);
  return only;
}

/** A function the template runs on a schedule (an EventBridge rule with `rate(...)`). */
export interface ScheduleSpec {
  readonly functionLogicalId: string;
  readonly everySeconds: number;
}

const RATE_UNIT_SECONDS: Readonly<Record<string, number>> = { minute: 60, hour: 3600, day: 86_400 };

/** Every `rate(n unit)` rule's function targets. */
export function scheduleSpecs(template: CfnTemplate): ScheduleSpec[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Events::Rule')
    .flatMap((rule) => {
      const properties = rule.Properties ?? {};
      const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(String(properties.ScheduleExpression ?? ''));
      if (rate?.[1] === undefined || rate[2] === undefined) return [];
      const everySeconds = Number(rate[1]) * (RATE_UNIT_SECONDS[rate[2]] ?? 0);
      const targets = Array.isArray(properties.Targets) ? properties.Targets : [];
      return targets.flatMap((target: unknown) => {
        const arn = isRecord(target) ? target.Arn : undefined;
        const getAtt = isRecord(arn) ? arn['Fn::GetAtt'] : undefined;
        const functionLogicalId = Array.isArray(getAtt) ? getAtt[0] : undefined;
        return typeof functionLogicalId === 'string' ? [{ functionLogicalId, everySeconds }] : [];
      });
    });
}
