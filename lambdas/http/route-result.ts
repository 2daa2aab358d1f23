/**
 * What a route handler returns: a whole response (API Gateway's proxy result)
 * or a stream of Server-Sent Events, which the pipeline writes as they come
 * (Lambda response streaming) or collects (a buffered function).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';

export interface ServerSentEventMessage {
  readonly name: string;
  readonly data: unknown;
}

export interface EventStream {
  readonly headers: Readonly<Record<string, string>>;
  readonly events: AsyncIterable<ServerSentEventMessage>;
}

export type RouteResult = APIGatewayProxyResult | EventStream;

export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
} as const;

/** An event stream with the standard headers. */
export function eventStream(events: AsyncIterable<ServerSentEventMessage>): EventStream {
  return { headers: EVENT_STREAM_HEADERS, events };
}

export function isEventStream(result: RouteResult): result is EventStream {
  return 'events' in result;
}

/** One Server-Sent Event. */
export function serverSentEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
