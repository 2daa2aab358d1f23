/** The capacity report as markdown tables (for bench/results/capacity.md and docs/capacity.md). */
import { markdownTable } from '../markdown.js';
import { COST_PARTS, type CostPart } from './cost.js';
import type { CapacityReport } from './model.js';

const integer = (value: number) => Math.round(value).toLocaleString('en-US');
const oneDecimal = (value: number) =>
  value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const percent = (value: number) => `${oneDecimal(value * 100)} %`;
const usd = (value: number) => `$${value.toFixed(4)}`;

const PART_NAMES: Readonly<Record<CostPart, string>> = {
  model: 'model',
  lambda: 'Lambda',
  dynamodb: 'DynamoDB',
  s3: 'S3',
  s3vectors: 'S3 Vectors',
  sts: 'STS',
  apiGateway: 'API Gateway',
};

/** The report's four tables, with a one-line header of the inputs. */
export function capacityMarkdown(report: CapacityReport): string {
  const { options, population } = report;
  const rows = report.rows;
  const inputs =
    `${integer(population.tenants)} tenants, ${integer(population.users)} users (Zipf s = ${options.tenantZipf} ` +
    `over tenants, ${options.userZipf} over each tenant's users; the biggest tenant sends ` +
    `${percent(population.biggestTenantShare)} of requests, its busiest user ${percent(population.busiestUserShare)}), ` +
    `seed ${options.seed}, mean turn ${integer(options.meanDurationMs)} ms, ` +
    `${options.inputTokens} input / ${options.outputTokens} output tokens of ${options.modelId}, ` +
    `price table ${report.priceTable}.`;
  const sessions = markdownTable(
    [
      'req/s',
      'Lambda concurrency',
      'environments',
      'before: hit rate',
      'before: AssumeRole/s',
      'now: hit rate',
      'now: AssumeRole/s',
      'now: AssumeRole per request',
      `now: of STS limit (${report.stsLimitPerSecond}/s)`,
    ],
    rows.map(({ sessions: s }) => [
      integer(s.rps),
      integer(s.lambdaConcurrency),
      integer(s.environments),
      percent(s.perEnvironment.hitRate),
      oneDecimal(s.perEnvironment.stsCallsPerSecond),
      percent(s.vended.hitRate),
      oneDecimal(s.vended.stsCallsPerSecond),
      percent(1 - s.vended.hitRate),
      percent(s.vended.stsLimitUse),
    ]),
  );
  const hot = markdownTable(
    [
      'req/s',
      'tenant (tier, rank)',
      'tenant req/s',
      'tier limit req/s',
      'hottest partition',
      'WCU/s',
      'of 1,000 WCU',
      'max turns/s',
    ],
    rows.flatMap(({ sessions: s, hotItems }) =>
      hotItems.map((item) => [
        integer(s.rps),
        `${item.tier} #${item.tenantRank}`,
        oneDecimal(item.tenantRps),
        integer(item.rateLimitPerSecond),
        item.hottest.name,
        oneDecimal(item.hottest.writeUnitsPerSecond),
        percent(item.hottestUse),
        integer(item.maxTurnsPerSecond),
      ]),
    ),
  );
  const ceilings = markdownTable(
    ['tier', 'partition', 'key', 'WCU per turn', 'max turns/s of one tenant'],
    report.ceilings.map(({ tier, partition, maxTurnsPerSecond }) => [
      tier,
      partition.name,
      `\`${partition.key}\``,
      String(Number(partition.unitsPerTurn.toFixed(3))),
      integer(maxTurnsPerSecond),
    ]),
  );
  const cost = markdownTable(
    ['req/s', ...COST_PARTS.map((part) => PART_NAMES[part]), 'total', 'model share', 'STS calls'],
    rows.map(({ sessions: s, cost: c }) => [
      integer(s.rps),
      ...COST_PARTS.map((part) => usd(c.usd[part])),
      usd(c.usd.total),
      percent(c.modelShare),
      integer(c.usage.stsCalls),
    ]),
  );
  const turn = report.turn;
  return [
    `Inputs: ${inputs}`,
    '',
    '**Sessions and concurrency** — before: each execution environment caches sessions per user (simulated); now: the authorizer vends one per token, API Gateway caches it for ' +
      `${integer(options.authorizerCacheSeconds)} s, tokens live ${integer(options.tokenSeconds)} s (closed form, an upper bound)`,
    '',
    sessions,
    '',
    '**Hottest tenant partition, busiest tenant of each tier** (offered load, an upper bound: a request the tier limit refuses still writes its admission shard once, a refused condition costs its unit)',
    '',
    hot,
    '',
    '**Per-tenant ceilings by design** (each hot partition of a tenant of each tier: the turns/s at which it reaches 1,000 WCU)',
    '',
    ceilings,
    '',
    `**Cost per 1,000 chat turns (USD)** — a no-tool turn: ${turn.awsCalls} AWS calls, ` +
      `${turn.writeUnits} write units, ${turn.readUnits} read units, ${turn.modelCalls} model call`,
    '',
    cost,
    '',
  ].join('\n');
}
