/** Errors of the tenant registry. */

export class TenantExistsError extends Error {
  constructor(tenantId: string) {
    super(`tenant ${tenantId} already exists`);
    this.name = 'TenantExistsError';
  }
}

export class TenantNotFoundError extends Error {
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
