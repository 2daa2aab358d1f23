/** Errors of the tenant registry. */
import { ClientError, DependencyError } from '../error-families.js';
import type { Placement } from '../tenancy/key-layout.js';

export class TenantExistsError extends ClientError {
  readonly status = 409;
  readonly code = 'tenant_exists';
  constructor(tenantId: string) {
    super(`tenant ${tenantId} already exists`);
    this.name = 'TenantExistsError';
  }
}

/** The id belonged to a tenant that was erased: its old users' tokens still name it, so it is never reused. */
export class TenantIdRetiredError extends ClientError {
  readonly status = 409;
  readonly code = 'tenant_id_retired';
  constructor(tenantId: string) {
    super(`tenant id ${tenantId} belonged to an erased tenant and is never reused: choose another id`);
    this.name = 'TenantIdRetiredError';
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

/** The tenant's data is being moved between the pool and a silo: its requests are held briefly. */
export class TenantMovingError extends DependencyError {
  readonly status = 503;
  readonly code = 'tenant_moving';
  readonly retryAfterSeconds = 5;
  constructor() {
    super("the tenant's data is being moved; retry shortly");
    this.name = 'TenantMovingError';
  }
}

/** A tenant's placement is already changing: one move at a time. */
export class MoveInProgressError extends ClientError {
  readonly status = 409;
  readonly code = 'move_in_progress';
  constructor(tenantId: string) {
    super(`tenant ${tenantId} is already moving between the pool and its silo; wait until the move ends`);
    this.name = 'MoveInProgressError';
  }
}

/** The tenant cannot have a silo (its id is too long for the silo's bucket name). */
export class SiloNotPossibleError extends ClientError {
  readonly status = 422;
  readonly code = 'silo_not_possible';
  constructor(reason: string) {
    super(reason);
    this.name = 'SiloNotPossibleError';
  }
}

/**
 * The tenant's requests go to the API of its placement: a silo tenant's to the silo API (its
 * tenant-isolated functions), every other tenant's to the pool API. 421: the request reached a
 * server that does not serve it; the same request to the other API succeeds.
 */
export class WrongApiError extends ClientError {
  readonly status = 421;
  readonly code = 'wrong_api';
  constructor(placement: Placement) {
    super(
      placement === 'silo'
        ? "this tenant's data lives in its silo: call the silo API (the stack's SiloApiUrl output)"
        : "this tenant's data lives in the pool: call the pool API (the stack's ApiUrl output)",
    );
    this.name = 'WrongApiError';
  }
}
