/**
 * startLocalCloud: the whole local cloud on 127.0.0.1 — JWT issuer, DynamoDB Local, S3,
 * S3 Vectors, STS, Secrets Manager, KMS, CloudFormation (stacks from the silo template), the
 * stand-in model (or an OpenAI-compatible model server), the front door that enforces IAM, and
 * the local API Gateway running the real handlers — deployed from the synthesized template.
 */
import { join } from 'node:path';
import { type ClaimNames, DEFAULT_CLAIM_NAMES, parseClaimsSetting } from '../lambdas/auth/claim-names.js';
import { tenantTagFor } from '../lambdas/tenancy/request-context.js';
import { repoPath } from '../lib/repo-root.js';
import type { CfnTemplate } from '../lib/template/cfn-template.js';
import { LOCAL_ACCOUNT, restApiOfOutput } from '../lib/template/local-resolution.js';
import { startApiGateway } from './api-gateway/api-gateway.js';
import { FunctionHost } from './api-gateway/function-host.js';
import { FunctionHosts } from './api-gateway/function-hosts.js';
import { gatewaySettings } from './api-gateway/gateway-settings.js';
import { type ApiRequestRecord, apiRequestRecord } from './api-request-record.js';
import { type CloudModel, cloudModelFromTemplate, type LocalFunction } from './cloud-model.js';
import { DEMO_USERS } from './demo-users.js';
import { CloudFormationEmulator, type StackView, serviceRoleSessions } from './emulators/cloudformation.js';
import { startDynamoDbLocal } from './emulators/dynamodb-local.js';
import { type JwtIssuer, startJwtIssuer } from './emulators/jwt-issuer.js';
import { KmsEmulator } from './emulators/kms.js';
import { startS3Emulator } from './emulators/s3.js';
import { S3VectorsEmulator } from './emulators/s3-vectors.js';
import { SecretsManagerEmulator } from './emulators/secrets-manager.js';
import { StandInModel } from './emulators/stand-in-model.js';
import { StsEmulator } from './emulators/sts.js';
import type { TableKeys } from './front-door/dynamodb-request.js';
import type { DynamoDbUnitsListener } from './front-door/dynamodb-units.js';
import { type Denial, type ForwardedCall, startFrontDoor } from './front-door/front-door.js';
import { InjectedFaults } from './front-door/injected-faults.js';
import { PolicyEvaluator } from './front-door/policy-evaluator.js';
import { CredentialRegistry, type Credentials } from './front-door/principals.js';
import { vectorBucketArnPrefix } from './front-door/s3vectors-request.js';
import { TenantCalls } from './front-door/tenant-calls.js';
import { FunctionLogs } from './function-logs.js';
import { startInspector } from './inspector.js';
import { chooseModelBackend } from './model-backend/model-backends.js';
import { ModelRecord } from './model-backend/model-record.js';
import type { ModelServerOptions } from './model-backend/openai-compatible-model.js';
import { deployPlatformResources, ResourceProvisioner } from './resource-provisioner.js';
import { LocalScheduler } from './scheduler.js';
import {
  bindIssuer,
  CONSOLE_ORIGIN_PLACEHOLDER,
  placeholderTemplates,
  stackTemplatesByUrl,
} from './synthesis/local-template.js';
import { TtlSweeper } from './ttl-sweeper.js';

export const LOCAL_AUDIENCE = 'bulkhead-local';
/** How long the local functions wait for every cached registry view to change (the cache keeps 15 s). */
export const LOCAL_REGISTRY_SETTLE_SECONDS = 16;

