/**
 * Gateway-generated errors and how they are rendered: HTTP APIs answer `{"message":…}`; REST APIs
 * go through gateway responses (aws-semantics.md §4 "Status codes" table, RGW).
 */
import type { ApiModel, GatewayResponseModel } from "../model";
import type { GatewayError, GatewayResponse } from "./types";

/** HTTP API errors (§1 "Failure response", §2 "Status codes"). */
export const httpErrors = {
  /** §1/§2: identity source missing, or token invalid (JWT adds `www-authenticate`). */
  unauthorized: (headers?: Array<[string, string]>, detail?: string): GatewayError => ({
    statusCode: 401,
    message: "Unauthorized",
    responseType: "UNAUTHORIZED",
    headers,
    detail,
  }),
  /** §1 missing scope / §2 `isAuthorized:false` or policy without Allow: UNDOCUMENTED, observed 403 Forbidden (3P). */
  forbidden: (detail?: string): GatewayError => ({
    statusCode: 403,
    message: "Forbidden",
    responseType: "ACCESS_DENIED",
    detail,
  }),
  /** §2: authorizer invocation failure or invalid response → 500. */
  internal: (detail?: string): GatewayError => ({
    statusCode: 500,
    message: "Internal Server Error",
    responseType: "DEFAULT_5XX",
    detail,
  }),
  notFound: (): GatewayError => ({
    statusCode: 404,
    message: "Not Found",
    responseType: "RESOURCE_NOT_FOUND",
  }),
};

/** REST API errors (§4 "Status codes" table; types and `x-amzn-ErrorType` per RGW). */
export const restErrors = {
  /** §4: missing token, validation expression mismatch, or the Lambda failed with `Unauthorized`. */
  unauthorized: (detail?: string): GatewayError => ({
    statusCode: 401,
    message: "Unauthorized",
    responseType: "UNAUTHORIZED",
    errorType: "UnauthorizedException",
    detail,
  }),
  /** §4: an explicit Deny matched the methodArn. */
  explicitDeny: (): GatewayError => ({
    statusCode: 403,
    message: "User is not authorized to access this resource with an explicit deny",
    responseType: "ACCESS_DENIED",
    errorType: "AccessDeniedException",
  }),
  /** §4: no Allow matched the methodArn. */
  implicitDeny: (): GatewayError => ({
    statusCode: 403,
    message: "User is not authorized to access this resource",
    responseType: "ACCESS_DENIED",
    errorType: "AccessDeniedException",
  }),
  /**
   * §4: any other authorizer error or a malformed response → 500; body observed as
   * `{"message": null}` (3P loige.co), `x-amzn-ErrorType: AuthorizerConfigurationException`
   * (3P serverless-offline #1376).
   */
  authorizerConfiguration: (detail?: string): GatewayError => ({
    statusCode: 500,
    message: null,
    responseType: "AUTHORIZER_CONFIGURATION_ERROR",
    errorType: "AuthorizerConfigurationException",
    detail,
  }),
  /**
   * No resource/method matches. Not covered by aws-semantics.md: REST APIs answer 403
   * `Missing Authentication Token` (RGW `MISSING_AUTHENTICATION_TOKEN`), not 404.
   */
  missingAuthenticationToken: (): GatewayError => ({
    statusCode: 403,
    message: "Missing Authentication Token",
    responseType: "MISSING_AUTHENTICATION_TOKEN",
    errorType: "MissingAuthenticationTokenException",
  }),
};

/** Integration failures, per API type. */
export function integrationErrors(type: ApiModel["type"]) {
  /** The API type's generic server error: REST's spelling and error type, or the HTTP API's. */
  const serverError = (restStatus: number, detail?: string): GatewayError =>
    type === "rest"
      ? {
          statusCode: restStatus,
          message: "Internal server error",
          responseType: "DEFAULT_5XX",
          errorType: "InternalServerErrorException",
          detail,
        }
      : httpErrors.internal(detail);
  return {
    /**
     * The backend Lambda failed or returned a malformed proxy response: REST answers 502
     * `Internal server error`, HTTP APIs 500 `Internal Server Error` (service behaviour, HI /
     * REST "Malformed Lambda proxy response"; not in aws-semantics.md).
     */
    lambdaFailed: (detail?: string): GatewayError => serverError(502, detail),
    /** HTTP backend unreachable: 503 `Service Unavailable` (UNDOCUMENTED in our spec; chosen). */
    unreachable: (detail?: string): GatewayError => ({
      statusCode: 503,
      message: "Service Unavailable",
      responseType: "INTEGRATION_FAILURE",
      detail,
    }),
    /** Integration timeout: 504 `Endpoint request timed out` (RGW `INTEGRATION_TIMEOUT`; chosen for HTTP APIs too). */
    timeout: (detail?: string): GatewayError => ({
      statusCode: 504,
      message: "Endpoint request timed out",
      responseType: "INTEGRATION_TIMEOUT",
      detail,
    }),
    /**
     * A mapped header value HTTP cannot carry (CR/LF or another control character, see
     * mapping.ts `MappedHeaderValueError`). UNDOCUMENTED; chosen: the API type's generic 500, so
     * the request fails closed and the value never reaches the backend.
     */
    invalidMappedValue: (detail?: string): GatewayError => serverError(500, detail),
  };
}

