/**
 * Tenant sessions: STS AssumeRole into the tenant access role with the session
 * tags `TenantId` and `UserId`, so IAM — not our code — decides which items,
 * objects and vector index a request can touch (DESIGN invariant 2).
 *
 * Each session also carries the tenant's placement (`pool` or `silo`, from the
 * registry) as the `Placement` tag: the pool's grants hold only for pool sessions,
 * a silo's only for silo sessions, so a session can reach only the one plane its
 * tenant lives in.
 *
 * Sessions are cached per (tenant, user, placement, role, session-policy hash), never per
 * tenant alone: a user-private grant keyed on `UserId` must never be served to
 * another user. Concurrent callers for one key share one STS call; a session
 * is refreshed when it is within the refresh window of expiry; the cache is a
 * bounded LRU. Each session carries its own SDK clients, created on first use.
 *
 * A session may also be *adopted*: the token authorizer assumes the role once per token and
 * API Gateway's authorizer cache hands the credentials to every function, in every execution
 * environment, for the cache's lifetime (docs/sessions.md). An adopted session is cached under
 * the same key as one this cache would issue, so it serves only its own tenant, user and
 * placement: when the tenant's placement has changed since, the key differs and STS is asked.
 */
import { createHash } from 'node:crypto';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { InvalidSessionSubjectError, TenantSessionError } from './errors.js';
import {
  type KeyOwner,
  PLACEMENT_TAG_KEY,
  type Placement,
  TENANT_TAG_KEY,
  TenantIdSchema,
  USER_TAG_KEY,
  UserIdSchema,
} from './key-layout.js';
import { type RequestContext, TenantTagSchema } from './request-context.js';
import { type SessionClientFactory, type SessionCredentials, sdkSessionClients } from './session-clients.js';

/** Who a session acts for. A RequestContext is one; onboarding builds one for the new tenant. */
export type SessionSubject = Pick<RequestContext, 'tenantId' | 'userId' | 'tenantTag'>;

export const DEFAULT_MAX_SESSIONS = 500;
export const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

/** One STS session for one subject, with its lazily created SDK clients. */
export class TenantSession {
  #dynamodb: DynamoDBClient | undefined;
  #s3: S3Client | undefined;
  #s3vectors: S3VectorsClient | undefined;
  #bedrock: BedrockRuntimeClient | undefined;
  #secretsManager: SecretsManagerClient | undefined;
  #kms: KMSClient | undefined;

  constructor(
    readonly owner: KeyOwner,
    /** The plane the session may reach: its tenant's placement when STS issued it. */
    readonly placement: Placement,
    readonly credentials: SessionCredentials,
    private readonly clients: SessionClientFactory,
  ) {}

  get dynamodb(): DynamoDBClient {
    this.#dynamodb ??= this.clients.dynamodb(this.credentials);
    return this.#dynamodb;
  }

  get s3(): S3Client {
    this.#s3 ??= this.clients.s3(this.credentials);
    return this.#s3;
  }

  get s3vectors(): S3VectorsClient {
    this.#s3vectors ??= this.clients.s3vectors(this.credentials);
    return this.#s3vectors;
  }

  get bedrock(): BedrockRuntimeClient {
    this.#bedrock ??= this.clients.bedrock(this.credentials);
    return this.#bedrock;
  }

  get secretsManager(): SecretsManagerClient {
    this.#secretsManager ??= this.clients.secretsManager(this.credentials);
    return this.#secretsManager;
  }

  get kms(): KMSClient {
    this.#kms ??= this.clients.kms(this.credentials);
    return this.#kms;
  }
}

