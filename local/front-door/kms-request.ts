/**
 * KMS (awsJson1.1, `TrentService.*`) requests → IAM requests on the key ARN, with the
 * encryption context as condition keys (`kms:EncryptionContext:<key>`, `kms:EncryptionContextKeys`),
 * as KMS itself reports them to IAM.
 */
import {
  headerValue,
  type IamRequest,
  jsonObjectBody,
  type ParsedRequest,
  UnrecognizedRequestError,
} from './iam-request.js';

export const KMS_OPERATIONS = ['Encrypt', 'Decrypt', 'Sign', 'Verify', 'GetPublicKey'] as const;
export type KmsOperation = (typeof KMS_OPERATIONS)[number];

export interface KmsRequest {
  readonly operation: KmsOperation;
  readonly body: Record<string, unknown>;
  readonly encryptionContext: Readonly<Record<string, string>>;
}

export function kmsRequest(request: ParsedRequest): KmsRequest {
  const target = headerValue(request.headers, 'x-amz-target') ?? '';
  const operation = KMS_OPERATIONS.find((candidate) => target === `TrentService.${candidate}`);
  if (request.method !== 'POST' || operation === undefined)
    throw new UnrecognizedRequestError(`only KMS ${KMS_OPERATIONS.join(', ')} are recognised`);
  const body = jsonObjectBody(request);
  const context = body.EncryptionContext ?? {};
  if (typeof context !== 'object' || context === null || Array.isArray(context))
    throw new UnrecognizedRequestError('EncryptionContext must be a map');
  const encryptionContext: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    if (typeof value !== 'string') throw new UnrecognizedRequestError('EncryptionContext values are strings');
    encryptionContext[key] = value;
  }
  return { operation, body, encryptionContext };
}

/** `keyArnOf` finds the key: the KeyId, or for Decrypt the key inside the ciphertext. */
export function kmsIamRequests(
  request: ParsedRequest,
  keyArnOf: (request: KmsRequest) => string,
): IamRequest[] {
  const parsed = kmsRequest(request);
  const context: Record<string, string | string[]> = {
    'kms:EncryptionContextKeys': Object.keys(parsed.encryptionContext),
  };
  for (const [key, value] of Object.entries(parsed.encryptionContext))
    context[`kms:EncryptionContext:${key}`] = value;
  // Sign and Verify report their algorithm and message type to IAM as condition keys.
  if (typeof parsed.body.SigningAlgorithm === 'string')
    context['kms:SigningAlgorithm'] = parsed.body.SigningAlgorithm;
  if (parsed.operation === 'Sign' || parsed.operation === 'Verify')
    context['kms:MessageType'] =
      typeof parsed.body.MessageType === 'string' ? parsed.body.MessageType : 'RAW';
  return [{ action: `kms:${parsed.operation}`, resource: keyArnOf(parsed), context }];
}
