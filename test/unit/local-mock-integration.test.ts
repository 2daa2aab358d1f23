/** The local API Gateway's MOCK methods and gateway-response headers, evaluated from the template's own values. */
import { describe, expect, it } from 'vitest';
import { preflightTemplate } from '../../lib/cors-preflight.js';
import type { MockRouteSpec } from '../../lib/template/local-resolution.js';
import { gatewayResponseHeaders, gatewaySettings } from '../../local/api-gateway/gateway-settings.js';
import { mockResponse } from '../../local/api-gateway/mock-integration.js';

const ORIGINS = ['https://app.example.com', 'http://localhost:5173'];
const PREFLIGHT: MockRouteSpec = {
  method: 'OPTIONS',
  path: '/v1/{proxy+}',
  restApiLogicalId: 'Api',
  statusCode: 204,
  headers: { 'Access-Control-Allow-Methods': 'GET,POST', Vary: 'Origin' },
  responseTemplate: preflightTemplate({ configured: ORIGINS }),
};

describe('a local MOCK method', () => {
  it('answers with its status and literal headers, and the allow-origin the template sets for a listed origin', () => {
    for (const origin of ORIGINS) {
      expect(mockResponse(PREFLIGHT, { origin })).toEqual({
        statusCode: 204,
        headers: {
          'Access-Control-Allow-Methods': 'GET,POST',
          Vary: 'Origin',
          'Access-Control-Allow-Origin': origin,
        },
      });
    }
  });

  it('sets no allow-origin for another origin or none', () => {
    for (const headers of [
      { origin: 'https://evil.example.net' },
      { origin: 'https://app.example.com:444' },
      {},
    ]) {
      expect(mockResponse(PREFLIGHT, headers).headers).not.toHaveProperty('Access-Control-Allow-Origin');
    }
  });

  it('refuses, by name, template directives it does not evaluate', () => {
    const foreach: MockRouteSpec = { ...PREFLIGHT, responseTemplate: '#foreach($x in $list)\n#end' };
    const body: MockRouteSpec = { ...PREFLIGHT, responseTemplate: '$input.json("$")' };

    expect(() => mockResponse(foreach, {})).toThrow(/does not evaluate "#foreach/);
    expect(() => mockResponse(body, {})).toThrow(/does not evaluate "\$input.json/);
  });
});

describe('local gateway-response headers', () => {
  const settings = gatewaySettings({
    Resources: {
      Unauthorized: {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: {
          ResponseType: 'UNAUTHORIZED',
          ResponseParameters: {
            'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
            'gatewayresponse.header.Vary': "'Origin'",
          },
          ResponseTemplates: { 'application/json': '{}' },
        },
      },
      Default4xx: {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: {
          ResponseType: 'DEFAULT_4XX',
          ResponseParameters: { 'gatewayresponse.header.X-Fallback': "'yes'" },
        },
      },
    },
  });

  it('maps literals and request headers, leaving out a request header the request lacks', () => {
    expect(
      gatewayResponseHeaders(settings, 'UNAUTHORIZED', 'DEFAULT_4XX', { origin: 'https://a.example' }),
    ).toEqual({ 'Access-Control-Allow-Origin': 'https://a.example', Vary: 'Origin' });
    expect(gatewayResponseHeaders(settings, 'UNAUTHORIZED', 'DEFAULT_4XX', {})).toEqual({ Vary: 'Origin' });
  });

  it("uses the fallback's headers for a response type the template does not define", () => {
    expect(gatewayResponseHeaders(settings, 'THROTTLED', 'DEFAULT_4XX', {})).toEqual({ 'X-Fallback': 'yes' });
  });

  it('refuses a mapping it does not model', () => {
    expect(() =>
      gatewaySettings({
        Resources: {
          Odd: {
            Type: 'AWS::ApiGateway::GatewayResponse',
            Properties: {
              ResponseType: 'DEFAULT_5XX',
              ResponseParameters: { 'gatewayresponse.header.X': 'context.authorizer.tenantId' },
            },
          },
        },
      }),
    ).toThrow(/DEFAULT_5XX maps gatewayresponse.header.X from context.authorizer.tenantId/);
  });
});
