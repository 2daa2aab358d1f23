/**
 * Who holds which access key: each function role's static credentials (what Lambda would give
 * the function) and every STS session minted by the local STS (role + tags + session policy).
 */
import { randomBytes } from 'node:crypto';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** The identity behind an access key. */
export interface Principal {
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>` */
  readonly arn: string;
  readonly roleArn: string;
  readonly credentials: Credentials;
  /** Session tags (empty for a function's own credentials). */
  readonly tags: Readonly<Record<string, string>>;
  readonly sessionPolicy?: unknown;
}

export interface SessionRequest {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly sessionPolicy?: unknown;
}

/** The outcome of looking up an access key. */
export type KeyLookup =
  | { readonly status: 'valid'; readonly principal: Principal }
  | { readonly status: 'expired' }
  | { readonly status: 'unknown' };

/** Function credentials outlive any test or demo run; Lambda rotates them, we do not need to. */
const FUNCTION_CREDENTIAL_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export class CredentialRegistry {
  private readonly byAccessKey = new Map<string, Principal>();
  private readonly taggedTenantIds = new Set<string>();
  private readonly taggedUserIds = new Set<string>();

  constructor(private readonly accountId: string) {}

  /** Issues long-lived credentials for a function's execution role (as Lambda's runtime would). */
  issueFunctionCredentials(roleArn: string, functionName: string): Credentials {
    return this.register({
      roleArn,
      sessionName: functionName,
      tags: {},
      lifetimeMs: FUNCTION_CREDENTIAL_LIFETIME_MS,
    });
  }

  /** Mints a temporary session (STS AssumeRole). */
  createSession(request: SessionRequest): Principal {
    if (request.tags.TenantId !== undefined) this.taggedTenantIds.add(request.tags.TenantId);
    if (request.tags.UserId !== undefined) this.taggedUserIds.add(request.tags.UserId);
    const credentials = this.register({
      roleArn: request.roleArn,
      sessionName: request.sessionName,
      tags: request.tags,
      sessionPolicy: request.sessionPolicy,
      lifetimeMs: request.durationSeconds * 1000,
    });
    const principal = this.byAccessKey.get(credentials.accessKeyId);
    if (principal === undefined) throw new Error('session vanished while being created');
    return principal;
  }

  /** Every `TenantId` and `UserId` session tag minted so far: the raw ids that must not reach logs. */
  sessionIdentities(): { tenantIds: string[]; userIds: string[] } {
    return { tenantIds: [...this.taggedTenantIds], userIds: [...this.taggedUserIds] };
  }

  /** Finds the principal for an access key; expired sessions are reported as such. */
  lookup(accessKeyId: string, now = Date.now()): KeyLookup {
    const principal = this.byAccessKey.get(accessKeyId);
    if (principal === undefined) return { status: 'unknown' };
    if (principal.credentials.expiration.getTime() <= now) return { status: 'expired' };
    return { status: 'valid', principal };
  }

  private register(input: {
    roleArn: string;
    sessionName: string;
    tags: Readonly<Record<string, string>>;
    sessionPolicy?: unknown;
    lifetimeMs: number;
  }): Credentials {
    const credentials: Credentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
      expiration: new Date(Date.now() + input.lifetimeMs),
    };
    const roleName = input.roleArn.slice(input.roleArn.lastIndexOf('/') + 1);
    this.byAccessKey.set(credentials.accessKeyId, {
      arn: `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${input.sessionName}`,
      roleArn: input.roleArn,
      credentials,
      tags: input.tags,
      ...(input.sessionPolicy === undefined ? {} : { sessionPolicy: input.sessionPolicy }),
    });
    return credentials;
  }
}
