/** The shape of one S3 operation of the local S3, and what every operation works with. */
import type { EmulatorResponse } from './emulator-response.js';
import type { ReceivedBody, RequestHeaders } from './s3-request-body.js';
import type { S3Store } from './s3-store.js';

export interface S3Request {
  readonly method: string;
  readonly bucket: string;
  /** Absent for a request on the bucket itself. */
  readonly key?: string;
  readonly query: URLSearchParams;
  readonly headers: RequestHeaders;
  readonly body: ReceivedBody;
}

/** What an operation works with: the store and the clock Object Lock reads. */
export interface S3Context {
  readonly store: S3Store;
  readonly now: () => number;
}

export interface S3Operation {
  readonly name: string;
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  readonly target: 'bucket' | 'object';
  /** The query parameter that names the operation (S3's sub-resource), if any. */
  readonly subresource?: string;
  /** The other query parameters it takes. */
  readonly params: readonly string[];
  /** S3 refuses it without Content-MD5 or an x-amz-checksum-* (the SDK always sends one). */
  readonly integrityRequired?: boolean;
  readonly run: (context: S3Context, request: S3Request) => EmulatorResponse;
}

/** An answer with no body. */
export function emptyResponse(status: number, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers, body: '' };
}

/** `x-amz-bypass-governance-retention: true`. */
export function bypassesGovernance(request: S3Request): boolean {
  return request.headers['x-amz-bypass-governance-retention']?.toLowerCase() === 'true';
}
