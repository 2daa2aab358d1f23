/**
 * Builds the bulkhead CDK app: the same construction for `cdk synth`
 * (bin/app.ts), the in-process template synth (lib/template/synthesize.ts)
 * and the infra tests. cdk-nag's AwsSolutions checks are on unless a caller
 * that only reads the template (the local cloud) turns them off.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { settingsFromContext } from './bulkhead-settings.js';
import { BulkheadStack } from './bulkhead-stack.js';
import { FEATURE_FLAGS } from './feature-flags.js';
import { stackNameFromContext } from './stack-name.js';

export interface BulkheadAppOptions {
  /**
   * Context values (`bulkhead:*` settings, CDK feature flags); values from the
   * CDK CLI (cdk.json, `-c`) override them.
   * @default - none
   */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * Where the cloud assembly is written.
   * @default - the CDK CLI's output directory, or a fresh temporary directory
   */
  readonly outdir?: string;
  /**
   * Run cdk-nag's AwsSolutions checks. They validate the template without
   * changing it; only a reader of an already-checked stack may skip them.
   * @default true
   */
  readonly nagChecks?: boolean;
}

export interface BulkheadApp {
  readonly app: App;
  readonly stack: BulkheadStack;
}

/** Creates the app (cdk-nag on by default) and the bulkhead stack configured from context. */
export function buildBulkheadApp(options: BulkheadAppOptions = {}): BulkheadApp {
  const app = new App({ context: { ...FEATURE_FLAGS, ...options.context }, outdir: options.outdir });
  if (options.nagChecks ?? true)
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  // The construct id is the CloudFormation stack name (lib/stack-name.ts).
  const stack = new BulkheadStack(
    app,
    stackNameFromContext((key) => app.node.tryGetContext(key)),
    {
      ...settingsFromContext(app.node),
      description: 'bulkhead: multi-tenant AI agent backend with IAM-enforced tenant isolation',
      // No CDKMetadata resource: it adds conditions the local template reader has no use for.
      analyticsReporting: false,
    },
  );
  return { app, stack };
}
