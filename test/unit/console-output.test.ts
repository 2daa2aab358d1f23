/** `npm start`'s console: one readable line per request, the functions' errors, or raw JSON with `--json`. */
import { describe, expect, it } from 'vitest';
import type { GatewayRequestRecord } from '../../local/api-gateway/api-gateway.js';
import { type ApiRequestRecord, apiRequestRecord } from '../../local/api-request-record.js';
import { consoleOutput, formatFunctionError, formatRequestLine } from '../../local/console-output.js';
import { endpointTemplate } from '../../local/endpoint-templates.js';
import { FunctionLogs } from '../../local/function-logs.js';
import { parseStartOptions } from '../../local/start-options.js';

const TAG = 't_ef6a329d00a461d49eab2259f1159457';
const request = (overrides: Partial<ApiRequestRecord> = {}): ApiRequestRecord => ({
  api: 'pool',
  requestId: 'c0ffee00-1111-2222-3333-444455556666',
  method: 'POST',
  route: '/v1/chat',
  status: 200,
  latencyMs: 812,
  tenantTag: TAG,
  failure: undefined,
  ...overrides,
});

describe('a request line', () => {
  it('shows method, resource, status, latency and the start of the tenant tag', () => {
    expect(formatRequestLine(request())).toBe('POST /v1/chat 200 812 ms t_ef6a329d');
    expect(
      formatRequestLine(request({ api: 'silo', method: 'GET', route: '/v1/documents/{id}', status: 404 })),
    ).toBe('GET /v1/documents/{id} 404 812 ms t_ef6a329d (silo)');
    expect(formatRequestLine(request({ tenantTag: undefined, status: 401 }))).toBe(
      'POST /v1/chat 401 812 ms -',
    );
  });

  it('adds the request id to a 5xx, and the gateway’s reason when the function failed', () => {
    expect(formatRequestLine(request({ status: 500 }))).toBe(
      'POST /v1/chat 500 812 ms t_ef6a329d req c0ffee00-1111-2222-3333-444455556666',
    );
    expect(
      formatRequestLine(request({ status: 502, failure: 'api gateway: function Api failed: boom' })),
    ).toMatch(/502 812 ms t_ef6a329d req c0ffee00-\S+ — api gateway: function Api failed: boom$/);
  });
});

describe('a function log line', () => {
  const line = (text: string, stream: 'stdout' | 'stderr' = 'stdout') => ({
    sequence: 1,
    functionName: 'bulkhead-api',
    stream,
    text,
  });

  it('becomes one readable line at ERROR level, with its error and request id', () => {
    const error = JSON.stringify({
      level: 'ERROR',
      message: 'request failed',
      errorName: 'TypeError',
      errorMessage: 'x is undefined',
      requestId: 'r-1',
      tenantTag: TAG,
    });
    expect(formatFunctionError(line(error))).toBe(
      '  ! bulkhead-api: request failed — TypeError: x is undefined req r-1',
    );
  });

  it('is dropped below ERROR, for metrics, and for plain stdout; a crash on stderr shows', () => {
    expect(formatFunctionError(line(JSON.stringify({ level: 'INFO', message: 'served' })))).toBeUndefined();
    expect(formatFunctionError(line(JSON.stringify({ _aws: {}, RequestLatency: 3 })))).toBeUndefined();
    expect(formatFunctionError(line('debug output'))).toBeUndefined();
    expect(formatFunctionError(line('Error: worker crashed', 'stderr'))).toBe(
      '  ! bulkhead-api: Error: worker crashed',
    );
  });
});

describe('the console', () => {
  it('prints request lines once ready (failures before), and the functions’ errors, not their logs', () => {
    const printed: string[] = [];
    const output = consoleOutput({ json: false, colour: false, write: (text) => printed.push(text) });
    const logs = new FunctionLogs();
    output.watch(logs);

    output.cloudOptions.onApiRequest?.(request({ method: 'PUT', route: '/v1/memory' }));
    output.cloudOptions.onApiRequest?.(request({ status: 503 }));
    output.ready();
    output.cloudOptions.onApiRequest?.(request());
    logs.append('bulkhead-api', 'stdout', JSON.stringify({ level: 'INFO', message: 'served' }));
    logs.append('bulkhead-api', 'stdout', JSON.stringify({ level: 'ERROR', message: 'dependency fault' }));

    expect(output.cloudOptions.echoFunctionLogs).toBe(false);
    expect(printed).toEqual([
      'POST /v1/chat 503 812 ms t_ef6a329d req c0ffee00-1111-2222-3333-444455556666\n',
      'POST /v1/chat 200 812 ms t_ef6a329d\n',
      '  ! bulkhead-api: dependency fault\n',
    ]);
  });

  it('echoes the functions’ raw lines and prints each request as JSON with --json', () => {
    const printed: string[] = [];
    const output = consoleOutput({ json: true, colour: false, write: (text) => printed.push(text) });

    output.cloudOptions.onApiRequest?.(request());

    expect(output.cloudOptions.echoFunctionLogs).toBe(true);
    expect(JSON.parse(printed[0] ?? '')).toEqual({ type: 'request', ...request(), failure: undefined });
  });

  it('colours the status only when asked (a terminal)', () => {
    const printed: string[] = [];
    const output = consoleOutput({ json: false, colour: true, write: (text) => printed.push(text) });
    output.ready();

    output.cloudOptions.onApiRequest?.(request({ status: 500 }));

    expect(printed[0]).toContain('\u001b[31m500\u001b[39m');
  });
});

