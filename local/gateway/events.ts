/**
 * Builders of the events API Gateway sends to Lambdas (pure). Shapes copy the captured events in
 * tests/fixtures/events/ (aws-semantics.md §2 "Payload 2.0 event", §4 TOKEN event, REST proxy
 * event; HI for the HTTP proxy 2.0 event).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { clfTime, domainName, headerValue } from "./expressions";
import type { HeaderBag } from "./mapping";
import type { RequestContext } from "./types";

/** An HTTP API request id (`ZhNHJhhLjoEEPiw=`-like). */
export function httpRequestId(): string {
  return randomBytes(11).toString("base64");
}

/** A REST request id (a UUID). */
export function restRequestId(): string {
  return randomUUID();
}

/**
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` — the `routeArn` of HTTP
 * API authorizer events (§2) and the `methodArn` of REST ones (§4). The path is the request path
 * without the stage and without its leading `/`, so the root gives `…/GET/` (RIN, RUSE).
 */
export function executeApiArn(ctx: RequestContext): string {
  const { region, accountId, apiId, stageName } = ctx.model;
  return `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stageName}/${ctx.method}/${ctx.path.replace(/^\//, "")}`;
}

function domainPrefix(ctx: RequestContext): string {
  return domainName(ctx).split(".")[0];
}

/** Cookies from the `cookie` header(s), for the 2.0 `cookies` array (HI). */
function cookiesOf(headers: HeaderBag): string[] {
  return (headers.get("cookie") ?? [])
    .flatMap((v) => v.split(";"))
    .map((c) => c.trim())
    .filter((c) => c !== "");
}

/**
 * 2.0 headers: lower-case names, repeated headers comma-joined, `cookie` moved to `cookies`
 * (§2, HI).
 */
function headersV2(headers: HeaderBag): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, values } of headers.entries()) {
    const lower = name.toLowerCase();
    if (lower === "cookie") continue;
    out[lower] = values.join(",");
  }
  return out;
}

function queryV2(query: Map<string, string[]>): Record<string, string> | undefined {
  if (query.size === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of query) out[k] = v.join(",");
  return out;
}

function nonEmpty<T extends object>(o: T | undefined): T | undefined {
  return o && Object.keys(o).length > 0 ? o : undefined;
}

/** Rebuilds a raw query string from (possibly mapped) parameters. */
export function encodeQuery(query: Map<string, string[]>): string {
  const parts: string[] = [];
  for (const [k, vs] of query) {
    for (const v of vs) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.join("&");
}

function requestContextV2(ctx: RequestContext): Record<string, unknown> {
  return {
    accountId: ctx.model.accountId,
    apiId: ctx.model.apiId,
    domainName: domainName(ctx),
    domainPrefix: domainPrefix(ctx),
    http: {
      method: ctx.method,
      // With a named stage, rawPath and http.path include the stage prefix (observed in AWS).
      path: ctx.fullPath,
      protocol: ctx.protocol,
      sourceIp: ctx.sourceIp,
      userAgent: headerValue(ctx, "user-agent") ?? "",
    },
    requestId: ctx.requestId,
    routeKey: ctx.routeKey,
    stage: ctx.model.stageName,
    time: clfTime(ctx.startedAt),
    timeEpoch: ctx.startedAt,
  };
}

/**
 * HTTP API Lambda authorizer event, payload 2.0 (§2; fixture
 * `powertools-ts__apigw-http__authorizer-request.json`). Keys with no data are omitted (PT).
 */
export function httpAuthorizerEventV2(
  ctx: RequestContext,
  headers: HeaderBag,
  identitySource: string[],
): Record<string, unknown> {
  const cookies = cookiesOf(headers);
  return {
    version: "2.0",
    type: "REQUEST",
    routeArn: executeApiArn(ctx),
    identitySource,
    routeKey: ctx.routeKey,
    rawPath: ctx.fullPath,
    rawQueryString: ctx.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: headersV2(headers),
    ...optional("queryStringParameters", queryV2(ctx.query)),
    requestContext: requestContextV2(ctx),
    ...optional("pathParameters", nonEmpty(ctx.pathParameters)),
    ...optional("stageVariables", nonEmpty(ctx.model.stageVariables)),
  };
}

function optional(key: string, value: unknown): Record<string, unknown> {
  return value === undefined ? {} : { [key]: value };
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|graphql)|[^;]*\+(json|xml))/i;

/**
 * HTTP API proxy body encoding: JSON/text bodies are passed as text, anything else base64 with
 * `isBase64Encoded: true`. The exact rule is UNDOCUMENTED; we chose the content-type heuristic
 * AWS is observed to apply (form posts arrive base64-encoded).
 */
function bodyV2(
  ctx: RequestContext,
  headers: HeaderBag,
): { body?: string; isBase64Encoded: boolean } {
  if (ctx.body.length === 0) return { isBase64Encoded: false };
  const type = headers.get("content-type")?.[0] ?? "";
  if (TEXT_TYPES.test(type)) return { body: ctx.body.toString("utf8"), isBase64Encoded: false };
  return { body: ctx.body.toString("base64"), isBase64Encoded: true };
}

