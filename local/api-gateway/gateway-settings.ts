/** What the local API Gateway reads from the template besides routes: authorizer settings and GatewayResponses. */
import type { CfnTemplate } from '../../lib/template/cfn-template.js';

export interface GatewaySettings {
  /** The TOKEN authorizer's IdentityValidationExpression: tokens that do not match never reach it. */
  readonly identityValidation?: RegExp;
  /** The TOKEN authorizer's AuthorizerResultTtlInSeconds (API Gateway's default: 300). */
  readonly authorizerCacheSeconds: number;
  /** `application/json` response templates by ResponseType (UNAUTHORIZED, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX). */
  readonly responseTemplates: Readonly<Record<string, string>>;
}

/** What API Gateway uses when the template leaves AuthorizerResultTtlInSeconds out. */
const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;

export function gatewaySettings(template: CfnTemplate): GatewaySettings {
  const responseTemplates: Record<string, string> = {};
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
  };
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