describe('the request the console shows', () => {
  const gatewayRecord = (method: string, path: string, resource: string): GatewayRequestRecord => ({
    requestId: 'c0ffee00-1111-2222-3333-444455556666',
    method,
    path,
    resource,
    status: 200,
    latencyMs: 5,
    tenantId: 'acme',
    failure: undefined,
  });

  it('names the endpoint template, never the raw path, tenant id or resource, readable or --json', () => {
    const record = apiRequestRecord(
      gatewayRecord('GET', '/v1/documents/doc-secret-42', '/v1/{proxy+}'),
      'pool',
      TAG,
    );
    const printed: string[] = [];
    const json = consoleOutput({ json: true, colour: false, write: (text) => printed.push(text) });
    json.cloudOptions.onApiRequest?.(record);

    expect(record).toEqual({
      requestId: 'c0ffee00-1111-2222-3333-444455556666',
      method: 'GET',
      api: 'pool',
      route: '/v1/documents/{id}',
      status: 200,
      latencyMs: 5,
      tenantTag: TAG,
      failure: undefined,
    });
    expect(formatRequestLine(record)).toBe(`GET /v1/documents/{id} 200 5 ms ${TAG.slice(0, 10)}`);
    expect(printed.join('')).not.toContain('doc-secret-42');
    expect(printed.join('')).not.toContain('acme');
    expect(JSON.parse(printed[0] ?? '')).not.toHaveProperty('path');
  });

  it('shows (unmatched) for a path no endpoint declares, and a preflight by its path’s template', () => {
    const unmatched = apiRequestRecord(
      gatewayRecord('GET', '/v1/acme-invoices/2026', '/v1/acme-invoices/2026'),
      'pool',
      undefined,
    );
    const preflight = apiRequestRecord(
      gatewayRecord('OPTIONS', '/v1/documents/doc-1', '/v1/{proxy+}'),
      'silo',
      undefined,
    );

    expect(unmatched.route).toBe('(unmatched)');
    expect(formatRequestLine(unmatched)).toBe('GET (unmatched) 200 5 ms -');
    expect(preflight.route).toBe('/v1/documents/{id}');
  });
});

describe('the endpoint template of a request', () => {
  it('names the declared route behind the greedy resource, for the tenant and the control API', () => {
    expect(endpointTemplate('GET', '/v1/documents/d-1')).toBe('/v1/documents/{id}');
    expect(endpointTemplate('DELETE', '/v1/documents/d-1')).toBe('/v1/documents/{id}');
    expect(endpointTemplate('POST', '/v1/chat')).toBe('/v1/chat');
    expect(endpointTemplate('PATCH', '/v1/admin/tenants/acme')).toBe('/v1/admin/tenants/{tenantId}');
    expect(endpointTemplate('GET', '/v1/nowhere')).toBeUndefined();
    expect(endpointTemplate('PATCH', '/v1/chat')).toBeUndefined();
    expect(endpointTemplate(undefined, '/v1/chat')).toBe('/v1/chat');
  });
});

describe('npm start options', () => {
  const defaults = { persist: false, json: false, modelServer: undefined, corsOrigins: undefined };

  it('reads --persist and --json, or their environment variables, and refuses unknown flags', () => {
    expect(parseStartOptions([], {})).toEqual(defaults);
    expect(parseStartOptions(['--json', '--persist'], {})).toEqual({
      ...defaults,
      persist: true,
      json: true,
    });
    expect(parseStartOptions([], { BULKHEAD_JSON_LOGS: '1', BULKHEAD_PERSIST: '1' })).toEqual({
      ...defaults,
      persist: true,
      json: true,
    });
    expect(() => parseStartOptions(['--jsn'], {})).toThrow(/Unknown option '--jsn'/);
  });

  it('reads the model server flags (a flag wins over its variable) and the CORS origins', () => {
    expect(
      parseStartOptions(['--model-endpoint', 'http://127.0.0.1:11434/v1', '--model-name', 'llama3.2'], {
        BULKHEAD_MODEL_NAME: 'other',
        BULKHEAD_CORS_ORIGINS: ' http://localhost:5173 ',
      }),
    ).toEqual({
      ...defaults,
      modelServer: { endpoint: 'http://127.0.0.1:11434/v1', modelName: 'llama3.2' },
      corsOrigins: 'http://localhost:5173',
    });
    expect(parseStartOptions([], { BULKHEAD_CORS_ORIGINS: '' })).toEqual(defaults);
    expect(() => parseStartOptions(['--model-name', 'llama3.2'], {})).toThrow(/need --model-endpoint/);
    expect(() => parseStartOptions(['--model-endpoint', 'ftp://host'], {})).toThrow(/not an http\(s\) URL/);
  });
});
