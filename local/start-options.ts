/**
 * `npm start`'s command line, parsed in one place:
 *
 *   npm start                   in memory, one readable line per API request
 *   npm start -- --persist      keep data under .local-data/ (or BULKHEAD_PERSIST=1)
 *   npm start -- --json         the functions' raw JSON logs and metrics, and each request as JSON
 *                               (or BULKHEAD_JSON_LOGS=1)
 *   npm start -- --model-endpoint http://127.0.0.1:11434/v1 [--model-name llama3.2] [--embedding-model NAME]
 *                               a real model from an OpenAI-compatible server (model-server-settings.ts)
 *   BULKHEAD_CORS_ORIGINS=http://localhost:5173 npm start   a browser front end there may call the API
 */
import { parseArgs } from 'node:util';
import { MODEL_SERVER_FLAGS, modelServerSettings } from './model-backend/model-server-settings.js';
import type { ModelServerOptions } from './model-backend/openai-compatible-model.js';

export interface StartOptions {
  readonly persist: boolean;
  readonly json: boolean;
  /** The OpenAI-compatible model server; undefined: the stand-in model. */
  readonly modelServer: ModelServerOptions | undefined;
  /** `bulkhead:corsOrigins` for the local stack (comma list), when set. */
  readonly corsOrigins: string | undefined;
}

export const START_USAGE =
  'usage: npm start [-- --persist] [--json] [--model-endpoint URL [--model-name NAME] [--embedding-model NAME]]';

/** The options from `argv` (without node and the script) and the environment; throws on an unknown flag. */
export function parseStartOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StartOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { persist: { type: 'boolean' }, json: { type: 'boolean' }, ...MODEL_SERVER_FLAGS },
    strict: true,
    allowPositionals: false,
  });
  const corsOrigins = env.BULKHEAD_CORS_ORIGINS?.trim();
  return {
    persist: values.persist === true || env.BULKHEAD_PERSIST === '1',
    json: values.json === true || env.BULKHEAD_JSON_LOGS === '1',
    modelServer: modelServerSettings(values, env),
    corsOrigins: corsOrigins === undefined || corsOrigins === '' ? undefined : corsOrigins,
  };
}
