/**
 * The platform stack's name: `bulkhead:stackName` (default `Bulkhead`), with `-<stage>` appended
 * when `bulkhead:stage` is set, so a dev and a prod deployment can share an account and Region.
 * Every name the stack derives (silo stacks, tables and buckets, secrets, key aliases) starts with
 * it, so two stages never touch each other's resources.
 */
import { BulkheadSettingsError, CONTEXT_KEYS } from './bulkhead-settings.js';

export const DEFAULT_STACK_NAME = 'Bulkhead';

/**
 * Silo bucket names (`<stack>-silo-<tenant>-<account>-<region>`, at most 63 characters) leave a
 * silo tenant's id 63 − 34 − this many characters; 24 still leaves it 5.
 */
export const MAX_STACK_NAME_LENGTH = 24;

const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$/;
const STAGE_PATTERN = /^[a-z][a-z0-9]*$/;

/** The stack name from CDK context (`read` looks a key up); throws a BulkheadSettingsError naming every problem. */
export function stackNameFromContext(read: (key: string) => unknown): string {
  const base: unknown = read(CONTEXT_KEYS.stackName) ?? DEFAULT_STACK_NAME;
  const stage: unknown = read(CONTEXT_KEYS.stage);
  const problems: string[] = [];
  if (typeof base !== 'string' || !STACK_NAME_PATTERN.test(base))
    problems.push(
      `context ${CONTEXT_KEYS.stackName} must start with a letter and hold only letters, digits and single inner hyphens, got ${JSON.stringify(base)}`,
    );
  if (stage !== undefined && (typeof stage !== 'string' || !STAGE_PATTERN.test(stage)))
    problems.push(
      `context ${CONTEXT_KEYS.stage} must be lowercase letters and digits, starting with a letter (e.g. dev, prod), got ${JSON.stringify(stage)}`,
    );
  if (problems.length > 0) throw new BulkheadSettingsError(problems);
  const name = stage === undefined ? String(base) : `${String(base)}-${String(stage)}`;
  if (name.length > MAX_STACK_NAME_LENGTH)
    throw new BulkheadSettingsError([
      `the stack name "${name}" is longer than ${MAX_STACK_NAME_LENGTH} characters (silo bucket names, at most 63, start with it)`,
    ]);
  return name;
}
