/**
 * The ways an OpenAI-compatible model server can fail, as the Bedrock errors the platform
 * already recognises (lambdas/resilience/dependency-faults.ts): its throttling and outages are
 * retried, then fall back, then answer 503/504 with Retry-After — never a 500.
 *
 *   server 429                     → ThrottlingException (429)
 *   server 5xx                     → ServiceUnavailableException (503)
 *   unreachable (refused, reset)   → ServiceUnavailableException (503)
 *   no answer in time, server 408  → ModelTimeoutException (408; the API's 504)
 *   server 401/403 (the API key)   → ServiceUnavailableException (503), naming BULKHEAD_MODEL_API_KEY
 *   an answer that is not OpenAI's → ModelErrorException (424)
 *   server 404 (model not there)   → ResourceNotFoundException (404)
 *   other 4xx (bad request)        → ValidationException (400), with the server's message
 *
 * In a ConverseStream that has begun, the same faults are exception events.
 */
import { type EmulatorResponse, namedJsonError } from '../emulators/emulator-response.js';
import type { ConverseStreamException } from './bedrock-event-stream.js';

type BedrockErrorName =
  | 'ThrottlingException'
  | 'ServiceUnavailableException'
  | 'ModelTimeoutException'
  | 'ModelErrorException'
  | 'ResourceNotFoundException'
  | 'ValidationException';

const STATUS: Readonly<Record<BedrockErrorName, number>> = {
  ThrottlingException: 429,
  ServiceUnavailableException: 503,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ResourceNotFoundException: 404,
  ValidationException: 400,
};

/** The stream exception that carries each error once a ConverseStream has begun. */
const IN_STREAM: Readonly<Record<BedrockErrorName, ConverseStreamException>> = {
  ThrottlingException: 'throttlingException',
  ServiceUnavailableException: 'serviceUnavailableException',
  ModelTimeoutException: 'modelStreamErrorException',
  ModelErrorException: 'modelStreamErrorException',
  ResourceNotFoundException: 'validationException',
  ValidationException: 'validationException',
};

/** A model server's failure, named as Bedrock would name it. */
export class ModelServerFault extends Error {
  constructor(
    readonly bedrockName: BedrockErrorName,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ModelServerFault';
  }

  /** The Bedrock error response. */
  response(): EmulatorResponse {
    return namedJsonError(STATUS[this.bedrockName], this.bedrockName, this.message);
  }

  /** The exception event that ends a ConverseStream already under way. */
  streamException(): ConverseStreamException {
    return IN_STREAM[this.bedrockName];
  }
}

/** The fault for a non-2xx answer of the model server; `detail` is its error text (trimmed). */
export function faultOfStatus(status: number, detail: string): ModelServerFault {
  const said = `the model server answered ${status}${detail === '' ? '' : `: ${detail.slice(0, 500)}`}`;
  if (status === 429) return new ModelServerFault('ThrottlingException', said);
  if (status >= 500) return new ModelServerFault('ServiceUnavailableException', said);
  if (status === 408) return new ModelServerFault('ModelTimeoutException', said);
  // The platform's own credential, not the caller's request: an outage of the model, not a 4xx.
  if (status === 401 || status === 403)
    return new ModelServerFault(
      'ServiceUnavailableException',
      `${said} (check the API key in BULKHEAD_MODEL_API_KEY, which npm start sends as a Bearer token)`,
    );
  if (status === 404) return new ModelServerFault('ResourceNotFoundException', said);
  return new ModelServerFault('ValidationException', said);
}

/** A model server that could not be reached or did not answer in time (`timedOut`). */
export function faultOfNoAnswer(err: unknown, timedOut: boolean, endpoint: string): ModelServerFault {
  if (err instanceof ModelServerFault) return err;
  if (timedOut)
    return new ModelServerFault(
      'ModelTimeoutException',
      `the model server at ${endpoint} did not answer in time`,
      {
        cause: err,
      },
    );
  return new ModelServerFault(
    'ServiceUnavailableException',
    `the model server at ${endpoint} is unreachable`,
    {
      cause: err,
    },
  );
}

/** An answer that does not have the shape of the OpenAI API. */
export function malformedAnswer(what: string): ModelServerFault {
  return new ModelServerFault('ModelErrorException', `the model server's answer is malformed: ${what}`);
}
