import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';
import { BadRequestError } from './errors.js';

/** Human-readable summary of zod issues: `fact: Too big: expected string to have <=2000 characters`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses the JSON body against `schema`; any failure is a 400 that names the problem. */
export function parseJsonBody<T>(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
  schema: z.ZodType<T>,
): T {
  if (event.body === null || event.body === '') throw new BadRequestError('request body is required');
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
