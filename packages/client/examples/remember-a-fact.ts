/** `PUT /v1/memory`, then `GET /v1/memory`: the agent remembers a fact for you (`remember-a-fact.ts "likes tea"`). */
import { clientFromEnvironment, fail } from './environment.js';

const fact = process.argv[2] ?? 'prefers short answers';
const client = clientFromEnvironment();
const stored = await client.PUT('/v1/memory', { body: { fact } });
if (stored.data === undefined) fail(stored.response.status, stored.error);
console.log(`remembered ${stored.data.id}: ${stored.data.fact}`);
const listed = await client.GET('/v1/memory');
if (listed.data === undefined) fail(listed.response.status, listed.error);
for (const remembered of listed.data.facts) console.log(`- ${remembered.fact}`);
