/**
 * What the functions wrote to stdout and stderr — their logs and metrics, as CloudWatch Logs
 * would hold them — kept in memory line by line, so a test can scan the logs of a whole run
 * (for raw tenant ids, user ids or prompt text that must never appear there).
 */

export type LogStream = 'stdout' | 'stderr';

export interface CapturedLogLine {
  /** Increases by one per line, from 1. */
  readonly sequence: number;
  readonly functionName: string;
  readonly stream: LogStream;
  readonly text: string;
}

/** Lines kept (the oldest are dropped and counted), so a long `npm start` does not grow without bound. */
export const MAX_CAPTURED_LOG_LINES = 200_000;

/**
 * The captured lines: a ring buffer of `maxLines`, so dropping the oldest line of a full buffer
 * costs the same as any append (an array's `shift()` moves every line it holds).
 */
export class FunctionLogs {
  private readonly ring: CapturedLogLine[] = [];
  /** Where the next line goes once the ring is full (then also the oldest line's slot). */
  private next = 0;
  private sequence = 0;
  private droppedLines = 0;
  private readonly listeners: ((line: CapturedLogLine) => void)[] = [];

  constructor(private readonly maxLines = MAX_CAPTURED_LOG_LINES) {
    if (!Number.isInteger(maxLines) || maxLines < 1)
      throw new RangeError('maxLines must be a positive integer');
  }

  append(functionName: string, stream: LogStream, text: string): void {
    this.sequence += 1;
    const line = { sequence: this.sequence, functionName, stream, text };
    if (this.ring.length < this.maxLines) this.ring.push(line);
    else {
      this.ring[this.next] = line;
      this.next = (this.next + 1) % this.maxLines;
      this.droppedLines += 1;
    }
    // After the line is kept and the bound applied: a listener sees the logs as a reader would,
    // and one that throws neither loses the line nor reaches the function host that appended it.
    for (const listener of this.listeners) {
      try {
        listener(line);
      } catch (err) {
        console.error('function logs: a listener failed on a line (the line is kept)', err);
      }
    }
  }

  /** Calls `listener` with every line appended from now on (the console prints the errors). */
  subscribe(listener: (line: CapturedLogLine) => void): void {
    this.listeners.push(listener);
  }

  /** Lines with a sequence number above `after`, oldest first. */
  lines(after = 0): CapturedLogLine[] {
    // Sequence numbers are consecutive, so the first line wanted is found by arithmetic.
    const oldest = this.sequence - this.ring.length + 1;
    const skip = Math.min(Math.max(0, after - oldest + 1), this.ring.length);
    const lines: CapturedLogLine[] = [];
    for (let n = skip; n < this.ring.length; n += 1) {
      const line = this.ring[(this.next + n) % this.ring.length];
      if (line !== undefined) lines.push(line);
    }
    return lines;
  }

  /** The sequence number of the newest line (0 before the first). */
  get latest(): number {
    return this.sequence;
  }

  /** Lines dropped to stay within the bound: a scan of `lines()` missed these. */
  get dropped(): number {
    return this.droppedLines;
  }
}
