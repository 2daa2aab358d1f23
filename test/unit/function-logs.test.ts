/** The captured function logs: bounded (oldest dropped and counted), read by sequence, and safe from their listeners. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CapturedLogLine, FunctionLogs } from '../../local/function-logs.js';

const texts = (lines: readonly CapturedLogLine[]) => lines.map((line) => line.text);

function appendLines(logs: FunctionLogs, count: number, from = 1): void {
  for (let n = from; n < from + count; n += 1) logs.append('bulkhead-api', 'stdout', `line ${n}`);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FunctionLogs', () => {
  it('keeps the newest lines up to its bound, oldest first, and counts the dropped', () => {
    const logs = new FunctionLogs(3);
    appendLines(logs, 2);

    expect(texts(logs.lines())).toEqual(['line 1', 'line 2']);
    expect(logs.dropped).toBe(0);

    appendLines(logs, 5, 3);

    expect(texts(logs.lines())).toEqual(['line 5', 'line 6', 'line 7']);
    expect(logs.lines().map((line) => line.sequence)).toEqual([5, 6, 7]);
    expect(logs.latest).toBe(7);
    expect(logs.dropped).toBe(4);
  });

  it('answers the lines after a sequence number, across the ring’s wrap', () => {
    const logs = new FunctionLogs(4);
    appendLines(logs, 10);

    expect(texts(logs.lines(8))).toEqual(['line 9', 'line 10']);
    expect(texts(logs.lines(2))).toEqual(['line 7', 'line 8', 'line 9', 'line 10']);
    expect(logs.lines(10)).toEqual([]);
    expect(logs.lines(99)).toEqual([]);
  });

  it('tells listeners of a line after the bound is applied', () => {
    const logs = new FunctionLogs(2);
    const seen: string[][] = [];
    logs.subscribe(() => seen.push(texts(logs.lines())));
    appendLines(logs, 3);

    expect(seen).toEqual([['line 1'], ['line 1', 'line 2'], ['line 2', 'line 3']]);
  });

  it('keeps the line and tells the other listeners when one listener throws', () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    const logs = new FunctionLogs(10);
    const seen: string[] = [];
    logs.subscribe(() => {
      throw new Error('listener broke');
    });
    logs.subscribe((line) => seen.push(line.text));

    expect(() => appendLines(logs, 2)).not.toThrow();
    expect(texts(logs.lines())).toEqual(['line 1', 'line 2']);
    expect(seen).toEqual(['line 1', 'line 2']);
    expect(reported).toHaveBeenCalledTimes(2);
  });
});
