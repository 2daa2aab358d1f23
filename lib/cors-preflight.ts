/**
 * CORS at the gateway (docs/identity.md#cors): the preflight `OPTIONS` method of a resource,
 * answered by API Gateway itself (a MOCK integration, no authorizer: browsers send preflights
 * without credentials), and the CORS headers of the gateway's own error answers.
 *
 * Not `defaultCorsPreflightOptions`: with several origins CDK answers every preflight with the
 * first origin as a static header and overrides it from a template for the others, and the static
 * header has been seen to win (aws-cdk#30453); it also sends that first origin to an origin that
 * is not allowed. Here the allow-origin is set only by the template, only for an allowed origin.
 */
import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import {
  CORS_ALLOWED_HEADERS,
  CORS_ALLOWED_METHODS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
} from '../lambdas/http/cors.js';

const PREFLIGHT_STATUS = '204';

/** What a value written into the template may contain: an origin's characters, none of VTL's. */
const TEMPLATE_SAFE = /^[A-Za-z0-9:/.[\]-]+$/;

/**
 * `value` as a double-quoted VTL string literal. Defence in depth behind the settings' origin
 * check: a value that could end the literal (`"`) or start VTL inside it (`$`, `#`) is refused
 * at synth rather than escaped, since no origin contains one.
 */
function vtlStringLiteral(value: string): string {
  if (!TEMPLATE_SAFE.test(value))
    throw new Error(
      `cors origin ${JSON.stringify(value)} has characters a preflight template may not contain`,
    );
  return `"${value}"`;
}

/**
 * The origins a preflight allows: the configured ones (strings, checked), and the origin this app
 * builds for its web console, which may be a token (`https://` + the distribution's domain name,
 * known at deploy: CloudFront's letters, digits and dots).
 */
export interface CorsOrigins {
  readonly configured: readonly string[];
  readonly console?: string;
}

/** Every allowed origin, the console's last. */
export function allCorsOrigins(origins: CorsOrigins): string[] {
  return [...origins.configured, ...(origins.console === undefined ? [] : [origins.console])];
}

/** The console's origin as a VTL literal: a token of ours is written as is, a string is checked like any. */
function consoleOriginLiteral(origin: string): string {
  return Token.isUnresolved(origin) ? `"${origin}"` : vtlStringLiteral(origin);
}

/** The response mapping template: echoes `Origin` as the allow-origin when it is one of `origins`. */
export function preflightTemplate(origins: CorsOrigins): string {
  const literals = [
    ...origins.configured.map(vtlStringLiteral),
    ...(origins.console === undefined ? [] : [consoleOriginLiteral(origins.console)]),
  ];
  const condition = literals.map((literal) => `$origin == ${literal}`).join(' || ');
  return [
    // The header only (not `$input.params("Origin")`, which also reads the path and query string).
    '#set($origin = $input.params().header.get("Origin"))',
    '#if(!$origin)',
    '#set($origin = $input.params().header.get("origin"))',
    '#end',
    `#if(${condition})`,
    '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
    '#end',
  ].join('\n');
}

/** Adds the preflight `OPTIONS` method for `origins` to `resource`. */
export function addCorsPreflight(resource: apigateway.IResource, origins: CorsOrigins): apigateway.Method {
  const literalHeaders: Record<string, string> = {
    'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS.join(','),
    'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS.join(','),
    'Access-Control-Max-Age': String(Duration.seconds(CORS_MAX_AGE_SECONDS).toSeconds()),
    Vary: 'Origin',
  };
  const integrationHeaders = Object.fromEntries(
    Object.entries(literalHeaders).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`]),
  );
  const declared = Object.fromEntries(
    [...Object.keys(literalHeaders), 'Access-Control-Allow-Origin'].map((name) => [
      `method.response.header.${name}`,
      true,
    ]),
  );
  const method = resource.addMethod(
    'OPTIONS',
    new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{ "statusCode": 200 }' },
      integrationResponses: [
        {
          statusCode: PREFLIGHT_STATUS,
          responseParameters: integrationHeaders,
          responseTemplates: { 'application/json': preflightTemplate(origins) },
        },
      ],
    }),
    {
      // No authorizer, no required Authorization header (the API's defaults): a preflight has neither.
      authorizationType: apigateway.AuthorizationType.NONE,
      requestParameters: {},
      methodResponses: [{ statusCode: PREFLIGHT_STATUS, responseParameters: declared }],
    },
  );
  const reason =
    'A CORS preflight carries no credentials (Fetch standard); API Gateway answers it itself (MOCK) with headers only.';
  Validations.of(method).acknowledge(
    { id: 'AwsSolutions-APIG4', reason },
    { id: 'AwsSolutions-COG4', reason },
  );
  return method;
}

/**
 * The CORS headers of a gateway response (the authorizer's 401, 403, throttling's 429, 5xx). A
 * gateway response cannot branch on the request, so it echoes the request's `Origin`: its body is
 * an error code, a fixed message and a request id, never data, and no credentials ride on it
 * (bearer tokens, no Allow-Credentials), so every caller may read it — while a single static
 * origin would leave the errors unreadable to every other configured origin.
 */
export function gatewayResponseCorsHeaders(): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': 'method.request.header.Origin',
    'Access-Control-Expose-Headers': `'${CORS_EXPOSED_HEADERS.join(', ')}'`,
    Vary: "'Origin'",
  };
}
