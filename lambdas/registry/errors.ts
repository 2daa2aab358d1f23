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

/** Offboarding cannot be cancelled: the tenant is not offboarding, or its erasure may already run. */
export class OffboardingNotCancellableError extends ClientError {
  readonly status = 409;
  readonly code = 'offboarding_not_cancellable';
  constructor(tenantId: string) {
    super(`tenant ${tenantId} is not offboarding, or its grace period has ended`);
    this.name = 'OffboardingNotCancellableError';
  }
}

/** Suspend and resume do not apply to an offboarding tenant: cancel-offboard restores it. */
export class TenantOffboardingError extends ClientError {
  readonly status = 409;
  readonly code = 'tenant_offboarding';
  constructor(tenantId: string) {
    super(`tenant ${tenantId} is offboarding: only cancel-offboard restores it`);
    this.name = 'TenantOffboardingError';
  }
}

export class ErasureReceiptNotFoundError extends ClientError {
  readonly status = 404;
  readonly code = 'erasure_receipt_not_found';
  constructor(tenantId: string) {
    super(`no erasure receipt for tenant ${tenantId}: it was not erased`);
    this.name = 'ErasureReceiptNotFoundError';
  }
}

/** A stored registry item does not match its schema (corruption or a bad migration). */
export class RegistryRecordError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistryRecordError';
  }
}
