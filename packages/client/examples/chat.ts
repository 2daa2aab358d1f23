/** `POST /v1/chat`: one turn with your tenant's agent (`chat.ts "what do you remember about me?"`). */
import { clientFromEnvironment, fail } from './environment.js';

const message = process.argv[2] ?? 'Hello! What can you do?';
const client = clientFromEnvironment();
const { data, error, response } = await client.POST('/v1/chat', { body: { message } });
if (data === undefined) fail(response.status, error);
console.log(data.reply);
for (const call of data.toolCalls) console.log(`  tool ${call.name}: ${call.status}`);
console.log(
  `session ${data.sessionId} · ${data.usage.inputTokens} tokens in, ${data.usage.outputTokens} out`,
);
