/**
 * The front door: the one endpoint every SDK client reaches through AWS_ENDPOINT_URL.
 *
 * For each request: read the SigV4 credential scope, refuse a wrong region or unknown service,
 * find the principal behind the access key (refusing unknown or expired keys), verify the
 * signature, map the request to IAM actions/resources/context keys (refusing what it cannot
 * map), evaluate them against the principal's policies, then forward to the emulator that
 * serves the service — or answer AccessDenied in that service's own error shape.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CloudFormationEmulator } from '../emulators/cloudformation.js';
import type { EmulatorResponse } from '../emulators/emulator-response.js';
import { namedJsonError } from '../emulators/emulator-response.js';
import type { KmsEmulator } from '../emulators/kms.js';
import type { S3VectorsEmulator } from '../emulators/s3-vectors.js';
import type { SecretsManagerEmulator } from '../emulators/secrets-manager.js';
import type { StsEmulator } from '../emulators/sts.js';
import type { ModelBackend, ModelResponse, StreamedModelResponse } from '../model-backend/model-backend.js';
import { closeServer, LOOPBACK, listenOnLoopback, readBody } from '../net.js';
import { bedrockIamRequests, modelCallOf } from './bedrock-request.js';
import { CloudFormationValidationError, cloudFormationIamRequests } from './cloudformation-request.js';
import { dynamoDbIamRequests, type TableKeys } from './dynamodb-request.js';
import { type DynamoDbUnitsListener, DynamoDbUnitsMeter } from './dynamodb-units.js';
import {
  type IamRequest,
  jsonObjectBody,
  type ParsedRequest,
  UnrecognizedRequestError,
} from './iam-request.js';
import { type InjectedFaults, unavailable } from './injected-faults.js';
import { kmsIamRequests } from './kms-request.js';
import type { PolicyEvaluator } from './policy-evaluator.js';
import type { CredentialRegistry, Principal } from './principals.js';
import { s3IamRequests } from './s3-request.js';
import { s3VectorsIamRequests, s3VectorsOperation } from './s3vectors-request.js';
import { secretsIamRequests } from './secrets-request.js';
import {
  awsQueryError,
  isServiceName,
  QUERY_NAMESPACES,
  refusal,
  type ServiceName,
  stsError,
} from './service-errors.js';
import { checkSignature, parseAuthorization } from './sigv4.js';
import { StsValidationError, stsIamRequests } from './sts-request.js';
import type { TenantCalls } from './tenant-calls.js';

export interface FrontDoorOptions {
  readonly region: string;
  readonly accountId: string;
  readonly registry: CredentialRegistry;
  readonly evaluator: PolicyEvaluator;
  /**
   * Evaluate IAM before forwarding. Only the deliberate-bug check turns this off, to show the
   * isolation tests fail without it; signatures are verified either way.
   */
  readonly enforceIam: boolean;
  /** Outages a test injects (answered after IAM allows the request). @default none */
  readonly faults?: InjectedFaults;
  readonly dynamoDb: { readonly endpoint: string; readonly tables: ReadonlyMap<string, TableKeys> };
  readonly s3Endpoint: string;
  readonly vectors: S3VectorsEmulator;
  readonly sts: StsEmulator;
  readonly secrets: SecretsManagerEmulator;
  readonly kms: KmsEmulator;
  /** Answers the Bedrock calls IAM allows: the stand-in model, or an OpenAI-compatible server. */
  readonly model: ModelBackend;
  /** Stacks from the platform's templates. @default none: CloudFormation calls are refused (AccessDenied) */
  readonly cloudFormation?: CloudFormationEmulator;
  /** The clock for session expiry and signing-time skew. @default Date.now */
  readonly now?: () => number;
  /** Called with every denial (for logs and debugging). */
  readonly onDenied?: (denial: Denial) => void;
  /** Called with every signed request's service, allowed or not: AWS calls are the cloud's cost and latency. */
  readonly onCall?: (service: ServiceName) => void;
  /** Called with every call allowed through to its service: who made it and what IAM was asked. */
  readonly onForwarded?: (call: ForwardedCall) => void;
  /**
   * Measurement mode (the bench): when set, every DynamoDB call made while it is `measuring()`
   * has its read and write units measured and reported to it (see dynamodb-units.ts); callers'
   * answers stay as they were.
   */
  readonly dynamoDbUnits?: DynamoDbUnitsListener;
  /** Counts each call of a known principal by the tenant its session is tagged with. */
  readonly tenantCalls?: Pick<TenantCalls, 'count'>;
}

export interface ForwardedCall {
  readonly service: ServiceName;
  readonly principalArn: string;
  readonly requests: readonly { readonly action: string; readonly resource: string }[];
}

