/**
 * Integrations: Lambda proxy (via the injected invoker), HTTP proxy (node:http, streaming) and
 * REST mock. Parameter mapping is applied here (aws-semantics.md §3/§4).
 */
import * as http from "node:http";
import * as https from "node:https";
import type {
  HttpProxyIntegrationModel,
  LambdaInvoker,
  LambdaProxyIntegrationModel,
  MockIntegrationModel,
} from "../model";
import { encodeQuery, httpProxyEventV2, restProxyEventV1 } from "./events";
import { invokeWithTimeout } from "./invoke";
import {
  applyHttpMapping,
  applyRestMapping,
  HeaderBag,
  MappedHeaderValueError,
  type MappingTarget,
} from "./mapping";
import { integrationErrors } from "./responses";
import type { GatewayError, GatewayResponse, RequestContext } from "./types";

/** Default integration timeout: 30 s (HTTP API maximum; REST's is 29 s). */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000;

/** The outcome of an integration call. */
export type IntegrationResult =
  | { ok: true; response: GatewayResponse; latencyMs: number }
  | { ok: false; error: GatewayError; latencyMs: number };

/** RFC 9110 §7.6.1 hop-by-hop headers, never forwarded in either direction. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "trailers",
  "transfer-encoding",
  "upgrade",
]);

function hopByHop(headers: HeaderBag | http.IncomingHttpHeaders): Set<string> {
  const set = new Set(HOP_BY_HOP);
  const conn =
    headers instanceof HeaderBag ? headers.getAny("connection")?.join(",") : headers.connection;
  for (const name of (conn ?? "").split(",")) if (name.trim()) set.add(name.trim().toLowerCase());
  return set;
}

/**
 * Builds the mapped integration request. HTTP APIs apply their mapping to every integration type
 * (HPM). REST applies `integration.request.*` to HTTP and mock integrations; for a Lambda proxy
 * (AWS_PROXY) the event is built from the METHOD request, so REST mappings do not reach
 * `event.headers` — the identity is in `requestContext.authorizer` (§4 last paragraph, ROUT).
 * This is observed behaviour (the console offers no mapping for Lambda proxy); a client-sent
 * X-Customer-ID therefore stays in a REST Lambda proxy event: backends must read the identity
 * from `requestContext.authorizer`, never from headers.
 */
export function mappedRequest(
  ctx: RequestContext,
  params: Record<string, string>,
  applyRest: boolean,
): MappingTarget {
  // A REST integration request keeps header names as sent, so its mapping replaces only the exact
  // spelling it names (HeaderBag). Only where a REST mapping runs: the Lambda proxy event is built
  // from the method request, whose case handling is unchanged.
  const headers = HeaderBag.from(ctx.rawHeaders, ctx.model.type === "rest" && applyRest);
  // API Gateway adds forwarding headers (the fixtures show x-forwarded-*, x-amzn-trace-id).
  const xff = headers.getAny("x-forwarded-for")?.join(",");
  headers.deleteAny("x-forwarded-for");
  headers.deleteAny("x-forwarded-proto");
  headers.set(
    ctx.model.type === "http" ? "x-forwarded-for" : "X-Forwarded-For",
    xff ? `${xff}, ${ctx.sourceIp}` : ctx.sourceIp,
  );
  headers.set(ctx.model.type === "http" ? "x-forwarded-proto" : "X-Forwarded-Proto", "http");
  if (!headers.getAny("x-amzn-trace-id")) {
    const hex = Buffer.from(ctx.requestId).toString("hex").padEnd(24, "0").slice(0, 24);
    headers.set(
      ctx.model.type === "http" ? "x-amzn-trace-id" : "X-Amzn-Trace-Id",
      `Root=1-${Math.floor(ctx.startedAt / 1000).toString(16)}-${hex}`,
    );
  }
  const target: MappingTarget = {
    headers,
    query: new Map([...ctx.query].map(([k, v]) => [k, [...v]])),
    pathParameters: {},
  };
  if (ctx.model.type === "http") applyHttpMapping(ctx, params, target);
  else if (applyRest) applyRestMapping(ctx, params, target);
  return target;
}

/**
 * `mappedRequest`, or the controlled failure for a mapped header value HTTP cannot carry: a 500
 * before any backend is called (see `MappedHeaderValueError` for why, and why it is a choice).
 */
function mappedOrFailed(
  ctx: RequestContext,
  params: Record<string, string>,
  applyRest: boolean,
): MappingTarget | { ok: false; error: GatewayError; latencyMs: number } {
  try {
    return mappedRequest(ctx, params, applyRest);
  } catch (e) {
    if (!(e instanceof MappedHeaderValueError)) throw e;
    return {
      ok: false,
      error: integrationErrors(ctx.model.type).invalidMappedValue(e.message),
      latencyMs: 0,
    };
  }
}

