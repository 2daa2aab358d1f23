/**
 * The house Lambda construct: the platform's function defaults live here once
 * (arm64, latest Node runtime, ESM bundle with source maps, explicit log group,
 * active tracing), and every permission arrives through a bind method that sets
 * the environment variable together with its grant, so the two cannot drift.
 */
import { relative } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TENANT_ISOLATION_VARIABLE } from '../lambdas/http/environment-binding.js';
import { isRecord } from '../lambdas/is-record.js';
import { REPO_ROOT, repoPath } from './repo-root.js';
import { deployedValue } from './template/deployed-rendering.js';
import { ENTRY_METADATA_KEY } from './template/metadata-keys.js';

/** The newest Node.js runtime aws-cdk-lib 2.276 knows. */
export const HOUSE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * esbuild emits ESM; some bundled CommonJS dependencies still call `require`,
 * which ESM lacks, so the bundle defines one.
 */
/**
 * Lambda allows 4 KB for all of a function's environment variables together
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), and refuses a larger
 * environment only at deploy.
 */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4_096;

const ESM_REQUIRE_BANNER =
  "import { createRequire as __bulkheadCreateRequire } from 'node:module'; const require = __bulkheadCreateRequire(import.meta.url);";

export type TableAccess = 'read' | 'readWrite';

export interface HouseFunctionProps {
  /** Repo-relative path of the handler source, e.g. `lambdas/handlers/api.ts`; it must export `handler`. */
  readonly entry: string;
  /** What the function is for; becomes the function description. */
  readonly description: string;
  /**
   * Extra environment variables. Bind methods add the resource-bound ones.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Memory in MiB.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Concurrent executions reserved (and allowed) for the function; 1 runs it one at a time.
   * @default - none reserved: the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /**
   * Timeout.
   * @default Duration.seconds(29) (API Gateway's integration limit)
   */
  readonly timeout?: Duration;
  /**
   * Log retention of the function's explicit log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Lambda tenant isolation mode: each execution environment serves one tenant. The function
   * is then told so (`TENANT_ISOLATION`), and its handler refuses any other tenant's request.
   * @default - none (environments are shared by every tenant)
   */
  readonly tenancyConfig?: lambda.TenancyConfig;
}

/** A Node.js Lambda function with the house defaults and env-plus-grant bind methods. */
export class HouseFunction extends Construct {
  /** The function itself. */
  readonly function: nodejs.NodejsFunction;
  /** Its execution role; it starts with nothing but log writes and X-Ray. */
  readonly role: iam.Role;
  /** The function's explicit log group. */
  readonly logGroup: logs.LogGroup;
  /** The repo-relative entry recorded in the template metadata. */
  readonly entry: string;
  /** True when the function runs in Lambda tenant isolation mode. */
  readonly tenantIsolated: boolean;
  private readonly props: HouseFunctionProps;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    this.props = props;
    const isolationMode = props.tenancyConfig?.tenancyConfigProperty.tenantIsolationMode;
    this.tenantIsolated = isolationMode !== undefined;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // An explicit role keeps AWS managed policies off it: log writes are granted
    // on this function's log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      // house defaults
      runtime: HOUSE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(29),
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      tracing: lambda.Tracing.ACTIVE,
      description: props.description,
      // caller environment, then what the construct forces
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
        ...(isolationMode === undefined ? {} : { [TENANT_ISOLATION_VARIABLE]: isolationMode }),
      },
      ...(props.tenancyConfig === undefined ? {} : { tenancyConfig: props.tenancyConfig }),
      // forced: the source, its role, its log group and the bundle shape
      entry: repoPath(props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: repoPath('package-lock.json'),
      role: this.role,
      logGroup: this.logGroup,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: nodejs.SourceMapMode.DEFAULT,
        // --enable-source-maps parses the map at module load: without the sources' text it is a third
        // of the size, and stack traces still name the source file and line.
        sourcesContent: false,
        target: 'node24',
        // The runtime's bundled SDK may lag the clients we use (S3 Vectors): ship ours.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });
    const cfnFunction = this.function.node.defaultChild;
    if (!(cfnFunction instanceof lambda.CfnFunction))
      throw new Error('NodejsFunction has no CfnFunction child');
    cfnFunction.addMetadata(ENTRY_METADATA_KEY, relative(REPO_ROOT, repoPath(props.entry)));
    // At synth, once every binding has added its variable.
    this.node.addValidation({ validate: () => environmentSizeProblems(cfnFunction, props.entry) });
  }

  /**
   * The same function (entry, settings, construction-time environment) in Lambda tenant
   * isolation mode, beside this one. Bindings made after construction are not copied: bind
   * both through one list.
   */
  tenantIsolatedTwin(id: string): HouseFunction {
    const scope = this.node.scope;
    if (scope === undefined) throw new Error('a house function always has a scope');
    return new HouseFunction(scope, id, {
      ...this.props,
      description: `${this.props.description} (tenant-isolated: one tenant per execution environment)`,
      tenancyConfig: lambda.TenancyConfig.PER_TENANT,
    });
  }

  /** Sets `variable` to the table name and grants read or read-write on the table. */
  bindTable(variable: string, table: dynamodb.ITable, access: TableAccess): void {
    this.function.addEnvironment(variable, table.tableName);
    if (access === 'readWrite') table.grantReadWriteData(this.role);
    else table.grantReadData(this.role);
  }

  /** Sets `variable` to the secret's ARN and grants reading its value. */
  bindSecret(variable: string, secret: secretsmanager.ISecret): void {
    this.function.addEnvironment(variable, secret.secretArn);
    secret.grantRead(this.role);
  }

  /** Sets `variable` to the role's ARN and grants assuming it with session tags (nothing else on it). */
  bindAssumableRole(variable: string, role: iam.IRole): void {
    this.function.addEnvironment(variable, role.roleArn);
    // One statement per role (Sids must be unique): TENANT_ROLE_ARN → AssumeTENANTROLEARNWithTags.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: `Assume${variable.replace(/[^A-Za-z0-9]/g, '')}WithTags`,
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [role.roleArn],
      }),
    );
  }
}

/**
 * The problem, if the function's whole environment would not fit Lambda's 4 KB once deployed:
 * measured as its variables' JSON with the longest realistic names (lib/template/deployed-rendering.ts).
 */
function environmentSizeProblems(cfnFunction: lambda.CfnFunction, entry: string): string[] {
  const environment = deployedValue(cfnFunction, cfnFunction.environment);
  const variables = isRecord(environment) && isRecord(environment.variables) ? environment.variables : {};
  const bytes = Buffer.byteLength(JSON.stringify(variables));
  if (bytes <= LAMBDA_ENVIRONMENT_MAX_BYTES) return [];
  const largest = Object.entries(variables)
    .map(([name, value]) => [name, Buffer.byteLength(String(value))] as const)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([name, size]) => `${name} ${size}`)
    .join(', ');
  return [
    `the environment of ${entry} would take ${bytes} bytes once deployed, more than Lambda's ` +
      `${LAMBDA_ENVIRONMENT_MAX_BYTES} for all variables together (largest: ${largest}): ` +
      'configure fewer or shorter CORS origins (bulkhead:corsOrigins) or fewer models (bulkhead:modelCatalog)',
  ];
}