export interface Denial {
  readonly service: string;
  readonly principal?: string;
  readonly reason: string;
}

export interface FrontDoor {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts the front door on `port` (0 = any free port). */
export async function startFrontDoor(options: FrontDoorOptions, port = 0): Promise<FrontDoor> {
  const listener = options.dynamoDbUnits;
  const unitsMeter =
    listener === undefined
      ? undefined
      : new DynamoDbUnitsMeter(options.dynamoDb.endpoint, (units) => listener.report(units));
  const server = createServer((incoming, outgoing) => {
    handle(options, unitsMeter, incoming, outgoing).catch((err: unknown) => {
      console.error('front door: internal error', err);
      if (!outgoing.headersSent) outgoing.writeHead(500, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ message: 'front door internal error' }));
    });
  });
  const boundPort = await listenOnLoopback(server, port);
  return { endpoint: `http://${LOOPBACK}:${boundPort}`, stop: () => closeServer(server) };
}

async function handle(
  options: FrontDoorOptions,
  unitsMeter: DynamoDbUnitsMeter | undefined,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const url = new URL(incoming.url ?? '/', 'http://front-door');
  const request: ParsedRequest = {
    method: incoming.method ?? 'GET',
    rawUrl: incoming.url ?? '/',
    rawPath: (incoming.url ?? '/').split('?')[0] ?? '/',
    query: url.searchParams,
    headers: incoming.headers,
    body: await readBody(incoming),
  };
  const requestId = randomUUID();
  const refuse = (
    service: ServiceName | undefined,
    kind: Parameters<typeof refusal>[1],
    reason: string,
    principal?: Principal,
  ) => {
    options.onDenied?.({ service: service ?? 'unknown', principal: principal?.arn, reason });
    send(outgoing, refusal(service, kind, reason, requestId), request.method);
  };

  const scope = parseAuthorization(request);
  if (scope === undefined) return refuse(undefined, 'AccessDenied', 'request is not SigV4-signed');
  if (!isServiceName(scope.service))
    return refuse(undefined, 'BadSignature', `unknown service ${scope.service}`);
  options.onCall?.(scope.service);
  const service = scope.service;
  if (scope.region !== options.region) {
    return refuse(
      service,
      'BadSignature',
      `credential scope region ${scope.region} is not ${options.region}`,
    );
  }
  const now = (options.now ?? Date.now)();
  const lookup = options.registry.lookup(scope.accessKeyId, now);
  if (lookup.status === 'unknown') return refuse(service, 'UnknownAccessKey', 'the access key is not known');
  if (lookup.status === 'expired') return refuse(service, 'ExpiredToken', 'the security token has expired');
  const { principal } = lookup;
  options.tenantCalls?.count(service, principal);
  const signature = await checkSignature(request, scope, principal.credentials, now);
  if (signature === 'skewed')
    return refuse(service, 'SkewedClock', 'signed more than 15 minutes away', principal);
  if (signature === 'invalid') return refuse(service, 'BadSignature', 'signature does not match', principal);

  let iamRequests: IamRequest[];
  try {
    iamRequests = iamRequestsFor(service, request, options);
  } catch (err) {
    if (err instanceof StsValidationError)
      return send(outgoing, stsError(400, 'ValidationError', err.message, requestId), request.method);
    if (err instanceof CloudFormationValidationError) {
      const answer = awsQueryError(
        QUERY_NAMESPACES.cloudformation,
        400,
        'ValidationError',
        err.message,
        requestId,
      );
      return send(outgoing, answer, request.method);
    }
    if (err instanceof UnrecognizedRequestError) {
      // Fail closed: a request we cannot map to IAM — or one signed for another service — is denied.
      return refuse(service, 'AccessDenied', `unrecognised ${service} request: ${err.message}`, principal);
    }
    throw err;
  }
  if (options.enforceIam) {
    for (const iamRequest of iamRequests) {
      const decision = await options.evaluator.decide(principal, iamRequest);
      if (!decision.allowed) {
        return refuse(
          service,
          'AccessDenied',
          `User: ${principal.arn} is not authorized to perform: ${iamRequest.action} on resource: ${iamRequest.resource} (${decision.detail})`,
          principal,
        );
      }
    }
  }
  if (options.faults?.take(iamRequests))
    return send(outgoing, unavailable(service, requestId), request.method);
  options.onForwarded?.({
    service,
    principalArn: principal.arn,
    requests: iamRequests.map(({ action, resource }) => ({ action, resource })),
  });
  if (service === 'dynamodb' && unitsMeter !== undefined && options.dynamoDbUnits?.measuring())
    return unitsMeter.forward(request, outgoing);
  await forward(service, request, principal, options, outgoing);
}

