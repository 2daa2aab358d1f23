/** The checked-in model catalogue (models.json), as a deployment without model settings uses it, and edited copies. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelCatalog } from '../../lambdas/models/model-catalog.js';
import { DEFAULT_MODEL_CATALOG_FILE, resolveModelCatalog } from '../../lib/model-catalog-file.js';

function defaultCatalog(): ModelCatalog {
  const resolved = resolveModelCatalog({});
  if (resolved.catalog === undefined) throw new Error(resolved.problems.join('; '));
  return resolved.catalog;
}

/** The default catalogue: its chat models, fallbacks, embedding model and price table. */
export const DEFAULT_MODELS: ModelCatalog = defaultCatalog();
/** The default price table (the one the metering tests' numbers are computed from). */
export const DEFAULT_PRICES = DEFAULT_MODELS.prices;

/** Writes `catalog` (any JSON value) to a fresh temporary file and returns its path, for `bulkhead:modelCatalog`. */
export function writeCatalogFile(catalog: unknown, name = 'models.json'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bulkhead-models-')), name);
  writeFileSync(file, typeof catalog === 'string' ? catalog : JSON.stringify(catalog, null, 2));
  return file;
}

/** The checked-in catalogue with `changes` applied (a copy of models.json an adopter edited). */
export function editedCatalog(changes: Record<string, unknown>): Record<string, unknown> {
  const checkedIn: Record<string, unknown> = JSON.parse(readFileSync(DEFAULT_MODEL_CATALOG_FILE, 'utf8'));
  return { ...checkedIn, ...changes };
}
