/**
 * The default backend: echoes the identity it received, so a fresh deployment can be checked with
 * one `curl`. Accepts both an HTTP API payload 2.0 proxy event and a REST (v1) proxy event.
 *
 * Where the identity comes from:
 * - HTTP API (2.0): the X-Customer-* headers, which the stack's `overwrite:` parameter mapping
 *   set from the authorizer. Reading the headers is the point: it proves the mapping works.
 * - REST (v1) Lambda proxy: API Gateway applies no request-parameter mapping to AWS_PROXY
 *   integrations (aws-semantics.md §4), so every X-Customer-* header is whatever the client sent.
 *   The identity is taken from `requestContext.authorizer` instead, and client-sent
 *   `x-customer-*` headers are dropped so a forged value never shows up.
 *
 * It never echoes credentials: Authorization, Cookie and similar headers are dropped, and any
 * value that looks like a JWT is redacted wherever it appears (headers, query, authorizer context).
 *
 * CORS: behind a REST API (rest-token) the echo answers with the CORS headers the stack configured
 * (`ECHO_ENV`, set by infra/components/echo-backend.ts), because API Gateway cannot add them to a
 * proxy integration's response: "For a Lambda proxy integration or HTTP proxy integration, ...
 * your backend is responsible for returning the Access-Control-Allow-Origin and
 * Access-Control-Allow-Headers headers, because a proxy integration doesn't return an integration
 * response" (CORS for REST APIs in API Gateway, "Enabling CORS support for Lambda or HTTP proxy
 * integrations", https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html).
 * Behind an HTTP API the stack leaves them unset: there API Gateway adds the configured headers
 * itself and "ignores CORS headers returned from your backend integration" (Configure CORS for
 * HTTP APIs, https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html).
 */
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";

import { ECHO_ENV } from "../commons/env-contract";

/** Header names whose values are credentials and are never echoed (lower-case). */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-amz-security-token",
]);

/** Query parameters that conventionally carry tokens (lower-case). */
const SENSITIVE_QUERY = new Set(["access_token", "id_token", "token", "refresh_token", "code"]);

const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g;
const REDACTED = "[redacted]";

/** What the echo backend answers (the JSON body). */
export interface EchoBody {
  readonly message: string;
  /** The identity the backend can trust; null fields when there is none. */
  readonly identity: { readonly customerId: string | null; readonly customerName: string | null };
  /** `headers` (HTTP API mapping) or `authorizer-context` (REST Lambda proxy), or null. */
  readonly identitySource: "headers" | "authorizer-context" | null;
  /** Every request header except credentials, names lower-cased. */
  readonly headers: Record<string, string>;
  /** `event.requestContext.authorizer` as API Gateway delivered it (null when none). */
  readonly authorizer: unknown;
  readonly method: string | null;
  readonly path: string | null;
  readonly query: Record<string, string>;
}

function redact(value: string): string {
  return value.replace(JWT_LIKE, REDACTED);
}

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  if (depth > 8 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)] as const),
  );
}

function isV2(
  event: APIGatewayProxyEvent | APIGatewayProxyEventV2,
): event is APIGatewayProxyEventV2 {
  return (event as APIGatewayProxyEventV2).version === "2.0";
}

/** Builds the echo body from either event version. Exported for tests. */
export function echo(event: APIGatewayProxyEvent | APIGatewayProxyEventV2): EchoBody {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    const lower = name.toLowerCase();
    if (typeof value !== "string" || SENSITIVE_HEADERS.has(lower)) continue;
    headers[lower] = redact(value);
  }
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (typeof value !== "string") continue;
    query[name] = SENSITIVE_QUERY.has(name.toLowerCase()) ? REDACTED : redact(value);
  }
  const v2 = isV2(event);
  let identity: EchoBody["identity"] = {
    customerId: headers["x-customer-id"] ?? null,
    customerName: headers["x-customer-name"] ?? null,
  };
  let identitySource: EchoBody["identitySource"] = identity.customerId !== null ? "headers" : null;
  const restContext = v2 ? undefined : (event.requestContext?.authorizer ?? undefined);
  if (!v2) {
    // REST Lambda proxy: no mapping ran, so identity headers are client-controlled. Drop them,
    // and never take the identity from them: a public method (authorization NONE, per-route rules)
    // has no authorizer context at all, and its caller is nobody.
    for (const name of Object.keys(headers)) {
      if (name.startsWith("x-customer-")) delete headers[name];
    }
    identity = { customerId: null, customerName: null };
    identitySource = null;
  }
  if (restContext && typeof restContext.customerId === "string") {
    const name = restContext.customerName;
    identity = {
      customerId: restContext.customerId,
      customerName: typeof name === "string" ? name : restContext.customerId,
    };
    identitySource = "authorizer-context";
  }
  return {
    message: "identity-gateway echo backend: this is what the backend received.",
    identity,
    identitySource,
    headers,
    // v2 events without an authorizer have no `authorizer` key; the types only declare it on some.
    authorizer: redactDeep(
      (event.requestContext as { authorizer?: unknown } | undefined)?.authorizer ?? null,
    ),
    method: (v2 ? event.requestContext?.http?.method : event.httpMethod) ?? null,
    path: (v2 ? event.rawPath : event.path) ?? null,
    query,
  };
}

