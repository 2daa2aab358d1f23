/**
 * Faults a test injects at the front door: the next N requests that need a given IAM action
 * (e.g. `s3:DeleteObjectVersion`) are answered 503 as the service would answer an outage, after
 * IAM has allowed them — so a test can crash a long job half-way, from outside the functions.
 */
import {
  type EmulatorResponse,
  namedJsonError,
  xmlEscape,
  xmlResponse,
} from '../emulators/emulator-response.js';
import { awsQueryError, QUERY_NAMESPACES, type ServiceName } from './service-errors.js';

export class InjectedFaults {
  readonly #remaining = new Map<string, number>();

  /** Fails the next `times` requests that need `action`. */
  failNext(action: string, times: number): void {
    this.#remaining.set(action, (this.#remaining.get(action) ?? 0) + times);
  }

  /** True (and one fault used) when a request needing these actions is to fail. */
  take(actions: readonly string[]): boolean {
    const action = actions.find((candidate) => (this.#remaining.get(candidate) ?? 0) > 0);
    if (action === undefined) return false;
    this.#remaining.set(action, (this.#remaining.get(action) ?? 1) - 1);
    return true;
  }
}

/** A service outage in the service's own shape (503). */
export function unavailable(service: ServiceName, requestId: string): EmulatorResponse {
  const message = 'injected fault: the service is unavailable';
  if (service === 's3')
    return xmlResponse(
      503,
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId></Error>`,
    );
  if (service === 'sts' || service === 'cloudformation')
    return awsQueryError(QUERY_NAMESPACES[service], 503, 'ServiceUnavailable', message, requestId);
  return namedJsonError(503, 'ServiceUnavailableException', message);
}
