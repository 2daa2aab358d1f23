/** Builds the real bulkhead app for CDK assertions, without bundling assets. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { type BulkheadApp, buildBulkheadApp } from '../../lib/bulkhead-app.js';
import { HANDLER_ENTRIES } from '../../lib/bulkhead-stack.js';
import { SKIP_BUNDLING_CONTEXT } from '../../lib/template/synthesize.js';

/** A fresh app + stack from `context`, bundling skipped, assembly in a temp dir. */
export function testApp(context: Record<string, unknown> = {}): BulkheadApp {
  return buildBulkheadApp({
    context: { ...context, ...SKIP_BUNDLING_CONTEXT },
    outdir: mkdtempSync(join(tmpdir(), 'bulkhead-test-')),
  });
}

/** The assertions Template of the stack built from `context` (synth runs cdk-nag too). */
export function testTemplate(context: Record<string, unknown> = {}): Template {
  return Template.fromStack(testApp(context).stack);
}

/** The functions behind the API that serve tenants and operators (not the authorizer, not the digester). */
export const API_ENTRIES: readonly unknown[] = [
  HANDLER_ENTRIES.control,
  HANDLER_ENTRIES.api,
  HANDLER_ENTRIES.chatStream,
];

/**
 * The house functions (lib/house-function.ts: each records its `bulkhead:entry`) by logical id:
 * every Lambda function of the app except CDK's BucketDeployment handler (the console's deployment).
 */
export function houseFunctions(template: Template): ReturnType<Template['findResources']> {
  return template.findResources('AWS::Lambda::Function', {
    Metadata: { 'bulkhead:entry': Match.anyValue() },
  });
}
