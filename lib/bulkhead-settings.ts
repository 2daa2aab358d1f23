/**
 * Deployment settings of the bulkhead stack, from props or from CDK context,
 * checked at synth time. Every problem is reported at once.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import {
  type ClaimNames,
  ClaimNamesSchema,
  DEFAULT_CLAIM_NAMES,
  parseClaimsSetting,
} from '../lambdas/auth/claim-names.js';
import { MAX_AUTHORIZER_CACHE_SECONDS } from '../lambdas/config.js';
import { TIERS } from '../lambdas/tenancy/request-context.js';
import { type ModelSelection, resolveModelCatalog } from './model-catalog-file.js';
import { MAX_API_THROTTLING } from './tenant-api.js';

/** Context keys (`cdk synth -c bulkhead:oidcIssuer=...` or cdk.json). */
export const CONTEXT_KEYS = {
  stackName: 'bulkhead:stackName',
  stage: 'bulkhead:stage',
  removalPolicy: 'bulkhead:removalPolicy',
  oidcIssuer: 'bulkhead:oidcIssuer',
  oidcAudience: 'bulkhead:oidcAudience',
  oidcJwksUrl: 'bulkhead:oidcJwksUrl',
  modelCatalog: 'bulkhead:modelCatalog',
  modelIds: 'bulkhead:modelIds',
  embeddingModelId: 'bulkhead:embeddingModelId',
  siloTiers: 'bulkhead:siloTiers',
  auditRetentionDays: 'bulkhead:auditRetentionDays',
  apiRateLimit: 'bulkhead:apiRateLimit',
  apiBurstLimit: 'bulkhead:apiBurstLimit',
  authorizerCacheSeconds: 'bulkhead:authorizerCacheSeconds',
  claims: 'bulkhead:claims',
  corsOrigins: 'bulkhead:corsOrigins',
  authDomainPrefix: 'bulkhead:authDomainPrefix',
  callbackUrls: 'bulkhead:callbackUrls',
  logoutUrls: 'bulkhead:logoutUrls',
  console: 'bulkhead:console',
  consoleDomain: 'bulkhead:consoleDomain',
  consoleCertificateArn: 'bulkhead:consoleCertificateArn',
} as const;

/** How long S3 Object Lock keeps each signed audit digest (compliance mode: no one can shorten it). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
/** Object Lock allows at most 100 years. */
const MAX_AUDIT_RETENTION_DAYS = 36_500;

export interface BulkheadSettings extends ModelSelection {
  /**
   * Removal policy of tenant data, the control table and the user pool:
   * RETAIN, or DESTROY for throwaway dev stacks.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * External OIDC issuer (`iss`) replacing the Cognito user pool; https, or http on loopback.
   * @default - a Cognito user pool
   */
  readonly oidcIssuer?: string;
  /**
   * Audience (`aud`) tokens of `oidcIssuer` must carry; required with `oidcIssuer`.
   * @default - none
   */
  readonly oidcAudience?: string;
  /**
   * JWKS URL of `oidcIssuer`.
   * @default - `<oidcIssuer>/.well-known/jwks.json`
   */
  readonly oidcJwksUrl?: string;
  /**
   * The tiers placed in silos: a tenant of such a tier gets its own table, bucket, vector bucket
   * and KMS key (a stack created at runtime); the other tiers share the pool.
   * @default DEFAULT_SILO_TIERS
   */
  readonly siloTiers?: readonly string[];
  /**
   * Days each signed audit digest stays locked (S3 Object Lock, compliance mode): until then no
   * one, not even the account's root user, can delete it — nor can the stack's bucket be removed.
   * @default DEFAULT_AUDIT_RETENTION_DAYS
   */
  readonly auditRetentionDays?: number;
  /**
   * Each API stage's steady requests per second, shared by every tenant (each tenant is held to
   * its tier's own limits by the platform).
   * @default DEFAULT_API_THROTTLING.rateLimit
   */
  readonly apiRateLimit?: number;
  /** Each API stage's burst. @default DEFAULT_API_THROTTLING.burstLimit */
  readonly apiBurstLimit?: number;
  /**
   * How long API Gateway caches the authorizer's answer — and so the tenant session it vends — per
   * token: 0 to MAX_AUTHORIZER_CACHE_SECONDS. Longer means fewer STS calls (docs/sessions.md).
   * @default DEFAULT_AUTHORIZER_CACHE_SECONDS
   */
  readonly authorizerCacheSeconds?: number;
  /**
   * Which token claims carry the user id, the tenant id and the groups (roles); names left out
   * keep their default. See docs/identity.md.
   * @default DEFAULT_CLAIM_NAMES (Cognito's: `sub`, `custom:tenantId`, `cognito:groups`)
   */
  readonly claims?: Partial<ClaimNames>;
  /**
   * Browser origins (`https://app.example.com`, exact, no path) that may call the API: answered
   * preflights and CORS headers on every response. See docs/identity.md.
   * @default - none: no CORS headers at all
   */
  readonly corsOrigins?: readonly string[];
  /**
   * The Cognito domain prefix of the hosted (managed) login: `<prefix>.auth.<region>.amazoncognito.com`.
   * @default - `<stack name, lowercase>-<account id>`
   */
  readonly authDomainPrefix?: string;
  /**
   * Where the hosted login may send users back with an authorization code (https, or http://localhost).
   * @default DEFAULT_HOSTED_LOGIN.callbackUrls (`http://localhost:5173/callback`)
   */
  readonly callbackUrls?: readonly string[];
  /** Where the hosted login may send users after sign-out. @default DEFAULT_HOSTED_LOGIN.logoutUrls (`http://localhost:5173/`) */
  readonly logoutUrls?: readonly string[];
  /**
   * Deploy the web console (S3 + CloudFront, docs/console.md#in-aws); its origin joins the APIs'
   * CORS origins and the Cognito app client's callback and logout URLs.
   * @default true
   */
  readonly console?: boolean;
  /**
   * The console's own domain name (e.g. `console.example.com`), with `consoleCertificateArn`.
   * @default - the distribution's `*.cloudfront.net` domain
   */
  readonly consoleDomain?: string;
  /**
   * The ACM certificate (in us-east-1, as CloudFront requires) for `consoleDomain`.
   * @default - none
   */
  readonly consoleCertificateArn?: string;
}

