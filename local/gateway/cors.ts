/**
 * HTTP API CORS (`corsConfiguration`). Not in aws-semantics.md; AWS "Configuring CORS for an HTTP
 * API": with CORS configured, API Gateway answers preflight requests itself and adds the CORS
 * headers to backend responses. Design rule 8: a preflight is answered without the authorizer.
 */
import type { CorsModel } from "../model";
import type { GatewayResponse } from "./types";

/** Whether the request is a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
export function isPreflight(method: string, headers: Map<string, string[]>): boolean {
  return (
    method.toUpperCase() === "OPTIONS" &&
    headers.has("origin") &&
    headers.has("access-control-request-method")
  );
}

function originAllowed(cors: CorsModel, origin: string): boolean {
  return cors.allowOrigins.some((o) => o === "*" || o.toLowerCase() === origin.toLowerCase());
}

function allowOriginValue(cors: CorsModel, origin: string): string {
  // `*` is echoed as `*` unless credentials are allowed (browsers reject `*` with credentials).
  return cors.allowOrigins.includes("*") && !cors.allowCredentials ? "*" : origin;
}

/**
 * The gateway's preflight answer: 204 with the CORS headers when the origin is allowed, and a
 * bare 204 otherwise (the browser then blocks the call).
 */
export function preflightResponse(
  cors: CorsModel,
  headers: Map<string, string[]>,
): GatewayResponse {
  const origin = headers.get("origin")?.[0] ?? "";
  const out: Array<[string, string]> = [];
  if (originAllowed(cors, origin)) {
    const requestedMethod = headers.get("access-control-request-method")?.[0] ?? "";
    const requestedHeaders = headers.get("access-control-request-headers")?.join(",") ?? "";
    out.push(["access-control-allow-origin", allowOriginValue(cors, origin)]);
    const methods = cors.allowMethods.includes("*")
      ? requestedMethod || "*"
      : cors.allowMethods.join(",");
    out.push(["access-control-allow-methods", methods]);
    const allowHeaders = cors.allowHeaders.includes("*")
      ? requestedHeaders
      : cors.allowHeaders.join(",");
    if (allowHeaders) out.push(["access-control-allow-headers", allowHeaders]);
    if (cors.maxAge !== undefined) out.push(["access-control-max-age", String(cors.maxAge)]);
    if (cors.allowCredentials) out.push(["access-control-allow-credentials", "true"]);
    out.push(["vary", "Origin"]);
  }
  return { statusCode: 204, headers: out, body: Buffer.alloc(0) };
}

/**
 * Adds the CORS headers to an actual response when the Origin is allowed. Whether AWS also adds
 * them to gateway-generated errors (401/403) is UNDOCUMENTED; we add them to every response so a
 * browser can read the error, which is what users of HTTP API CORS report.
 */
export function decorateResponse(
  cors: CorsModel,
  headers: Map<string, string[]>,
  response: GatewayResponse,
): void {
  // "If you configure CORS for an API, API Gateway ignores CORS headers returned from your backend
  // integration" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html):
  // dropped for every request, so a backend's `Access-Control-Allow-Origin: *` cannot open the API
  // to an origin the configuration does not allow.
  response.headers = response.headers.filter(
    ([k]) => !k.toLowerCase().startsWith("access-control-"),
  );
  const origin = headers.get("origin")?.[0];
  if (!origin || !originAllowed(cors, origin)) return;
  response.headers.push(["access-control-allow-origin", allowOriginValue(cors, origin)]);
  if (cors.exposeHeaders.length > 0) {
    response.headers.push(["access-control-expose-headers", cors.exposeHeaders.join(",")]);
  }
  if (cors.allowCredentials) response.headers.push(["access-control-allow-credentials", "true"]);
  response.headers.push(["vary", "Origin"]);
}
