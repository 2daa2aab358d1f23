/**
 * A tiny router: method + path template (`/v1/memory/{id}`) → the declared
 * endpoint's action and handler. An unknown path is a 404, a known path with
 * another method a 405. Routes exist only as declared endpoints, so every one
 * has an action for the pipeline to authorize and an OpenAPI entry.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Action } from '../authorization/action-table.js';
import type { Logger } from '../observability/logger.js';
import {
  type AnyEndpoint,
  type Endpoint,
  PUBLIC,
  parseEndpointBody,
  parseEndpointQuery,
} from './endpoint.js';
import { BadRequestError, MethodNotAllowedError, RouteNotFoundError } from './errors.js';
import type { RouteResult } from './route-result.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request to a public endpoint: there is no request context. */
export interface PublicRouteRequest {
  readonly event: APIGatewayProxyEvent;
  /** Decoded values of the template's `{name}` segments. */
  readonly params: Readonly<Record<string, string>>;
  /** The logger of requests without a context. */
  readonly logger: Logger;
}

export interface RouteRequest<Context> {
  readonly event: APIGatewayProxyEvent;
  readonly context: Context;
  /** Decoded values of the template's `{name}` segments. */
  readonly params: Readonly<Record<string, string>>;
  /** Milliseconds left before the function times out (the Lambda context's answer). */
  remainingTimeMs(): number;
  /** The request's logger (its telemetry: tenant tag only, raw ids redacted). */
  readonly logger: Logger;
}

/** A request to a declared endpoint: body and query already parsed with its schemas. */
export interface EndpointRequest<Context, Body, Query> extends RouteRequest<Context> {
  readonly body: Body;
  readonly query: Query;
}

export type RouteHandler<Context> = (request: RouteRequest<Context>) => Promise<RouteResult>;
export type PublicRouteHandler = (request: PublicRouteRequest) => Promise<RouteResult>;

export interface RouteMatch<Context> {
  readonly action: Action;
  readonly handler: RouteHandler<Context>;
  readonly params: Readonly<Record<string, string>>;
}

export interface PublicRouteMatch {
  readonly handler: PublicRouteHandler;
  readonly params: Readonly<Record<string, string>>;
}

type Route<Context> = {
  readonly method: HttpMethod;
  readonly segments: readonly string[];
} & (
  | { readonly action: Action; readonly handler: RouteHandler<Context> }
  | { readonly action: typeof PUBLIC; readonly handler: PublicRouteHandler }
);

const PARAMETER = /^\{([A-Za-z][A-Za-z0-9]*)\}$/;

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (err) {
    throw new BadRequestError('path is not valid percent-encoding', { cause: err });
  }
}

export class Router<Context> {
  readonly #routes: Route<Context>[] = [];
  readonly #endpoints: AnyEndpoint[] = [];

  /** The declared endpoints, in registration order (the OpenAPI document is built from them). */
  get endpoints(): readonly AnyEndpoint[] {
    return this.#endpoints;
  }

  /** Registers a declared endpoint; its body and query are parsed before `handler` runs. */
  implement<Body, Query>(
    declaration: Endpoint<Body, Query, Action>,
    handler: (request: EndpointRequest<Context, Body, Query>) => Promise<RouteResult>,
  ): this {
    this.#endpoints.push(declaration);
    this.#routes.push({
      action: declaration.action,
      method: declaration.method,
      segments: splitPath(declaration.path),
      handler: parsingInput<RouteRequest<Context>, Body, Query>(declaration, handler),
    });
    return this;
  }

  /** Registers a PUBLIC endpoint: served without a request context (no token, no tenant). */
  implementPublic<Body, Query>(
    declaration: Endpoint<Body, Query, typeof PUBLIC>,
    handler: (
      request: PublicRouteRequest & { readonly body: Body; readonly query: Query },
    ) => Promise<RouteResult>,
  ): this {
    this.#endpoints.push(declaration);
    this.#routes.push({
      action: declaration.action,
      method: declaration.method,
      segments: splitPath(declaration.path),
      handler: parsingInput<PublicRouteRequest, Body, Query>(declaration, handler),
    });
    return this;
  }

  /** The public route for a request, if one matches its method and path exactly (else the pipeline resolves a context first). */
  matchPublic(method: string, path: string): PublicRouteMatch | undefined {
    const requestSegments = splitPath(path);
    for (const route of this.#routes) {
      if (route.action !== PUBLIC || route.method !== method.toUpperCase()) continue;
      const params = matchSegments(route.segments, requestSegments);
      if (params !== undefined) return { handler: route.handler, params };
    }
    return undefined;
  }

  /** Finds the route for a request; throws RouteNotFoundError or MethodNotAllowedError. */
  match(method: string, path: string): RouteMatch<Context> {
    const requestSegments = splitPath(path);
    const allowed: HttpMethod[] = [];
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, requestSegments);
      if (params === undefined) continue;
      if (route.method !== method.toUpperCase()) allowed.push(route.method);
      else if (route.action !== PUBLIC) return { action: route.action, handler: route.handler, params };
    }
    if (allowed.length > 0) throw new MethodNotAllowedError(method, allowed);
    throw new RouteNotFoundError(method, path);
  }
}

/** Whether a request path fits an endpoint's path template (`/v1/documents/{id}`). */
export function pathFitsTemplate(template: string, path: string): boolean {
  try {
    return matchSegments(splitPath(template), splitPath(path)) !== undefined;
  } catch (err) {
    if (err instanceof BadRequestError) return false;
    throw err;
  }
}

/** `handler`, given the request's body and query parsed with the endpoint's schemas. */
function parsingInput<Request extends { readonly event: APIGatewayProxyEvent }, Body, Query>(
  declaration: Endpoint<Body, Query, Action | typeof PUBLIC>,
  handler: (request: Request & { readonly body: Body; readonly query: Query }) => Promise<RouteResult>,
): (request: Request) => Promise<RouteResult> {
  return (request) =>
    handler({
      ...request,
      body: parseEndpointBody(declaration.body, request.event),
      query: parseEndpointQuery(declaration.query, request.event),
    });
}

function matchSegments(
  template: readonly string[],
  request: readonly string[],
): Record<string, string> | undefined {
  if (template.length !== request.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, expected] of template.entries()) {
    const actual = request[index];
    if (actual === undefined) return undefined;
    const name = PARAMETER.exec(expected)?.[1];
    if (name !== undefined) params[name] = decodeSegment(actual);
    else if (expected !== actual) return undefined;
  }
  return params;
}
