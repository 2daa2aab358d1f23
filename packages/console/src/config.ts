import { hasStrings } from './json-shape.js';

/** The console's runtime settings, read from `config.json` next to the app (written at deploy, not built in). */
export interface ConsoleConfig {
  /** The pool API's base URL. */
  readonly apiUrl: string;
  /** The silo API's base URL: a tenant placed in a silo is served there (the pool API answers 421). */
  readonly siloApiUrl?: string;
  /** The OpenID Connect issuer people sign in with. */
  readonly issuer: string;
  /** The public client (no secret) registered for the console. */
  readonly clientId: string;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  const config: unknown = await response.json();
  if (!hasStrings(config, ['apiUrl', 'issuer', 'clientId'], ['siloApiUrl']))
    throw new Error('config.json: apiUrl, issuer and clientId must be strings (siloApiUrl too, when given)');
  return config;
}