/** The IAM questions a request raises; STS GetCallerIdentity is the one call that needs none. */
function iamRequestsFor(
  service: ServiceName,
  request: ParsedRequest,
  options: FrontDoorOptions,
): IamRequest[] {
  const { region, accountId } = options;
  switch (service) {
    case 'dynamodb':
      return dynamoDbIamRequests(request, { region, accountId, tables: options.dynamoDb.tables });
    case 's3':
      return s3IamRequests(request);
    case 's3vectors':
      return s3VectorsIamRequests(request, region, accountId);
    case 'bedrock':
      return bedrockIamRequests(request, region, accountId);
    case 'secretsmanager':
      return secretsIamRequests(request, (id) => options.secrets.arnFor(id));
    case 'kms':
      return kmsIamRequests(request, (parsed) => options.kms.keyArnOf(parsed));
    case 'sts':
      return stsIamRequests(request);
    case 'cloudformation':
      return cloudFormationIamRequests(request, region, accountId);
  }
}

async function forward(
  service: ServiceName,
  request: ParsedRequest,
  principal: Principal,
  options: FrontDoorOptions,
  outgoing: ServerResponse,
): Promise<void> {
  switch (service) {
    case 'dynamodb':
      return proxy(options.dynamoDb.endpoint, request, outgoing);
    case 's3':
      return proxy(options.s3Endpoint, request, outgoing);
    case 's3vectors':
      return send(
        outgoing,
        options.vectors.handle(s3VectorsOperation(request), jsonObjectBody(request)),
        request.method,
      );
    case 'bedrock': {
      const answer = await modelAnswer(options, request, principal);
      return 'stream' in answer ? sendStream(outgoing, answer) : send(outgoing, answer, request.method);
    }
    case 'secretsmanager':
      return send(outgoing, options.secrets.handle(request), request.method);
    case 'kms':
      return send(outgoing, options.kms.handle(request), request.method);
    case 'sts':
      return send(outgoing, options.sts.handle(request, principal), request.method);
    case 'cloudformation': {
      const answer =
        options.cloudFormation?.handle(request, principal) ??
        refusal(service, 'AccessDenied', 'this front door serves no CloudFormation', randomUUID());
      return send(outgoing, answer, request.method);
    }
  }
}

/** The model backend's answer to an allowed Bedrock call. */
async function modelAnswer(
  options: FrontDoorOptions,
  request: ParsedRequest,
  principal: Principal,
): Promise<ModelResponse> {
  const call = modelCallOf(request);
  const body = jsonObjectBody(request);
  switch (call.operation) {
    case 'invoke':
      return options.model.embed(call.modelId, body, principal.tags);
    case 'invoke-with-response-stream':
      // Authorized like AWS; the local backends only speak Converse(Stream) and embeddings.
      return namedJsonError(
        400,
        'ValidationException',
        'the local model does not serve InvokeModelWithResponseStream',
      );
    default:
      return options.model.converse(call.modelId, call.operation === 'converse-stream', body, principal.tags);
  }
}

function send(outgoing: ServerResponse, response: EmulatorResponse, method: string): void {
  outgoing.writeHead(response.status, { ...response.headers, 'x-amzn-requestid': randomUUID() });
  outgoing.end(method === 'HEAD' ? undefined : response.body);
}

/** Writes a streamed body as it is produced; stops reading it (which cancels its source) if the caller goes away. */
async function sendStream(outgoing: ServerResponse, response: StreamedModelResponse): Promise<void> {
  outgoing.writeHead(response.status, { ...response.headers, 'x-amzn-requestid': randomUUID() });
  for await (const chunk of response.stream) {
    if (outgoing.destroyed) break;
    outgoing.write(chunk);
  }
  outgoing.end();
}

/** Forwards the request unchanged (same path, headers and body) to an emulator and streams the answer back. */
function proxy(endpoint: string, request: ParsedRequest, outgoing: ServerResponse): Promise<void> {
  const target = new URL(endpoint);
  // The body has been read whole, so it goes on with a plain content-length.
  const { 'transfer-encoding': _chunked, ...headers } = request.headers;
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.rawUrl,
        headers: { ...headers, 'content-length': String(request.body.length) },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on('end', resolve);
        answer.on('error', reject);
      },
    );
    // An emulator that is down answers as an AWS service does during an outage: 503 ServiceUnavailable.
    upstream.on('error', () => {
      if (!outgoing.headersSent)
        outgoing.writeHead(503, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'ServiceUnavailable',
        });
      outgoing.end(JSON.stringify({ __type: 'ServiceUnavailable', message: 'the service is unavailable' }));
      resolve();
    });
    upstream.end(request.body);
  });
}
