/** The checked-in model catalogue (models.json), as a deployment without model settings uses it. */
import type { ModelCatalog } from '../../lambdas/models/model-catalog.js';
import { resolveModelCatalog } from '../../lib/model-catalog-file.js';

function defaultCatalog(): ModelCatalog {
  const resolved = resolveModelCatalog({});
  if (resolved.catalog === undefined) throw new Error(resolved.problems.join('; '));
  return resolved.catalog;
}

/** The default catalogue: its chat models, fallbacks, embedding model and price table. */
export const DEFAULT_MODELS: ModelCatalog = defaultCatalog();
/** The default price table (the one the metering tests' numbers are computed from). */
export const DEFAULT_PRICES = DEFAULT_MODELS.prices;
