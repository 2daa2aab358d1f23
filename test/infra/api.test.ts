/** The REST API: routes, TOKEN authorizer on every method, stage settings, error shape. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { asCfnTemplate } from '../../lib/template/cfn-template.js';
import { apiRoutes, functionSpecs, restApiOfOutput } from '../../lib/template/local-resolution.js';
import { testTemplate } from '../support/bulkhead-app.js';

let template: Template;
beforeAll(() => {
  // The routes alone: the web console's origin would add a CORS preflight (MOCK, no authorizer)
  // to every route, tested with CORS (identity-claims-cors.test.ts, console-hosting.test.ts).
  template = testTemplate({ 'bulkhead:console': false });
});

function functionIdOf(entry: string): string {
  const spec = functionSpecs(asCfnTemplate(template.toJSON())).find(
    (candidate) => candidate.entry === entry && !candidate.tenantIsolated,
  );
  if (!spec) throw new Error(`no function for ${entry}`);
  return spec.logicalId;
}

describe('routes', () => {
  it('send /v1/admin/{proxy+} to the control function, /v1/{proxy+} to the api function and POST /v1/chat/stream to the streaming function, all behind the authorizer', () => {
    const authorizer = functionIdOf('lambdas/handlers/authorizer.ts');
    const cfn = asCfnTemplate(template.toJSON());
    const restApiLogicalId = restApiOfOutput(cfn, 'ApiUrl');
    expect(apiRoutes(cfn).filter((route) => route.restApiLogicalId === restApiLogicalId)).toEqual(
      expect.arrayContaining([
        {
          method: 'ANY',
          path: '/v1/admin/{proxy+}',
          functionLogicalId: functionIdOf('lambdas/handlers/control.ts'),
          authorizerFunctionLogicalId: authorizer,
          streaming: false,
          restApiLogicalId,
        },
        {
          method: 'ANY',
          path: '/v1/{proxy+}',
          functionLogicalId: functionIdOf('lambdas/handlers/api.ts'),
          authorizerFunctionLogicalId: authorizer,
          streaming: false,
          restApiLogicalId,
        },
        {
          method: 'POST',
          path: '/v1/chat/stream',
          functionLogicalId: functionIdOf('lambdas/handlers/chat-stream.ts'),
          authorizerFunctionLogicalId: authorizer,
          streaming: true,
          restApiLogicalId,
        },
      ]),
    );
    // Four on the pool API, four on the silo API.
    template.resourceCountIs('AWS::ApiGateway::Method', 8);
  });

  it('serve GET /v1/openapi.json from the control function without the authorizer, on the pool and the silo API', () => {
    const cfn = asCfnTemplate(template.toJSON());
    const documentRoutes = apiRoutes(cfn).filter((route) => route.path === '/v1/openapi.json');

    expect(documentRoutes.map((route) => route.restApiLogicalId).sort()).toEqual(
      [restApiOfOutput(cfn, 'ApiUrl'), restApiOfOutput(cfn, 'SiloApiUrl')].sort(),
    );
    for (const route of documentRoutes)
      expect(route).toEqual({
        method: 'GET',
        path: '/v1/openapi.json',
        functionLogicalId: functionIdOf('lambdas/handlers/control.ts'),
        streaming: false,
        restApiLogicalId: route.restApiLogicalId,
      });
  });

  it('stream only the chat-stream integrations, through the response-streaming invocation path', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({
        ResponseTransferMode: 'STREAM',
        Uri: Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith(['/response-streaming-invocations'])]),
        }),
      }),
    });
    const modes = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
      (method) => method.Properties.Integration.ResponseTransferMode,
    );
    expect(modes.sort()).toEqual([...Array.from({ length: 6 }, () => 'BUFFERED'), 'STREAM', 'STREAM']);
  });

  it('give the streaming integration its function’s timeout, and the buffered ones the 29 s default', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const streams = methods.filter(
      (method) => method.Properties.Integration.ResponseTransferMode === 'STREAM',
    );

    expect(streams).toHaveLength(2);
    for (const stream of streams) {
      const streamFunction = Object.entries(functions).find(([logicalId]) =>
        JSON.stringify(stream.Properties.Integration.Uri).includes(logicalId),
      )?.[1];
      expect(streamFunction?.Properties.Timeout).toBe(300);
      expect(stream.Properties.Integration.TimeoutInMillis).toBe(300_000);
    }
    for (const method of methods.filter((m) => m.Properties.Integration.ResponseTransferMode === 'BUFFERED'))
      expect(method.Properties.Integration.TimeoutInMillis ?? 29_000).toBe(29_000);
  });

  it('guard every method but GET /v1/openapi.json with the custom authorizer and require the Authorization header', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const guarded = methods.filter((method) => method.Properties.AuthorizationType !== 'NONE');
    const open = methods.filter((method) => method.Properties.AuthorizationType === 'NONE');

    expect([guarded.length, open.length]).toEqual([6, 2]);
    for (const method of guarded)
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: expect.any(String) },
        RequestParameters: { 'method.request.header.Authorization': true },
        RequestValidatorId: { Ref: expect.any(String) },
        Integration: expect.objectContaining({ Type: 'AWS_PROXY' }),
      });
    for (const method of open) {
      expect(method.Properties).toMatchObject({
        HttpMethod: 'GET',
        Integration: expect.objectContaining({ Type: 'AWS_PROXY' }),
      });
      expect(method.Properties.AuthorizerId).toBeUndefined();
      expect(method.Properties.RequestParameters ?? {}).toEqual({});
    }
  });

  it('use a TOKEN authorizer on the Authorization header that accepts only bearer JWTs and caches each answer (with its vended session) for 50 minutes', () => {
    const authorizers = template.findResources('AWS::ApiGateway::Authorizer');
    expect(Object.keys(authorizers)).toHaveLength(2);
    for (const authorizer of Object.values(authorizers)) {
      expect(authorizer.Properties).toMatchObject({
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.Authorization',
        IdentityValidationExpression: expect.stringMatching(/^\^Bearer /),
        AuthorizerResultTtlInSeconds: 3000,
      });
    }
  });
});

describe('stage', () => {
  it('writes JSON access logs, throttles and keeps bodies out of execution logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        Match.objectLike({
          DataTraceEnabled: false,
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: 1_000,
          ThrottlingBurstLimit: 2_000,
        }),
      ],
    });
  });

  it('takes its throttle from bulkhead:apiRateLimit and bulkhead:apiBurstLimit, on the pool and the silo API alike', () => {
    const tuned = testTemplate({ 'bulkhead:apiRateLimit': 300, 'bulkhead:apiBurstLimit': 600 });
    const throttles = Object.values(tuned.findResources('AWS::ApiGateway::Stage')).map((stage) =>
      stage.Properties.MethodSettings.map((setting: Record<string, unknown>) => [
        setting.ThrottlingRateLimit,
        setting.ThrottlingBurstLimit,
      ]),
    );

    expect(throttles).toEqual([[[300, 600]], [[300, 600]]]);
  });

  it('refuses a throttle beyond the account’s default quotas, or not a whole number', () => {
    expect(() => testTemplate({ 'bulkhead:apiRateLimit': 20_000 })).toThrow(
      /apiRateLimit must be a whole number from 1 to 10000/,
    );
    expect(() => testTemplate({ 'bulkhead:apiBurstLimit': 'lots' })).toThrow(
      /bulkhead:apiBurstLimit must be a number/,
    );
    expect(() => testTemplate({ 'bulkhead:apiBurstLimit': 0 })).toThrow(
      /apiBurstLimit must be a whole number/,
    );
  });

  it('takes the authorizer cache from bulkhead:authorizerCacheSeconds, into both APIs and the authorizer, and refuses one a vended session cannot outlast', () => {
    const tuned = testTemplate({ 'bulkhead:authorizerCacheSeconds': 600 });
    const ttls = Object.values(tuned.findResources('AWS::ApiGateway::Authorizer')).map(
      (authorizer) => authorizer.Properties.AuthorizerResultTtlInSeconds,
    );
    const authorizer = Object.values(tuned.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Metadata?.['bulkhead:entry'] === 'lambdas/handlers/authorizer.ts',
    );

    expect(ttls).toEqual([600, 600]);
    expect(authorizer?.Properties.Environment.Variables.AUTHORIZER_CACHE_SECONDS).toBe('600');
    expect(() => testTemplate({ 'bulkhead:authorizerCacheSeconds': 3001 })).toThrow(
      /authorizerCacheSeconds must be a whole number from 0 to 3000/,
    );
    expect(() => testTemplate({ 'bulkhead:authorizerCacheSeconds': -1 })).toThrow(/authorizerCacheSeconds/);
  });

  it('keeps raw ids out of its logs and traces: no stage tracing, route templates not paths, no principal', () => {
    const stages = Object.values(template.findResources('AWS::ApiGateway::Stage'));

    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) {
      // Stage traces record the URL, and admin URLs carry tenant and user ids.
      expect(stage.Properties.TracingEnabled).not.toBe(true);
      const format = String(stage.Properties.AccessLogSetting?.Format);
      expect(format).toContain('$context.resourcePath');
      for (const raw of [
        '$context.path',
        '$context.authorizer',
        '$context.identity',
        '$context.requestOverride',
      ])
        expect(format).not.toContain(raw);
    }
  });
});

describe('gateway responses', () => {
  it.each(['DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED', 'ACCESS_DENIED'])(
    '%s renders { error: { code, message, requestId } }',
    (type) => {
      const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).filter(
        (response) => response.Properties.ResponseType === type,
      );
      // One per REST API (pool and silo), each the same.
      expect(responses).toHaveLength(2);
      for (const response of responses) {
        const body: string = response.Properties.ResponseTemplates['application/json'];
        // API Gateway substitutes the variables; messageString arrives already quoted.
        const rendered = body
          .replace('$context.error.messageString', '"Unauthorized"')
          .replace('$context.requestId', 'req-1');
        const parsed = JSON.parse(rendered);
        expect(parsed).toEqual({
          error: { code: expect.any(String), message: expect.any(String), requestId: 'req-1' },
        });
        if (type === 'DEFAULT_5XX') expect(parsed.error.message).toBe('Internal server error');
      }
    },
  );
});
