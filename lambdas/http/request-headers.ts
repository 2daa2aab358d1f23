/** Reading request headers the way HTTP means them: names are case-insensitive. */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The value of header `name` (any case), or undefined. */
export function requestHeader(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  return undefined;
}
