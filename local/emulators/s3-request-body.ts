/**
 * A request body as S3 receives it: `aws-chunked` framing (the SDK's streaming uploads: hex chunk
 * sizes, optional chunk signatures, trailing headers) decoded, and the integrity the client
 * claims — Content-MD5, one `x-amz-checksum-*` header or trailer — verified against the bytes.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { invalidRequest, notImplemented, S3Error } from './s3-errors.js';
import type { StoredChecksum } from './s3-store.js';

/** Request headers, lower-case names, one string each. */
export type RequestHeaders = Readonly<Record<string, string>>;

export interface ReceivedBody {
  readonly bytes: Buffer;
  /** The checksum the client sent (header or trailer), verified. */
  readonly checksum?: StoredChecksum;
  /** Whether the client proved the body's integrity (Content-MD5 or a checksum); Object Lock requires it. */
  readonly integrityProven: boolean;
}

const VERIFIERS: Readonly<Record<string, (bytes: Buffer) => string>> = {
  CRC32: (bytes) => {
    const digest = Buffer.alloc(4);
    digest.writeUInt32BE(crc32(bytes));
    return digest.toString('base64');
  },
  SHA1: (bytes) => createHash('sha1').update(bytes).digest('base64'),
  SHA256: (bytes) => createHash('sha256').update(bytes).digest('base64'),
};
/** Algorithms S3 accepts that Node has no built-in for: refused rather than stored unverified. */
const UNVERIFIED_ALGORITHMS = ['CRC32C', 'CRC64NVME'];

/** Decodes and verifies one request body. */
export function receivedBody(raw: Buffer, headers: RequestHeaders): ReceivedBody {
  const chunked =
    headers['content-encoding']?.split(',').some((coding) => coding.trim() === 'aws-chunked') === true ||
    headers['x-amz-content-sha256']?.startsWith('STREAMING-') === true;
  const { bytes, trailers } = chunked ? decodeAwsChunked(raw) : { bytes: raw, trailers: {} };
  const declaredLength = headers['x-amz-decoded-content-length'];
  if (chunked && declaredLength !== undefined && Number(declaredLength) !== bytes.length) {
    throw new S3Error(
      400,
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    );
  }
  const md5 = headers['content-md5'];
  if (md5 !== undefined) verifyContentMd5(bytes, md5);
  const checksum = verifiedChecksum(bytes, { ...trailers, ...headers });
  return {
    bytes,
    ...(checksum === undefined ? {} : { checksum }),
    integrityProven: md5 !== undefined || checksum !== undefined,
  };
}

/** The `aws-chunked` payload and its trailing headers. */
function decodeAwsChunked(raw: Buffer): { bytes: Buffer; trailers: Record<string, string> } {
  const malformed = () => invalidRequest('The aws-chunked request body is malformed');
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    // A chunk header is the hex size, then `;chunk-signature=...` on signed streams.
    const size = /^([0-9a-f]+)(?:;.*)?$/i.exec(raw.toString('latin1', at, lineEnd))?.[1];
    if (lineEnd === -1 || size === undefined) throw malformed();
    const length = Number.parseInt(size, 16);
    at = lineEnd + 2;
    if (length === 0) break;
    if (raw.toString('latin1', at + length, at + length + 2) !== '\r\n') throw malformed();
    chunks.push(raw.subarray(at, at + length));
    at += length + 2;
  }
  const trailers: Record<string, string> = {};
  for (let lineEnd = raw.indexOf('\r\n', at); lineEnd !== -1; lineEnd = raw.indexOf('\r\n', at)) {
    const line = raw.toString('latin1', at, lineEnd);
    at = lineEnd + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon === -1) throw malformed();
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { bytes: Buffer.concat(chunks), trailers };
}

function verifyContentMd5(bytes: Buffer, declared: string): void {
  const digest = Buffer.from(declared, 'base64');
  if (digest.length !== 16)
    throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
  if (!digest.equals(createHash('md5').update(bytes).digest())) {
    throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
}

/** The one `x-amz-checksum-<algorithm>` value sent (header or trailer), checked against the bytes. */
function verifiedChecksum(bytes: Buffer, fields: RequestHeaders): StoredChecksum | undefined {
  const sent = [...Object.keys(VERIFIERS), ...UNVERIFIED_ALGORITHMS].flatMap((algorithm) => {
    const value = fields[`x-amz-checksum-${algorithm.toLowerCase()}`];
    return value === undefined ? [] : [{ algorithm, value }];
  });
  if (sent.length > 1) throw invalidRequest('Expecting a single x-amz-checksum- header');
  const [checksum] = sent;
  if (checksum === undefined) {
    if (fields['x-amz-sdk-checksum-algorithm'] !== undefined) {
      throw invalidRequest(
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      );
    }
    return undefined;
  }
  const verify = VERIFIERS[checksum.algorithm];
  if (verify === undefined) throw notImplemented(`${checksum.algorithm} checksums`);
  if (verify(bytes) !== checksum.value) {
    throw new S3Error(
      400,
      'BadDigest',
      `The ${checksum.algorithm} you specified did not match the calculated checksum.`,
    );
  }
  return checksum;
}
