/**
 * SigV4 verification: re-sign the request with the holder's secret and compare.
 *
 * The request is rebuilt with only the headers the client signed and its raw (still
 * percent-encoded) path; S3 keeps its path as is and takes the payload hash from
 * `x-amz-content-sha256`, every other service double-encodes the path and hashes the body.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { headerValue, type ParsedRequest } from './iam-request.js';
import type { Credentials } from './principals.js';

export interface SignedScope {
  readonly accessKeyId: string;
  readonly shortDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** AWS rejects requests signed more than 15 minutes away from its clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** Reads the Authorization header; undefined when absent or not SigV4. */
export function parseAuthorization(request: ParsedRequest): SignedScope | undefined {
  const match = AUTHORIZATION.exec(headerValue(request.headers, 'authorization') ?? '');
  if (match === null) return undefined;
  const [, accessKeyId, shortDate, region, service, signedHeaders, signature] = match;
  if (
    accessKeyId === undefined ||
    shortDate === undefined ||
    region === undefined ||
    service === undefined ||
    signedHeaders === undefined ||
    signature === undefined
  ) {
    return undefined;
  }
  return { accessKeyId, shortDate, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

export type SignatureCheck = 'valid' | 'invalid' | 'skewed';

/** Checks the signature, the signing date (against `now`) and the session token. */
export async function checkSignature(
  request: ParsedRequest,
  scope: SignedScope,
  credentials: Credentials,
  now = Date.now(),
): Promise<SignatureCheck> {
  const signingDate = parseAmzDate(headerValue(request.headers, 'x-amz-date'));
  if (
    signingDate === undefined ||
    !scope.signedHeaders.includes('host') ||
    !scope.signedHeaders.includes('x-amz-date')
  ) {
    return 'invalid';
  }
  if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) return 'skewed';
  if (!signingDate.toISOString().replace(/-/g, '').startsWith(scope.shortDate)) return 'invalid';
  if (headerValue(request.headers, 'x-amz-security-token') !== credentials.sessionToken) return 'invalid';
  if (!payloadHashMatches(request, scope.service)) return 'invalid';

  const headers: Record<string, string> = {};
  for (const name of scope.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return 'invalid';
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    region: scope.region,
    service: scope.service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: scope.service !== 's3',
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: (headers.host ?? '').split(':')[0] ?? '',
      path: request.rawPath,
      query: queryRecord(request.query),
      headers,
      body: request.body,
    }),
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1] ?? '';
  const expectedBytes = Buffer.from(expected, 'hex');
  const actualBytes = Buffer.from(scope.signature, 'hex');
  return expectedBytes.length === actualBytes.length && timingSafeEqual(expectedBytes, actualBytes)
    ? 'valid'
    : 'invalid';
}

/**
 * The signature covers the payload hash, so a declared hash must be the body's: otherwise a
 * body could be swapped under a valid signature. Only S3 may declare an unsigned or streaming
 * payload (its markers are then signed as declared); without the header, the signer hashes
 * the body itself.
 */
function payloadHashMatches(request: ParsedRequest, service: string): boolean {
  const declared = headerValue(request.headers, 'x-amz-content-sha256');
  if (declared === undefined) return service !== 's3';
  if (!/^[0-9a-f]{64}$/.test(declared)) return service === 's3';
  return createHash('sha256').update(request.body).digest('hex') === declared;
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0));
}

function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    record[name] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return record;
}