function lower(name: string): string {
  return name.toLowerCase();
}

/** Payload 2.0 response (HI): `statusCode` → as given; a bare JSON value → 200 JSON. */
function parseV2(result: unknown): GatewayResponse | undefined {
  if (typeof result === "object" && result !== null && "statusCode" in result) {
    const r = result as Record<string, unknown>;
    return parseStructured(r);
  }
  // "If your function returns valid JSON and doesn't return a statusCode", API Gateway assumes
  // 200, content-type application/json, and the value as body (a string as is).
  const body = typeof result === "string" ? result : JSON.stringify(result ?? null);
  return {
    statusCode: 200,
    headers: [["content-type", "application/json"]],
    body: Buffer.from(body),
  };
}

function parseStructured(r: Record<string, unknown>): GatewayResponse | undefined {
  const statusCode = typeof r.statusCode === "string" ? Number(r.statusCode) : r.statusCode;
  if (
    typeof statusCode !== "number" ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return undefined;
  }
  const headers: Array<[string, string]> = [];
  const scalar = (v: unknown) =>
    typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== "object") return undefined;
    for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) {
      if (!scalar(v)) return undefined;
      headers.push([k, String(v)]);
    }
  }
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (typeof r.multiValueHeaders !== "object") return undefined;
    for (const [k, vs] of Object.entries(r.multiValueHeaders as Record<string, unknown>)) {
      if (!Array.isArray(vs) || !vs.every(scalar)) return undefined;
      // multiValueHeaders win over headers of the same name.
      for (let i = headers.length - 1; i >= 0; i--)
        if (lower(headers[i][0]) === lower(k)) headers.splice(i, 1);
      for (const v of vs) headers.push([k, String(v)]);
    }
  }
  if (Array.isArray(r.cookies)) for (const c of r.cookies) headers.push(["set-cookie", String(c)]);
  if (r.body !== undefined && r.body !== null && typeof r.body !== "string") return undefined;
  const text = (r.body as string | undefined | null) ?? "";
  const body = r.isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text);
  if (!headers.some(([k]) => lower(k) === "content-type"))
    headers.push(["content-type", "application/json"]);
  return { statusCode, headers, body };
}

/** Runs a Lambda proxy integration. */
export async function runLambdaProxy(
  ctx: RequestContext,
  integration: LambdaProxyIntegrationModel,
  invoker: LambdaInvoker,
  now: () => number,
): Promise<IntegrationResult> {
  const errors = integrationErrors(ctx.model.type);
  const target = mappedOrFailed(ctx, integration.requestParameters ?? {}, false);
  if ("ok" in target) return target;
  const rawQuery =
    ctx.model.type === "http" && encodeQuery(target.query) !== encodeQuery(ctx.query)
      ? encodeQuery(target.query)
      : ctx.rawQueryString;
  const event =
    ctx.model.type === "http" && integration.payloadFormatVersion === "2.0"
      ? httpProxyEventV2(ctx, target.headers, target.query, rawQuery)
      : restProxyEventV1(
          ctx,
          target.headers,
          target.query,
          ctx.model.type === "http" ? "1.0" : undefined,
        );
  const started = now();
  const res = await invokeWithTimeout(
    invoker,
    integration.function,
    event,
    ctx.requestId,
    integration.timeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS,
  );
  const latencyMs = now() - started;
  if (!res.ok) {
    if (res.errorType === "GatewayTimeout")
      return { ok: false, error: errors.timeout(), latencyMs };
    return {
      ok: false,
      error: errors.lambdaFailed(`function error: ${res.errorMessage}`),
      latencyMs,
    };
  }
  const response =
    ctx.model.type === "http" && integration.payloadFormatVersion === "2.0"
      ? parseV2(res.result)
      : typeof res.result === "object" && res.result !== null
        ? parseStructured(res.result as Record<string, unknown>)
        : undefined;
  if (!response)
    return { ok: false, error: errors.lambdaFailed("malformed Lambda proxy response"), latencyMs };
  return { ok: true, response, latencyMs };
}

/** Lower-case names of the headers an integration's request parameters set (HTTP API or REST). */
function mappedHeaderNames(params: Record<string, string>): Set<string> {
  const names = new Set<string>();
  for (const key of Object.keys(params)) {
    const m = /^(?:append:|overwrite:|integration\.request\.)header\.(.+)$/.exec(key);
    if (m) names.add(lower(m[1]));
  }
  return names;
}

