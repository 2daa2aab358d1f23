/**
 * The model catalogue's schema (lambdas/models/model-catalog.ts) and the synth-time loader
 * (lib/model-catalog-file.ts): every class of bad input is named, all at once, and a model
 * without a price names the model and the file to add it to.
 */
import { describe, expect, it } from 'vitest';
import { compactCatalog, modelsInUse, parseModelCatalog } from '../../lambdas/models/model-catalog.js';
import { MODEL_CATALOG_ENV_MAX_BYTES, resolveModelCatalog } from '../../lib/model-catalog-file.js';
import { DEFAULT_MODELS, editedCatalog, writeCatalogFile } from '../support/model-catalog.js';

const VALID = {
  prices: {
    version: '2027-01',
    models: {
      'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.00006, outputPer1kUsd: 0.00024 },
      'amazon.nova-micro-v1:0': { inputPer1kUsd: 0.000035, outputPer1kUsd: 0.00014 },
      'amazon.nova-pro-v1:0': { inputPer1kUsd: 0.0008, outputPer1kUsd: 0.0032 },
      'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002 },
    },
  },
  chatModels: ['amazon.nova-lite-v1:0', 'us.amazon.nova-pro-v1:0'],
  embeddingModel: 'amazon.titan-embed-text-v2:0',
  fallbackModels: { basic: 'amazon.nova-micro-v1:0' },
};

function problemsOf(value: unknown): readonly string[] {
  return parseModelCatalog(value, 'models.json').problems ?? [];
}

