/**
 * Types shared by the gateway engine's modules. The engine is transport-neutral: `handle()` takes a
 * {@link GatewayRequest} and returns a {@link GatewayResponse}; `server.ts` adapts node:http to it.
 */
import type { Readable } from "node:stream";
import type { ApiModel, AuthorizerModel, LambdaInvoker, RouteModel } from "../model";

/** A minimal `fetch` (the global one fits). Used for OIDC discovery and JWKS only. */
export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal; headers?: Record<string, string> },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** Runs authorizer and integration Lambdas. */
  invoker: LambdaInvoker;
  /** Used for OIDC discovery and JWKS fetches. @default globalThis.fetch */
  fetch?: FetchLike;
  /** Clock in epoch milliseconds (TTL caches, token times, event times). @default Date.now */
  now?: () => number;
  /** Receives one access-log line (a JSON string) per request. @default no logging */
  log?: (line: string) => void;
  /**
   * Sees every request with the answer the gateway gave it (the playground shows a browser's
   * preflight this way: browsers do not expose it to the page). It gets the raw request, token
   * included: it must not log it. @default none
   */
  observe?: (request: GatewayRequest, response: GatewayResponse) => void;
}

/** One request as the gateway sees it, before routing. */
export interface GatewayRequest {
  /** The HTTP method as sent. */
  method: string;
  /** The request target: path plus optional `?query`, still percent-encoded. */
  url: string;
  /** Headers in arrival order, names with the client's case (node's `rawHeaders` paired up). */
  headers: Array<[string, string]>;
  /** The request body (empty when none). */
  body?: Buffer;
  /** The client's address. @default "127.0.0.1" */
  sourceIp?: string;
  /** `HTTP/1.1`. @default "HTTP/1.1" */
  protocol?: string;
}

/** A response produced by the gateway. */
export interface GatewayResponse {
  statusCode: number;
  /** Header pairs; a name may repeat (`set-cookie`). */
  headers: Array<[string, string]>;
  /** A buffered body, or a stream (HTTP proxy responses). */
  body: Buffer | Readable;
}

/** The parsed request with everything routing and authorization produced. */
export interface RequestContext {
  model: ApiModel;
  requestId: string;
  /** Epoch ms when the request arrived. */
  startedAt: number;
  method: string;
  /** Path as sent, percent-encoded, without the query, WITH the stage prefix. */
  fullPath: string;
  /** Path without the stage prefix, percent-encoded (`rawPath`-like). */
  path: string;
  /** Raw query string without `?` (may be empty). */
  rawQueryString: string;
  /** Query values by name (case-sensitive), in order. */
  query: Map<string, string[]>;
  /** Header pairs as sent. */
  rawHeaders: Array<[string, string]>;
  /** Header values by lower-case name, in order. */
  headers: Map<string, string[]>;
  body: Buffer;
  sourceIp: string;
  protocol: string;
  /** The matched route. */
  route: RouteModel;
  /** `GET /items/{id}`, or `$default`. */
  routeKey: string;
  /** Path parameters (decoded); `proxy` for `{proxy+}`. */
  pathParameters: Record<string, string>;
  /** The route's authorizer, if any. */
  authorizer?: AuthorizerModel;
  /** What authorization produced (filled after it succeeds). */
  auth?: AuthOutcome;
}

/** The identity an authorizer established. */
export interface AuthOutcome {
  /** JWT: claims as AWS hands them on (every value a string). */
  claims?: Record<string, string>;
  /** JWT: the token's scopes, or null when it has none. */
  scopes?: string[] | null;
  /** Lambda authorizers: the returned context, as returned (HTTP) or validated flat (REST). */
  context?: Record<string, unknown> | null;
  /** IAM-policy authorizers: the principal id. */
  principalId?: string;
  /** Authorizer latency in ms (0 for a cache hit). */
  latencyMs: number;
  /** Whether the decision came from the cache. */
  cached: boolean;
}

/** Result of an authorizer: proceed, or answer with an error. */
export type AuthResult =
  | { ok: true; outcome: AuthOutcome }
  | { ok: false; error: GatewayError; latencyMs: number; invoked: boolean; principalId?: string };

/**
 * A gateway-generated error, before it is rendered (REST applies gateway responses; HTTP APIs
 * answer `{"message":…}`).
 */
export interface GatewayError {
  statusCode: number;
  /** The `message` of the JSON body; `null` renders `{"message":null}` (REST authorizer errors). */
  message: string | null;
  /** REST gateway response type (`UNAUTHORIZED`, `ACCESS_DENIED`, …). */
  responseType: string;
  /** REST `x-amzn-ErrorType`. */
  errorType?: string;
  /** Extra response headers (`www-authenticate`). */
  headers?: Array<[string, string]>;
  /** For the access log only (`$context.authorizer.error`-like); never contains a token. */
  detail?: string;
}
