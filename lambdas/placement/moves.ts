/**
 * Starting a move: which move (if any) a tenant's tier asks for, from where it lives now. A move
 * to a silo begins by provisioning it; a move to the pool begins by holding the tenant's requests.
 * The placement job (placement-run.ts) carries every move through to its end.
 */
import { SiloNotPossibleError } from '../registry/errors.js';
import type { PlacementMove } from '../registry/tenant-record.js';
import type { Placement } from '../tenancy/key-layout.js';
import type { Tier } from '../tenancy/request-context.js';
import { type SiloNaming, siloNameProblem } from '../tenancy/silo-names.js';
import { placementOfTier } from './tier-placement.js';

export interface PlacementSettings {
  readonly siloTiers: readonly Tier[];
  readonly siloNaming: SiloNaming;
}

/**
 * The move a tenant of `tier` needs, living in `current`: none when the tier lives there too.
 * Throws SiloNotPossibleError when the tenant cannot have a silo (its id is too long for one).
 */
export function moveForTier(
  settings: PlacementSettings,
  tenantId: string,
  current: Placement,
  tier: Tier,
  now: Date,
): PlacementMove | undefined {
  const to = placementOfTier(tier, settings.siloTiers);
  if (to === current) return undefined;
  const at = now.toISOString();
  if (to === 'pool') return { to, phase: 'holding', requestedAt: at, heldAt: at };
  const problem = siloNameProblem(settings.siloNaming, tenantId);
  if (problem !== undefined) throw new SiloNotPossibleError(`tier ${tier} lives in silos, but ${problem}`);
  return { to, phase: 'provisioning', requestedAt: at };
}
