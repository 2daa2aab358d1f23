/** What every example shares: a client from BULKHEAD_API_URL and BULKHEAD_TOKEN, and how it reports a refusal. */
import { type BulkheadClient, createBulkheadClient, type ErrorBody } from '@bulkhead/client';

export function clientFromEnvironment(): BulkheadClient {
  const baseUrl = process.env.BULKHEAD_API_URL;
  const token = process.env.BULKHEAD_TOKEN;
  if (!baseUrl || !token) {
    console.error(
      'Set BULKHEAD_API_URL (the API URL) and BULKHEAD_TOKEN (a bearer token); `npm start` prints both.',
    );
    process.exit(2);
  }
  return createBulkheadClient({ baseUrl, token });
}

/** Prints the API's error and ends the example with exit code 1. */
export function fail(status: number, error: ErrorBody | undefined): never {
  console.error(
    `HTTP ${status}: ${error === undefined ? 'no error body' : `${error.error.code}: ${error.error.message}`}`,
  );
  process.exit(1);
}
