/**
 * The model catalogue: which Bedrock models the platform uses and what they cost. ONE schema for
 * the checked-in file (`models.json`, or the file named by `bulkhead:modelCatalog`), checked at
 * synth, and for the compact copy the functions receive in `MODEL_CATALOG`, checked at cold start
 * (docs/models.md).
 */
import * as z from 'zod';
import { profiledFoundationModel } from '../tenancy/model-ids.js';
import { TIERS, TierSchema } from '../tenancy/request-context.js';

/** Bedrock model ids (`provider.name[-version][:n]`), or a cross-Region inference profile id (`us.provider.name…`). */
const MODEL_ID_PATTERN = /^[a-z0-9-]+\.[A-Za-z0-9._:-]+$/;

const ModelIdSchema = z.string({ error: 'a model id must be a string' }).regex(MODEL_ID_PATTERN, {
  error: (issue) => `model id ${JSON.stringify(issue.input)} is not a Bedrock model id`,
});

const UsdPer1kSchema = z
  .number({ error: 'a price must be a number (USD per 1,000 tokens)' })
  .nonnegative({ error: 'a price cannot be negative' })
  .finite();

/**
 * On-demand USD prices per 1,000 tokens; an embedding model has input tokens only (output 0 when
 * omitted). A chat or fallback model must name an output price above 0 (modelCatalogSchema).
 */
