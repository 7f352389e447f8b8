/**
 * What both HTTP API modes share: the API, the backend integration (with the identity parameter
 * mapping), the stage with throttling and an access log. The mode adds its authorizer and the
 * routes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import {
  CONTEXT_KEY_CUSTOMER_ID,
  CONTEXT_KEY_CUSTOMER_NAME,
  type BackendConfig,
  type ClaimMapping,
  type CorsConfig,
  type IdentityConfig,
  type StageConfig,
} from "../config";
import { withoutTrailingSlash } from "../outputs";
import { accessLogGroup, jsonAccessLogFormat } from "./access-log";
import { EchoBackend } from "./echo-backend";
import { apiGatewayInvokePermission } from "./lambda-basics";

/** One identity value: the claim it comes from and the authorizer-context key it travels under. */
export type IdentityField = Pick<ClaimMapping, "claim" | "contextKey">;

/**
 * The identity part of an integration's `requestParameters`: every mapped header and query
 * parameter, each `overwrite:`.
 *
 * Why `overwrite:` and never `append:`: `append:` keeps a value the client sent itself, so a
 * client could send `X-Customer-ID: someone-else` and the backend would see it (design.md, rule 1;
 * the SAM seed template made exactly this mistake).
 *
 * @param source the mapping expression for a field, e.g. `$context.authorizer.<contextKey>`
 *   (Lambda authorizer) or `$context.authorizer.claims.<claim>` (JWT authorizer). The customer id
 *   and name are passed as `{ contextKey: "customerId" | "customerName", claim: <first claim> }`.
 */
export function identityRequestParameters(
  identity: IdentityConfig,
  source: (field: IdentityField) => string,
): Record<string, string> {
  const params: Record<string, string> = {
    [`overwrite:header.${identity.customerIdHeader}`]: source({
      contextKey: CONTEXT_KEY_CUSTOMER_ID,
      claim: identity.customerIdClaims[0],
    }),
    [`overwrite:header.${identity.customerNameHeader}`]: source({
      contextKey: CONTEXT_KEY_CUSTOMER_NAME,
      claim: identity.customerNameClaims[0],
    }),
  };
  for (const m of identity.claimHeaders) params[`overwrite:header.${m.target}`] = source(m);
  for (const m of identity.claimQueryParams)
    params[`overwrite:querystring.${m.target}`] = source(m);
  // The underscore spelling of each identity header (`X_Customer_ID`) is another header to API
  // Gateway, so `overwrite:header.X-Customer-ID` leaves a client's `X_Customer_ID: victim` in
  // place, and nginx (`underscores_in_headers`), CGI/WSGI (`HTTP_X_CUSTOMER_ID`) and Django read
  // both spellings as the same header. Remove it: `remove:header.<name>` with an empty value, as
  // in the HPM CLI example (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html).
  for (const header of underscoreVariants(identity)) params[`remove:header.${header}`] = "";
  return params;
}

/**
 * `remove:` for every header and query parameter an identity mapping sets (the value is the empty
 * string, as in the HPM CLI example that removes a header:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html).
 */
export function removalRequestParameters(
  params: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(params)) {
    const m = /^(?:overwrite|append|remove):((?:header|querystring)\..+)$/.exec(key);
    if (m) out[`remove:${m[1]}`] = "";
  }
  return out;
}

/** `X_Customer_ID` for every identity header with a `-` (`X-Customer-ID`), deduplicated. */
export function underscoreVariants(identity: IdentityConfig): string[] {
  const names = [
    identity.customerIdHeader,
    identity.customerNameHeader,
    ...identity.claimHeaders.map((m) => m.target),
  ];
  const mapped = new Set(names.map((n) => n.toLowerCase()));
  const out = new Map<string, string>();
  for (const n of names) {
    if (!n.includes("-")) continue;
    const variant = n.replace(/-/g, "_");
    if (!mapped.has(variant.toLowerCase())) out.set(variant.toLowerCase(), variant);
  }
  return [...out.values()];
}

// Re-exported for the modes and tests that read it from here.
export { identityHeaderNames } from "../config";

