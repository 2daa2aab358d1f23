/**
 * The local S3's errors, named as the S3 REST API names them: the server answers each with its
 * status and `<Error><Code>…</Code><Message>…</Message></Error>`, so the SDK raises the exception
 * of that name (NoSuchKey, NoSuchBucket, AccessDenied, ...).
 */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Headers S3 sends with this error (a delete marker's `x-amz-delete-marker`, ...). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

export const noSuchBucket = (): S3Error =>
  new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');

export const noSuchKey = (headers: Readonly<Record<string, string>> = {}): S3Error =>
  new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', headers);

export const noSuchVersion = (): S3Error =>
  new S3Error(404, 'NoSuchVersion', 'The specified version does not exist.');

export const invalidArgument = (message: string): S3Error => new S3Error(400, 'InvalidArgument', message);

export const invalidRequest = (message: string): S3Error => new S3Error(400, 'InvalidRequest', message);

export const malformedXml = (): S3Error =>
  new S3Error(
    400,
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

/** What S3 answers when Object Lock forbids a deletion or a retention change. */
export const lockedByObjectLock = (): S3Error =>
  new S3Error(403, 'AccessDenied', 'Access Denied because object protected by object lock.');

/** A request the local S3 does not emulate: refused rather than half-served. */
export const notImplemented = (what: string): S3Error =>
  new S3Error(501, 'NotImplemented', `the local S3 does not implement ${what}`);
