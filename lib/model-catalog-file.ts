/**
 * The model catalogue as a deployment configures it: the checked-in `models.json` (or the file
 * `bulkhead:modelCatalog` names), optionally narrowed by `bulkhead:modelIds` and
 * `bulkhead:embeddingModelId`, checked at synth with the functions' own schema
 * (lambdas/models/model-catalog.ts), and the compact copy the functions receive (docs/models.md).
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import {
  compactCatalog,
  type ModelCatalog,
  parseJson,
  parseModelCatalog,
} from '../lambdas/models/model-catalog.js';
import { repoPath } from './repo-root.js';

/** The checked-in catalogue at the repository root. */
export const DEFAULT_MODEL_CATALOG_FILE = repoPath('models.json');

/**
 * Lambda allows 4 KB for all of a function's environment variables together
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); the other variables
 * take about 1.2 KB (1.5 KB with deployed resource names), so the catalogue may take half.
 */
export const MODEL_CATALOG_ENV_MAX_BYTES = 2_048;

/** The environment variable the functions read the catalogue from (lambdas/config.ts). */
export const MODEL_CATALOG_VARIABLE = 'MODEL_CATALOG';

/** What a deployment says about its models (BulkheadSettings' model keys). */
export interface ModelSelection {
  /** A catalogue file (absolute, or relative to the working directory). @default DEFAULT_MODEL_CATALOG_FILE */
  readonly modelCatalog?: string;
  /** Replaces the catalogue's `chatModels` (the first is the default). @default - the catalogue's */
  readonly modelIds?: readonly string[];
  /** Replaces the catalogue's `embeddingModel`. @default - the catalogue's */
  readonly embeddingModelId?: string;
}

/** The checked catalogue and its compact JSON for the functions, or every problem with them. */
export type ResolvedModelCatalog =
  | { readonly catalog: ModelCatalog; readonly environment: string; readonly problems: readonly [] }
  | { readonly catalog?: undefined; readonly environment?: undefined; readonly problems: readonly string[] };

/** Loads, narrows and checks the catalogue a deployment configures; never throws. */
export function resolveModelCatalog(selection: ModelSelection): ResolvedModelCatalog {
  const file = resolve(selection.modelCatalog ?? DEFAULT_MODEL_CATALOG_FILE);
  // As the adopter wrote it; the default relative to where synth runs (the repository root).
  const shown = selection.modelCatalog ?? relative(process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { problems: [`model catalogue ${shown} cannot be read (${why})`] };
  }
  const json = parseJson(text, shown);
  if (!('value' in json)) return { problems: [json.problem] };
  const narrowed =
    typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value)
      ? {
          ...json.value,
          ...(selection.modelIds === undefined ? {} : { chatModels: selection.modelIds }),
          ...(selection.embeddingModelId === undefined ? {} : { embeddingModel: selection.embeddingModelId }),
        }
      : json.value;
  const parsed = parseModelCatalog(narrowed, shown, ([key]) => {
    if (key === 'chatModels' && selection.modelIds !== undefined) return 'bulkhead:modelIds';
    if (key === 'embeddingModel' && selection.embeddingModelId !== undefined)
      return 'bulkhead:embeddingModelId';
    return shown;
  });
  if (parsed.catalog === undefined) return { problems: parsed.problems };
  const environment = JSON.stringify(compactCatalog(parsed.catalog));
  const bytes = Buffer.byteLength(MODEL_CATALOG_VARIABLE) + Buffer.byteLength(environment);
  if (bytes > MODEL_CATALOG_ENV_MAX_BYTES) {
    return {
      problems: [
        `the models in use take ${bytes} bytes of ${MODEL_CATALOG_VARIABLE}, more than the ${MODEL_CATALOG_ENV_MAX_BYTES} ` +
          "that fit beside the functions' other variables in Lambda's 4 KB environment: use fewer chat or fallback models",
      ],
    };
  }
  return { catalog: parsed.catalog, environment, problems: [] };
}