/** The claim names a deployment's tokens use: the configured ones over the defaults. */
export function claimNamesOf(settings: Pick<BulkheadSettings, 'claims'>): ClaimNames {
  return { ...DEFAULT_CLAIM_NAMES, ...settings.claims };
}

/** Thrown when settings are inconsistent; the message lists every problem. */
export class BulkheadSettingsError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid bulkhead settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BulkheadSettingsError';
    this.problems = problems;
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function urlProblems(name: string, value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${name} "${value}" is not a URL`];
  }
  if (url.protocol === 'https:') return [];
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return [];
  return [`${name} "${value}" must use https (plain http only on a loopback host)`];
}

/** Cognito accepts https redirect URLs, and plain http only for localhost. */
function redirectUrlProblems(name: string, value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${name} "${value}" is not a URL`];
  }
  if (url.hash !== '') return [`${name} "${value}" must not have a #fragment`];
  if (url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost')) return [];
  return [`${name} "${value}" must use https (plain http only on localhost)`];
}

/**
 * An origin's shape: http(s), a host of letters, digits, hyphens and dots (or a bracketed IPv6
 * literal), an optional port — nothing else. The URL parser alone lets `$`, `'`, `{`, `}` and more
 * through in a host, and origins are written into the preflight's VTL template.
 */
const ORIGIN_PATTERN = /^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/** A CORS origin is compared exactly with the browser's `Origin`: scheme, host and port, nothing else. */
function originProblems(value: string): string[] {
  const notAnOrigin = `cors origin "${value}" is not an origin (http(s)://host[:port], the host letters, digits, hyphens and dots)`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [notAnOrigin];
  }
  if (url.origin !== value && ORIGIN_PATTERN.test(url.origin))
    return [
      `cors origin "${value}" must be exactly an origin, e.g. "${url.origin}" (no path, no trailing slash)`,
    ];
  if (!ORIGIN_PATTERN.test(value)) return [notAnOrigin];
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname))
    return [`cors origin "${value}" must use https (plain http only on a loopback host)`];
  return [];
}

