import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as z from 'zod';
import { BadRequestError, UnsupportedMediaTypeError } from './errors.js';
import { requestHeader } from './request-headers.js';

/** `application/json`, with or without parameters (`; charset=utf-8`). */
const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/** A body is read only as JSON: any other (or no) `Content-Type` is a 415, before the body is looked at. */
export function requireJsonContentType(event: Pick<APIGatewayProxyEvent, 'headers'>): void {
  const contentType = requestHeader(event, 'content-type');
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType.trim()))
    throw new UnsupportedMediaTypeError('the request body must be application/json');
}

/** Human-readable summary of zod issues: `fact: Too big: expected string to have <=2000 characters`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses the JSON body against `schema`; any failure is a 400 that names the problem. */
export function parseJsonBody<T>(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'headers'>,
  schema: z.ZodType<T>,
): T {
  if (event.body === null || event.body === '') throw new BadRequestError('request body is required');
  requireJsonContentType(event);
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError('request body is not valid JSON', { cause: err });
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new BadRequestError(`invalid request body: ${describeIssues(result.error)}`);
  return result.data;
}

/** Validates one path parameter; a mismatch is a 400. */
export function parsePathParameter<T>(name: string, value: string | undefined, schema: z.ZodType<T>): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new BadRequestError(`invalid path parameter ${name}: ${describeIssues(result.error)}`);
  return result.data;
}
