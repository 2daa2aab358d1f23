import { describe, expect, it } from 'vitest';
import {
  buildCostReport,
  formatCostReport,
  tenantUsageTotals,
  type UsageTotals,
} from '../../../lambdas/metering/cost-report.js';
import { Metering } from '../../../lambdas/metering/metering.js';
import { contextFor } from './support/contexts.js';
import { MemoryGuardrailTable } from './support/memory-guardrail-table.js';

const NOVEMBER = new Date('2026-11-10T00:00:00Z');

async function meteredTenant(tenantId: string, calls: number): Promise<MemoryGuardrailTable> {
  const table = new MemoryGuardrailTable({ tenantId, userId: 'alice' });
  const metering = new Metering(table, { now: () => NOVEMBER });
  for (let index = 0; index < calls; index += 1) {
    await metering.meterCall(contextFor(tenantId, 'alice'), {
      requestId: `req-${index}`,
      callIndex: 0,
      modelId: 'amazon.nova-lite-v1:0',
      inputTokens: 1_000,
      outputTokens: 500,
      latencyMs: 10,
    });
  }
  return table;
}

describe('cost report', () => {
  it("sums a tenant's aggregate shards for the month", async () => {
    const table = await meteredTenant('acme', 12);

    expect(await tenantUsageTotals(table, '2026-11')).toEqual({
      inputTokens: 12_000,
      outputTokens: 6_000,
      calls: 12,
      costNanoUsd: 12 * 180_000,
    });
    expect(await tenantUsageTotals(table, '2026-10')).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      calls: 0,
      costNanoUsd: 0,
    });
  });

  it("reads each tenant's usage through that tenant's own reader, most expensive first", async () => {
    const tables = new Map([
      ['acme', await meteredTenant('acme', 2)],
      ['globex', await meteredTenant('globex', 5)],
    ]);
    const asked: string[] = [];
    const usageOf = async (tenantId: string, month: string): Promise<UsageTotals> => {
      asked.push(tenantId);
      const table = tables.get(tenantId);
      if (table === undefined) throw new Error(`no table for ${tenantId}`);
      return tenantUsageTotals(table, month);
    };

    const report = await buildCostReport(
      '2026-11',
      [
        { tenantId: 'acme', tier: 'basic' },
        { tenantId: 'globex', tier: 'premium' },
      ],
      usageOf,
    );

    expect(asked).toEqual(['acme', 'globex']);
    expect(report.tenants.map((row) => [row.tenantId, row.calls, row.costUsd])).toEqual([
      ['globex', 5, 0.0009],
      ['acme', 2, 0.00036],
    ]);
    expect(report.totalCostUsd).toBeCloseTo(0.00126, 12);
  });

  it('formats the report as CSV with one row per tenant', async () => {
    const report = await buildCostReport('2026-11', [{ tenantId: 'acme', tier: 'basic' }], async () => ({
      inputTokens: 1_000,
      outputTokens: 500,
      calls: 1,
      costNanoUsd: 180_000,
    }));

    expect(formatCostReport(report, 'csv')).toBe(
      'month,tenantId,tier,inputTokens,outputTokens,calls,costUsd\n2026-11,acme,basic,1000,500,1,0.000180000\n',
    );
    expect(JSON.parse(formatCostReport(report, 'json'))).toMatchObject({
      month: '2026-11',
      totalCostUsd: 0.00018,
    });
  });
});
