/**
 * Lambda entry of the streaming chat (`POST /v1/chat/stream`, Server-Sent
 * Events) with Lambda response streaming, pooled or tenant-isolated (silo
 * tier). The `awslambda` global the Node.js runtime provides is typed by
 * @types/aws-lambda (declared there globally).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readServiceConfig } from '../config.js';
import { environmentBindingFrom } from '../http/environment-binding.js';
import { createChatStreamHandler } from '../routes/chat-stream-route.js';
import { ServiceRuntime } from '../service-runtime.js';

const config = readServiceConfig();
const runtime = new ServiceRuntime(config);
const environmentBinding = environmentBindingFrom(process.env);
const streamChat = createChatStreamHandler(runtime, {
  corsOrigins: config.corsOrigins,
  ...(environmentBinding === undefined ? {} : { environmentBinding }),
});

export const handler = awslambda.streamifyResponse<APIGatewayProxyEvent>(
  async (event, responseStream, context) => {
    await streamChat(
      event,
      (statusCode, headers) => awslambda.HttpResponseStream.from(responseStream, { statusCode, headers }),
      context,
    );
  },
);