export interface TenantSessionsOptions {
  /** The STS client (the functions' own credentials). */
  readonly sts: Pick<STSClient, 'send'>;
  /** ARN of the tenant access role. */
  readonly roleArn: string;
  /** Session lifetime; 900–3600 s because Lambda → AssumeRole is role chaining. */
  readonly durationSeconds: number;
  /** @default sdkSessionClients */
  readonly clients?: SessionClientFactory;
  /** @default DEFAULT_MAX_SESSIONS */
  readonly maxSessions?: number;
  /** @default DEFAULT_REFRESH_BEFORE_EXPIRY_MS */
  readonly refreshBeforeExpiryMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Where a tenant's data lives (the registry's placement), tagged on each session.
   * @default every tenant in the pool
   */
  readonly placementOf?: (tenantId: string) => Promise<Placement>;
  /** Runs once for each session STS issues, before anyone uses it (a failure fails the request). */
  readonly onCreated?: (session: TenantSession) => Promise<void>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class TenantSessions {
  /** How many AssumeRole calls this cache has made (for tests and metrics). */
  stsCalls = 0;
  /** How many vended sessions this cache has adopted (for tests and metrics). */
  adopted = 0;

  readonly #sessions = new Map<string, TenantSession>();
  readonly #pending = new Map<string, Promise<TenantSession>>();
  readonly #sts: Pick<STSClient, 'send'>;
  readonly #roleArn: string;
  readonly #durationSeconds: number;
  readonly #clients: SessionClientFactory;
  readonly #maxSessions: number;
  readonly #refreshBeforeExpiryMs: number;
  readonly #now: () => number;
  readonly #onCreated: ((session: TenantSession) => Promise<void>) | undefined;
  readonly #placementOf: (tenantId: string) => Promise<Placement>;

  constructor(options: TenantSessionsOptions) {
    this.#placementOf = options.placementOf ?? (async () => 'pool');
    this.#onCreated = options.onCreated;
    this.#sts = options.sts;
    this.#roleArn = options.roleArn;
    this.#durationSeconds = options.durationSeconds;
    this.#clients = options.clients ?? sdkSessionClients;
    this.#maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.#refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Number of cached sessions (bounded by `maxSessions`). */
  get size(): number {
    return this.#sessions.size;
  }

  /** The session for `subject` (optionally narrowed by a session policy), from cache or STS. */
  async sessionFor(subject: SessionSubject, sessionPolicy?: string): Promise<TenantSession> {
    const owner = validOwner(subject);
    const placement = await this.#placementOf(owner.tenantId);
    const key = this.#key(owner, placement, sessionPolicy);
    const cached = this.#sessions.get(key);
    if (cached !== undefined && this.#isFresh(cached)) {
      // Re-insert to mark it most recently used.
      this.#sessions.delete(key);
      this.#sessions.set(key, cached);
      return cached;
    }
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const started = this.#assumeRole(owner, placement, subject.tenantTag, sessionPolicy)
      .then(async (session) => {
        await this.#onCreated?.(session);
        this.#remember(key, session);
        return session;
      })
      .finally(() => this.#pending.delete(key));
    this.#pending.set(key, started);
    return started;
  }

  /**
   * Takes a session STS issued to this role for `subject` elsewhere (the token authorizer), with no
   * session policy and tagged with `placement`. It is cached unless a fresh one is already cached or
   * it is itself too close to expiry; returns whether it was adopted.
   */
  adopt(subject: SessionSubject, placement: Placement, credentials: SessionCredentials): boolean {
    const owner = validOwner(subject);
    const key = this.#key(owner, placement, undefined);
    const cached = this.#sessions.get(key);
    const session = new TenantSession(owner, placement, credentials, this.#clients);
    if ((cached !== undefined && this.#isFresh(cached)) || !this.#isFresh(session)) return false;
    this.adopted += 1;
    this.#remember(key, session);
    return true;
  }

  #key(owner: KeyOwner, placement: Placement, sessionPolicy: string | undefined): string {
    return [owner.tenantId, owner.userId, placement, this.#roleArn, sha256(sessionPolicy ?? '')].join('\n');
  }

  #isFresh(session: TenantSession): boolean {
    return session.credentials.expiration.getTime() - this.#now() > this.#refreshBeforeExpiryMs;
  }

  #remember(key: string, session: TenantSession): void {
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    for (const oldest of this.#sessions.keys()) {
      if (this.#sessions.size <= this.#maxSessions) break;
      this.#sessions.delete(oldest);
    }
  }

  async #assumeRole(
    owner: KeyOwner,
    placement: Placement,
    tenantTag: string,
    sessionPolicy: string | undefined,
  ): Promise<TenantSession> {
    this.stsCalls += 1;
    const output = await this.#sts.send(
      new AssumeRoleCommand({
        RoleArn: this.#roleArn,
        RoleSessionName: roleSessionName(tenantTag, owner.userId),
        DurationSeconds: this.#durationSeconds,
        Tags: [
          { Key: TENANT_TAG_KEY, Value: owner.tenantId },
          { Key: USER_TAG_KEY, Value: owner.userId },
          { Key: PLACEMENT_TAG_KEY, Value: placement },
        ],
        ...(sessionPolicy === undefined ? {} : { Policy: sessionPolicy }),
      }),
    );
    const credentials = output.Credentials;
    if (
      credentials?.AccessKeyId === undefined ||
      credentials.SecretAccessKey === undefined ||
      credentials.SessionToken === undefined ||
      credentials.Expiration === undefined
    ) {
      throw new TenantSessionError('AssumeRole returned incomplete credentials');
    }
    return new TenantSession(
      owner,
      placement,
      {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      },
      this.#clients,
    );
  }
}

function validOwner(subject: SessionSubject): KeyOwner {
  const tenantId = TenantIdSchema.safeParse(subject.tenantId);
  const userId = UserIdSchema.safeParse(subject.userId);
  if (!tenantId.success || !userId.success || !TenantTagSchema.safeParse(subject.tenantTag).success) {
    throw new InvalidSessionSubjectError('tenant session subject does not match the key layout');
  }
  return { tenantId: tenantId.data, userId: userId.data };
}

/**
 * CloudTrail shows the session name: use the opaque tenant tag and a digest
 * of the user id, never the raw ids. Fits STS's 64-char `[\w+=,.@-]` limit.
 */
function roleSessionName(tenantTag: string, userId: string): string {
  return `${tenantTag}.${sha256(userId).slice(0, 24)}`;
}