export interface LocalCloudOptions {
  /** Keep data between runs under this directory; in memory when absent. */
  readonly dataDir?: string;
  /** Fixed front-door port. @default 0 (any free port) */
  readonly frontDoorPort?: number;
  /** Fixed API Gateway port. @default 0 */
  readonly apiPort?: number;
  /** Fixed port of the silo tier's API (tenant-isolated functions). @default 0 */
  readonly siloApiPort?: number;
  /** Fixed JWT issuer port. @default 0 */
  readonly issuerPort?: number;
  /**
   * Where a person signing in to the issuer (code + PKCE) may be sent back to; loopback ports may
   * vary. @default DEFAULT_SIGN_IN_REDIRECT_URIS
   */
  readonly signInRedirectUris?: readonly string[];
  /** Fixed inspector port (see local/inspector.ts). @default 0 */
  readonly inspectorPort?: number;
  /**
   * Evaluate IAM at the front door. @default true
   * Only the deliberate-bug check sets false, to show the isolation tests fail without it.
   */
  readonly enforceIam?: boolean;
  /** Called with every front-door denial. */
  readonly onDenied?: (denial: Denial) => void;
  /** Called with the service of every AWS call the functions make (the benchmark counts them). */
  readonly onAwsCall?: (service: string) => void;
  /** Called with every AWS call let through to its service: the caller's principal and the actions. */
  readonly onAwsCallForwarded?: (call: ForwardedCall) => void;
  /** Measurement mode: the read and write units of DynamoDB calls go to it while it is measuring (the bench sums them). */
  readonly dynamoDbUnits?: DynamoDbUnitsListener;
  /**
   * Also print the functions' log lines on this process's stdout/stderr (they are always
   * captured; see `functionLogs` and the inspector's `/logs`). @default true
   */
  readonly echoFunctionLogs?: boolean;
  /**
   * Told of every API request once answered (both APIs): the `npm start` console's one line per
   * request. Carries the opaque tenant tag the functions log, never the raw tenant id.
   */
  readonly onApiRequest?: (record: ApiRequestRecord) => void;
  /** Run scheduled functions (the audit digester) on their rate, as `npm start` does. @default false (tests trigger them) */
  readonly runSchedules?: boolean;
  /**
   * Answer Bedrock calls with an OpenAI-compatible model server (Ollama, llama.cpp, vLLM, LM
   * Studio) behind the same front door. @default none: the stand-in model answers
   */
  readonly modelServer?: ModelServerOptions;
  /**
   * Deployment settings as CDK context (`bulkhead:claims`, `bulkhead:corsOrigins`, ...) the
   * template is synthesized with; the issuer is always the local one. The local issuer mints its
   * tokens with the claim names `bulkhead:claims` gives.
   * @default - none
   */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * The web console's origin (local/console-server.ts): added to `bulkhead:corsOrigins`, through a
   * placeholder so the cached template does not depend on the console's port.
   * @default - none
   */
  readonly consoleOrigin?: string;
}

export interface LocalCloud {
  /** The AWS_ENDPOINT_URL every SDK client uses. */
  readonly endpoint: string;
  /**
   * The emulators themselves, behind the front door: what the account's root (or a console)
   * would see and do, with no IAM in the way — for tests' raw listings and forgeries.
   */
  readonly emulatorEndpoints: { readonly dynamoDb: string; readonly s3: string };
  /** The REST API, served by the real handlers. */
  readonly apiEndpoint: string;
  /** The silo tier's REST API: tenant routes run in one worker per (function, tenant). */
  readonly siloApiEndpoint: string;
  /** The model's record and usage, fault injection, vector indexes, function logs (local/inspector.ts). */
  readonly inspectorEndpoint: string;
  readonly region: string;
  readonly issuer: JwtIssuer;
  readonly model: CloudModel;
  readonly template: CfnTemplate;
  readonly standInModel: StandInModel;
  /** Every model call's request, usage and outcome, whichever backend answered (the inspector's `/model/*`). */
  readonly modelRecord: ModelRecord;
  /** Which backend answers model calls (for the start banner). */
  readonly modelBackend: string;
  /** Every line the functions wrote to stdout/stderr (their logs and metrics). */
  readonly functionLogs: FunctionLogs;
  /** Every `TenantId` / `UserId` session tag the local STS has minted. */
  sessionIdentities(): { tenantIds: string[]; userIds: string[] };
  /** Every secret value Secrets Manager has held (the log-hygiene scan must find none of them). */
  secretValues(): string[];
  /** Every stack the local CloudFormation has created, deleted ones too (also the inspector's `/cloudformation/stacks`). */
  stacks(): StackView[];
  /** A function's own (execution-role) credentials, as Lambda would hand them to it. */
  functionCredentials(functionLogicalId: string): Credentials;
  /** Lambda's Invoke of a function (`tenantId`: `X-Amz-Tenant-Id`), straight to a worker: its result. */
  invoke(functionLogicalId: string, tenantId: string | undefined, event: unknown): Promise<unknown>;
  /** Environment a function runs with: the template's, plus endpoint, region and its credentials. */
  functionEnvironment(fn: LocalFunction): Record<string, string>;
  /** A fault for tests: stops DynamoDB Local (the front door then cannot reach it); data on disk stays. */
  stopDynamoDb(): Promise<void>;
  stop(): Promise<void>;
}

