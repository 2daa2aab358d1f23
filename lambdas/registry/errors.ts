/** Errors of the tenant registry. */
import { ClientError } from '../error-families.js';

export class TenantExistsError extends ClientError {
  readonly status = 409;
  readonly code = 'tenant_exists';
  constructor(tenantId: string) {
    super(`tenant ${tenantId} already exists`);
    this.name = 'TenantExistsError';
  }
}

export class TenantNotFoundError extends ClientError {
  readonly status = 404;
  readonly code = 'tenant_not_found';
  constructor(tenantId: string) {
    super(`tenant ${tenantId} does not exist`);
    this.name = 'TenantNotFoundError';
  }
}

/** A stored registry item does not match its schema (corruption or a bad migration). */
export class RegistryRecordError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistryRecordError';
  }
}
