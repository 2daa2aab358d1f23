/** `POST /v1/chat/stream`: the agent's answer as it is written (Server-Sent Events). */
import { BulkheadApiError, BulkheadStreamError, streamChat } from '@bulkhead/client';
import { clientFromEnvironment, fail } from './environment.js';

const message = process.argv[2] ?? 'Tell me about this workspace.';
const client = clientFromEnvironment();
try {
  for await (const { event, data } of streamChat(client, { message })) {
    if (event === 'text') process.stdout.write(data.text);
    else if (event === 'tool') console.log(`\n  tool ${data.name}: ${data.status}`);
    else if (event === 'approval')
      console.log(`\n  waiting for your approval: ${data.approval.tool} (${data.approval.id})`);
    else if (event === 'connection_required')
      console.log(`\n  connect first: ${data.connection.authorizeUrl}`);
    else if (event === 'done')
      console.log(`\nsession ${data.sessionId} · ${data.usage.outputTokens} tokens out`);
    else fail(200, data);
  }
} catch (err) {
  if (err instanceof BulkheadApiError) fail(err.status, err.body);
  if (err instanceof BulkheadStreamError) {
    // The answer is incomplete: the connection dropped before the end. Sending again is safe.
    console.error(`\n${err.message}`);
    process.exit(1);
  }
  throw err;
}
