/** Secrets Manager (awsJson1.1) requests → IAM requests on the secret ARN. */
import {
  headerValue,
  type IamRequest,
  jsonObjectBody,
  type ParsedRequest,
  UnrecognizedRequestError,
} from './iam-request.js';

/** The secret a GetSecretValue names (ARN or name). */
export function requestedSecretId(request: ParsedRequest): string {
  if (
    request.method !== 'POST' ||
    headerValue(request.headers, 'x-amz-target') !== 'secretsmanager.GetSecretValue'
  ) {
    throw new UnrecognizedRequestError('only Secrets Manager GetSecretValue is recognised');
  }
  const { SecretId } = jsonObjectBody(request);
  if (typeof SecretId !== 'string' || SecretId.length === 0)
    throw new UnrecognizedRequestError('SecretId missing');
  return SecretId;
}

export function secretsIamRequests(
  request: ParsedRequest,
  secretArnFor: (secretId: string) => string,
): IamRequest[] {
  return [
    {
      action: 'secretsmanager:GetSecretValue',
      resource: secretArnFor(requestedSecretId(request)),
      context: {},
    },
  ];
}