/** The CORS policy the stack configured for the echo (`ECHO_ENV`). */
export interface EchoCors {
  /** Allowed origins; `*` in the list allows any. */
  readonly allowOrigins: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly allowMethods: readonly string[];
}

function jsonList(env: Readonly<Record<string, string | undefined>>, name: string) {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    // The stack writes these; a hand-edited function environment should fail loudly, not
    // silently drop CORS (a browser would then refuse every response with no hint why).
    throw new Error(`echo-backend: ${name} must be a JSON array of strings`);
  }
  return value as string[];
}

/**
 * Reads the CORS policy from the environment (once, at cold start). Undefined when
 * `CORS_ALLOW_ORIGINS` is unset or empty: then the echo sends no CORS headers.
 * @throws Error naming the variable when one is not a JSON array of strings.
 */
export function corsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): EchoCors | undefined {
  const allowOrigins = jsonList(env, ECHO_ENV.CORS_ALLOW_ORIGINS);
  if (allowOrigins === undefined || allowOrigins.length === 0) return undefined;
  return {
    allowOrigins,
    allowHeaders: jsonList(env, ECHO_ENV.CORS_ALLOW_HEADERS) ?? [],
    allowMethods: jsonList(env, ECHO_ENV.CORS_ALLOW_METHODS) ?? [],
  };
}

/**
 * The CORS headers of an answer to a request from `origin`, chosen the way the stack's preflight
 * (the REST API's MOCK `OPTIONS` methods) chooses, so a browser that passed the preflight can also
 * read the answer:
 * - `*` anywhere in the list: `Access-Control-Allow-Origin: *`;
 * - one origin: that origin, whatever the request's (the browser compares);
 * - several: the request's `Origin` when it is on the list (exact match), nothing otherwise, and
 *   `Vary: Origin` either way, because the answer depends on it (a shared cache must not hand one
 *   origin's answer to another; Fetch standard, "CORS protocol and HTTP caches").
 * `Access-Control-Allow-Headers`/`-Methods` accompany an allowed origin, as in AWS's proxy examples
 * (how-to-cors, "Enabling CORS support for Lambda or HTTP proxy integrations").
 */
export function corsHeaders(
  cors: EchoCors | undefined,
  origin: string | undefined,
): Record<string, string> {
  if (!cors) return {};
  const out: Record<string, string> = {};
  let allowOrigin: string | undefined;
  if (cors.allowOrigins.includes("*")) allowOrigin = "*";
  else if (cors.allowOrigins.length === 1) allowOrigin = cors.allowOrigins[0];
  else {
    out.vary = "Origin";
    if (origin !== undefined && cors.allowOrigins.includes(origin)) allowOrigin = origin;
  }
  if (allowOrigin === undefined) return out;
  out["access-control-allow-origin"] = allowOrigin;
  if (cors.allowHeaders.length > 0)
    out["access-control-allow-headers"] = cors.allowHeaders.join(",");
  if (cors.allowMethods.length > 0)
    out["access-control-allow-methods"] = cors.allowMethods.join(",");
  return out;
}

/** The request's `Origin` (REST events keep the client's header-name case; 2.0 lower-cases it). */
function requestOrigin(event: APIGatewayProxyEvent | APIGatewayProxyEventV2): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === "origin" && typeof value === "string") return value;
  }
  return undefined;
}

const CORS = corsFromEnv(process.env);

/** The Lambda entry point (HTTP API 2.0 or REST proxy integration). */
export const handler = async (
  event: APIGatewayProxyEvent | APIGatewayProxyEventV2,
): Promise<APIGatewayProxyResult & APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...corsHeaders(CORS, requestOrigin(event)),
  },
  body: JSON.stringify(echo(event)),
});
