/** What the local API Gateway reads from the template besides routes: authorizer settings and GatewayResponses. */
import type { IncomingHttpHeaders } from 'node:http';
import { isRecord } from '../../lambdas/is-record.js';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';

/** Where a gateway response header's value comes from: a literal, or a request header. */
export type HeaderSource = { readonly literal: string } | { readonly requestHeader: string };

export interface GatewaySettings {
  /** The TOKEN authorizer's IdentityValidationExpression: tokens that do not match never reach it. */
  readonly identityValidation?: RegExp;
  /** The TOKEN authorizer's AuthorizerResultTtlInSeconds (API Gateway's default: 300). */
  readonly authorizerCacheSeconds: number;
  /** `application/json` response templates by ResponseType (UNAUTHORIZED, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX). */
  readonly responseTemplates: Readonly<Record<string, string>>;
  /** Response headers by ResponseType, from each GatewayResponse's ResponseParameters. */
  readonly responseHeaders: Readonly<Record<string, Readonly<Record<string, HeaderSource>>>>;
}

const RESPONSE_HEADER = /^gatewayresponse\.header\.([A-Za-z0-9-]+)$/;
const LITERAL = /^'(.*)'$/s;
const REQUEST_HEADER = /^method\.request\.header\.([A-Za-z0-9-]+)$/;

/** The headers a GatewayResponse maps; only literals and request headers are modelled. */
function responseHeadersOf(parameters: unknown, responseType: string): Record<string, HeaderSource> {
  const headers: Record<string, HeaderSource> = {};
  for (const [parameter, value] of Object.entries(isRecord(parameters) ? parameters : {})) {
    const name = RESPONSE_HEADER.exec(parameter)?.[1];
    const literal = LITERAL.exec(String(value))?.[1];
    const requestHeader = REQUEST_HEADER.exec(String(value))?.[1];
    if (name !== undefined && literal !== undefined) headers[name] = { literal };
    else if (name !== undefined && requestHeader !== undefined) headers[name] = { requestHeader };
    else
      throw new Error(
        `GatewayResponse ${responseType} maps ${parameter} from ${String(value)}, which the local gateway does not model`,
      );
  }
  return headers;
}

/** What API Gateway uses when the template leaves AuthorizerResultTtlInSeconds out. */
const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;

export function gatewaySettings(template: CfnTemplate): GatewaySettings {
  const responseTemplates: Record<string, string> = {};
  const responseHeaders: Record<string, Record<string, HeaderSource>> = {};
  let identityValidation: RegExp | undefined;
  let authorizerCacheSeconds = DEFAULT_AUTHORIZER_TTL_SECONDS;
  for (const resource of Object.values(template.Resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::ApiGateway::GatewayResponse') {
      const templates = properties.ResponseTemplates;
      const json =
        typeof templates === 'object' && templates !== null
          ? Reflect.get(templates, 'application/json')
          : undefined;
      if (typeof properties.ResponseType === 'string' && typeof json === 'string') {
        responseTemplates[properties.ResponseType] = json;
      }
      if (typeof properties.ResponseType === 'string' && properties.ResponseParameters !== undefined)
        responseHeaders[properties.ResponseType] = responseHeadersOf(
          properties.ResponseParameters,
          properties.ResponseType,
        );
    }
    if (resource.Type === 'AWS::ApiGateway::Authorizer') {
      if (typeof properties.IdentityValidationExpression === 'string')
        identityValidation = new RegExp(properties.IdentityValidationExpression);
      if (typeof properties.AuthorizerResultTtlInSeconds === 'number')
        authorizerCacheSeconds = properties.AuthorizerResultTtlInSeconds;
    }
  }
  return {
    ...(identityValidation === undefined ? {} : { identityValidation }),
    authorizerCacheSeconds,
    responseTemplates,
    responseHeaders,
  };
}

/**
 * The headers of a gateway response to a request with `requestHeaders`: literals as they are, a
 * mapped request header's value when the request has it (none otherwise).
 */
export function gatewayResponseHeaders(
  settings: GatewaySettings,
  responseType: string,
  fallbackType: 'DEFAULT_4XX' | 'DEFAULT_5XX',
  requestHeaders: IncomingHttpHeaders,
): Record<string, string> {
  // The response type's own GatewayResponse if the template has one, else the fallback's.
  const own = responseType in settings.responseTemplates || responseType in settings.responseHeaders;
  const mapped = settings.responseHeaders[own ? responseType : fallbackType] ?? {};
  const headers: Record<string, string> = {};
  for (const [name, source] of Object.entries(mapped)) {
    const value = 'literal' in source ? source.literal : requestHeaders[source.requestHeader.toLowerCase()];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** Renders a GatewayResponse template (the two variables our templates use). */
export function renderGatewayResponse(
  settings: GatewaySettings,
  responseType: string,
  fallbackType: 'DEFAULT_4XX' | 'DEFAULT_5XX',
  message: string,
  requestId: string,
): string {
  const template = settings.responseTemplates[responseType] ?? settings.responseTemplates[fallbackType];
  if (template === undefined) return JSON.stringify({ message });
  return template
    .replaceAll('$context.error.messageString', JSON.stringify(message))
    .replaceAll('$context.requestId', requestId);
}