/** Cognito prefix domains: lowercase letters, digits and hyphens, not starting or ending with one. */
const DOMAIN_PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function identityProblems(settings: BulkheadSettings): string[] {
  const problems: string[] = [];
  const claims = ClaimNamesSchema.safeParse(claimNamesOf(settings));
  if (!claims.success)
    problems.push(...claims.error.issues.map((issue) => `claims ${issue.path.join('.')}: ${issue.message}`));
  const names = claimNamesOf(settings);
  const renamed =
    names.user !== DEFAULT_CLAIM_NAMES.user ||
    names.tenant !== DEFAULT_CLAIM_NAMES.tenant ||
    names.groups !== DEFAULT_CLAIM_NAMES.groups;
  if (settings.oidcIssuer === undefined && renamed)
    problems.push(
      `claims name an external IdP's claims; the Cognito user pool's tokens carry ${Object.values(DEFAULT_CLAIM_NAMES).join(', ')} (set oidcIssuer, or leave claims out)`,
    );
  for (const origin of settings.corsOrigins ?? []) problems.push(...originProblems(origin));
  for (const url of settings.callbackUrls ?? []) problems.push(...redirectUrlProblems('callback URL', url));
  for (const url of settings.logoutUrls ?? []) problems.push(...redirectUrlProblems('logout URL', url));
  const prefix = settings.authDomainPrefix;
  if (prefix !== undefined && (!DOMAIN_PREFIX_PATTERN.test(prefix) || /aws|amazon|cognito/.test(prefix)))
    problems.push(
      `authDomainPrefix "${prefix}" must be lowercase letters, digits and hyphens, and may not contain aws, amazon or cognito`,
    );
  const cognitoOnly = (['authDomainPrefix', 'callbackUrls', 'logoutUrls'] as const).filter(
    (key) => settings[key] !== undefined,
  );
  if (settings.oidcIssuer !== undefined && cognitoOnly.length > 0)
    problems.push(
      `${cognitoOnly.join(', ')} configure the Cognito hosted login; with oidcIssuer there is none`,
    );
  return problems;
}

/** A DNS name: lowercase labels of letters, digits and hyphens, a top-level label of letters. */
const DOMAIN_NAME_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** CloudFront takes certificates from ACM in us-east-1 only. */
const CLOUDFRONT_CERTIFICATE_ARN_PATTERN =
  /^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate\/[0-9a-f-]{36}$/;

function consoleProblems(settings: BulkheadSettings): string[] {
  const { consoleDomain: domain, consoleCertificateArn: certificate } = settings;
  const problems: string[] = [];
  if (settings.console === false && (domain !== undefined || certificate !== undefined))
    problems.push(
      'consoleDomain and consoleCertificateArn configure the web console, which console=false leaves out',
    );
  if ((domain === undefined) !== (certificate === undefined))
    problems.push(
      'consoleDomain and consoleCertificateArn go together (CloudFront serves a domain of its own only with its certificate)',
    );
  if (domain !== undefined && !DOMAIN_NAME_PATTERN.test(domain))
    problems.push(`consoleDomain "${domain}" is not a lowercase DNS name such as console.example.com`);
  if (certificate !== undefined && !CLOUDFRONT_CERTIFICATE_ARN_PATTERN.test(certificate))
    problems.push(
      `consoleCertificateArn "${certificate}" is not an ACM certificate ARN in us-east-1 (the only Region CloudFront takes certificates from)`,
    );
  return problems;
}

/** Every problem with a combination of settings; empty when they are consistent. */
export function settingsProblems(settings: BulkheadSettings): string[] {
  const problems: string[] = [];
  const removal = settings.removalPolicy;
  if (removal !== undefined && removal !== RemovalPolicy.RETAIN && removal !== RemovalPolicy.DESTROY) {
    problems.push(`removalPolicy must be RETAIN or DESTROY, got ${removal}`);
  }
  if (settings.oidcIssuer !== undefined) {
    problems.push(...urlProblems('oidcIssuer', settings.oidcIssuer));
    if (!settings.oidcAudience) problems.push('oidcAudience is required when oidcIssuer is set');
  } else {
    if (settings.oidcAudience !== undefined) problems.push('oidcAudience is set but oidcIssuer is not');
    if (settings.oidcJwksUrl !== undefined) problems.push('oidcJwksUrl is set but oidcIssuer is not');
  }
  if (settings.oidcJwksUrl !== undefined) problems.push(...urlProblems('oidcJwksUrl', settings.oidcJwksUrl));
  problems.push(...resolveModelCatalog(settings).problems);
  const ranges = [
    ['auditRetentionDays', settings.auditRetentionDays, 1, MAX_AUDIT_RETENTION_DAYS, 'days of Object Lock'],
    ['apiRateLimit', settings.apiRateLimit, 1, MAX_API_THROTTLING.rateLimit, "the account's default quota"],
    [
      'apiBurstLimit',
      settings.apiBurstLimit,
      1,
      MAX_API_THROTTLING.burstLimit,
      "the account's default quota",
    ],
    [
      'authorizerCacheSeconds',
      settings.authorizerCacheSeconds,
      0,
      MAX_AUTHORIZER_CACHE_SECONDS,
      'a vended session lasts an hour',
    ],
  ] as const;
  for (const [name, value, min, max, why] of ranges) {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max))
      problems.push(`${name} must be a whole number from ${min} to ${max} (${why}), got ${value}`);
  }
  for (const tier of settings.siloTiers ?? []) {
    if (!(TIERS as readonly string[]).includes(tier))
      problems.push(`silo tier "${tier}" is not a tier (${TIERS.join(', ')})`);
  }
  problems.push(...identityProblems(settings));
  problems.push(...consoleProblems(settings));
  return problems;
}

