/**
 * Which tiers live in silos: configuration (`bulkhead:siloTiers` → `SILO_TIERS`), read by the
 * control plane when a tenant is onboarded or changes tier. Every other tier shares the pool.
 */
import * as z from 'zod';
import type { Placement } from '../tenancy/key-layout.js';
import { TIERS, type Tier } from '../tenancy/request-context.js';

/** The default: enterprise tenants get a silo of their own. */
export const DEFAULT_SILO_TIERS: readonly Tier[] = ['enterprise'];

/** `SILO_TIERS`: a comma-separated list of tiers (empty: every tenant shares the pool). */
export const SiloTiersSchema = z
  .string()
  .default(DEFAULT_SILO_TIERS.join(','))
  .transform((text) =>
    text
      .split(',')
      .map((tier) => tier.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(TIERS, { error: `SILO_TIERS must list tiers (${TIERS.join(', ')})` })));

/** Where a tenant of `tier` lives. */
export function placementOfTier(tier: Tier, siloTiers: readonly Tier[]): Placement {
  return siloTiers.includes(tier) ? 'silo' : 'pool';
}
