/**
 * The platform as an OAuth 2.0 client of a connector's authorization server: authorization code
 * with PKCE (S256), refresh and revocation, with `oauth4webapi` (a maintained, spec-checked
 * client) — every request through the connectors' guarded fetch (no private addresses in the
 * cloud, no redirects, bounded bytes and time). The authorization server's refusals of a grant
 * are the caller's 4xx; its faults a 503.
 */
import * as oauth from 'oauth4webapi';
import { ConnectorCallError, ConnectorUrlError } from '../connectors/errors.js';
import { guardedFetch, type OutboundPolicy } from '../connectors/outbound-fetch.js';
import { OAuthGrantRefusedError, OAuthServerUnavailableError } from './errors.js';

/** A per-user connector's OAuth settings, as stored. */
export interface OAuthSettings {
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly revocationUrl?: string | undefined;
  readonly issuer?: string | undefined;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly resource?: string | undefined;
}

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string | undefined;
  /** Seconds the access token is valid, when the server says. */
  readonly expiresIn?: number | undefined;
  readonly scope?: string | undefined;
}

const OAUTH_LIMITS = { timeoutMs: 10_000, maxResponseBytes: 64 * 1024 };

export class OAuthClient {
  readonly #server: oauth.AuthorizationServer;
  readonly #client: oauth.Client;
  readonly #auth: oauth.ClientAuth;
  readonly #options: oauth.TokenEndpointRequestOptions;
  /** Every request goes through the guarded fetch. */
  readonly #fetch: typeof fetch;
  /** Plain http only where the guarded fetch allows it at all: loopback in the local cloud. */
  readonly #allowInsecure: boolean;

  constructor(
    private readonly settings: OAuthSettings,
    clientSecret: string | undefined,
    policy: OutboundPolicy,
  ) {
    this.#server = {
      // RFC 9207: a server that names itself in the callback must be the one configured.
      issuer: settings.issuer ?? new URL(settings.tokenUrl).origin,
      authorization_endpoint: settings.authorizationUrl,
      token_endpoint: settings.tokenUrl,
      ...(settings.revocationUrl === undefined ? {} : { revocation_endpoint: settings.revocationUrl }),
    };
    this.#client = { client_id: settings.clientId };
    this.#auth = clientSecret === undefined ? oauth.None() : oauth.ClientSecretBasic(clientSecret);
    this.#fetch = guardedFetch(policy, OAUTH_LIMITS) as typeof fetch;
    this.#allowInsecure = policy.allowLoopback;
    this.#options = {
      [oauth.customFetch]: this.#fetch,
      [oauth.allowInsecureRequests]: this.#allowInsecure,
      ...(settings.resource === undefined ? {} : { additionalParameters: { resource: settings.resource } }),
    };
  }

  /**
   * The authorization server's metadata at its issuer (RFC 8414, else OpenID Connect discovery),
   * which must name that issuer and the stored authorization and token endpoints. Reaching it
   * proves the server is up and is the one configured; throws ConnectorCallError (the connector's
   * fault, never ours) when it is not, ConnectorUrlError when the issuer may not be called.
   */
  async metadata(signal?: AbortSignal): Promise<oauth.AuthorizationServer> {
    // Checked at registration; one stored before that was checked is refused here, not a fault of ours.
    if (!URL.canParse(this.#server.issuer)) throw new ConnectorUrlError('the issuer does not parse as a URL');
    const issuer = new URL(this.#server.issuer);
    const discover = (algorithm: 'oauth2' | 'oidc') =>
      oauth.discoveryRequest(issuer, {
        algorithm,
        [oauth.customFetch]: this.#fetch,
        [oauth.allowInsecureRequests]: this.#allowInsecure,
        ...(signal ? { signal } : {}),
      });
    let metadata: oauth.AuthorizationServer;
    try {
      const rfc8414 = await discover('oauth2');
      if (rfc8414.status === 404) await rfc8414.body?.cancel();
      const response = rfc8414.status === 404 ? await discover('oidc') : rfc8414;
      if (response.status >= 500) {
        await response.body?.cancel();
        throw new ConnectorCallError('http_status', `the authorization server answered ${response.status}`);
      }
      metadata = await oauth.processDiscoveryResponse(issuer, response);
    } catch (err) {
      if (err instanceof ConnectorCallError || err instanceof ConnectorUrlError) throw err;
      throw new ConnectorCallError(
        'protocol',
        'the authorization server published no usable metadata for its issuer',
        { cause: err },
      );
    }
    for (const [field, stored] of [
      ['authorization_endpoint', this.#server.authorization_endpoint],
      ['token_endpoint', this.#server.token_endpoint],
    ] as const)
      if (metadata[field] !== stored)
        throw new ConnectorCallError(
          'protocol',
          `the authorization server’s metadata names ${metadata[field] ?? 'none'} as ${field}, not the stored ${stored}`,
        );
    return metadata;
  }

  /** Where the user signs in and consents. */
  authorizationUrl(request: { state: string; codeChallenge: string; redirectUri: string }): string {
    const url = new URL(this.settings.authorizationUrl);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: request.redirectUri,
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      // Consent each time: a refresh token (offline access) is issued only with explicit consent.
      prompt: 'consent',
      ...(this.settings.scopes.length === 0 ? {} : { scope: this.settings.scopes.join(' ') }),
      ...(this.settings.resource === undefined ? {} : { resource: this.settings.resource }),
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  /** Exchanges the callback's code (state already checked by the caller) with the PKCE verifier. */
  async exchangeCode(
    callback: URLSearchParams,
    redirectUri: string,
    codeVerifier: string,
  ): Promise<TokenSet> {
    return this.#grant(async () => {
      const parameters = oauth.validateAuthResponse(
        this.#server,
        this.#client,
        callback,
        oauth.skipStateCheck,
      );
      const response = await oauth.authorizationCodeGrantRequest(
        this.#server,
        this.#client,
        this.#auth,
        parameters,
        redirectUri,
        codeVerifier,
        this.#options,
      );
      return oauth.processAuthorizationCodeResponse(this.#server, this.#client, response);
    });
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    return this.#grant(async () => {
      const response = await oauth.refreshTokenGrantRequest(
        this.#server,
        this.#client,
        this.#auth,
        refreshToken,
        this.#options,
      );
      return oauth.processRefreshTokenResponse(this.#server, this.#client, response);
    });
  }

  /** Revokes a token where the server has a revocation endpoint; false when it could not. */
  async revoke(token: string): Promise<boolean> {
    if (this.settings.revocationUrl === undefined) return false;
    try {
      const response = await oauth.revocationRequest(
        this.#server,
        this.#client,
        this.#auth,
        token,
        this.#options,
      );
      await oauth.processRevocationResponse(response);
      return true;
    } catch {
      return false;
    }
  }

  async #grant(request: () => Promise<oauth.TokenEndpointResponse>): Promise<TokenSet> {
    try {
      const tokens = await request();
      return {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresIn: tokens.expires_in,
        scope: tokens.scope,
      };
    } catch (err) {
      // The server said no (invalid_grant: a reused code, a wrong verifier…), or the callback was an error.
      if (err instanceof oauth.ResponseBodyError || err instanceof oauth.AuthorizationResponseError)
        throw new OAuthGrantRefusedError({ cause: err });
      if (err instanceof ConnectorCallError) throw new OAuthServerUnavailableError({ cause: err });
      if (err instanceof oauth.OperationProcessingError) throw new OAuthGrantRefusedError({ cause: err });
      throw new OAuthServerUnavailableError({ cause: err });
    }
  }
}
