/**
 * Where an authorization server sends a user back after a sign-in: by default the platform's
 * callback as the caller reached the API (see requestedApiUrl); for a sign-in started from a web
 * console, the console's own callback page on one of the deployment's browser (CORS) origins,
 * which forwards code and state to the platform's callback with the user's token (a browser
 * following a redirect sends none). Either is registered with each connector's authorization
 * server, and the URL a sign-in starts with is kept with its state, so the code exchange repeats
 * it exactly.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { requestedApiUrl } from '../http/requested-api-url.js';

export const OAUTH_CALLBACK_PATH = '/v1/oauth/callback';

export function oauthCallbackUrl(event: APIGatewayProxyEvent): string {
  return `${requestedApiUrl(event)}${OAUTH_CALLBACK_PATH}`;
}

/** The web console's page that forwards a sign-in's code and state (the console serves it). */
export const CONSOLE_OAUTH_CALLBACK_PATH = '/console/oauth/callback';

/** The console callbacks a sign-in may name: the console page on each of the deployment's browser origins. */
export function consoleCallbackUrls(corsOrigins: readonly string[]): string[] {
  return corsOrigins.map((origin) => `${origin}${CONSOLE_OAUTH_CALLBACK_PATH}`);
}
