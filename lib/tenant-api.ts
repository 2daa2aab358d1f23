/**
 * The public API: an API Gateway REST API whose every method is guarded by the
 * TOKEN authorizer, except `GET /v1/openapi.json` (the API's description, served
 * by the control function without a token). `/v1/admin/{proxy+}` goes to the control function,
 * `POST /v1/chat/stream` to the streaming chat function, `/v1/{proxy+}` to the
 * tenant API function; gateway-generated errors use the platform's error shape.
 *
 * Why REST and not HTTP API: REST supports Lambda response streaming (for chat
 * streaming), usage plans and WAF, and its Lambda TOKEN authorizer verifies
 * tokens from Cognito or any OIDC issuer with the same code that the local
 * cloud runs; HTTP API's native JWT authorizer cannot run locally.
 *
 * A route to a function in Lambda tenant isolation mode maps the authorizer's
 * verified tenant id to the `X-Amz-Tenant-Id` integration header, so Lambda
 * runs it in an execution environment of that tenant only (the silo API).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TENANT_ID_CONTEXT_KEY } from '../lambdas/auth/authorizer-policy.js';
import { MAX_AUTHORIZER_CACHE_SECONDS } from '../lambdas/config.js';
import {
  addCorsPreflight,
  allCorsOrigins,
  type CorsOrigins,
  gatewayResponseCorsHeaders,
} from './cors-preflight.js';
import type { HouseFunction } from './house-function.js';

/** The integration request parameter Lambda tenant isolation mode reads the tenant id from. */
export const TENANT_ID_INTEGRATION_HEADER = 'integration.request.header.X-Amz-Tenant-Id';

export interface ApiThrottling {
  /** Steady-state requests per second for the stage. */
  readonly rateLimit: number;
  /** Burst capacity for the stage. */
  readonly burstLimit: number;
}

/**
 * The stage's default throttle: room for many tenants at once (each is held to its own tier's
 * limits by the platform), well inside the account's default 10,000 req/s and 5,000 burst.
 */
export const DEFAULT_API_THROTTLING: ApiThrottling = { rateLimit: 1_000, burstLimit: 2_000 };

/** The largest stage throttle the settings accept: the account's default quotas per Region. */
export const MAX_API_THROTTLING: ApiThrottling = { rateLimit: 10_000, burstLimit: 5_000 };

/** How long API Gateway keeps the authorizer's answer per token: the longest a vended session allows. */
export const DEFAULT_AUTHORIZER_CACHE_SECONDS = MAX_AUTHORIZER_CACHE_SECONDS;

export interface TenantApiProps {
  /** The TOKEN authorizer (verifies the bearer JWT). */
  readonly authorizer: HouseFunction;
  /** Serves `/v1/{proxy+}`. A tenant-isolated function gets the tenant id header. */
  readonly apiFunction: HouseFunction;
  /** Serves `/v1/admin/{proxy+}` (platform operators). */
  readonly controlFunction: HouseFunction;
  /** Serves `POST /v1/chat/stream` with Lambda response streaming. A tenant-isolated function gets the tenant id header. */
  readonly chatStreamFunction: HouseFunction;
  /**
   * The API's description.
   * @default 'bulkhead tenant API'
   */
  readonly description?: string;
  /**
   * Another API that already owns API Gateway's account-level logging role (one setting per
   * account and Region: a second owner would fight over it); this API's stage then waits for it.
   * @default - this API creates and owns the setting
   */
  readonly accountLoggingOwner?: TenantApi;
  /**
   * Stage name.
   * @default 'prod'
   */
  readonly stageName?: string;
  /**
   * Stage-wide throttling (every tenant shares it; per-tenant limits are the platform's own).
   * @default DEFAULT_API_THROTTLING
   */
  readonly throttling?: ApiThrottling;
  /**
   * How long API access logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * How long API Gateway caches the authorizer's answer (a stage-wide Allow, the identity and the
   * vended session) per token.
   * @default DEFAULT_AUTHORIZER_CACHE_SECONDS
   */
  readonly authorizerCacheSeconds?: number;
  /**
   * Browser origins allowed to call the API (the configured ones, and the web console's): every
   * route gets a preflight `OPTIONS` answered by the gateway, and the gateway's error answers
   * carry CORS headers.
   * @default - none: no preflight methods, no CORS headers
   */
  readonly corsOrigins?: CorsOrigins;
}

