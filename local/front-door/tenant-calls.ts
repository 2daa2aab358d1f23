/**
 * AWS calls made through tenant sessions, counted per tenant and service at the front door: what
 * one tenant's requests cost the platform (e.g. that a refused flood reached no model or vector
 * index). Calls with a function's own credentials carry no tenant and are not counted here.
 */
import type { Principal } from './principals.js';

export class TenantCalls {
  readonly #counts = new Map<string, Map<string, number>>();

  count(service: string, principal: Pick<Principal, 'tags'>): void {
    const tenantId = principal.tags.TenantId;
    if (tenantId === undefined) return;
    const byService = this.#counts.get(tenantId) ?? new Map<string, number>();
    byService.set(service, (byService.get(service) ?? 0) + 1);
    this.#counts.set(tenantId, byService);
  }

  /** The tenant's calls so far, by service (`dynamodb`, `bedrock`, `s3vectors`, …). */
  of(tenantId: string): Record<string, number> {
    return Object.fromEntries(this.#counts.get(tenantId) ?? []);
  }
}
