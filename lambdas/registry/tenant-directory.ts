/**
 * Read-through view of the registry for the request path: a tenant's record
 * and a user's role assignment, each cached in-process for at most `ttlMs`
 * (15 s by default), so a suspension takes effect within that bound without a
 * registry read on every request. An unknown tenant is not remembered, so a
 * tenant onboarded a moment ago is served at once.
 */
import { PLATFORM_TENANT_ID, type Role } from '../tenancy/request-context.js';
import type { TenantRecord } from './tenant-record.js';
import type { TenantRegistry } from './tenant-registry.js';

export const DEFAULT_DIRECTORY_TTL_MS = 15_000;

/** The built-in platform tenant: it needs no registry record and cannot be suspended. */
export const PLATFORM_TENANT_RECORD: TenantRecord = Object.freeze({
  tenantId: PLATFORM_TENANT_ID,
  name: 'Platform operators',
  tier: 'enterprise',
  status: 'active',
  createdAt: '1970-01-01T00:00:00.000Z',
});
const DEFAULT_MAX_ENTRIES = 1000;

interface Entry<V> {
  readonly value: Promise<V>;
  readonly expiresAt: number;
}

/**
 * A bounded cache of promises that expire `ttlMs` after they were started;
 * failures, and values `keep` rejects, are not kept.
 */
class ExpiringCache<V> {
  readonly #entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
    private readonly keep: (value: V) => boolean = () => true,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.#entries.get(key);
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.value;
    const value = load();
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    const forget = () => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    };
    value.then((loaded) => {
      if (!this.keep(loaded)) forget();
    }, forget);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(oldest);
    }
    return value;
  }
}

export interface TenantDirectoryOptions {
  /** @default DEFAULT_DIRECTORY_TTL_MS */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class TenantDirectory {
  readonly #tenants: ExpiringCache<TenantRecord | undefined>;
  readonly #roles: ExpiringCache<readonly Role[] | undefined>;

  constructor(
    private readonly registry: Pick<TenantRegistry, 'getTenant' | 'getUserRoles'>,
    options: TenantDirectoryOptions = {},
  ) {
    const ttlMs = options.ttlMs ?? DEFAULT_DIRECTORY_TTL_MS;
    const now = options.now ?? Date.now;
    this.#tenants = new ExpiringCache(ttlMs, DEFAULT_MAX_ENTRIES, now, (record) => record !== undefined);
    this.#roles = new ExpiringCache(ttlMs, DEFAULT_MAX_ENTRIES, now);
  }

  tenant(tenantId: string): Promise<TenantRecord | undefined> {
    if (tenantId === PLATFORM_TENANT_ID) return Promise.resolve(PLATFORM_TENANT_RECORD);
    return this.#tenants.get(tenantId, () => this.registry.getTenant(tenantId));
  }

  userRoles(tenantId: string, userId: string): Promise<readonly Role[] | undefined> {
    return this.#roles.get(JSON.stringify([tenantId, userId]), () =>
      this.registry.getUserRoles(tenantId, userId),
    );
  }
}
