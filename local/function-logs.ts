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

export class FunctionLogs {
  private readonly captured: CapturedLogLine[] = [];
  private sequence = 0;
  private droppedLines = 0;
  private readonly listeners: ((line: CapturedLogLine) => void)[] = [];

  constructor(private readonly maxLines = MAX_CAPTURED_LOG_LINES) {}

  append(functionName: string, stream: LogStream, text: string): void {
    this.sequence += 1;
    const line = { sequence: this.sequence, functionName, stream, text };
    this.captured.push(line);
    for (const listener of this.listeners) listener(line);
    if (this.captured.length > this.maxLines) {
      this.captured.shift();
      this.droppedLines += 1;
    }
  }

  /** Calls `listener` with every line appended from now on (the console prints the errors). */
  subscribe(listener: (line: CapturedLogLine) => void): void {
    this.listeners.push(listener);
  }

  /** Lines with a sequence number above `after`, oldest first. */
  lines(after = 0): CapturedLogLine[] {
    return this.captured.filter((line) => line.sequence > after);
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
