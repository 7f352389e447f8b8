/**
 * The engine: routes a request, runs its authorizer and integration, renders errors, writes the
 * access log. Transport-neutral (`handle`); `server.ts` puts it on node:http.
 */
import type { ApiModel, AuthorizerModel, RouteModel } from "../model";
import { type AccessLogRecord, formatAccessLog } from "./access-log";
import { decorateResponse, isPreflight, preflightResponse } from "./cors";
import { httpRequestId, restRequestId } from "./events";
import { clfTime, resolveHttpValue, resolveRestSource, stringifyContextValue } from "./expressions";
import { runHttpProxy, runLambdaProxy, runMock, type IntegrationResult } from "./integrations";
import { JwksCache, JwtAuthorizer } from "./jwt-authorizer";
import { HeaderBag, validateModelMappings } from "./mapping";
import { RequestAuthorizer } from "./request-authorizer";
import { httpErrors, limitErrors, renderError, restErrors } from "./responses";
import { selectFor, stripStage } from "./routing";
import { TokenAuthorizer } from "./token-authorizer";
import type {
  AuthResult,
  FetchLike,
  GatewayError,
  GatewayOptions,
  GatewayRequest,
  GatewayResponse,
  RequestContext,
} from "./types";

/** §3 "Limits" (HQ): request line + header values, and payload. */
export const MAX_HEADER_BYTES = 10_240;
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The engine's request handler. */
export interface GatewayHandler {
  /** Serves one request. Never rejects for request-level problems (they become responses). */
  handle(req: GatewayRequest): Promise<GatewayResponse>;
}

/** Bytes counted against the 10240-byte limit: the request line plus every header value (HQ). */
export function headerBytes(req: GatewayRequest): number {
  let n = Buffer.byteLength(`${req.method} ${req.url} ${req.protocol ?? "HTTP/1.1"}`);
  for (const [, v] of req.headers) n += Buffer.byteLength(v);
  return n;
}

function parseQuery(raw: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  if (!raw) return map;
  for (const [k, v] of new URLSearchParams(raw)) {
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
  }
  return map;
}

/**
 * The customer id for the access log: the value the route maps into `X-Customer-ID` when it does,
 * else the authorizer context's `customerId`. Identity values are not secrets; tokens are.
 */
function identityForLog(ctx: RequestContext): string | undefined {
  for (const [key, value] of Object.entries(ctx.route.integration.requestParameters ?? {})) {
    if (!/header\.x-customer-id$/i.test(key) || key.startsWith("remove:")) continue;
    return ctx.model.type === "http" ? resolveHttpValue(ctx, value) : resolveRestSource(ctx, value);
  }
  return stringifyContextValue(ctx.auth?.context?.customerId);
}

function validateModel(model: ApiModel): void {
  const ids = new Set(model.authorizers.map((a) => a.id));
  for (const r of model.routes) {
    if (r.authorization !== "NONE" && (!r.authorizerId || !ids.has(r.authorizerId))) {
      throw new Error(
        `route "${r.method} ${r.path}": authorizer "${r.authorizerId}" is not in the model`,
      );
    }
  }
  for (const a of model.authorizers) {
    if (a.kind === "lambda-token" && model.type !== "rest") {
      throw new Error(`authorizer "${a.name}": TOKEN authorizers exist only on REST APIs`);
    }
    if (a.kind !== "lambda-token" && model.type !== "http") {
      throw new Error(`authorizer "${a.name}": ${a.kind} authorizers exist only on HTTP APIs`);
    }
  }
  validateModelMappings(model);
}

/**
 * Builds the engine for `model`. Validates the model first (unknown authorizer ids, mapping keys,
 * reserved headers — §3) and throws an Error naming the problem.
 */
/** Whether an HTTP API route has a target (see the preflight comment in createHandler). */
function hasTarget(route: RouteModel): boolean {
  return route.integration.kind !== "mock";
}

