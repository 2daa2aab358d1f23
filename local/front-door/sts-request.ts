/**
 * STS (awsQuery) requests → IAM requests. AssumeRole is evaluated against the target role's
 * trust policy (as a resource policy) with the requested tags as `aws:RequestTag/*` and
 * `aws:TagKeys`; a tagged request also needs `sts:TagSession`.
 */
import { type IamRequest, type ParsedRequest, UnrecognizedRequestError } from './iam-request.js';

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly policy?: string;
}

/** STS tag keys and values: letters, digits, spaces and `_ . : / = + - @` (so never `*`, `?` or `#`). */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MAX_TAGS = 50;
const MAX_SESSION_POLICY_CHARS = 2048;
/** Role chaining (a function assuming the tenant role) caps sessions at one hour. */
export const SESSION_SECONDS_RANGE = { min: 900, max: 3600 } as const;

/** Thrown for a malformed STS request; answered as STS's ValidationError. */
export class StsValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StsValidationError';
  }
}

export function stsAction(request: ParsedRequest): string {
  const action = new URLSearchParams(request.body.toString('utf8')).get('Action');
  if (request.method !== 'POST' || (action !== 'AssumeRole' && action !== 'GetCallerIdentity')) {
    throw new UnrecognizedRequestError(`STS action ${action ?? '(none)'} is not recognised`);
  }
  return action;
}

/** Parses and validates an AssumeRole form body. */
export function assumeRoleInput(request: ParsedRequest): AssumeRoleInput {
  const form = new URLSearchParams(request.body.toString('utf8'));
  const roleArn = form.get('RoleArn') ?? '';
  const sessionName = form.get('RoleSessionName') ?? '';
  if (!/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn))
    throw new StsValidationError('invalid RoleArn');
  if (!SESSION_NAME.test(sessionName)) throw new StsValidationError('invalid RoleSessionName');
  const durationSeconds = Number(form.get('DurationSeconds') ?? SESSION_SECONDS_RANGE.max);
  if (
    !Number.isInteger(durationSeconds) ||
    durationSeconds < SESSION_SECONDS_RANGE.min ||
    durationSeconds > SESSION_SECONDS_RANGE.max
  ) {
    throw new StsValidationError(
      `DurationSeconds must be ${SESSION_SECONDS_RANGE.min}..${SESSION_SECONDS_RANGE.max} for a chained role session`,
    );
  }
  const tags: Record<string, string> = {};
  for (let n = 1; form.has(`Tags.member.${n}.Key`); n++) {
    const key = form.get(`Tags.member.${n}.Key`) ?? '';
    const value = form.get(`Tags.member.${n}.Value`) ?? '';
    if (!TAG_KEY.test(key) || !TAG_VALUE.test(value))
      throw new StsValidationError(`invalid session tag ${key}`);
    if (Object.keys(tags).some((existing) => existing.toLowerCase() === key.toLowerCase())) {
      throw new StsValidationError(`duplicate session tag ${key}`);
    }
    tags[key] = value;
  }
  if (Object.keys(tags).length > MAX_TAGS) throw new StsValidationError(`more than ${MAX_TAGS} session tags`);
  const policy = form.get('Policy') ?? undefined;
  if (policy !== undefined) {
    if (policy.length > MAX_SESSION_POLICY_CHARS) throw new StsValidationError('session policy too large');
    try {
      JSON.parse(policy);
    } catch {
      throw new StsValidationError('session policy is not JSON');
    }
  }
  return { roleArn, sessionName, durationSeconds, tags, ...(policy === undefined ? {} : { policy }) };
}

export function stsIamRequests(request: ParsedRequest): IamRequest[] {
  if (stsAction(request) === 'GetCallerIdentity') return [];
  const input = assumeRoleInput(request);
  const context: Record<string, string | readonly string[]> = { 'aws:TagKeys': Object.keys(input.tags) };
  for (const [key, value] of Object.entries(input.tags)) context[`aws:RequestTag/${key}`] = value;
  const assume: IamRequest = { action: 'sts:AssumeRole', resource: input.roleArn, context };
  if (Object.keys(input.tags).length === 0) return [assume];
  return [assume, { action: 'sts:TagSession', resource: input.roleArn, context }];
}