/**
 * A mapped header value (text from the authorizer: a claim, a context value) as node:http must be
 * handed it to put its UTF-8 bytes on the wire. node:http writes a header string as Latin-1 and
 * refuses any character above U+00FF, so a customer name such as "山田" or "Łukasz" made the
 * whole request fail with a 500. Header values the client sent are left as they are: node:http
 * read them as Latin-1, so writing them back that way forwards the client's bytes unchanged.
 */
function utf8OnTheWire(value: string): string {
  return Buffer.from(value, "utf8").toString("latin1");
}

/** Runs an HTTP proxy integration: forwards the request, streams the response back. */
export function runHttpProxy(
  ctx: RequestContext,
  integration: HttpProxyIntegrationModel,
  now: () => number,
): Promise<IntegrationResult> {
  const errors = integrationErrors(ctx.model.type);
  const target = mappedOrFailed(ctx, integration.requestParameters ?? {}, true);
  if ("ok" in target) return Promise.resolve(target);
  const params = { ...ctx.pathParameters, ...target.pathParameters };
  const uri = integration.uri.replace(/\{([^}+]+)\+?\}/g, (_m, name: string) =>
    (params[name] ?? "").split("/").map(encodeURIComponent).join("/"),
  );
  const url = new URL(uri);
  if (target.path !== undefined) url.pathname = target.path;
  const query = encodeQuery(target.query);
  if (query) url.search = url.search ? `${url.search}&${query}` : `?${query}`;
  const method =
    integration.method.toUpperCase() === "ANY" ? ctx.method : integration.method.toUpperCase();
  const drop = hopByHop(target.headers);
  const mapped = mappedHeaderNames(integration.requestParameters ?? {});
  // Raw [name, value, …] pairs rather than an object: node:http merges object keys that differ
  // only in case, and a REST integration request can hold both `X-Customer-ID` and
  // `x-customer-id` (see HeaderBag), which the backend must receive as the two lines they are.
  // Raw pairs get no automatic Host: the integration URI's host, as API Gateway sends ("The Host
  // header will not be forwarded to HTTP endpoints", Amazon API Gateway important notes, REST APIs).
  const headers: string[] = ["Host", url.host];
  for (const { name, values } of target.headers.entries()) {
    const l = lower(name);
    // The names a client lists in its own `Connection` header are hop-by-hop for the client's
    // hop only; they never remove a header the mapping set: `Connection` is reserved in HTTP API
    // mappings (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html),
    // and `Connection: close, X-Customer-ID` must not strip the verified identity (while the
    // mapping's `remove:` of `X_Customer_ID` still applies).
    if (HOP_BY_HOP.has(l) || (drop.has(l) && !mapped.has(l))) continue;
    if (l === "host" || l === "content-length") continue;
    for (const v of values) headers.push(name, mapped.has(l) ? utf8OnTheWire(v) : v);
  }
  if (ctx.body.length > 0) headers.push("content-length", String(ctx.body.length));
  const started = now();
  const timeoutMs = integration.timeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
  return new Promise((resolve) => {
    const lib = url.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (r: IntegrationResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const req = lib.request(url, { method, headers, timeout: timeoutMs }, (res) => {
      const out: Array<[string, string]> = [];
      const dropRes = hopByHop(res.headers);
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        const name = res.rawHeaders[i];
        if (!dropRes.has(lower(name))) out.push([name, res.rawHeaders[i + 1]]);
      }
      finish({
        ok: true,
        response: { statusCode: res.statusCode ?? 502, headers: out, body: res },
        latencyMs: now() - started,
      });
    });
    req.on("timeout", () => {
      req.destroy();
      finish({
        ok: false,
        error: errors.timeout(`${method} ${url.origin} timed out`),
        latencyMs: now() - started,
      });
    });
    req.on("error", (e) => {
      finish({
        ok: false,
        error: errors.unreachable(`${method} ${url.origin}: ${e.message}`),
        latencyMs: now() - started,
      });
    });
    req.end(ctx.body);
  });
}

/** Runs a REST MOCK integration (CORS preflight methods). */
export function runMock(integration: MockIntegrationModel): IntegrationResult {
  const headers: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(integration.responseParameters ?? {})) {
    const m = /^method\.response\.header\.(.+)$/.exec(k);
    const value = /^'(.*)'$/s.exec(v.trim());
    if (m && value) headers.push([m[1], value[1]]);
  }
  if (
    integration.responseBody !== undefined &&
    !headers.some(([k]) => lower(k) === "content-type")
  ) {
    headers.push(["content-type", "application/json"]);
  }
  return {
    ok: true,
    response: {
      statusCode: integration.statusCode,
      headers,
      body: Buffer.from(integration.responseBody ?? ""),
    },
    latencyMs: 0,
  };
}