describe('the model catalogue schema', () => {
  it('reads a complete catalogue: output price 0 for an embedding model, a profile priced as its foundation model', () => {
    const parsed = parseModelCatalog(VALID, 'models.json');

    expect(parsed.problems).toBeUndefined();
    expect(parsed.catalog?.prices.models['amazon.titan-embed-text-v2:0']).toEqual({
      inputPer1kUsd: 0.00002,
      outputPer1kUsd: 0,
    });
    expect(parsed.catalog && modelsInUse(parsed.catalog)).toEqual([
      'amazon.nova-lite-v1:0',
      'us.amazon.nova-pro-v1:0',
      'amazon.nova-micro-v1:0',
      'amazon.titan-embed-text-v2:0',
    ]);
  });

  it.each([
    ['a chat model', { chatModels: ['amazon.nova-lite-v1:0', 'anthropic.claude-x-v1:0'] }, 'chat model'],
    [
      'a fallback model',
      { fallbackModels: { premium: 'anthropic.claude-x-v1:0' } },
      'fallback model of tier premium',
    ],
    ['the embedding model', { embeddingModel: 'anthropic.claude-x-v1:0' }, 'embedding model'],
    [
      'a global profile of an unpriced model',
      { chatModels: ['global.anthropic.claude-x-v1:0'] },
      'chat model',
    ],
  ])('refuses %s without a price, naming the model and the file to add it to', (_label, change, role) => {
    const problems = problemsOf({ ...VALID, ...change });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(
        `^${role} "(global\\.)?anthropic\\.claude-x-v1:0" has no price: add .* to prices\\.models in models\\.json$`,
      ),
    );
  });

  it.each([
    ['not an object', [], /models\.json: \(top level\): /],
    ['a field missing', { ...VALID, embeddingModel: undefined }, /models\.json: embeddingModel: /],
    [
      'a misspelt field',
      { ...VALID, chatModel: ['amazon.nova-lite-v1:0'] },
      /models\.json: \(top level\): .*chatModel/,
    ],
    [
      'a model id that is not one',
      { ...VALID, chatModels: ['nova lite'] },
      /chatModels\.0: model id "nova lite" is not a Bedrock model id/,
    ],
    ['no chat model', { ...VALID, chatModels: [] }, /chatModels: chatModels must name at least one model/],
    [
      'a chat model twice',
      { ...VALID, chatModels: ['amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'] },
      /chatModels names a model twice/,
    ],
    [
      'a negative price',
      editedPrice({ inputPer1kUsd: -1, outputPer1kUsd: 0 }),
      /prices\.models\.amazon\.nova-lite-v1:0\.inputPer1kUsd: a price cannot be negative/,
    ],
    [
      'a price as text',
      editedPrice({ inputPer1kUsd: '0.1', outputPer1kUsd: 0 }),
      /inputPer1kUsd: a price must be a number/,
    ],
    [
      'an unknown price field',
      editedPrice({ inputPer1kUsd: 0.1, cachedPer1kUsd: 0 }),
      /amazon\.nova-lite-v1:0: .*cachedPer1kUsd/,
    ],
    [
      'no price version',
      { ...VALID, prices: { ...VALID.prices, version: ' ' } },
      /prices\.version: prices\.version is empty/,
    ],
    [
      'an unknown tier',
      { ...VALID, fallbackModels: { gold: 'amazon.nova-micro-v1:0' } },
      /fallbackModels: .*gold/,
    ],
  ])('refuses a catalogue with %s, saying where', (_label, catalog, message) => {
    const problems = problemsOf(catalog);

    expect(problems.join('\n')).toMatch(message);
  });

  it.each([
    ['a chat model', 'amazon.nova-lite-v1:0', 'chat model'],
    ['a fallback model', 'amazon.nova-micro-v1:0', 'fallback model of tier basic'],
  ])(
    'refuses %s without an output price, or with 0 (only the embedding model may omit it)',
    (_label, id, role) => {
      const omitted = { inputPer1kUsd: 0.00006 };
      const zero = { inputPer1kUsd: 0.00006, outputPer1kUsd: 0 };
      const message = `${role} "${id}" has no output price: give it "outputPer1kUsd" above 0 in prices.models in models.json`;

      expect(problemsOf(editedPriceOf(id, omitted))).toEqual([message]);
      expect(problemsOf(editedPriceOf(id, zero))).toEqual([message]);
      expect(problemsOf(VALID)).toEqual([]);
    },
  );

  it('refuses the embedding model as a chat model or a fallback', () => {
    const embedding = VALID.embeddingModel;

    expect(problemsOf({ ...VALID, chatModels: ['amazon.nova-lite-v1:0', embedding] })).toContain(
      `the embedding model "${embedding}" cannot be a chat model (chatModels)`,
    );
    expect(problemsOf({ ...VALID, fallbackModels: { premium: embedding } })).toContain(
      `the embedding model "${embedding}" cannot be the fallback model of tier premium`,
    );
  });

  it.each([
    ['input', { inputPer1kUsd: 0.0001, outputPer1kUsd: 0.0001 }, /inputPer1kUsd 0\.0001 > 0\.00006\)/],
    ['output', { inputPer1kUsd: 0.00001, outputPer1kUsd: 0.0003 }, /outputPer1kUsd 0\.0003 > 0\.00024\)/],
  ])('refuses a fallback dearer than a chat model on %s, naming both', (_label, price, detail) => {
    const problems = problemsOf(editedPriceOf('amazon.nova-micro-v1:0', price));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^the fallback model of tier basic "amazon\.nova-micro-v1:0" costs more than the chat model "amazon\.nova-lite-v1:0" \(/,
    );
    expect(problems[0]).toMatch(detail);
  });

  it('accepts a fallback that costs as much as the cheapest chat model', () => {
    expect(
      problemsOf(editedPriceOf('amazon.nova-micro-v1:0', VALID.prices.models['amazon.nova-lite-v1:0'])),
    ).toEqual([]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      ...VALID,
      chatModels: ['amazon.nova-lite-v1:0', 'meta.llama-x-v1:0'],
      embeddingModel: 'cohere.embed-x-v1:0',
      fallbackModels: { basic: 'mistral.small-x-v1:0' },
    });

    expect(problems).toEqual([
      expect.stringMatching(/^chat model "meta\.llama-x-v1:0" has no price/),
      expect.stringMatching(/^fallback model of tier basic "mistral\.small-x-v1:0" has no price/),
      expect.stringMatching(/^embedding model "cohere\.embed-x-v1:0" has no price/),
    ]);
  });

  it('keeps in the compact copy only the prices of the models in use (a profile’s foundation model included)', () => {
    const parsed = parseModelCatalog(VALID, 'models.json');
    if (parsed.catalog === undefined) throw new Error(parsed.problems.join('; '));
    const unused = {
      ...parsed.catalog,
      prices: {
        ...parsed.catalog.prices,
        models: {
          ...parsed.catalog.prices.models,
          'amazon.nova-premier-v1:0': { inputPer1kUsd: 1, outputPer1kUsd: 1 },
        },
      },
    };

    expect(Object.keys(compactCatalog(unused).prices.models).sort()).toEqual([
      'amazon.nova-lite-v1:0',
      'amazon.nova-micro-v1:0',
      'amazon.nova-pro-v1:0',
      'amazon.titan-embed-text-v2:0',
    ]);
  });
});