/**
 * Path handling for proxied backends (`http`, `vpc-link`): `overwrite:path` with the request path,
 * prefixed by the backend URL's own path.
 *
 * Why not `https://backend/{proxy}` as the integration URI: the integration serves both `ANY /`
 * (which has no `{proxy}` parameter) and `ANY /{proxy+}`; one `overwrite:path` works for both,
 * and `$request.path` is the path without the stage name, so `/dev/orders/1` reaches the backend
 * as `/orders/1` (or `/api/orders/1` for a backend URL `https://host/api`). The query string is
 * passed through unchanged by HTTP_PROXY. The echo Lambda gets the path in its event instead.
 */
export function backendPathParameters(backend: BackendConfig): Record<string, string> {
  switch (backend.kind) {
    case "echo":
      return {};
    case "vpc-link":
      return { "overwrite:path": "$request.path" };
    case "http": {
      const basePath = new URL(backend.url).pathname.replace(/\/+$/, "");
      return {
        "overwrite:path": basePath === "" ? "$request.path" : `${basePath}\${request.path}`,
      };
    }
  }
}

/** The fields every access log line carries (HTTP API `$context` variables). */
export const BASE_ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  sourceIp: "$context.identity.sourceIp",
  httpMethod: "$context.httpMethod",
  path: "$context.path",
  routeKey: "$context.routeKey",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationStatus: "$context.integrationStatus",
  integrationLatency: "$context.integrationLatency",
  integrationError: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
};

/**
 * The stage's access-log format: one JSON object per request, the base fields plus the mode's
 * identity fields (e.g. `customerId: $context.authorizer.customerId`).
 * @throws Error when a field would log a credential (`Authorization`, cookies, the raw identity
 *   source): access logs must never hold a token.
 */
export function accessLogFormat(identityFields: Readonly<Record<string, string>> = {}): string {
  return jsonAccessLogFormat({ ...BASE_ACCESS_LOG_FIELDS, ...identityFields });
}

export interface HttpApiBaseArgs {
  /** Stage name, throttling and log retention. */
  readonly stage: StageConfig;
  /** Where requests go: the bundled echo Lambda, an HTTP URL, or a private listener via VPC link. */
  readonly backend: BackendConfig;
  /**
   * CORS for browsers; API Gateway answers preflights from it.
   * @default undefined (no CORS)
   */
  readonly cors?: CorsConfig;
  /**
   * The integration's parameter mapping for the identity (see `identityRequestParameters`).
   * Path handling for proxied backends (`backendPathParameters`) is added by this component.
   */
  readonly requestParameters: Readonly<Record<string, string>>;
  /**
   * Identity fields for the access log, e.g. `{ customerId: "$context.authorizer.customerId" }`.
   * @default {}
   */
  readonly accessLogIdentityFields?: Readonly<Record<string, string>>;
  /**
   * The route table has public routes: create the identity-free integration they target (CORS
   * creates it anyway). @default false
   */
  readonly publicRoutes?: boolean;
}

