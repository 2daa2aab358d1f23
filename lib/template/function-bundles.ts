/**
 * Every Lambda function of the synthesized app with the very bundle `cdk synth` builds for it:
 * the app is synthesized with asset bundling on, so NodejsFunction runs esbuild with the house
 * function's own options (lib/house-function.ts) and nothing here restates them. Each function
 * comes with the environment its template gives it, intrinsics resolved as the local cloud does.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { isRecord } from '../../lambdas/is-record.js';
import { buildBulkheadApp } from '../bulkhead-app.js';
import { asCfnTemplate } from './cfn-template.js';
import { functionSpecs } from './local-resolution.js';

/** The file NodejsFunction writes for an ESM bundle. */
const ESM_BUNDLE_FILE = 'index.mjs';

export interface FunctionBundle {
  readonly logicalId: string;
  /** Repo-relative handler source. */
  readonly entry: string;
  /** Absolute path of the bundled handler module (the asset's `index.mjs`). */
  readonly bundlePath: string;
  /** Size of the minified bundle, without its source map. */
  readonly bundleBytes: number;
  /** The function's environment from the template, intrinsics resolved. */
  readonly environment: Readonly<Record<string, string>>;
}

/** Asset object key → staged asset directory, from the assembly's asset manifests. */
function assetDirectories(artifacts: readonly unknown[], outdir: string): Map<string, string> {
  const directories = new Map<string, string>();
  for (const artifact of artifacts) {
    if (!(artifact instanceof AssetManifestArtifact)) continue;
    for (const file of Object.values(artifact.contents.files ?? {})) {
      const sourcePath = file.source.path;
      if (sourcePath === undefined) continue;
      for (const destination of Object.values(file.destinations))
        directories.set(destination.objectKey, join(outdir, sourcePath));
    }
  }
  return directories;
}

/** X of `{ "Fn::GetAtt": [X, ...] }`. */
function getAttTarget(value: unknown): unknown {
  return isRecord(value) && Array.isArray(value['Fn::GetAtt']) ? value['Fn::GetAtt'][0] : undefined;
}

function objectKeyOf(code: unknown, logicalId: string): string {
  if (typeof code === 'object' && code !== null && 'S3Key' in code && typeof code.S3Key === 'string')
    return code.S3Key;
  throw new Error(`function ${logicalId} has no S3 asset code`);
}

/** Synthesizes the app into `outdir` with bundling on and returns every function's bundle. */
export function bundleFunctions(outdir: string): FunctionBundle[] {
  const { app, stack } = buildBulkheadApp({ outdir, nagChecks: false });
  const assembly = app.synth();
  const template = asCfnTemplate(assembly.getStackArtifact(stack.artifactId).template);
  const directories = assetDirectories(assembly.artifacts, outdir);
  const specs = functionSpecs(template);
  const houseIds = new Set(specs.map((spec) => spec.logicalId));
  // The one function that is not ours: CDK's handler of the console's BucketDeployment.
  const deploymentHandlers = new Set(
    Object.values(template.Resources)
      .filter((resource) => resource.Type === 'Custom::CDKBucketDeployment')
      .map((resource) => getAttTarget(resource.Properties?.ServiceToken)),
  );
  const strangers = Object.entries(template.Resources).filter(
    ([logicalId, resource]) =>
      resource.Type === 'AWS::Lambda::Function' &&
      !houseIds.has(logicalId) &&
      !deploymentHandlers.has(logicalId),
  );
  if (strangers.length > 0)
    throw new Error(
      `every Lambda function of the app must be a house function with a bulkhead:entry (or the console's deployment handler): ${strangers.map(([logicalId]) => logicalId).join(', ')}`,
    );
  return specs.map((spec) => {
    const objectKey = objectKeyOf(template.Resources[spec.logicalId]?.Properties?.Code, spec.logicalId);
    const directory = directories.get(objectKey);
    if (directory === undefined) throw new Error(`no staged asset for ${spec.logicalId} (${objectKey})`);
    const bundlePath = join(directory, ESM_BUNDLE_FILE);
    return {
      logicalId: spec.logicalId,
      entry: spec.entry,
      bundlePath,
      bundleBytes: statSync(bundlePath).size,
      environment: spec.environment,
    };
  });
}
