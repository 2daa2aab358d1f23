import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildBulkheadApp } from '../../lib/bulkhead-app.js';
import { BulkheadSettingsError } from '../../lib/bulkhead-settings.js';
import { SKIP_BUNDLING_CONTEXT } from '../../lib/template/synthesize.js';

function synth(context: Record<string, unknown>) {
  const { stack } = buildBulkheadApp({ context: { ...context, ...SKIP_BUNDLING_CONTEXT }, nagChecks: false });
  return { stack, text: JSON.stringify(Template.fromStack(stack).toJSON()) };
}

function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    buildBulkheadApp({ context: { ...context, ...SKIP_BUNDLING_CONTEXT }, nagChecks: false });
  } catch (err) {
    if (err instanceof BulkheadSettingsError) return err.problems;
    throw err;
  }
  return [];
}

describe('the stack name (bulkhead:stackName, bulkhead:stage)', () => {
  it('is Bulkhead by default, and every derived name starts with it', () => {
    const { stack, text } = synth({});
    expect(stack.stackName).toBe('Bulkhead');
    expect(text).toContain('"PLATFORM_STACK_NAME":"Bulkhead"');
    expect(text).toContain('secret:Bulkhead/tenants/');
  });

  it('takes the stage as a suffix, so dev and prod can share an account without sharing a name', () => {
    const dev = synth({ 'bulkhead:stage': 'dev' });
    const prod = synth({ 'bulkhead:stackName': 'Agents', 'bulkhead:stage': 'prod' });
    expect(dev.stack.stackName).toBe('Bulkhead-dev');
    expect(prod.stack.stackName).toBe('Agents-prod');
    for (const [{ text }, name, other] of [
      [dev, 'Bulkhead-dev', 'Agents-prod'],
      [prod, 'Agents-prod', 'Bulkhead-dev'],
    ] as const) {
      expect(text).toContain(`"PLATFORM_STACK_NAME":"${name}"`);
      expect(text).toContain(`secret:${name}/tenants/`);
      expect(text).toContain(`table/${name}-silo-`);
      expect(text).toContain(`alias/${name}/silo/`);
      expect(text).not.toContain(other);
      expect(text).not.toContain('secret:Bulkhead/tenants/');
    }
  });

  it.each([
    [{ 'bulkhead:stage': 'Dev' }, 'bulkhead:stage must be lowercase letters and digits'],
    [{ 'bulkhead:stage': 'dev-1' }, 'bulkhead:stage must be lowercase letters and digits'],
    [{ 'bulkhead:stage': 7 }, 'bulkhead:stage must be lowercase letters and digits'],
    [{ 'bulkhead:stackName': '1bulkhead' }, 'bulkhead:stackName must start with a letter'],
    [{ 'bulkhead:stackName': 'bulk_head' }, 'bulkhead:stackName must start with a letter'],
    [{ 'bulkhead:stackName': 'bulk--head' }, 'bulkhead:stackName must start with a letter'],
    [{ 'bulkhead:stackName': 'AVeryLongPlatformName', 'bulkhead:stage': 'staging' }, 'is longer than 24'],
  ])('refuses %j with a readable problem', (context, problem) => {
    expect(problemsOf(context).join('\n')).toContain(problem);
  });
});
