/**
 * Faults a test injects at the front door: the next N requests that need a given IAM action
 * (e.g. `s3:DeleteObjectVersion`), optionally only on resources whose ARN starts with a prefix
 * (one tenant's, one bucket's), are answered 503 as the service would answer an outage, after IAM
 * has allowed them — so a test can crash a long job half-way, from outside the functions.
 */
import {
  type EmulatorResponse,
  namedJsonError,
  xmlEscape,
  xmlResponse,
} from '../emulators/emulator-response.js';
import { awsQueryError, QUERY_NAMESPACES, type ServiceName } from './service-errors.js';

/** One armed fault: an action, the resources it applies to (by ARN prefix, '' for any) and how many left. */
interface ArmedFault {
  readonly action: string;
  readonly resourcePrefix: string;
  remaining: number;
}

export class InjectedFaults {
  readonly #armed: ArmedFault[] = [];

  /** Fails the next `times` requests that need `action` (on a resource starting with `resourcePrefix`). */
  failNext(action: string, times: number, resourcePrefix = ''): void {
    this.#armed.push({ action, resourcePrefix, remaining: times });
  }

  /** True (and one fault used) when a request asking these IAM questions is to fail. */
  take(requests: ReadonlyArray<{ readonly action: string; readonly resource: string }>): boolean {
    const fault = this.#armed.find(
      (armed) =>
        armed.remaining > 0 &&
        requests.some(
          (request) => request.action === armed.action && request.resource.startsWith(armed.resourcePrefix),
        ),
    );
    if (fault === undefined) return false;
    fault.remaining -= 1;
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
