/**
 * The platform's OAuth callback URL as the caller reached the API (see requestedApiUrl). It is
 * registered with each connector's authorization server, and the URL a sign-in starts with is
 * kept with its state, so the code exchange repeats it exactly.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { requestedApiUrl } from '../http/requested-api-url.js';

export const OAUTH_CALLBACK_PATH = '/v1/oauth/callback';

export function oauthCallbackUrl(event: APIGatewayProxyEvent): string {
  return `${requestedApiUrl(event)}${OAUTH_CALLBACK_PATH}`;
}
