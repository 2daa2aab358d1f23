/**
 * Per-request telemetry over Powertools Logger, Metrics and Tracer. The only
 * tenant identity it emits is the opaque tenant tag: a persistent log key, a
 * metric dimension and an X-Ray annotation. Raw tenant and user ids that slip
 * into a message or a field are replaced before the line is written (DESIGN
 * invariant 6).
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { RequestContext } from '../tenancy/request-context.js';
import { type LogFields, type Logger, type Redactor, redactIdentity } from './logger.js';

export const TENANT_TAG_DIMENSION = 'tenantTag';

/** A trace subsegment that is open for one request. */
export interface OpenSubsegment {
  annotate(key: string, value: string): void;
  close(): void;
}

/** What request tracing needs from a tracer; `undefined` when tracing is off. */
export interface TraceSegments {
  openSubsegment(name: string): OpenSubsegment | undefined;
}

/**
 * X-Ray through Powertools. Lambda's own (facade) segment takes no
 * annotations, so each request gets a subsegment; outside Lambda (tests, the
 * local cloud) Powertools turns tracing off and this opens nothing.
 */
export function powertoolsSegments(tracer: Tracer): TraceSegments {
  return {
    openSubsegment(name) {
      const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
      if (parent === undefined) return undefined;
      const segment = parent.addNewSubsegment(name);
      tracer.setSegment(segment);
      return {
        annotate: (key, value) => segment.addAnnotation(key, value),
        close: () => {
          segment.close();
          tracer.setSegment(parent);
        },
      };
    },
  };
}

/** The metric name of a response's status class, e.g. `Responses4xx`. */
function statusMetricName(statusCode: number): string {
  return `Responses${Math.floor(statusCode / 100)}xx`;
}

export interface TelemetryOptions {
  readonly serviceName: string;
  /** CloudWatch metrics namespace. */
  readonly namespace: string;
  /** @default a Powertools Logger for `serviceName` */
  readonly logger?: PowertoolsLogger;
  /** @default a Powertools Metrics for `namespace` and `serviceName` */
  readonly metrics?: Metrics;
  /** @default X-Ray through a Powertools Tracer for `serviceName` */
  readonly traces?: TraceSegments;
}

/** The name of a thrown value, safe to log: error messages may quote keys that hold raw ids. */
export function errorNameOf(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

/** One request's logger and metrics, tagged with its tenant tag. */
export class RequestTelemetry implements Logger {
  constructor(
    private readonly logger: PowertoolsLogger,
    private readonly metrics: Metrics,
    private readonly tenantTag: string,
    private readonly redact: Redactor,
    private readonly trace: OpenSubsegment | undefined,
  ) {}

  /** Ends the request: its latency and status-class metrics, and its trace subsegment. */
  finish(statusCode: number, latencyMs: number): void {
    this.milliseconds('RequestLatency', latencyMs);
    this.count(statusMetricName(statusCode));
    this.trace?.close();
  }

  info(message: string, fields?: LogFields): void {
    this.logger.info(this.redact(message), this.#redactFields(fields));
  }

  warn(message: string, fields?: LogFields): void {
    this.logger.warn(this.redact(message), this.#redactFields(fields));
  }

  error(message: string, fields?: LogFields): void {
    this.logger.error(this.redact(message), this.#redactFields(fields));
  }

  /** Emits one count metric, dimensioned by the tenant tag. */
  count(name: string, value = 1): void {
    this.#emit(name, MetricUnit.Count, value);
  }

  /** Emits one duration metric in milliseconds, dimensioned by the tenant tag. */
  milliseconds(name: string, value: number): void {
    this.#emit(name, MetricUnit.Milliseconds, value);
  }

  #emit(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void {
    // A single metric carries its own dimensions: no dimension state outlives this call.
    const metric = this.metrics.singleMetric();
    metric.addDimension(TENANT_TAG_DIMENSION, this.tenantTag);
    metric.addMetric(name, unit, value);
  }

  #redactFields(fields: LogFields | undefined): Record<string, string | number | boolean> {
    const clean: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(fields ?? {})) {
      if (value !== undefined) clean[key] = typeof value === 'string' ? this.redact(value) : value;
    }
    return clean;
  }
}

/** Created once per execution environment; hands out per-request telemetry. */
export class Telemetry {
  readonly #logger: PowertoolsLogger;
  readonly #metrics: Metrics;
  readonly #traces: TraceSegments;

  constructor(options: TelemetryOptions) {
    this.#logger = options.logger ?? new PowertoolsLogger({ serviceName: options.serviceName });
    this.#metrics =
      options.metrics ?? new Metrics({ namespace: options.namespace, serviceName: options.serviceName });
    // No automatic subsegments for outgoing HTTP calls: their URLs carry S3 keys (`tenants/<tenantId>/...`).
    this.#traces =
      options.traces ??
      powertoolsSegments(new Tracer({ serviceName: options.serviceName, captureHTTPsRequests: false }));
  }

  /**
   * Telemetry for one request: the tenant tag and request id on every line,
   * raw ids redacted, and a trace subsegment annotated with the tag (until `finish`).
   */
  forRequest(
    context: Pick<RequestContext, 'tenantId' | 'userId' | 'tenantTag' | 'requestId'>,
  ): RequestTelemetry {
    const logger = this.#logger.createChild({
      persistentKeys: { tenantTag: context.tenantTag, requestId: context.requestId },
    });
    const trace = this.#traces.openSubsegment('## request');
    trace?.annotate(TENANT_TAG_DIMENSION, context.tenantTag);
    return new RequestTelemetry(logger, this.#metrics, context.tenantTag, redactIdentity(context), trace);
  }
}