/** The gateway's own error responses, in the `{ error: { code, message, requestId } }` shape. */
const GATEWAY_ERRORS: readonly { type: apigateway.ResponseType; code: string; message: string }[] = [
  // $context.error.messageString is already a quoted JSON string.
  {
    type: apigateway.ResponseType.UNAUTHORIZED,
    code: '"unauthorized"',
    message: '$context.error.messageString',
  },
  {
    type: apigateway.ResponseType.ACCESS_DENIED,
    code: '"forbidden"',
    message: '$context.error.messageString',
  },
  {
    type: apigateway.ResponseType.DEFAULT_4XX,
    code: '"bad_request"',
    message: '$context.error.messageString',
  },
  { type: apigateway.ResponseType.DEFAULT_5XX, code: '"internal_error"', message: '"Internal server error"' },
];

/** `GET /v1/openapi.json`: the one method without the authorizer. */
export const OPENAPI_DOCUMENT_PATH_PART = 'openapi.json';

/** Bearer JWTs only; anything else is rejected by the gateway before the authorizer runs. */
const BEARER_JWT = '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

/** The REST API, its authorizer, routes, stage settings and gateway responses. */
export class TenantApi extends Construct {
  readonly restApi: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: TenantApiProps) {
    super(scope, id);
    const throttling = props.throttling ?? DEFAULT_API_THROTTLING;

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const authorizer = new apigateway.TokenAuthorizer(this, 'TokenAuthorizer', {
      handler: props.authorizer.function,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      validationRegex: BEARER_JWT,
      resultsCacheTtl: Duration.seconds(props.authorizerCacheSeconds ?? DEFAULT_AUTHORIZER_CACHE_SECONDS),
    });

    const accountLoggingOwner = props.accountLoggingOwner;
    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      description: props.description ?? 'bulkhead tenant API',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // API Gateway writes logs only through the account-level CloudWatch role;
      // keep it on stack removal, other APIs in the account rely on it.
      cloudWatchRole: accountLoggingOwner === undefined,
      ...(accountLoggingOwner === undefined ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: props.stageName ?? 'prod',
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        // Route templates and opaque values only (DESIGN invariant 6): `resourcePath`, never `path`
        // (admin URLs name tenants and users); no caller IP, principal or authorizer context.
        accessLogFormat: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigateway.AccessLogField.contextRequestId(),
            requestTime: apigateway.AccessLogField.contextRequestTime(),
            httpMethod: apigateway.AccessLogField.contextHttpMethod(),
            resourcePath: apigateway.AccessLogField.contextResourcePath(),
            status: apigateway.AccessLogField.contextStatus(),
            protocol: apigateway.AccessLogField.contextProtocol(),
            responseLength: apigateway.AccessLogField.contextResponseLength(),
            responseLatency: apigateway.AccessLogField.contextResponseLatency(),
            errorType: apigateway.AccessLogField.contextErrorResponseType(),
          }),
        ),
        // Stage traces record the request URL, and admin URLs carry tenant and user ids; the
        // functions trace each request themselves, annotated with the opaque tenant tag only.
        tracingEnabled: false,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Request/response bodies would put prompts and documents into logs.
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
      },
      defaultMethodOptions: {
        authorizer,
        authorizationType: apigateway.AuthorizationType.CUSTOM,
        requestParameters: { 'method.request.header.Authorization': true },
      },
    });
    // Parameters: the Authorization header is required. Bodies: the proxy routes
    // carry no models, so the handlers validate bodies (zod) themselves.
    const validator = this.restApi.addRequestValidator('RequestValidator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const corsOrigins = props.corsOrigins ?? { configured: [] };
    const cors = allCorsOrigins(corsOrigins).length > 0;
    for (const { type, code, message } of GATEWAY_ERRORS) {
      this.restApi.addGatewayResponse(`Error-${type.responseType}`, {
        type,
        ...(cors ? { responseHeaders: gatewayResponseCorsHeaders() } : {}),
        templates: {
          'application/json': `{"error":{"code":${code},"message":${message},"requestId":"$context.requestId"}}`,
        },
      });
    }

    const v1 = this.restApi.root.addResource('v1');
    const buffered = apigateway.ResponseTransferMode.BUFFERED;
    const routes = [
      {
        resource: v1.addResource('admin').addResource('{proxy+}'),
        verb: 'ANY',
        fn: props.controlFunction,
        mode: buffered,
      },
      { resource: v1.addResource('{proxy+}'), verb: 'ANY', fn: props.apiFunction, mode: buffered },
      {
        resource: v1.addResource('chat').addResource('stream'),
        verb: 'POST',
        fn: props.chatStreamFunction,
        mode: apigateway.ResponseTransferMode.STREAM,
      },
    ];
    if (cors) {
      for (const { resource } of routes) addCorsPreflight(resource, corsOrigins);
    }
    for (const { resource, verb, fn, mode } of routes) {
      // A streamed integration may run as long as its function (up to 15 minutes); buffered ones
      // keep API Gateway's 29 s default.
      const timeout = mode === apigateway.ResponseTransferMode.STREAM ? fn.function.timeout : undefined;
      const method = resource.addMethod(
        verb,
        new apigateway.LambdaIntegration(fn.function, {
          allowTestInvoke: false,
          responseTransferMode: mode,
          ...(timeout === undefined ? {} : { timeout }),
          // Lambda refuses a tenant-isolated invocation without it; the value is the verified one.
          ...(fn.tenantIsolated
            ? {
                requestParameters: {
                  [TENANT_ID_INTEGRATION_HEADER]: `context.authorizer.${TENANT_ID_CONTEXT_KEY}`,
                },
              }
            : {}),
        }),
        { requestValidator: validator },
      );
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'The Lambda TOKEN authorizer verifies Cognito or any OIDC issuer (signature via JWKS, iss, aud, exp) and runs unchanged in the local cloud.',
      });
    }

    // The API's own description, for tools and code generators: no token (the control function's
    // pipeline serves it without a request context; every other route keeps the authorizer).
    const openApiResource = v1.addResource(OPENAPI_DOCUMENT_PATH_PART);
    if (cors) addCorsPreflight(openApiResource, corsOrigins);
    const openApiMethod = openApiResource.addMethod(
      'GET',
      new apigateway.LambdaIntegration(props.controlFunction.function, {
        allowTestInvoke: false,
        responseTransferMode: buffered,
      }),
      {
        authorizationType: apigateway.AuthorizationType.NONE,
        requestParameters: {},
      },
    );
    Validations.of(openApiMethod).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'GET /v1/openapi.json is the public API description (no tenant data); the control function serves it without resolving a caller.',
    });
    Validations.of(openApiMethod).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'GET /v1/openapi.json is public by design: it describes the API and reads no tenant data.',
    });

    Validations.of(this.restApi.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'WAF is a per-deployment choice (cost, rules); stage throttling and the authorizer guard the API by default.',
    });
    if (accountLoggingOwner === undefined) {
      Validations.of(this.restApi.node.findChild('CloudWatchRole')).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The AWS managed policy is the documented minimum for API Gateway account-level logging.',
      });
    } else {
      // The stage's execution logging needs the account's logging role set first.
      this.restApi.deploymentStage.node.addDependency(accountLoggingOwner.restApi.node.findChild('Account'));
    }
  }
}