/** Errors the HTTP layer produces before routing (§3 "Limits"). */
export const limitErrors = {
  /** Body over 10 MB (HQ) → 413. */
  payloadTooLarge: (): GatewayError => ({
    statusCode: 413,
    message: "Request Entity Too Large",
    responseType: "REQUEST_TOO_LARGE",
  }),
  /**
   * Request line + header values over 10240 bytes (HQ). The status AWS returns is not documented;
   * we chose 431 Request Header Fields Too Large (RFC 6585), the status meant for this case, so a
   * client can tell it from a too-large body (413).
   */
  headersTooLarge: (): GatewayError => ({
    statusCode: 431,
    message: "Request Header Fields Too Large",
    responseType: "REQUEST_TOO_LARGE",
  }),
};

function findGatewayResponse(model: ApiModel, err: GatewayError): GatewayResponseModel | undefined {
  const byType = (t: string) => model.gatewayResponses.find((g) => g.type === t);
  return byType(err.responseType) ?? byType(err.statusCode >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX");
}

/**
 * A gateway response header's `method.request.header.Y` source: the request's value (the last one
 * when repeated, as REST mappings read it; names looked up case-insensitively, as in
 * resolveRestSource). Undefined for any other source.
 */
function fromMethodRequest(
  source: string,
  requestHeaders: ReadonlyMap<string, string[]>,
): string | undefined {
  const h = /^method\.request\.header\.(.+)$/.exec(source);
  return h ? requestHeaders.get(h[1].toLowerCase())?.at(-1) : undefined;
}

/**
 * Renders an error. REST: the matching gateway response (its type, else DEFAULT_4XX/DEFAULT_5XX)
 * sets the status, the body template (with `$context.error.messageString` = the JSON-quoted
 * message, `$context.error.message`, `$context.requestId`) and `gatewayresponse.header.X` headers
 * from a `'static'` value or from a method request header, `method.request.header.Y` (a gateway
 * response "can access ... method request parameters, in the form of
 * method.request.param-position.param-name", Gateway responses in API Gateway,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html;
 * a request without that header gets no such response header). The default template is
 * `{"message":$context.error.messageString}` (RGW).
 */
export function renderError(
  model: ApiModel,
  err: GatewayError,
  requestId: string,
  requestHeaders: ReadonlyMap<string, string[]> = new Map(),
): GatewayResponse {
  const headers: Array<[string, string]> = [["content-type", "application/json"]];
  let statusCode = err.statusCode;
  let template = '{"message":$context.error.messageString}';
  if (model.type === "rest") {
    if (err.errorType) headers.push(["x-amzn-ErrorType", err.errorType]);
    const gr = findGatewayResponse(model, err);
    if (gr) {
      if (gr.statusCode) statusCode = gr.statusCode;
      const templates = gr.responseTemplates ?? {};
      const ct =
        templates["application/json"] !== undefined
          ? "application/json"
          : Object.keys(templates)[0];
      if (ct !== undefined) {
        template = templates[ct];
        headers[0] = ["content-type", ct];
      }
      for (const [k, v] of Object.entries(gr.responseParameters ?? {})) {
        const m = /^gatewayresponse\.header\.(.+)$/.exec(k);
        if (!m) continue;
        const value =
          /^'(.*)'$/s.exec(v.trim())?.[1] ?? fromMethodRequest(v.trim(), requestHeaders);
        if (value !== undefined) headers.push([m[1], value]);
      }
    }
  }
  for (const h of err.headers ?? []) headers.push(h);
  const body = template
    .replace(/\$context\.error\.messageString/g, JSON.stringify(err.message))
    .replace(/\$context\.error\.message/g, err.message ?? "")
    .replace(/\$context\.requestId/g, requestId);
  return { statusCode, headers, body: Buffer.from(body) };
}