export const ModelPriceSchema = z.strictObject({
  inputPer1kUsd: UsdPer1kSchema,
  outputPer1kUsd: UsdPer1kSchema.default(0),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

/** A versioned price table: every usage record stores the version it was priced with. */
export const PriceTableSchema = z.strictObject({
  version: z.string({ error: 'prices.version must be a string' }).trim().min(1, 'prices.version is empty'),
  models: z.record(ModelIdSchema, ModelPriceSchema),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** The price entry of a model id, or of an inference profile's foundation model; undefined if unpriced. */
export function findPrice(prices: PriceTable, modelId: string): ModelPrice | undefined {
  return prices.models[modelId] ?? prices.models[profiledFoundationModel(modelId) ?? modelId];
}

/** At most one fallback per tier; an unknown tier is refused. */
const TierFallbacksSchema = z.partialRecord(TierSchema, ModelIdSchema);

const CatalogShapeSchema = z.strictObject({
  /** Free text for the reader of the file (JSON has no comments). */
  $comment: z.string().optional(),
  prices: PriceTableSchema,
  /** The chat models tenants may use; the first is the default. */
  chatModels: z
    .array(ModelIdSchema)
    .min(1, 'chatModels must name at least one model')
    .refine((ids) => new Set(ids).size === ids.length, 'chatModels names a model twice')
    // Typed as non-empty: the first is the default (min(1) leaves `first` defined).
    .transform(([first, ...rest]): [string, ...string[]] =>
      first === undefined ? z.NEVER : [first, ...rest],
    ),
  /** Documents and search; every tenant vector index has this model's dimensions (1024 for Titan v2). */
  embeddingModel: ModelIdSchema,
  /** A cheaper model per tier, used when the budget cannot cover the requested one or it is throttled. */
  fallbackModels: TierFallbacksSchema.default({}),
});

/** The catalogue, complete: every model it uses has a price. */
export type ModelCatalog = z.infer<typeof CatalogShapeSchema>;

/** Every model the catalogue uses, each once: chat models, fallbacks, the embedding model. */
export function modelsInUse(catalog: Omit<ModelCatalog, 'prices'>): string[] {
  const fallbacks = TIERS.flatMap((tier) => catalog.fallbackModels[tier] ?? []);
  return [...new Set([...catalog.chatModels, ...fallbacks, catalog.embeddingModel])];
}

/**
 * The catalogue schema; problems name `source` (the file, or `MODEL_CATALOG`) so the reader knows
 * where to add a missing price.
 */
export function modelCatalogSchema(source: string) {
  return CatalogShapeSchema.superRefine((catalog, context) => {
    const roles = new Map<string, string>();
    for (const id of catalog.chatModels) roles.set(id, 'chat model');
    for (const tier of TIERS) {
      const id = catalog.fallbackModels[tier];
      if (id !== undefined && !roles.has(id)) roles.set(id, `fallback model of tier ${tier}`);
    }
    if (!roles.has(catalog.embeddingModel)) roles.set(catalog.embeddingModel, 'embedding model');
    for (const [id, role] of roles) {
      // An id that is not a model id is reported as such, not also as unpriced.
      if (!MODEL_ID_PATTERN.test(id)) continue;
      const price = findPrice(catalog.prices, id);
      if (price === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['prices', 'models', id],
          message:
            `${role} "${id}" has no price: add "${id}": { "inputPer1kUsd": …, "outputPer1kUsd": … } ` +
            `to prices.models in ${source}`,
        });
      } else if (role !== 'embedding model' && price.outputPer1kUsd <= 0) {
        // Output tokens priced at 0 would meter every answer as nearly free: budgets would not hold.
        context.addIssue({
          code: 'custom',
          path: ['prices', 'models', id],
          message: `${role} "${id}" has no output price: give it "outputPer1kUsd" above 0 in prices.models in ${source}`,
        });
      }
    }
    for (const issue of embeddingModelMisuse(catalog)) context.addIssue({ code: 'custom', ...issue });
    for (const issue of dearerFallbacks(catalog, source)) context.addIssue({ code: 'custom', ...issue });
  });
}

interface CatalogIssue {
  readonly path: PropertyKey[];
  readonly message: string;
}

/** The embedding model answers no chat: it may be neither a chat model nor a fallback. */
function embeddingModelMisuse(catalog: ModelCatalog): CatalogIssue[] {
  const embedding = catalog.embeddingModel;
  const asChat = catalog.chatModels.includes(embedding)
    ? [
        {
          path: ['chatModels'],
          message: `the embedding model "${embedding}" cannot be a chat model (chatModels)`,
        },
      ]
    : [];
  const asFallback = TIERS.filter((tier) => catalog.fallbackModels[tier] === embedding).map((tier) => ({
    path: ['fallbackModels', tier],
    message: `the embedding model "${embedding}" cannot be the fallback model of tier ${tier}`,
  }));
  return [...asChat, ...asFallback];
}

/**
 * A turn's budget reservation is priced for the tenant's chat model, and a throttled call may
 * settle on the tier's fallback (lambdas/admission/budget-guard.ts): the fallback must cost no
 * more than any chat model, on input and on output, or a budget could be overspent.
 */
function dearerFallbacks(catalog: ModelCatalog, source: string): CatalogIssue[] {
  return TIERS.flatMap((tier) => {
    const fallback = catalog.fallbackModels[tier];
    const fallbackPrice = fallback === undefined ? undefined : findPrice(catalog.prices, fallback);
    if (fallback === undefined || fallbackPrice === undefined) return [];
    return catalog.chatModels.flatMap((chat) => {
      const chatPrice = findPrice(catalog.prices, chat);
      // An unpriced chat model, or one without an output price, is reported already.
      if (chatPrice === undefined || chatPrice.outputPer1kUsd <= 0) return [];
      const dearer = (['inputPer1kUsd', 'outputPer1kUsd'] as const).filter(
        (key) => fallbackPrice[key] > chatPrice[key],
      );
      if (dearer.length === 0) return [];
      return [
        {
          path: ['fallbackModels', tier],
          message:
            `the fallback model of tier ${tier} "${fallback}" costs more than the chat model "${chat}" ` +
            `(${dearer.map((key) => `${key} ${fallbackPrice[key]} > ${chatPrice[key]}`).join(', ')}) in ${source}: ` +
            'a fallback must cost no more than every chat model, on input and output, or a turn could overspend its budget',
        },
      ];
    });
  });
}

/** Names where a value came from, by its path in the catalogue (a file, or a setting that replaced it). */
export type CatalogSource = string | ((path: readonly PropertyKey[]) => string);

/** One readable line per zod issue: where (source and path) and what. */
function catalogProblems(error: z.ZodError, source: CatalogSource): string[] {
  return error.issues.map((issue) => {
    // Missing-price messages already name the file to add the price to.
    if (issue.code === 'custom') return issue.message;
    const origin = typeof source === 'string' ? source : source(issue.path);
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
    return `${origin}: ${where}: ${issue.message}`;
  });
}

/** The catalogue narrowed to what a deployment uses: only the prices of the models in use. */
export function compactCatalog(catalog: ModelCatalog): ModelCatalog {
  // A profile id may be priced as its foundation model (findPrice), so that entry stays too.
  const priced = new Set(modelsInUse(catalog).flatMap((id) => [id, profiledFoundationModel(id) ?? id]));
  const models = Object.fromEntries(Object.entries(catalog.prices.models).filter(([id]) => priced.has(id)));
  const { $comment: _comment, ...rest } = catalog;
  return { ...rest, prices: { version: catalog.prices.version, models } };
}

export type CatalogParse =
  | { readonly catalog: ModelCatalog; readonly problems?: undefined }
  | { readonly catalog?: undefined; readonly problems: readonly string[] };

/**
 * Checks a parsed catalogue: the catalogue, or every problem. `pricesFile` names where a missing
 * price must be added; `source` where each other value came from.
 */
export function parseModelCatalog(
  value: unknown,
  pricesFile: string,
  source: CatalogSource = pricesFile,
): CatalogParse {
  const result = modelCatalogSchema(pricesFile).safeParse(value);
  return result.success ? { catalog: result.data } : { problems: catalogProblems(result.error, source) };
}

/** JSON text as a value, or the problem naming `source`. */
export function parseJson(text: string, source: string): { value: unknown } | { problem: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { problem: `${source} is not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
}
