/**
 * Finds raw identities and prompt text in captured function logs (DESIGN invariant 6: logs
 * carry the opaque tenant tag, never raw tenant ids, user ids, prompts or document text).
 */
import type { CapturedLogLine } from '../../../local/function-logs.js';

export interface LogSecrets {
  readonly tenantIds: readonly string[];
  readonly userIds: readonly string[];
  /** Prompt or document text markers, matched anywhere. */
  readonly texts?: readonly string[];
}

export interface LogLeak {
  readonly kind: 'tenant id' | 'user id' | 'text';
  readonly value: string;
  readonly line: CapturedLogLine;
}

/** Characters an id may contain: a match must not continue into them on either side. */
const ID_CHARACTER = '[A-Za-z0-9._@:+=-]';

const escaped = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One regular expression matching any of `ids` as a whole id (not inside a longer token). */
function wholeIdPattern(ids: readonly string[]): RegExp | undefined {
  if (ids.length === 0) return undefined;
  const longestFirst = [...new Set(ids)].sort((a, b) => b.length - a.length).map(escaped);
  return new RegExp(`(?<!${ID_CHARACTER})(${longestFirst.join('|')})(?!${ID_CHARACTER})`, 'g');
}

/** Every occurrence of a secret in the lines, in line order. */
export function findLogLeaks(lines: readonly CapturedLogLine[], secrets: LogSecrets): LogLeak[] {
  const patterns = [
    { kind: 'tenant id', pattern: wholeIdPattern(secrets.tenantIds) },
    { kind: 'user id', pattern: wholeIdPattern(secrets.userIds) },
  ] as const;
  const leaks: LogLeak[] = [];
  for (const line of lines) {
    for (const { kind, pattern } of patterns) {
      for (const match of pattern === undefined ? [] : line.text.matchAll(pattern)) {
        leaks.push({ kind, value: match[1] ?? '', line });
      }
    }
    for (const text of secrets.texts ?? []) {
      if (line.text.includes(text)) leaks.push({ kind: 'text', value: text, line });
    }
  }
  return leaks;
}

/** A readable summary of the first leaks, for a failure message. */
export function describeLeaks(leaks: readonly LogLeak[], shown = 10): string {
  return leaks
    .slice(0, shown)
    .map(
      (leak) =>
        `${leak.kind} "${leak.value}" in ${leak.line.functionName} ${leak.line.stream}: ${leak.line.text}`,
    )
    .join('\n');
}