/**
 * HTTP API Lambda proxy event, payload 2.0 (HI; fixtures `powertools-ts__apigw-http__*-auth.json`).
 * `requestContext.authorizer` is `{jwt:{claims,scopes}}` for JWT routes, `{lambda: context|null}`
 * for Lambda-authorized routes (§1, §2 "Context downstream") and absent otherwise.
 */
export function httpProxyEventV2(
  ctx: RequestContext,
  headers: HeaderBag,
  query: Map<string, string[]>,
  rawQueryString: string,
): Record<string, unknown> {
  const cookies = cookiesOf(headers);
  const requestContext = requestContextV2(ctx);
  const auth = ctx.auth;
  let authorizer: Record<string, unknown> | undefined;
  if (ctx.authorizer?.kind === "jwt" && auth) {
    authorizer = { jwt: { claims: auth.claims ?? {}, scopes: auth.scopes ?? null } };
  } else if (ctx.authorizer && auth) {
    authorizer = { lambda: auth.context ?? null };
  }
  const { apiId, accountId, ...rest } = requestContext;
  const rc = authorizer ? { accountId, apiId, authorizer, ...rest } : requestContext;
  const b = bodyV2(ctx, headers);
  return {
    version: "2.0",
    routeKey: ctx.routeKey,
    rawPath: ctx.fullPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: headersV2(headers),
    ...optional("queryStringParameters", queryV2(query)),
    requestContext: rc,
    ...optional("body", b.body),
    ...optional("pathParameters", nonEmpty(ctx.pathParameters)),
    isBase64Encoded: b.isBase64Encoded,
    ...optional("stageVariables", nonEmpty(ctx.model.stageVariables)),
  };
}

/** REST Lambda TOKEN authorizer event (§4, RIN; fixture `powertools-ts__apigw-rest__authorizer-token.json`). */
export function restTokenEvent(ctx: RequestContext, token: string): Record<string, unknown> {
  return { type: "TOKEN", methodArn: executeApiArn(ctx), authorizationToken: token };
}

/**
 * REST authorizer context as the integration sees it (§4 "Context restrictions"): every value
 * STRINGIFIED (`null` stays null, as captured), plus `principalId` and the numeric
 * `integrationLatency` (the authorizer's latency) that API Gateway adds.
 */
export function restAuthorizerContext(ctx: RequestContext): Record<string, unknown> | undefined {
  const auth = ctx.auth;
  if (!ctx.authorizer || !auth) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(auth.context ?? {})) out[k] = v === null ? null : String(v);
  out.principalId = auth.principalId ?? null;
  out.integrationLatency = auth.latencyMs;
  return out;
}

/**
 * REST Lambda proxy event, v1 (fixtures `powertools-ts__apigw-rest__*-auth.json`,
 * `awsdocs__set-up-lambda-proxy-integrations__rest-proxy-event.json`). REST keeps the client's
 * header-name case; `headers` holds the last value of a repeated header, `multiValueHeaders` all;
 * empty maps are `null`. Also used for HTTP API payload 1.0 (with `version: "1.0"`).
 */
export function restProxyEventV1(
  ctx: RequestContext,
  headers: HeaderBag,
  query: Map<string, string[]>,
  version?: "1.0",
): Record<string, unknown> {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const { name, values } of headers.entries()) {
    single[name] = values[values.length - 1];
    multi[name] = [...values];
  }
  const qs: Record<string, string> = {};
  const mqs: Record<string, string[]> = {};
  for (const [k, v] of query) {
    qs[k] = v[v.length - 1];
    mqs[k] = [...v];
  }
  const authorizer = restAuthorizerContext(ctx);
  const resourceId = Buffer.from(`${ctx.route.method} ${ctx.route.path}`)
    .toString("hex")
    .slice(0, 6);
  const requestContext: Record<string, unknown> = {
    resourceId,
    ...(authorizer ? { authorizer } : {}),
    resourcePath: ctx.route.path,
    httpMethod: ctx.method,
    extendedRequestId: ctx.requestId,
    requestTime: clfTime(ctx.startedAt),
    path: ctx.fullPath,
    accountId: ctx.model.accountId,
    protocol: ctx.protocol,
    stage: ctx.model.stageName,
    domainPrefix: domainPrefix(ctx),
    requestTimeEpoch: ctx.startedAt,
    requestId: ctx.requestId,
    identity: {
      cognitoIdentityPoolId: null,
      accountId: null,
      cognitoIdentityId: null,
      caller: null,
      sourceIp: ctx.sourceIp,
      principalOrgId: null,
      accessKey: null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
      userArn: null,
      userAgent: headerValue(ctx, "user-agent") ?? null,
      user: null,
    },
    domainName: domainName(ctx),
    deploymentId: "local",
    apiId: ctx.model.apiId,
  };
  return {
    ...(version ? { version } : {}),
    resource: ctx.route.path,
    path: ctx.path,
    httpMethod: ctx.method,
    headers: single,
    multiValueHeaders: multi,
    queryStringParameters: query.size > 0 ? qs : null,
    multiValueQueryStringParameters: query.size > 0 ? mqs : null,
    pathParameters: nonEmpty(ctx.pathParameters) ?? null,
    stageVariables: nonEmpty(ctx.model.stageVariables) ?? null,
    requestContext,
    body: ctx.body.length > 0 ? ctx.body.toString("utf8") : null,
    isBase64Encoded: false,
  };
}
