/** ConverseStream's wire format: AWS event-stream frames, as the SDK parses them. */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

/** A ConverseStream event: messageStart, contentBlockStart/Delta/Stop, messageStop, metadata. */
export type ConverseStreamEvent = readonly [eventType: string, payload: unknown];

/**
 * The exceptions ConverseStream can send in the stream, by their member name in the SDK's
 * output union (the SDK raises them as ThrottlingException, ModelStreamErrorException, ...).
 */
export type ConverseStreamException =
  | 'throttlingException'
  | 'serviceUnavailableException'
  | 'internalServerException'
  | 'modelStreamErrorException'
  | 'validationException';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One event frame. */
export function eventFrame([eventType, payload]: ConverseStreamEvent): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** One exception frame: the SDK throws it from the stream's iterator. */
export function exceptionFrame(exception: ConverseStreamException, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exception },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}
