/** Secrets Manager (awsJson1.1) requests → IAM requests on the secret ARN. */
import {
  headerValue,
  type IamRequest,
  jsonObjectBody,
  type ParsedRequest,
  UnrecognizedRequestError,
} from './iam-request.js';

/** The Secrets Manager operations the platform uses. */
export const SECRET_OPERATIONS = [
  'GetSecretValue',
  'CreateSecret',
  'PutSecretValue',
  'DeleteSecret',
] as const;
export type SecretOperation = (typeof SECRET_OPERATIONS)[number];

export interface SecretRequest {
  readonly operation: SecretOperation;
  /** The secret it names: `SecretId` (ARN or name), or `Name` for CreateSecret. */
  readonly secretId: string;
  readonly body: Record<string, unknown>;
}

/** What a Secrets Manager request asks for; anything else is refused as unrecognised. */
export function secretRequest(request: ParsedRequest): SecretRequest {
  const target = headerValue(request.headers, 'x-amz-target') ?? '';
  const operation = SECRET_OPERATIONS.find((candidate) => target === `secretsmanager.${candidate}`);
  if (request.method !== 'POST' || operation === undefined) {
    throw new UnrecognizedRequestError(`only Secrets Manager ${SECRET_OPERATIONS.join(', ')} are recognised`);
  }
  const body = jsonObjectBody(request);
  const secretId = operation === 'CreateSecret' ? body.Name : body.SecretId;
  if (typeof secretId !== 'string' || secretId.length === 0)
    throw new UnrecognizedRequestError(operation === 'CreateSecret' ? 'Name missing' : 'SecretId missing');
  return { operation, secretId, body };
}

/** IAM evaluates the secret's ARN (for CreateSecret, the ARN the new secret would get). */
export function secretsIamRequests(
  request: ParsedRequest,
  secretArnFor: (secretId: string) => string,
): IamRequest[] {
  const { operation, secretId } = secretRequest(request);
  return [{ action: `secretsmanager:${operation}`, resource: secretArnFor(secretId), context: {} }];
}
