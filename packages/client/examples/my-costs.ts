/** `GET /v1/costs`: your tenant's model costs this month, by model and by user (tenant admin). */
import { clientFromEnvironment, fail } from './environment.js';

const month = process.argv[2] ?? new Date().toISOString().slice(0, 7);
const client = clientFromEnvironment();
const { data, error, response } = await client.GET('/v1/costs', { params: { query: { month } } });
if (data === undefined) fail(response.status, error);
const usd = (amount: number) => `$${amount.toFixed(6)}`;
console.log(`${data.month}: ${usd(data.totals.costUsd)} over ${data.totals.calls} model calls`);
for (const model of data.byModel) console.log(`  model ${model.modelId}: ${usd(model.costUsd)}`);
for (const user of data.byUser) console.log(`  user ${user.userId}: ${usd(user.costUsd)}`);