/** Throws a BulkheadSettingsError listing every problem, if there is any. */
export function assertValidSettings(
  settings: BulkheadSettings,
  earlierProblems: readonly string[] = [],
): void {
  const problems = [...earlierProblems, ...settingsProblems(settings)];
  if (problems.length > 0) throw new BulkheadSettingsError(problems);
}

/** A context value as a list: cdk.json gives arrays, `-c key=a,b` gives a comma list. */
function listValue(raw: unknown, key: string, problems: string[]): string[] | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') {
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
  if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw;
  problems.push(`context ${key} must be a comma-separated string or a list of strings`);
  return undefined;
}

function stringValue(raw: unknown, key: string, problems: string[]): string | undefined {
  if (raw === undefined || typeof raw === 'string') return raw;
  problems.push(`context ${key} must be a string`);
  return undefined;
}

/** `true`/`false` from cdk.json, or their text from `-c key=false`. */
function booleanValue(raw: unknown, key: string, problems: string[]): boolean | undefined {
  if (raw === undefined || typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  problems.push(`context ${key} must be true or false`);
  return undefined;
}

function numberValue(raw: unknown, key: string, problems: string[]): number | undefined {
  if (raw === undefined || typeof raw === 'number') return raw;
  // `-c key=30` arrives as a string.
  if (typeof raw === 'string' && /^\d+$/.test(raw)) return Number(raw);
  problems.push(`context ${key} must be a number`);
  return undefined;
}

/** `bulkhead:claims`: an object (cdk.json) or its JSON text (`-c`). */
function claimsValue(raw: unknown, problems: string[]): Partial<ClaimNames> | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseClaimsSetting(raw);
  if (parsed.success) return parsed.data;
  problems.push(
    `context ${CONTEXT_KEYS.claims} must be an object (or its JSON) with string members user, tenant, groups: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'value'} ${issue.message}`).join('; ')}`,
  );
  return undefined;
}

function removalPolicyValue(raw: unknown, problems: string[]): RemovalPolicy | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'retain') return RemovalPolicy.RETAIN;
  if (raw === 'destroy') return RemovalPolicy.DESTROY;
  problems.push(
    `context ${CONTEXT_KEYS.removalPolicy} must be "retain" or "destroy", got ${JSON.stringify(raw)}`,
  );
  return undefined;
}

/** Reads and checks the settings from CDK context; throws once with every problem. */
export function settingsFromContext(node: Node): BulkheadSettings {
  const problems: string[] = [];
  const read = (key: string): unknown => node.tryGetContext(key);
  const text = (key: string) => stringValue(read(key), key, problems);
  const list = (key: string) => listValue(read(key), key, problems);
  const number = (key: string) => numberValue(read(key), key, problems);
  const settings: BulkheadSettings = {
    removalPolicy: removalPolicyValue(read(CONTEXT_KEYS.removalPolicy), problems),
    oidcIssuer: text(CONTEXT_KEYS.oidcIssuer),
    oidcAudience: text(CONTEXT_KEYS.oidcAudience),
    oidcJwksUrl: text(CONTEXT_KEYS.oidcJwksUrl),
    modelCatalog: text(CONTEXT_KEYS.modelCatalog),
    modelIds: list(CONTEXT_KEYS.modelIds),
    embeddingModelId: text(CONTEXT_KEYS.embeddingModelId),
    siloTiers: list(CONTEXT_KEYS.siloTiers),
    apiRateLimit: number(CONTEXT_KEYS.apiRateLimit),
    apiBurstLimit: number(CONTEXT_KEYS.apiBurstLimit),
    authorizerCacheSeconds: number(CONTEXT_KEYS.authorizerCacheSeconds),
    auditRetentionDays: number(CONTEXT_KEYS.auditRetentionDays),
    claims: claimsValue(read(CONTEXT_KEYS.claims), problems),
    corsOrigins: list(CONTEXT_KEYS.corsOrigins),
    authDomainPrefix: text(CONTEXT_KEYS.authDomainPrefix),
    callbackUrls: list(CONTEXT_KEYS.callbackUrls),
    logoutUrls: list(CONTEXT_KEYS.logoutUrls),
    console: booleanValue(read(CONTEXT_KEYS.console), CONTEXT_KEYS.console, problems),
    consoleDomain: text(CONTEXT_KEYS.consoleDomain),
    consoleCertificateArn: text(CONTEXT_KEYS.consoleCertificateArn),
  };
  assertValidSettings(settings, problems);
  return settings;
}
