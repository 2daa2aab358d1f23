/** Errors of the connections module (users' delegated OAuth connections). */
import { ClientError, DependencyError } from '../error-families.js';

/** The callback's state is unknown to this user, used, expired or for another connector. */
export class InvalidOAuthStateError extends ClientError {
  readonly status = 400;
  readonly code = 'invalid_state';
  constructor() {
    super('this sign-in is unknown, already used or expired: connect again');
    this.name = 'InvalidOAuthStateError';
  }
}

/** The authorization server refused the code (wrong or missing PKCE verifier, reused or foreign code). */
export class OAuthGrantRefusedError extends ClientError {
  readonly status = 400;
  readonly code = 'oauth_grant_refused';
  constructor(options?: ErrorOptions) {
    super('the authorization server refused the sign-in: connect again', options);
    this.name = 'OAuthGrantRefusedError';
  }
}

/** The authorization server is down, slow or answered something unusable. */
export class OAuthServerUnavailableError extends DependencyError {
  readonly status = 503;
  readonly code = 'oauth_server_unavailable';
  readonly retryAfterSeconds = 5;
  constructor(options?: ErrorOptions) {
    super('the connector’s authorization server is unavailable', options);
    this.name = 'OAuthServerUnavailableError';
  }
}

export class ConnectionNotFoundError extends ClientError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor() {
    super('no such connection of the caller');
    this.name = 'ConnectionNotFoundError';
  }
}

/** A sign-in may send the user back only to the platform's callback or a console callback of the deployment's origins. */
export class RedirectUriNotAllowedError extends ClientError {
  readonly status = 422;
  readonly code = 'redirect_uri_not_allowed';
  constructor() {
    super('redirectUri must be <a browser origin of this deployment>/console/oauth/callback');
    this.name = 'RedirectUriNotAllowedError';
  }
}

/** Connecting makes sense only for a connector with per-user OAuth. */
export class NotPerUserConnectorError extends ClientError {
  readonly status = 422;
  readonly code = 'not_per_user';
  constructor() {
    super('this connector does not use per-user OAuth');
    this.name = 'NotPerUserConnectorError';
  }
}

/**
 * A per-user connector's tool was called by a user without a usable connection: not a failure,
 * the turn ends asking the user to connect (`connectionRequired`).
 */
export class ConnectionRequiredError extends Error {
  constructor(
    readonly connector: string,
    readonly authorizeUrl: string,
  ) {
    super(`connect ${connector} first`);
    this.name = 'ConnectionRequiredError';
  }
}
