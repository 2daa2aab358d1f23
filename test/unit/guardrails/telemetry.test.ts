import https from 'node:https';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type OpenSubsegment,
  powertoolsSegments,
  TENANT_TAG_DIMENSION,
  Telemetry,
  type TraceSegments,
} from '../../../lambdas/observability/telemetry.js';
import { contextFor } from './support/contexts.js';

/** Everything written to stdout and stderr while `act` runs. */
function captureOutput(act: () => void): string {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    act();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return written.join('');
}

function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line));
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('Telemetry', () => {
  const context = contextFor('acme-corp', 'alice.smith@example.com', 'req-7');

  it('puts the tenant tag and request id on every log line and never the raw ids', () => {
    const telemetry = new Telemetry({ serviceName: 'api', namespace: 'Bulkhead' });

    const output = captureOutput(() => {
      const request = telemetry.forRequest(context);
      request.info('model call for tenant acme-corp', { user: 'alice.smith@example.com', tokens: 12 });
      request.error('failed for alice.smith@example.com');
    });

    const lines = jsonLines(output);
    expect(lines).toHaveLength(2);
    for (const line of lines)
      expect(line).toMatchObject({ tenantTag: context.tenantTag, requestId: 'req-7' });
    expect(lines[0]).toMatchObject({
      message: `model call for tenant ${context.tenantTag}`,
      user: '<user>',
      tokens: 12,
    });
    expect(output).not.toContain('acme-corp');
    expect(output).not.toContain('alice.smith@example.com');
  });

  it('emits metrics dimensioned by the tenant tag, without raw ids', () => {
    const telemetry = new Telemetry({ serviceName: 'api', namespace: 'Bulkhead' });

    const output = captureOutput(() => {
      const request = telemetry.forRequest(context);
      request.count('ModelCalls');
      request.milliseconds('ModelLatency', 830);
    });

    const metrics = jsonLines(output).filter((line) => '_aws' in line);
    expect(metrics).toHaveLength(2);
    expect(metrics[0]).toMatchObject({ [TENANT_TAG_DIMENSION]: context.tenantTag, ModelCalls: 1 });
    expect(metrics[1]).toMatchObject({ [TENANT_TAG_DIMENSION]: context.tenantTag, ModelLatency: 830 });
    expect(output).not.toContain('acme-corp');
    expect(output).not.toContain('alice.smith');
  });

  it("keeps one request's tenant tag off another request's metrics", () => {
    const telemetry = new Telemetry({ serviceName: 'api', namespace: 'Bulkhead' });
    const other = contextFor('globex', 'bob', 'req-8');

    const output = captureOutput(() => {
      telemetry.forRequest(context).count('ModelCalls');
      telemetry.forRequest(other).count('ModelCalls');
    });

    const tags = jsonLines(output).map((line) => line[TENANT_TAG_DIMENSION]);
    expect(tags).toEqual([context.tenantTag, other.tenantTag]);
  });

  it("annotates each request's trace subsegment with the tenant tag only, and closes it when the request finishes", () => {
    const opened: { name: string; annotations: Record<string, string>; closed: boolean }[] = [];
    const traces: TraceSegments = {
      openSubsegment(name): OpenSubsegment {
        const segment = { name, annotations: {} as Record<string, string>, closed: false };
        opened.push(segment);
        return {
          annotate: (key, value) => {
            segment.annotations[key] = value;
          },
          close: () => {
            segment.closed = true;
          },
        };
      },
    };
    const telemetry = new Telemetry({ serviceName: 'api', namespace: 'Bulkhead', traces });

    const output = captureOutput(() => {
      const request = telemetry.forRequest(context);
      expect(opened.map((segment) => segment.closed)).toEqual([false]);
      request.finish(200, 42);
    });

    expect(opened).toEqual([
      { name: '## request', annotations: { [TENANT_TAG_DIMENSION]: context.tenantTag }, closed: true },
    ]);
    expect(JSON.stringify(opened)).not.toContain('acme-corp');
    const metrics = jsonLines(output).filter((line) => '_aws' in line);
    expect(metrics).toEqual([
      expect.objectContaining({ RequestLatency: 42 }),
      expect.objectContaining({ Responses2xx: 1 }),
    ]);
  });

  it('opens no trace subsegment outside Lambda, where Powertools turns tracing off', () => {
    expect(process.env.AWS_EXECUTION_ENV).toBeUndefined();
    expect(
      powertoolsSegments(new Tracer({ serviceName: 'api' })).openSubsegment('## request'),
    ).toBeUndefined();
  });

  it('records no outgoing HTTP calls in traces, whose URLs carry S3 keys with raw tenant ids', () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs20.x');
    expect(new Tracer({ serviceName: 'api', captureHTTPsRequests: false }).isTracingEnabled()).toBe(true);
    const request = https.request;

    new Telemetry({ serviceName: 'api', namespace: 'Bulkhead' });

    expect(https.request).toBe(request);
  });
});
