/** Errors of the connectors module. */
import { ClientError } from '../error-families.js';

/** The connector URL is not one the platform may call (scheme, credentials, a private address). */
export class ConnectorUrlError extends ClientError {
  readonly status = 422;
  readonly code = 'invalid_connector_url';
  constructor(message: string) {
    super(message);
    this.name = 'ConnectorUrlError';
  }
}

/** What can go wrong on a connector's side (ConnectorCallError's `kind`). */
export const CONNECTOR_FAULTS = [
  'address',
  'redirect',
  'timeout',
  'too_large',
  'http_status',
  'credential',
  'protocol',
  'tool_error',
] as const;
export type ConnectorFault = (typeof CONNECTOR_FAULTS)[number];

/**
 * A call to a connector went wrong on the connector's side: refused address,
 * redirect, timeout, oversized or malformed answer, an HTTP error. Never a 5xx
 * of ours: inside a turn it becomes a tool error the model hears about; at
 * registration, a 422 (`kind` says which).
 */
export class ConnectorCallError extends ClientError {
  readonly status = 422;
  readonly code = 'connector_unusable';
  constructor(
    readonly kind: ConnectorFault,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConnectorCallError';
  }
}

/**
 * The secret a connector's credential lives in is gone or holds no text (deleted outside the
 * platform, say): the connector cannot be called until its key is set again. Not a dependency
 * fault (Secrets Manager answered) and not the caller's request: what a route makes of it is its own.
 */
export class SecretMissingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretMissingError';
  }
}

/** A connector tool's input schema that ajv cannot compile. */
export class ToolSchemaError extends ClientError {
  readonly status = 422;
  readonly code = 'invalid_tool_schema';
  constructor(message: string) {
    super(`a tool input schema is not valid JSON Schema: ${message}`.slice(0, 300));
    this.name = 'ToolSchemaError';
  }
}

export class ConnectorNotFoundError extends ClientError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor() {
    super('connector not found');
    this.name = 'ConnectorNotFoundError';
  }
}

/** The name is taken, or the tenant has as many connectors as it may. */
export class ConnectorConflictError extends ClientError {
  readonly status = 409;
  readonly code = 'connector_conflict';
  constructor(message: string) {
    super(message);
    this.name = 'ConnectorConflictError';
  }
}

/** The connector does not offer a tool the admin asked to expose, or the key is missing. */
export class ConnectorDefinitionError extends ClientError {
  readonly status = 422;
  readonly code = 'invalid_connector';
  constructor(message: string) {
    super(message);
    this.name = 'ConnectorDefinitionError';
  }
}
