/**
 * The plain-data description of one deployed API that the local gateway serves.
 *
 * The runner builds an {@link ApiModel} from the resources the Pulumi program declares (under
 * Pulumi's mock runtime), so the local gateway and `pulumi up` share one source of truth. The
 * engine in `local/gateway/` only reads these types: nothing here refers to Pulumi or AWS SDKs.
 *
 * Expressions (identity sources, mapping keys and values) are kept VERBATIM as AWS spells them,
 * e.g. `$request.header.Authorization`, `overwrite:header.X-Customer-ID`,
 * `method.request.header.Authorization`, `context.authorizer.customerId`, `'static'`. The engine
 * parses them; the runner must not rewrite them.
 */

/** A Lambda function the gateway can invoke (an authorizer or a proxy integration). */
export interface LambdaRef {
  /** The function's name (the Pulumi resource's `name` output, or its logical name). */
  name: string;
  /** Absolute path of the built bundle in `dist/functions/` that exports `handler`. */
  bundlePath: string;
  /** The function's environment variables, as deployed. */
  environment: Record<string, string>;
  /** The function's timeout in milliseconds (AWS `timeout` seconds × 1000). */
  timeoutMs: number;
}

/** The outcome of one invocation. */
export type LambdaInvokeResult =
  | {
      ok: true;
      /** What the handler returned (or passed to its callback), already a plain JS value. */
      result: unknown;
    }
  | {
      ok: false;
      /**
       * The error's message. A handler that throws `new Error("Unauthorized")` or calls
       * `callback("Unauthorized")` gives exactly `"Unauthorized"` (REST maps that to 401).
       */
      errorMessage: string;
      /** The error's name/type when known (`Error`, `TimeoutError`, …). */
      errorType?: string;
    };

/** Runs Lambda functions. The runner provides one backed by worker threads; tests use fakes. */
export interface LambdaInvoker {
  /**
   * Invoke `fn` with `event`. Must never reject: a throwing/rejecting/timing-out handler yields
   * `{ ok: false, errorMessage }`.
   */
  invoke(
    fn: LambdaRef,
    event: unknown,
    context?: { requestId: string },
  ): Promise<LambdaInvokeResult>;
}

/** HTTP API native JWT authorizer (`authorizerType: "JWT"`). */
export interface JwtAuthorizerModel {
  kind: "jwt";
  /** The authorizer's id, referenced by {@link RouteModel.authorizerId}. */
  id: string;
  /** The authorizer's name (for logs). */
  name: string;
  /** The single identity source, e.g. `$request.header.Authorization`. */
  identitySource: string;
  /** `jwtConfiguration.issuer`: must equal the token's `iss`; discovery is `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** `jwtConfiguration.audiences`: the token's `aud` (or `client_id` when `aud` is absent) must match one. */
  audiences: string[];
}

/** HTTP API Lambda REQUEST authorizer (payload 2.0). */
export interface LambdaRequestAuthorizerModel {
  kind: "lambda-request";
  /** The authorizer's id, referenced by {@link RouteModel.authorizerId}. */
  id: string;
  /** The authorizer's name (for logs). */
  name: string;
  /**
   * Identity sources, e.g. `["$request.header.Authorization"]`. Each must be present and
   * non-empty, else 401 without invoking. Also the cache key. May be empty (no caching then).
   */
  identitySources: string[];
  /** `authorizerResultTtlInSeconds`; 0 disables caching. */
  resultTtlSeconds: number;
  /** `authorizerPayloadFormatVersion`. Only 2.0 is emulated. */
  payloadFormatVersion: "2.0";
  /** `enableSimpleResponses`: `{isAuthorized, context}` when true, an IAM policy when false. */
  simpleResponses: boolean;
  /** The authorizer function. */
  function: LambdaRef;
}

/** REST API Lambda TOKEN authorizer. */
export interface LambdaTokenAuthorizerModel {
  kind: "lambda-token";
  /** The authorizer's id, referenced by {@link RouteModel.authorizerId}. */
  id: string;
  /** The authorizer's name (for logs). */
  name: string;
  /** The identity source, e.g. `method.request.header.Authorization`. */
  identitySource: string;
  /** `identityValidationExpression`: a regex the whole token must match, else 401 without invoking. */
  validationExpression?: string;
  /** `authorizerResultTtlInSeconds` (AWS default 300 when unset: the runner fills that in); 0 disables. */
  resultTtlSeconds: number;
  /** The authorizer function. */
  function: LambdaRef;
}

/** Any authorizer. */
export type AuthorizerModel =
  JwtAuthorizerModel | LambdaRequestAuthorizerModel | LambdaTokenAuthorizerModel;

/** Fields shared by every integration. */
interface IntegrationBase {
  /**
   * Request parameter mapping, verbatim.
   * HTTP API: `overwrite:header.X-Customer-ID` → `$context.authorizer.customerId`
   * (also `append:`/`remove:`, `querystring.`, `overwrite:path`; values may be `${…}` templates or static text).
   * REST: `integration.request.header.X-Customer-ID` → `context.authorizer.customerId`
   * (also `method.request.header.x`, `method.request.path.proxy`, `'static'`).
   */
  requestParameters: Record<string, string>;
  /** Integration timeout in ms (HTTP API `timeoutInMillis`, REST `timeoutInMillis`); default 30000. */
  timeoutMs?: number;
}