/** The claim names `bulkhead:claims` in `context` gives (synthesis refuses an invalid value). */
function localClaimNames(context: Readonly<Record<string, unknown>>): ClaimNames {
  return { ...DEFAULT_CLAIM_NAMES, ...parseClaimsSetting(context['bulkhead:claims']).data };
}

/**
 * Synthesizes the template, starts every emulator and the front door, and deploys the template's
 * resources. The slow parts overlap: the DynamoDB Local JVM, S3, the issuer and the template
 * (cached, or synthesized in a worker thread) all start at once, and the function workers load
 * their handlers while the resources are deployed (handler init code makes no AWS calls).
 */
/** The context with the console's placeholder origin among the CORS origins (a comma list or a list). */
function withConsoleOrigin(
  context: Readonly<Record<string, unknown>>,
  consoleOrigin: string | undefined,
): Readonly<Record<string, unknown>> {
  if (consoleOrigin === undefined) return context;
  const given = context['bulkhead:corsOrigins'];
  const origins =
    typeof given === 'string'
      ? given
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin !== '')
      : Array.isArray(given)
        ? given
        : [];
  return { ...context, 'bulkhead:corsOrigins': [...origins, CONSOLE_ORIGIN_PLACEHOLDER] };
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const account = LOCAL_ACCOUNT;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => console.error('stop failed', err));
  };
  /** Registers a piece's stop as soon as it is up, so a failure elsewhere still stops it. */
  const track = <T extends { stop(): Promise<void> }>(starting: Promise<T>): Promise<T> =>
    starting.then((piece) => {
      stops.push(() => piece.stop());
      return piece;
    });
  /** Waits for every start to settle (so each started piece is tracked), then rethrows the first failure. */
  const allStarted = async <T>(starting: readonly Promise<T>[]): Promise<T[]> => {
    await Promise.allSettled(starting);
    return Promise.all(starting);
  };
  try {
    const dataDir = options.dataDir;
    const dynamoDbStarting = track(
      startDynamoDbLocal(dataDir === undefined ? {} : { dataDir: join(dataDir, 'dynamodb') }),
    );
    const s3Starting = track(startS3Emulator(dataDir === undefined ? {} : { dataDir: join(dataDir, 's3') }));
    const context = withConsoleOrigin(options.context ?? {}, options.consoleOrigin);
    const issuerStarting = track(
      startJwtIssuer(LOCAL_AUDIENCE, options.issuerPort ?? 0, localClaimNames(context), {
        people: DEMO_USERS,
        ...(options.signInRedirectUris === undefined ? {} : { redirectUris: options.signInRedirectUris }),
      }),
    );
    const templatesText = placeholderTemplates(LOCAL_AUDIENCE, context);
    await allStarted<unknown>([dynamoDbStarting, s3Starting, issuerStarting, templatesText]);
    const [dynamoDb, s3, issuer] = [await dynamoDbStarting, await s3Starting, await issuerStarting];
    const templates = bindIssuer(await templatesText, issuer.issuer, options.consoleOrigin);
    const template = templates.platform;
    const model = cloudModelFromTemplate(template, account);
    const ttl = new TtlSweeper(dynamoDb.endpoint, account.region, model.tables);
    stops.push(() => ttl.stop());
    // `npm start` expires items as DynamoDB would; tests expire them when they choose.
    if (options.runSchedules) ttl.start(60_000, (err) => console.error('the TTL sweep failed', err));

    const registry = new CredentialRegistry(account.accountId);
    // Filled as tables and keys are deployed, at start and by stacks.
    const tableKeys = new Map<string, TableKeys>();
    const keyPolicies = new Map<string, unknown>();
    const evaluator = new PolicyEvaluator(model.roles, account.accountId, keyPolicies);
    const enforceIam = options.enforceIam ?? true;
    const vectors = new S3VectorsEmulator({
      bucketArnPrefix: vectorBucketArnPrefix(account.region, account.accountId),
      ...(dataDir === undefined ? {} : { dataFile: join(dataDir, 's3vectors.json') }),
    });
    stops.push(async () => vectors.save());
    const secrets = new SecretsManagerEmulator(account.region, account.accountId);
    const kms = new KmsEmulator(account.region, account.accountId);
    const provisioner = new ResourceProvisioner({
      region: account.region,
      dynamoDbEndpoint: dynamoDb.endpoint,
      s3,
      vectors,
      kms,
      secrets,
      tableKeys,
      keyPolicies,
    });
    stops.push(async () => provisioner.close());
    const cloudFormation = new CloudFormationEmulator({
      account,
      templates: stackTemplatesByUrl(model.functions, templates.silo),
      provisioner,
      authorize: enforceIam
        ? (principal, request) => evaluator.decide(principal, request)
        : async () => ({ allowed: true, detail: 'IAM enforcement is off' }),
      assumeServiceRole: serviceRoleSessions(evaluator, registry),
      ...(dataDir === undefined ? {} : { dataFile: join(dataDir, 'cloudformation.json') }),
    });
    stops.push(async () => {
      await cloudFormation.settled();
      cloudFormation.save();
    });
    const faults = new InjectedFaults();
    const tenantCalls = new TenantCalls();
    const modelRecord = new ModelRecord(() => secrets.values());
    const standInModel = new StandInModel(modelRecord);
    const models = await chooseModelBackend(standInModel, options.modelServer);
    const functionLogs = new FunctionLogs();
    const frontDoorStarting = track(
      startFrontDoor(
        {
          region: account.region,
          accountId: account.accountId,
          registry,
          evaluator,
          enforceIam,
          dynamoDb: { endpoint: dynamoDb.endpoint, tables: tableKeys },
          s3Endpoint: s3.endpoint,
          vectors,
          sts: new StsEmulator(registry, (arn) => evaluator.role(arn) !== undefined, account.accountId),
          secrets,
          kms,
          cloudFormation,
          faults,
          model: models.backend,
          ...(options.onDenied === undefined ? {} : { onDenied: options.onDenied }),
          ...(options.onAwsCall === undefined ? {} : { onCall: options.onAwsCall }),
          ...(options.onAwsCallForwarded === undefined ? {} : { onForwarded: options.onAwsCallForwarded }),
          ...(options.dynamoDbUnits === undefined ? {} : { dynamoDbUnits: options.dynamoDbUnits }),
          tenantCalls,
        },
        options.frontDoorPort ?? 0,
      ),
    );
    // Scheduled functions start with the hosts below; until then the inspector cannot run them.
    let scheduler: LocalScheduler | undefined;
    const schedules = {
      runAll: (options?: { at?: Date; only?: string }) =>
        scheduler?.runAll(options) ?? Promise.reject(new Error('the functions are still starting')),
    };
    let functionHosts: FunctionHosts | undefined;
    const stillStarting = () => Promise.reject(new Error('the functions are still starting'));
    const functions = {
      workers: () => functionHosts?.workers() ?? stillStarting(),
      invoke: async (logicalId: string, tenantId: string | undefined, event: unknown) =>
        (await (functionHosts?.host(logicalId, tenantId) ?? stillStarting())).invoke(event),
    };
    const inspectorStarting = track(
      startInspector(
        {
          model: modelRecord,
          vectors,
          logs: functionLogs,
          sessions: registry,
          secrets,
          schedules,
          functions,
          faults,
          ttl,
          cloudFormation,
          tenantCalls,
        },
        options.inspectorPort ?? 0,
      ),
    );
    await allStarted<unknown>([frontDoorStarting, inspectorStarting]);
    const frontDoor = await frontDoorStarting;
    const inspector = await inspectorStarting;

    const credentials = new Map(
      model.functions.map((fn) => [fn.logicalId, registry.issueFunctionCredentials(fn.roleArn, fn.name)]),
    );
    const functionCredentials = (logicalId: string): Credentials => {
      const found = credentials.get(logicalId);
      if (found === undefined) throw new Error(`no function ${logicalId} in the template`);
      return found;
    };
    const functionEnvironment = (fn: LocalFunction): Record<string, string> => {
      const own = functionCredentials(fn.logicalId);
      return {
        ...fn.environment,
        AWS_ENDPOINT_URL: frontDoor.endpoint,
        AWS_REGION: account.region,
        AWS_DEFAULT_REGION: account.region,
        AWS_ACCESS_KEY_ID: own.accessKeyId,
        AWS_SECRET_ACCESS_KEY: own.secretAccessKey,
        AWS_SESSION_TOKEN: own.sessionToken,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        // Connectors here are loopback servers (the demo MCP server, tests' fakes); the cloud refuses them.
        CONNECTOR_ALLOW_LOOPBACK: 'true',
        // Local requests are short: erasure and moves wait only for the registry cache (15 s).
        REGISTRY_SETTLE_SECONDS: String(LOCAL_REGISTRY_SETTLE_SECONDS),
      };
    };

    const output = { logs: functionLogs, echo: options.echoFunctionLogs ?? true };
    const startHost = (fn: LocalFunction, tenantId?: string) =>
      FunctionHost.start(fn.name, repoPath(fn.entry), functionEnvironment(fn), output, tenantId);
    // Pooled functions start now; a tenant-isolated one starts a worker per tenant on demand.
    const pooledFunctions = model.functions.filter((fn) => !fn.tenantIsolated);
    const hostsStarting = pooledFunctions.map((fn) => track(startHost(fn)));
    const provisioning = deployPlatformResources(model, provisioner, dataDir).then(() =>
      cloudFormation.restore(),
    );
    await allStarted<unknown>([...hostsStarting, provisioning]);
    const hosts = await Promise.all(hostsStarting);
    const hostOf = new Map(pooledFunctions.map((fn, n) => [fn.logicalId, hosts[n] as FunctionHost]));
    const running = new FunctionHosts(
      hostOf,
      new Map(
        model.functions
          .filter((fn) => fn.tenantIsolated)
          .map((fn) => [fn.logicalId, (tenantId: string) => startHost(fn, tenantId)]),
      ),
    );
    functionHosts = running;
    stops.push(() => running.stop());
    scheduler = new LocalScheduler(
      model.schedules.flatMap((spec) => {
        const host = hostOf.get(spec.functionLogicalId);
        const entry = model.functions.find((fn) => fn.logicalId === spec.functionLogicalId)?.entry;
        return host === undefined || entry === undefined ? [] : [{ entry, spec, host }];
      }),
      {
        autoRun: options.runSchedules ?? false,
        onError: (err) => console.error('a scheduled function failed', err),
      },
    );
    const started = scheduler;
    stops.push(() => started.stop());
    const tagOf = tenantTagOf(model, secrets);
    const { onApiRequest } = options;
    // Each REST API on its own port, found by the stack output that names it.
    const serveApi = (outputName: string, api: ApiRequestRecord['api'], port: number | undefined) => {
      const restApi = restApiOfOutput(template, outputName);
      return track(
        startApiGateway(
          {
            routes: model.routes.filter((route) => route.restApiLogicalId === restApi),
            mockRoutes: model.mockRoutes.filter((route) => route.restApiLogicalId === restApi),
            functions: running,
            settings: gatewaySettings(template),
            region: account.region,
            accountId: account.accountId,
            output,
            ...(onApiRequest === undefined
              ? {}
              : {
                  onRequest: (record) => onApiRequest(apiRequestRecord(record, api, tagOf(record.tenantId))),
                }),
          },
          port ?? 0,
        ),
      );
    };
    const gateway = await serveApi('ApiUrl', 'pool', options.apiPort);
    const siloGateway = await serveApi('SiloApiUrl', 'silo', options.siloApiPort);
    return {
      endpoint: frontDoor.endpoint,
      emulatorEndpoints: { dynamoDb: dynamoDb.endpoint, s3: s3.endpoint },
      apiEndpoint: gateway.endpoint,
      siloApiEndpoint: siloGateway.endpoint,
      inspectorEndpoint: inspector.endpoint,
      region: account.region,
      issuer,
      model,
      template,
      standInModel,
      modelRecord,
      modelBackend: models.description,
      functionLogs,
      sessionIdentities: () => registry.sessionIdentities(),
      secretValues: () => secrets.values(),
      stacks: () => cloudFormation.list(),
      invoke: (logicalId, tenantId, event) => functions.invoke(logicalId, tenantId, event),
      functionCredentials,
      functionEnvironment,
      stopDynamoDb: () => dynamoDb.stop(),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The functions' tenant tag of a tenant id, keyed by the tag secret in the local Secrets Manager. */
function tenantTagOf(
  model: CloudModel,
  secrets: SecretsManagerEmulator,
): (tenantId: string | undefined) => string | undefined {
  const secretArn = model.functions
    .map((fn) => fn.environment.TENANT_TAG_SECRET_ARN)
    .find((arn) => arn !== undefined);
  return (tenantId) => {
    const key = secretArn === undefined ? undefined : secrets.valueOf(secretArn);
    if (tenantId === undefined || key === undefined) return undefined;
    try {
      return tenantTagFor(tenantId, key);
    } catch {
      return undefined;
    }
  };
}
