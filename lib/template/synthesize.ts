/**
 * In-process synth of the real bulkhead stack (cdk-nag on, asset bundling
 * skipped), for the local cloud and the tests: everyone reads the very
 * template `cdk synth` would produce, minus the bundled code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBulkheadApp } from '../bulkhead-app.js';
import { asCfnTemplate, type CfnTemplate } from './cfn-template.js';

export interface SynthOptions {
  /**
   * CDK context, e.g. `{ 'bulkhead:oidcIssuer': 'http://127.0.0.1:4510', 'bulkhead:oidcAudience': 'bulkhead-local' }`.
   * @default - none (Cognito identity, RETAIN, default models)
   */
  readonly context?: Record<string, unknown>;
  /**
   * Run cdk-nag while synthesizing (it validates, it does not change the template).
   * @default true
   */
  readonly nagChecks?: boolean;
}

/** Context that skips NodejsFunction bundling for every stack: the template is what we need, not the code. */
export const SKIP_BUNDLING_CONTEXT: Readonly<Record<string, unknown>> = { 'aws:cdk:bundling-stacks': [] };

/** Synthesizes the bulkhead stack in-process and returns its CloudFormation template. */
export function synthesizeBulkheadTemplate(options: SynthOptions = {}): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'bulkhead-synth-'));
  try {
    const { app, stack } = buildBulkheadApp({
      context: { ...options.context, ...SKIP_BUNDLING_CONTEXT },
      outdir,
      nagChecks: options.nagChecks ?? true,
    });
    return asCfnTemplate(app.synth().getStackArtifact(stack.artifactId).template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
