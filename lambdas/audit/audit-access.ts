/**
 * What an audit writer session reaches for one tenant: its trail, the table its digester state
 * lives in, its signed digests, and the digests' public key. The one place a writer session is
 * turned into these (the API's audit routes and the digester both come here).
 */

import { digestPublicKey } from '../audit-store/digest-keys.js';
import { DigestStore } from '../audit-store/digest-store.js';
import { type DigesterConfig, dataPlaneOf } from '../config.js';
import { actorTagFor } from '../tenancy/request-context.js';
import { ScopedTable } from '../tenancy/scoped-table.js';
import type { SessionSubject, TenantSession, TenantSessions } from '../tenancy/tenant-session.js';
import { AuditTrail } from './audit-trail.js';
import type { RetentionWindow, TrailEvidence } from './trail-verifier.js';

export type AuditConfig = Pick<
  DigesterConfig,
  | 'siloNaming'
  | 'tenantTableName'
  | 'tenantBucketName'
  | 'vectorBucketName'
  | 'auditDigestBucketName'
  | 'auditDigestKeyArn'
>;

export class AuditAccess {
  readonly trail: AuditTrail;
  readonly table: ScopedTable;
  readonly digests: DigestStore;

  private constructor(
    readonly tenantId: string,
    private readonly session: TenantSession,
    private readonly config: AuditConfig,
    tagKey: string,
    /** Days the trail's records are kept (the tenant's audit retention). */
    readonly retentionDays: number | undefined,
  ) {
    this.table = ScopedTable.of(session, dataPlaneOf(config, session).tableName);
    this.trail = new AuditTrail(this.table, (userId) => actorTagFor(tenantId, userId, tagKey), {
      ...(retentionDays === undefined ? {} : { retentionDays }),
    });
    this.digests = new DigestStore(session.s3, config.auditDigestBucketName, tenantId, retentionDays);
  }

  /** The audit writer session of `subject`'s tenant; `tagKey` makes the actors' opaque ids. */
  static async of(
    sessions: TenantSessions,
    config: AuditConfig,
    subject: SessionSubject,
    tagKey: string,
    retentionDays?: number,
  ): Promise<AuditAccess> {
    return new AuditAccess(
      subject.tenantId,
      await sessions.sessionFor(subject),
      config,
      tagKey,
      retentionDays,
    );
  }

  /** What verification allows to be missing as of `now`: records older than the retention. */
  retentionWindow(now: Date): RetentionWindow | undefined {
    return this.retentionDays === undefined ? undefined : { now, retentionDays: this.retentionDays };
  }

  /**
   * Everything verification needs, read in the order that keeps it sound: digests first, then
   * each chain's head, then its records (so a digest never vouches for more than was read).
   */
  async evidence(): Promise<TrailEvidence> {
    const digests = await this.digests.list();
    return { tenantId: this.tenantId, chains: await this.trail.chainEvidence(), digests };
  }

  /** The digest key's public key (DER SubjectPublicKeyInfo). */
  async publicKey(): Promise<Uint8Array> {
    return digestPublicKey(this.session.kms, this.config.auditDigestKeyArn);
  }
}
