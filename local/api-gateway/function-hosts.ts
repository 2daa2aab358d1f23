/**
 * Which worker serves an invocation. A pooled function has one worker for every tenant; a
 * function in Lambda tenant isolation mode gets one worker per (function, tenant id), started
 * on its tenant's first invocation and never shared — as Lambda dedicates execution
 * environments. An isolated function invoked without a tenant id is refused, as in AWS.
 */
import { type FunctionHost, FunctionInvocationError } from './function-host.js';

/** Starts the execution environment of a tenant-isolated function for one tenant. */
export type TenantHostStarter = (tenantId: string) => Promise<FunctionHost>;

/** One worker, for the inspector and tests: what it runs, for whom, and what it served. */
export interface WorkerReport {
  readonly functionLogicalId: string;
  /** The tenant the worker is bound to; absent for a pooled function's worker. */
  readonly tenantId?: string;
  readonly workerId: number;
  /** The API request ids it served (the gateway's `x-amzn-requestid`), oldest first. */
  readonly requestIds: readonly string[];
}

export class FunctionHosts {
  private readonly tenantHosts = new Map<
    string,
    { functionLogicalId: string; host: Promise<FunctionHost> }
  >();

  /**
   * @param pooled running workers of the pooled functions, by logical id
   * @param isolated how to start a tenant's worker, by logical id of each tenant-isolated function
   */
  constructor(
    private readonly pooled: ReadonlyMap<string, FunctionHost>,
    private readonly isolated: ReadonlyMap<string, TenantHostStarter> = new Map(),
  ) {}

  /** The worker that serves an invocation of `logicalId` carrying `tenantId` (`X-Amz-Tenant-Id`). */
  host(logicalId: string, tenantId: string | undefined): Promise<FunctionHost> {
    const pooled = this.pooled.get(logicalId);
    if (pooled !== undefined) return Promise.resolve(pooled);
    const start = this.isolated.get(logicalId);
    if (start === undefined) return Promise.reject(new Error(`function ${logicalId} is not running`));
    if (tenantId === undefined || tenantId.length === 0)
      return Promise.reject(
        new FunctionInvocationError(
          `function ${logicalId} runs in tenant isolation mode: the invocation needs a tenant id (X-Amz-Tenant-Id)`,
        ),
      );
    const key = JSON.stringify([logicalId, tenantId]);
    const known = this.tenantHosts.get(key);
    if (known !== undefined) return known.host;
    // One start per key even when a tenant's first requests arrive together; a failed start is
    // forgotten, so the next invocation tries again.
    const host = start(tenantId);
    this.tenantHosts.set(key, { functionLogicalId: logicalId, host });
    host.catch(() => this.tenantHosts.delete(key));
    return host;
  }

  /** Every running worker: the pooled ones, then each tenant's. */
  async workers(): Promise<WorkerReport[]> {
    const report = (functionLogicalId: string, host: FunctionHost): WorkerReport => ({
      functionLogicalId,
      ...(host.tenantId === undefined ? {} : { tenantId: host.tenantId }),
      workerId: host.workerId,
      requestIds: [...host.servedRequestIds()],
    });
    const started = await Promise.allSettled(
      [...this.tenantHosts.values()].map(async ({ functionLogicalId, host }) =>
        report(functionLogicalId, await host),
      ),
    );
    return [
      ...[...this.pooled].map(([logicalId, host]) => report(logicalId, host)),
      ...started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : [])),
    ];
  }

  /** Stops the tenants' workers (the pooled ones belong to whoever started them). */
  async stop(): Promise<void> {
    const hosts = await Promise.allSettled([...this.tenantHosts.values()].map(({ host }) => host));
    this.tenantHosts.clear();
    await Promise.all(
      hosts.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.stop()] : [])),
    );
  }
}
