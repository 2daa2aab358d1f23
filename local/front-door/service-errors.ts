/**
 * Front-door refusals in each service's own error shape, so the SDK surfaces them by name
 * (AccessDeniedException, SignatureDoesNotMatch, ExpiredToken, ...).
 */
import {
  type EmulatorResponse,
  namedJsonError,
  xmlEscape,
  xmlResponse,
} from '../emulators/emulator-response.js';

export const SERVICES = [
  'dynamodb',
  's3',
  's3vectors',
  'sts',
  'secretsmanager',
  'kms',
  'bedrock',
  'cloudformation',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export function isServiceName(value: string): value is ServiceName {
  return (SERVICES as readonly string[]).includes(value);
}

export type RefusalKind =
  | 'AccessDenied'
  | 'BadSignature'
  | 'UnknownAccessKey'
  | 'ExpiredToken'
  | 'SkewedClock';

/** The error code each protocol family uses for each refusal. */
const CODES: Readonly<Record<'query' | 'json', Readonly<Record<RefusalKind, string>>>> = {
  // S3 and STS (XML): https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
  query: {
    AccessDenied: 'AccessDenied',
    BadSignature: 'SignatureDoesNotMatch',
    UnknownAccessKey: 'InvalidAccessKeyId',
    ExpiredToken: 'ExpiredToken',
    SkewedClock: 'RequestTimeTooSkewed',
  },
  json: {
    AccessDenied: 'AccessDeniedException',
    BadSignature: 'InvalidSignatureException',
    UnknownAccessKey: 'UnrecognizedClientException',
    ExpiredToken: 'ExpiredTokenException',
    SkewedClock: 'InvalidSignatureException',
  },
};

/** A refusal answered the way `service` would answer it. */
export function refusal(
  service: ServiceName | undefined,
  kind: RefusalKind,
  message: string,
  requestId: string,
): EmulatorResponse {
  const status = kind === 'ExpiredToken' ? 400 : 403;
  switch (service) {
    case 's3':
      return xmlResponse(
        status,
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${CODES.query[kind]}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId></Error>`,
      );
    case 'sts':
    case 'cloudformation':
      return awsQueryError(
        QUERY_NAMESPACES[service],
        status,
        kind === 'UnknownAccessKey' ? 'InvalidClientTokenId' : CODES.query[kind],
        message,
        requestId,
      );
    case 'dynamodb':
      // DynamoDB answers every client error with 400 and a namespaced __type.
      return namedJsonError(
        400,
        `com.amazonaws.dynamodb.v20120810#${CODES.json[kind]}`,
        message,
        'application/x-amz-json-1.0',
      );
    case 'secretsmanager':
      return namedJsonError(400, CODES.json[kind], message, 'application/x-amz-json-1.1');
    default:
      return namedJsonError(status, CODES.json[kind], message);
  }
}

/** The XML namespace of each awsQuery service's documents. */
export const QUERY_NAMESPACES = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
} as const;

/** An awsQuery error document (STS, CloudFormation). */
export function awsQueryError(
  namespace: string,
  status: number,
  code: string,
  message: string,
  requestId: string,
): EmulatorResponse {
  return xmlResponse(
    status,
    `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

/** An STS error document. */
export function stsError(status: number, code: string, message: string, requestId: string): EmulatorResponse {
  return awsQueryError(QUERY_NAMESPACES.sts, status, code, message, requestId);
}