export function createHandler(model: ApiModel, options: GatewayOptions): GatewayHandler {
  validateModel(model);
  const now = options.now ?? Date.now;
  const fetchFn: FetchLike =
    options.fetch ?? ((url, init) => globalThis.fetch(url, init) as ReturnType<FetchLike>);
  const jwks = new JwksCache(fetchFn, now);
  const authorizers = new Map<string, JwtAuthorizer | RequestAuthorizer | TokenAuthorizer>();
  for (const a of model.authorizers) authorizers.set(a.id, makeAuthorizer(a));

  function makeAuthorizer(a: AuthorizerModel) {
    switch (a.kind) {
      case "jwt":
        return new JwtAuthorizer(a, jwks, now);
      case "lambda-request":
        return new RequestAuthorizer(a, options.invoker, now);
      case "lambda-token":
        return new TokenAuthorizer(a, options.invoker, now);
    }
  }

  async function authorize(ctx: RequestContext): Promise<AuthResult | undefined> {
    if (!ctx.authorizer) return undefined;
    const impl = authorizers.get(ctx.authorizer.id);
    if (impl instanceof JwtAuthorizer) return impl.authorize(ctx, ctx.route.authorizationScopes);
    if (impl instanceof RequestAuthorizer)
      return impl.authorize(ctx, HeaderBag.from(ctx.rawHeaders));
    if (impl instanceof TokenAuthorizer) return impl.authorize(ctx);
    return undefined;
  }

  async function integrate(ctx: RequestContext): Promise<IntegrationResult> {
    const integration = ctx.route.integration;
    switch (integration.kind) {
      case "lambda-proxy":
        return runLambdaProxy(ctx, integration, options.invoker, now);
      case "http-proxy":
        return runHttpProxy(ctx, integration, now);
      case "mock":
        return runMock(integration);
    }
  }

  async function handle(req: GatewayRequest): Promise<GatewayResponse> {
    const startedAt = now();
    const requestId = model.type === "http" ? httpRequestId() : restRequestId();
    const method = req.method.toUpperCase();
    const qIndex = req.url.indexOf("?");
    const fullPath = (qIndex >= 0 ? req.url.slice(0, qIndex) : req.url) || "/";
    const rawQueryString = qIndex >= 0 ? req.url.slice(qIndex + 1) : "";
    const headers = new Map<string, string[]>();
    for (const [k, v] of req.headers) {
      const l = k.toLowerCase();
      const list = headers.get(l);
      if (list) list.push(v);
      else headers.set(l, [v]);
    }
    const log: AccessLogRecord = {
      requestId,
      requestTime: clfTime(startedAt),
      httpMethod: method,
      path: fullPath,
      routeKey: "-",
      status: 0,
      protocol: req.protocol ?? "HTTP/1.1",
      sourceIp: req.sourceIp ?? "127.0.0.1",
      responseLatency: 0,
    };

    const finish = (response: GatewayResponse): GatewayResponse => {
      if (model.type === "http") response.headers.push(["apigw-requestid", requestId]);
      else response.headers.push(["x-amzn-RequestId", requestId]);
      if (model.type === "http" && model.cors && !isPreflight(method, headers)) {
        decorateResponse(model.cors, headers, response);
      }
      log.status = response.statusCode;
      log.responseLatency = now() - startedAt;
      options.log?.(formatAccessLog(log));
      options.observe?.(req, response);
      return response;
    };
    const fail = (err: GatewayError): GatewayResponse => {
      if (err.detail) log.error = err.detail;
      return finish(renderError(model, err, requestId, headers));
    };

    // §3 "Limits".
    if (headerBytes(req) > MAX_HEADER_BYTES) return fail(limitErrors.headersTooLarge());
    const body = req.body ?? Buffer.alloc(0);
    if (body.length > MAX_BODY_BYTES) return fail(limitErrors.payloadTooLarge());

    const notFound = () =>
      fail(model.type === "http" ? httpErrors.notFound() : restErrors.missingAuthenticationToken());
    const path = stripStage(model, fullPath);
    if (path === undefined) return notFound();

    // HTTP API CORS preflight (design rule 8): answered by the gateway, no authorizer, when the
    // route it would match has no authorization or when no route matches. A preflight that
    // matches an authorized route — typically `ANY /{proxy+}` with a JWT authorizer — goes to the
    // authorizer like any request and fails there (browsers send no Authorization on preflight):
    // this is the real "CORS fails behind Clerk/ANY route" problem, reproduced on purpose; the
    // fix AWS documents is an `OPTIONS /{proxy+}` route with authorization NONE AND an
    // integration ("Configuring CORS for an HTTP API with a $default route and an authorizer",
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html). An
    // `OPTIONS` route without a target is not that shape: the preflight finds no integration and
    // is answered 404 (the runner stands a target-less HTTP route in with a 404 mock; HTTP APIs
    // have no MOCK integration type, so a mock in an HTTP model is always that stand-in).
    const match = selectFor(model, method, path);
    if (model.type === "http" && model.cors && isPreflight(method, headers)) {
      if (!match || (match.route.authorization === "NONE" && hasTarget(match.route))) {
        log.routeKey = match?.routeKey ?? "-";
        return finish(preflightResponse(model.cors, headers));
      }
    }
    if (!match) return notFound();
    log.routeKey = match.routeKey;

    const ctx: RequestContext = {
      model,
      requestId,
      startedAt,
      method,
      fullPath,
      path,
      rawQueryString,
      query: parseQuery(rawQueryString),
      rawHeaders: req.headers,
      headers,
      body,
      sourceIp: req.sourceIp ?? "127.0.0.1",
      protocol: req.protocol ?? "HTTP/1.1",
      route: match.route,
      routeKey: match.routeKey,
      pathParameters: match.pathParameters,
      authorizer:
        match.route.authorization === "NONE"
          ? undefined
          : model.authorizers.find((a) => a.id === match.route.authorizerId),
    };

    const auth = await authorize(ctx);
    if (auth) {
      log.authorizerLatency = auth.ok ? auth.outcome.latencyMs : auth.latencyMs;
      if (!auth.ok) {
        log.authorizerStatus = auth.error.statusCode;
        if (auth.principalId) log.principalId = auth.principalId;
        return fail(auth.error);
      }
      log.authorizerStatus = 200;
      log.authorizerCached = auth.outcome.cached;
      ctx.auth = auth.outcome;
      const customerId = identityForLog(ctx);
      if (customerId !== undefined) log.customerId = customerId;
      if (auth.outcome.principalId) log.principalId = auth.outcome.principalId;
    }

    const result = await integrate(ctx);
    log.integrationLatency = result.latencyMs;
    if (!result.ok) return fail(result.error);
    log.integrationStatus = result.response.statusCode;
    return finish(result.response);
  }

  return { handle };
}