function editedPrice(price: Record<string, unknown>) {
  return editedPriceOf('amazon.nova-lite-v1:0', price);
}

function editedPriceOf(id: string, price: Record<string, unknown>) {
  return { ...VALID, prices: { ...VALID.prices, models: { ...VALID.prices.models, [id]: price } } };
}

describe('the catalogue a deployment configures', () => {
  it('is models.json by default, with the prices of the table that was hard-coded before', () => {
    expect(DEFAULT_MODELS.prices).toEqual({
      version: '2026-11',
      models: {
        'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.00006, outputPer1kUsd: 0.00024 },
        'amazon.nova-micro-v1:0': { inputPer1kUsd: 0.000035, outputPer1kUsd: 0.00014 },
        'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002, outputPer1kUsd: 0 },
      },
    });
    expect(DEFAULT_MODELS.fallbackModels).toEqual({
      basic: 'amazon.nova-micro-v1:0',
      premium: 'amazon.nova-micro-v1:0',
    });
  });

  it('narrows the chat models with bulkhead:modelIds, naming the setting when one is bad or unpriced', () => {
    expect(resolveModelCatalog({ modelIds: ['amazon.nova-micro-v1:0'] }).catalog?.chatModels).toEqual([
      'amazon.nova-micro-v1:0',
    ]);
    expect(
      resolveModelCatalog({ modelIds: ['nova'], embeddingModelId: 'cohere.embed-x-v1:0' }).problems,
    ).toEqual([
      'bulkhead:modelIds: chatModels.0: model id "nova" is not a Bedrock model id',
      expect.stringMatching(
        /^embedding model "cohere\.embed-x-v1:0" has no price: add .* to prices\.models in models\.json$/,
      ),
    ]);
  });

  it('names a file that cannot be read or is not JSON', () => {
    expect(resolveModelCatalog({ modelCatalog: '/nonexistent/models.json' }).problems).toEqual([
      expect.stringMatching(/^model catalogue \/nonexistent\/models\.json cannot be read \(ENOENT/),
    ]);
    expect(resolveModelCatalog({ modelCatalog: writeCatalogFile('{ "prices": ') }).problems).toEqual([
      expect.stringMatching(/models\.json is not JSON/),
    ]);
  });

  it('refuses more models in use than fit in the functions’ environment, saying so', () => {
    const many = Array.from({ length: 40 }, (_, i) => `amazon.nova-test-${i}-v1:0`);
    const file = writeCatalogFile(
      editedCatalog({
        prices: {
          version: '2026-11',
          models: {
            ...DEFAULT_MODELS.prices.models,
            ...Object.fromEntries(many.map((id) => [id, { inputPer1kUsd: 0.0001, outputPer1kUsd: 0.0004 }])),
          },
        },
        chatModels: many,
      }),
    );

    expect(resolveModelCatalog({ modelCatalog: file }).problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^the models in use take \\d+ bytes of MODEL_CATALOG, more than the ${MODEL_CATALOG_ENV_MAX_BYTES} .* 4 KB environment`,
        ),
      ),
    ]);
    expect(resolveModelCatalog({ modelCatalog: file, modelIds: many.slice(0, 3) }).problems).toEqual([]);
  });
});
