/**
 * The end-to-end benchmark: every route of bench/route-probes.ts called on a metered local cloud
 * (bench/metered-cloud.ts), one request at a time: a warm-up call (tenant sessions and registry
 * records cached, as in a warm Lambda), then `samples` timed calls and `COST_SAMPLES` costed ones.
 * Per route: wall-time p50/p99 on this machine and the `x-bulkhead-overhead-ms` header's p50/p99
 * (time outside the model and tools), from the timed calls, with the front door's unit measurement
 * off (it adds reads around transactions); the median AWS calls per request, counted at the front
 * door on every measured call; the median DynamoDB read and write units per request, from the
 * costed calls. The AWS calls are pinned by test/integration/aws-calls-per-route.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { OVERHEAD_HEADER } from '../lambdas/observability/request-timing.js';
import { startTicketTracker } from '../local/demo-mcp/ticket-tracker.js';
import type { MeteredCloud, MeterReading } from './metered-cloud.js';
import { type ApiCall, seedBenchTenant, TENANT_ADMIN } from './route-probes.js';
import { percentile, roundTenth, type Spread, spreadOf } from './statistics.js';

/** One route's numbers. */
export interface RouteMeasurement extends MeterReading {
  readonly route: string;
  readonly latencyMs: Spread;
  /** Absent when the route's answers carry no overhead header. */
  readonly overheadMs?: Spread;
}

export interface EndToEndResult {
  /** Timed requests per route. */
  readonly samplesPerRoute: number;
  /** Requests per route with unit measurement on. */
  readonly costSamplesPerRoute: number;
  readonly routes: readonly RouteMeasurement[];
  /** AWS calls by service over the whole step (seeding, warm-ups and costed requests included). */
  readonly callsByService: Readonly<Record<string, number>>;
}

/** Requests per route made with unit measurement on, after the timed ones. */
const COST_SAMPLES = 3;

const medianOf = (values: readonly number[]) => roundTenth(percentile(values, 50) ?? 0);

/** Seeds the bench tenant in `metered`'s cloud and measures every route (`samples` timed calls each). */
export async function measureRoutes(
  { cloud, meter }: MeteredCloud,
  samples: number,
  onRoute: (result: RouteMeasurement) => void = () => undefined,
): Promise<EndToEndResult> {
  if (!Number.isInteger(samples) || samples < 1)
    throw new RangeError(`samples must be a whole number ≥ 1, got ${samples}`);
  const trackerKey = `bench-${randomUUID()}`;
  const tracker = await startTicketTracker({ apiKey: trackerKey });
  // One token per caller, as a client keeps it: API Gateway's authorizer cache answers after the first call.
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (identity: Parameters<ApiCall>[0]) => {
    const key = `${identity.tenantId}/${identity.sub}`;
    let token = tokens.get(key);
    if (token === undefined) {
      token = cloud.issuer.mint(identity);
      tokens.set(key, token);
    }
    return token;
  };
  const call: ApiCall = async (identity, method, path, body, headers = {}) => {
    const response = await fetch(`${cloud.apiEndpoint}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await tokenOf(identity)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return { headers: response.headers, text };
  };
  try {
    const probes = await seedBenchTenant(call, { url: tracker.url, apiKey: trackerKey });
    const routes: RouteMeasurement[] = [];
    for (const probe of probes) {
      const calls: number[] = [];
      const costs: MeterReading[] = [];
      const latencies: number[] = [];
      const overheads: number[] = [];
      for (let sample = 0; sample <= samples + COST_SAMPLES; sample += 1) {
        const timed = sample <= samples;
        meter.measuringUnits = !timed;
        const path = await probe.path();
        const before = meter.reading();
        const started = performance.now();
        const answer = await call(
          probe.identity ?? TENANT_ADMIN,
          probe.method,
          path,
          probe.body?.(),
          probe.headers?.(),
        );
        const latency = performance.now() - started;
        const cost = meter.since(before);
        // Sample 0 warms the route up and is not counted.
        if (sample === 0) continue;
        calls.push(cost.awsCalls);
        if (!timed) {
          costs.push(cost);
          continue;
        }
        latencies.push(latency);
        const overhead = answer.headers.get(OVERHEAD_HEADER);
        if (overhead !== null) overheads.push(Number(overhead));
      }
      const latencyMs = spreadOf(latencies);
      if (latencyMs === undefined) throw new Error(`${probe.name}: no timed request`);
      const overheadMs = spreadOf(overheads);
      const result: RouteMeasurement = {
        route: probe.name,
        awsCalls: medianOf(calls),
        writeUnits: medianOf(costs.map((cost) => cost.writeUnits)),
        readUnits: medianOf(costs.map((cost) => cost.readUnits)),
        latencyMs,
        ...(overheadMs === undefined ? {} : { overheadMs }),
      };
      routes.push(result);
      onRoute(result);
    }
    return {
      samplesPerRoute: samples,
      costSamplesPerRoute: COST_SAMPLES,
      routes,
      callsByService: meter.callsByService(),
    };
  } finally {
    await tracker.close();
  }
}