/** Lambda proxy integration (`AWS_PROXY`). */
export interface LambdaProxyIntegrationModel extends IntegrationBase {
  kind: "lambda-proxy";
  /** The backend function. */
  function: LambdaRef;
  /** Event shape: HTTP APIs use `2.0` (or `1.0`); REST always `1.0`. */
  payloadFormatVersion: "1.0" | "2.0";
}

/** HTTP proxy integration (`HTTP_PROXY`). */
export interface HttpProxyIntegrationModel extends IntegrationBase {
  kind: "http-proxy";
  /** The backend URI; `{name}` placeholders are filled from path parameters (`{proxy}` for `{proxy+}`). */
  uri: string;
  /** The integration HTTP method; `ANY` forwards the client's method. */
  method: string;
}

/** REST `MOCK` integration (used for CORS preflight methods). */
export interface MockIntegrationModel extends IntegrationBase {
  kind: "mock";
  /** The status code of the (single) integration response. */
  statusCode: number;
  /**
   * The method/integration response parameters, e.g.
   * `method.response.header.Access-Control-Allow-Origin` → `'*'`.
   */
  responseParameters?: Record<string, string>;
  /** The response body (the integration response template for `application/json`, verbatim). */
  responseBody?: string;
}

/** Any integration. */
export type IntegrationModel =
  LambdaProxyIntegrationModel | HttpProxyIntegrationModel | MockIntegrationModel;

/** One HTTP API route, or one REST resource + method. */
export interface RouteModel {
  /** `ANY`, `GET`, `POST`, `OPTIONS`, … (upper case). */
  method: string;
  /**
   * The path as AWS declares it, without the stage: `/`, `/items/{id}`, `/{proxy+}`.
   * For an HTTP API, the `$default` route key is `path: "$default"` (with `method: "ANY"`).
   */
  path: string;
  /** `NONE`, `JWT` (HTTP API JWT authorizer) or `CUSTOM` (any Lambda authorizer). */
  authorization: "NONE" | "JWT" | "CUSTOM";
  /** The id of the {@link AuthorizerModel} when `authorization` is not `NONE`. */
  authorizerId?: string;
  /** HTTP API route `authorizationScopes` (JWT only): the token needs at least one. */
  authorizationScopes?: string[];
  /** Where the request goes once authorized. */
  integration: IntegrationModel;
}

/** HTTP API `corsConfiguration`. */
export interface CorsModel {
  /** Allowed origins; `*` allows any. */
  allowOrigins: string[];
  /** Allowed methods; `*` allows any. */
  allowMethods: string[];
  /** Allowed request headers; `*` allows any. */
  allowHeaders: string[];
  /** Headers exposed to the browser. */
  exposeHeaders: string[];
  /** `Access-Control-Max-Age` in seconds. */
  maxAge?: number;
  /** `Access-Control-Allow-Credentials: true` when set. */
  allowCredentials?: boolean;
}

/** REST API gateway response (`aws.apigateway.Response`). */
export interface GatewayResponseModel {
  /** `UNAUTHORIZED`, `ACCESS_DENIED`, `DEFAULT_4XX`, `DEFAULT_5XX`, `AUTHORIZER_FAILURE`, … */
  type: "UNAUTHORIZED" | "ACCESS_DENIED" | "DEFAULT_5XX" | "DEFAULT_4XX" | string;
  /** Overrides the status code when set. */
  statusCode?: number;
  /** `gatewayresponse.header.X` → `'static value'` (verbatim, single-quoted). */
  responseParameters: Record<string, string>;
  /** Content type → template; `$context.error.messageString` is substituted (JSON-quoted message). */
  responseTemplates: Record<string, string>;
}

/** One deployed API at one stage. */
export interface ApiModel {
  /** `http` (apigatewayv2) or `rest` (apigateway v1). */
  type: "http" | "rest";
  /** The API id used in ARNs and events (the mock id is fine locally). */
  apiId: string;
  /** Region used in ARNs (`arn:aws:execute-api:{region}:…`). */
  region: string;
  /** Account id used in ARNs and events. */
  accountId: string;
  /** The stage name; `$default` (HTTP API) serves without a path prefix, any other name under `/{stage}`. */
  stageName: string;
  /** Stage variables, for `$stageVariables.x` / `stageVariables.x`. */
  stageVariables?: Record<string, string>;
  /** Routes (HTTP API) or resource methods (REST). */
  routes: RouteModel[];
  /**
   * REST: the path of every resource, with or without methods (`/admin` under `/admin/{proxy+}`
   * has none, yet it keeps `/admin` away from `/{proxy+}`: local/gateway/routing.ts).
   * @default the prefixes of the methods' paths
   */
  resourcePaths?: string[];
  /** Authorizers referenced by routes. */
  authorizers: AuthorizerModel[];
  /** HTTP API CORS configuration (REST CORS is just OPTIONS routes with mock integrations). */
  cors?: CorsModel;
  /** REST gateway responses (empty for HTTP APIs). */
  gatewayResponses: GatewayResponseModel[];
  /** The stage's access-log format (informational; the local gateway logs a fixed JSON line). */
  accessLogFormat?: string;
}