export class HttpApiBase extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api;
  readonly integration: aws.apigatewayv2.Integration;
  /**
   * The integration of the routes without an authorizer (public routes, CORS `OPTIONS` routes):
   * the identity removed. Created with CORS or `publicRoutes`.
   */
  readonly identityFreeIntegration?: aws.apigatewayv2.Integration;
  readonly stage: aws.apigatewayv2.Stage;
  /** The stage's access-log group; undefined when `stage.accessLogging` is false. */
  readonly accessLogGroup?: aws.cloudwatch.LogGroup;
  /** The echo backend, when `backend.kind` is `echo`. */
  readonly echoBackend?: EchoBackend;
  /** The VPC link, when `backend.kind` is `vpc-link`. */
  readonly vpcLink?: aws.apigatewayv2.VpcLink;
  /** Invoke URL of the stage. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: HttpApiBaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("identity-gateway:shared:HttpApiBase", name, {}, opts);
    const { backend, cors } = args;

    this.api = new aws.apigatewayv2.Api(
      `${name}-api`,
      {
        protocolType: "HTTP",
        description: "identity-gateway: verifies the caller's JWT and forwards the identity",
        corsConfiguration: cors && {
          allowOrigins: [...cors.allowOrigins],
          allowMethods: [...cors.allowMethods],
          allowHeaders: [...cors.allowHeaders],
          maxAge: cors.maxAgeSeconds,
        },
      },
      { parent: this },
    );

    const pathParameters = backendPathParameters(backend);
    const requestParameters = { ...args.requestParameters, ...pathParameters };
    let integrationTarget: Omit<aws.apigatewayv2.IntegrationArgs, "apiId" | "requestParameters">;
    switch (backend.kind) {
      case "echo": {
        this.echoBackend = new EchoBackend(
          `${name}-echo`,
          { logRetentionDays: args.stage.logRetentionDays },
          { parent: this },
        );
        apiGatewayInvokePermission(
          `${name}-echo-invoke`,
          this.echoBackend.function,
          pulumi.interpolate`${this.api.executionArn}/*/*`,
          this,
        );
        integrationTarget = {
          integrationType: "AWS_PROXY",
          // API Gateway always invokes Lambda with POST, whatever the client's method.
          integrationMethod: "POST",
          integrationUri: this.echoBackend.function.invokeArn,
          payloadFormatVersion: "2.0",
        };
        break;
      }
      case "http":
        integrationTarget = {
          integrationType: "HTTP_PROXY",
          integrationMethod: "ANY",
          integrationUri: backend.url,
        };
        break;
      case "vpc-link":
        this.vpcLink = new aws.apigatewayv2.VpcLink(
          `${name}-vpc-link`,
          {
            subnetIds: [...backend.subnetIds],
            securityGroupIds: [...backend.securityGroupIds],
          },
          { parent: this },
        );
        integrationTarget = {
          integrationType: "HTTP_PROXY",
          integrationMethod: "ANY",
          connectionType: "VPC_LINK",
          connectionId: this.vpcLink.id,
          integrationUri: backend.listenerArn,
        };
        break;
    }
    this.integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      { apiId: this.api.id, ...integrationTarget, requestParameters },
      { parent: this },
    );
    if (cors || args.publicRoutes) {
      // The integration of the routes without an authorizer (public routes, and the `OPTIONS`
      // routes CORS needs; see routes.ts for why they need one): the same backend, but the mapping
      // only REMOVES the identity headers and query parameters, so a request there (an `OPTIONS`
      // that is not a preflight, which API Gateway answers itself, or a call to `GET /health`)
      // reaches the backend with no identity at all, never a client-chosen one. The resource keeps
      // the name it had when only preflight routes used it: stacks hold it in their URNs.
      this.identityFreeIntegration = new aws.apigatewayv2.Integration(
        `${name}-preflight-integration`,
        {
          apiId: this.api.id,
          ...integrationTarget,
          requestParameters: {
            ...removalRequestParameters(args.requestParameters),
            ...pathParameters,
          },
        },
        { parent: this },
      );
    }

    // `accessLogging: false` leaves out the log group and the settings together. HTTP APIs need no
    // account-level CloudWatch role for access logs ("Configuring logging for an HTTP API",
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html), so
    // this is a cost or policy choice here, not a way around a failing deployment.
    this.accessLogGroup = accessLogGroup(name, args.stage, this);
    this.stage = new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: this.api.id,
        name: args.stage.stageName,
        autoDeploy: true,
        accessLogSettings: this.accessLogGroup && {
          destinationArn: this.accessLogGroup.arn,
          format: accessLogFormat(args.accessLogIdentityFields),
        },
        defaultRouteSettings: {
          throttlingBurstLimit: args.stage.throttlingBurstLimit,
          throttlingRateLimit: args.stage.throttlingRateLimit,
        },
      },
      { parent: this },
    );
    this.url = withoutTrailingSlash(this.stage.invokeUrl);

    this.registerOutputs({
      api: this.api,
      integration: this.integration,
      stage: this.stage,
      accessLogGroup: this.accessLogGroup,
      url: this.url,
    });
  }
}
