/**
 * What `npm start` prints while it runs. By default one readable line per API request —
 * `POST /v1/chat 200 812 ms t_ef6a329d` (method, resource, status, latency, the caller's opaque
 * tenant tag as the functions log it) — and the functions' errors; colour only on a terminal.
 * With `--json`, the functions' raw JSON logs and metrics as Lambda writes them, and each request
 * as a JSON line. Neither shows a request's raw path: the endpoint template, or `(unmatched)`. Every line stays captured either way (the inspector's `/logs`).
 */
import { isRecord } from '../lambdas/is-record.js';
import type { ApiRequestRecord } from './api-request-record.js';
import type { CapturedLogLine, FunctionLogs } from './function-logs.js';
import type { LocalCloudOptions } from './local-cloud.js';

/** Characters of the tenant tag shown: enough to tell tenants apart and to grep the logs for. */
const TAG_SHOWN = 10;
const ERROR_LEVELS = new Set(['ERROR', 'CRITICAL', 'FATAL']);

/** SGR codes (on, off). Written out rather than `util.styleText`, which decides by itself per Node version whether to colour. */
const COLOURS = { red: [31, 39], yellow: [33, 39], green: [32, 39], dim: [2, 22] } as const;
type Colour = keyof typeof COLOURS;

export interface ConsoleOutputOptions {
  readonly json: boolean;
  readonly colour: boolean;
  readonly write: (text: string) => void;
}

export interface ConsoleOutput {
  /** The local cloud's options for this output (whether functions' lines are echoed; the request hook). */
  readonly cloudOptions: Pick<LocalCloudOptions, 'echoFunctionLogs' | 'onApiRequest'>;
  /** Prints the functions' errors from these logs (readable mode; in JSON mode every line is echoed already). */
  watch(logs: FunctionLogs): void;
  /** The banner is out: from now on every request gets its line (before, only failed ones: seeding is not news). */
  ready(): void;
}

/** The console for `npm start`'s options. */
export function consoleOutput(options: ConsoleOutputOptions): ConsoleOutput {
  const paint = (colour: Colour, text: string): string =>
    options.colour ? `\u001b[${COLOURS[colour][0]}m${text}\u001b[${COLOURS[colour][1]}m` : text;
  if (options.json) {
    return {
      cloudOptions: {
        echoFunctionLogs: true,
        onApiRequest: (record) => options.write(`${JSON.stringify({ type: 'request', ...record })}\n`),
      },
      watch: () => {},
      ready: () => {},
    };
  }
  let ready = false;
  return {
    cloudOptions: {
      echoFunctionLogs: false,
      onApiRequest: (record) => {
        if (ready || record.status >= 500) options.write(`${formatRequestLine(record, paint)}\n`);
      },
    },
    ready: () => {
      ready = true;
    },
    watch: (logs) =>
      logs.subscribe((line) => {
        const text = formatFunctionError(line);
        if (text !== undefined) options.write(`${paint('red', text)}\n`);
      }),
  };
}

/** One request as one line: method, resource, status, latency, tenant tag (and the request id of a 5xx). */
export function formatRequestLine(
  record: ApiRequestRecord,
  paint: (colour: Colour, text: string) => string = (_colour, text) => text,
): string {
  const statusColour: Colour = record.status >= 500 ? 'red' : record.status >= 400 ? 'yellow' : 'green';
  const parts = [
    record.method,
    record.route,
    paint(statusColour, String(record.status)),
    paint('dim', `${record.latencyMs} ms`),
    record.tenantTag === undefined ? '-' : record.tenantTag.slice(0, TAG_SHOWN),
  ];
  if (record.api === 'silo') parts.push('(silo)');
  if (record.status >= 500) parts.push(`req ${record.requestId}`);
  if (record.failure !== undefined) parts.push(paint('red', `— ${record.failure}`));
  return parts.join(' ');
}

/**
 * A function's error as one readable line: a JSON log line at ERROR level or above (its message,
 * error and request id), or anything a function wrote to stderr that is not JSON (a crash).
 * Undefined for every other line.
 */
export function formatFunctionError(line: CapturedLogLine): string | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(line.text);
  } catch {
    return line.stream === 'stderr' && line.text.trim() !== ''
      ? `  ! ${line.functionName}: ${line.text}`
      : undefined;
  }
  if (!isRecord(entry) || !ERROR_LEVELS.has(String(entry.level))) return undefined;
  const error =
    entry.errorName === undefined ? '' : ` — ${String(entry.errorName)}: ${String(entry.errorMessage ?? '')}`;
  const requestId = entry.requestId === undefined ? '' : ` req ${String(entry.requestId)}`;
  return `  ! ${line.functionName}: ${String(entry.message ?? '')}${error}${requestId}`;
}
