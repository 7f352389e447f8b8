/**
 * A REST API (API Gateway v1) built from its plain description: the API, its resources, the
 * authorizer, methods and integrations, gateway responses, the deployment with its hash, the stage
 * and its logs. The mode (`modes/rest-token.ts`) adds the authorizer function and its invoke
 * permission, as the HTTP modes add theirs to `HttpApiBase` (`components/http-api.ts`).
 *
 * The API is described twice on purpose, once as plain data (`RestApiDefinition`, pure and unit
 * tested) and once as the Pulumi resources built from that data. The deployment's `triggers` hold a
 * hash of the plain description (`deploymentHash`), so every change to an authorizer setting, a
 * method, an integration, a parameter mapping or a gateway response redeploys the stage on the
 * next `pulumi up`. A REST API, unlike an HTTP API, serves its last *deployment*, not its current
 * definition: without the hash a changed mapping would sit undeployed while `pulumi up` reports
 * success.
 *
 * Why a function (`createRestApi(name, parent, args)`, the form of `createRoutes`) and not a
 * ComponentResource like `HttpApiBase`: a resource's URN holds the type of every component above
 * it, and stacks deployed before this file existed hold these resources directly under
 * `RestTokenGateway`. "Wrapping a group of resources in a ComponentResource" changes their URNs,
 * and Pulumi then treats "the old URN as a delete and the new URN as a create" unless each one
 * carries an alias (Pulumi docs, "Refactoring with aliases",
 * https://www.pulumi.com/docs/iac/operations/stack-management/refactoring-with-aliases/). For the
 * REST API that is a new API id, so a new invoke URL, `https://api-id.execute-api.region.amazonaws.com/stage/`
 * ("Invoke REST APIs in API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html). Created this
 * way, under the mode, every URN stays as it was (tests/infra/rest-token-urns.test.ts).
 *
 * Prerequisite of access logging: the account-level CloudWatch Logs role
 * (`aws.apigateway.Account.cloudwatchRoleArn`; "Set up CloudWatch logging for REST APIs",
 * "Permissions for CloudWatch logging",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html). That setting
 * is a per-region singleton of the whole AWS account, shared with every other REST API in it, so it
 * is not created by default. Without it, creating the stage fails with "CloudWatch Logs role ARN
 * must be set in account settings to enable logging" (the text as reported by users; AWS's guide
 * documents the prerequisite, not the message). Three ways through, in the README's
 * Troubleshooting: set the role once per account and Region (aws CLI), `accessLogging: false` (no
 * log group, no access-log settings), or the opt-in `manageApiGatewayAccount: true`
 * (`ApiGatewayAccount`, which the stage then depends on).
 */
import { createHash } from "node:crypto";

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { CONTEXT_KEY_CUSTOMER_ID, CONTEXT_KEY_CUSTOMER_NAME } from "../config";
import type { BackendConfig, CorsConfig, IdentityConfig, StageConfig } from "../config";
import { restResourcePaths } from "../../functions/commons/route-select";
import type { RouteSpec } from "../../functions/commons/routes";
import { accessLogGroup, jsonAccessLogFormat } from "./access-log";
import { ApiGatewayAccount } from "./api-gateway-account";
import { EchoBackend } from "./echo-backend";
import { apiGatewayInvokePermission } from "./lambda-basics";

// ---------------------------------------------------------------------------------------------
// The API as plain data
// ---------------------------------------------------------------------------------------------

/**
 * A resource of the API, as the definition names it: `root` (`/`) and `proxy` (`/{proxy+}`), the
 * two resources of every stack deployed before per-route rules (their names are in those stacks'
 * URNs, tests/infra/rest-token-urns.test.ts), else the resource's path (`/admin/{proxy+}`).
 */
export type RestResourceKey = string;

/** The key of the resource at `path`. */
export function resourceKey(path: string): RestResourceKey {
  return path === "/" ? "root" : path === "/{proxy+}" ? "proxy" : path;
}

/** The path of the resource a key names. */
export function resourcePath(key: RestResourceKey): string {
  return key === "root" ? "/" : key === "proxy" ? "/{proxy+}" : key;
}

/**
 * What a public route's HTTP backend gets in each identity header (and `claimQueryParams`
 * parameter): a fixed marker, never the client's value. A REST mapping cannot remove a header, only
 * set it, from a source or a static value written in single quotes ('value'; "Map data to
 * integration request parameters", REST, `rest-api-parameter-mapping-sources`, aws-semantics.md §4).
 * Whether an empty static value ('') is accepted, and what it sends, AWS does not document, so the
 * marker is not empty: `-`, the "no value" of the Common Log Format and of API Gateway's own access
 * logs. A public method has no authorizer, so a `context.authorizer.*` source would be empty there,
 * and what a mapping of an empty source sends is not documented either.
 */
export const PUBLIC_IDENTITY_MARKER = "-";

/** A static header value in REST parameter mapping is single-quoted. */
export function staticValue(value: string): string {
  if (value.includes("'"))
    throw new Error(`A static mapping value cannot contain a quote: ${value}`);
  return `'${value}'`;
}

export interface RestIntegrationDefinition {
  readonly type: "AWS_PROXY" | "HTTP_PROXY" | "MOCK";
  readonly integrationHttpMethod?: string;
  /**
   * The integration URI. For `AWS_PROXY` the echo backend's invoke ARN is only known at deploy
   * time, so the definition names it (`echo-backend`) and the component fills it in.
   */
  readonly uri?: string;
  readonly target?: "echo-backend";
  readonly requestParameters?: Readonly<Record<string, string>>;
  readonly requestTemplates?: Readonly<Record<string, string>>;
}

/** The CORS preflight's method response and integration response (MOCK integration). */
export interface RestPreflightResponse {
  readonly statusCode: string;
  readonly methodResponseParameters: Readonly<Record<string, boolean>>;
  readonly integrationResponseParameters: Readonly<Record<string, string>>;
  readonly integrationResponseTemplates?: Readonly<Record<string, string>>;
}

export interface RestMethodDefinition {
  readonly resource: RestResourceKey;
  readonly httpMethod: string;
  readonly authorization: "CUSTOM" | "NONE";
  readonly requestParameters?: Readonly<Record<string, boolean>>;
  readonly integration: RestIntegrationDefinition;
  readonly preflight?: RestPreflightResponse;
}

export interface RestGatewayResponseDefinition {
  readonly responseType: "UNAUTHORIZED" | "ACCESS_DENIED" | "DEFAULT_4XX" | "DEFAULT_5XX";
  /** Unset keeps the status API Gateway chose (DEFAULT_5XX covers several). */
  readonly statusCode?: string;
  readonly responseTemplates: Readonly<Record<string, string>>;
  readonly responseParameters?: Readonly<Record<string, string>>;
}

export interface RestAuthorizerDefinition {
  readonly type: "TOKEN";
  readonly identitySource: string;
  readonly identityValidationExpression: string;
  readonly resultTtlInSeconds: number;
  /**
   * What the authorizer Lambda is and answers with: its bundle, its role rule, and the claims it
   * turns into the context the backend receives.
   */
  readonly function: {
    readonly bundle: string;
    readonly roleClaim: string;
    readonly requiredRoles: readonly string[];
    readonly customerIdClaims: readonly string[];
    readonly customerNameClaims: readonly string[];
    /** Extra context keys and the claim each holds, in mapping order. */
    readonly contextClaims: readonly (readonly [string, string])[];
    /**
     * The route table's lines, so a change of a rule redeploys too. Left out (undefined) for the
     * default table, whose rule `requiredRoles` already holds: the hash of a stack without
     * `routes` stays what it was before per-route rules, and upgrading redeploys nothing.
     */
    readonly routeRules?: readonly string[];
  };
}

/** Everything a stage deployment of this API captures, as plain data. */
export interface RestApiDefinition {
  readonly endpointType: "REGIONAL";
  readonly authorizer: RestAuthorizerDefinition;
  readonly methods: readonly RestMethodDefinition[];
  readonly gatewayResponses: readonly RestGatewayResponseDefinition[];
}

/**
 * The identity mapping of an `HTTP_PROXY` integration: each identity header and query parameter is
 * set from the authorizer context (`context.authorizer.<key>`, aws-semantics.md §4, "Context into
 * the integration request"). A mapped integration-request parameter replaces the value the client
 * sent under that name, so a client cannot claim to be another customer.
 *
 * "Under that name" is case-sensitive on a REST API: "Header names and query parameters are
 * processed in a case-sensitive way" for methods with a Lambda or HTTP integration (Amazon API
 * Gateway important notes, REST APIs,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html). So a
 * mapping of `X-Customer-ID` leaves a client-sent `x-customer-id` in the request, and the backend
 * gets both, while to HTTP (RFC 9110 §5.1) and to most frameworks they are one header. Each name is
 * therefore mapped twice, as configured and in lower case, from the same context value: the
 * lower-case spelling is what every HTTP/2 client sends (RFC 9113 §8.2) and what an attacker
 * types first. That is as far as a REST mapping goes: it cannot remove a header, and other
 * spellings (`X-CUSTOMER-ID`) still pass; the README tells backend owners how to read the header.
 * The same holds for query parameters, whose names are case-sensitive too; a lower-case variant
 * that is itself a configured parameter keeps its own mapping.
 *
 * This relies on the REST authorizer always putting every mapped key in its context on Allow
 * (functions/rest-authorizer does, with "" for an absent claim): a key missing from the context
 * maps to nothing.
 */
export function identityRequestParameters(identity: IdentityConfig): Record<string, string> {
  const params: Record<string, string> = {};
  const headers: Array<[string, string]> = [
    [identity.customerIdHeader, CONTEXT_KEY_CUSTOMER_ID],
    [identity.customerNameHeader, CONTEXT_KEY_CUSTOMER_NAME],
    ...identity.claimHeaders.map((m): [string, string] => [m.target, m.contextKey]),
  ];
  // parseConfig refuses two header names that differ only in case, so variants cannot collide.
  for (const [name, key] of headers) {
    for (const spelling of new Set([name, name.toLowerCase()])) {
      params[`integration.request.header.${spelling}`] = `context.authorizer.${key}`;
    }
  }
  // parseConfig lets `Tenant` and `tenant` both be configured (distinct names on a REST API):
  // a configured name is never overwritten by another one's variant.
  const taken = new Set(identity.claimQueryParams.map((m) => m.target));
  for (const m of identity.claimQueryParams) {
    params[`integration.request.querystring.${m.target}`] = `context.authorizer.${m.contextKey}`;
  }
  for (const m of identity.claimQueryParams) {
    const lower = m.target.toLowerCase();
    if (taken.has(lower)) continue;
    taken.add(lower);
    params[`integration.request.querystring.${lower}`] = `context.authorizer.${m.contextKey}`;
  }
  return params;
}

/**
 * The identity mapping of a public method's `HTTP_PROXY` integration: the same names as
 * {@link identityRequestParameters}, each set to {@link PUBLIC_IDENTITY_MARKER}, so a client-sent
 * `X-Customer-ID` is replaced on a public route too (a public route must not let a client pose as
 * a customer to the backend).
 */
export function publicIdentityRequestParameters(identity: IdentityConfig): Record<string, string> {
  return Object.fromEntries(
    Object.keys(identityRequestParameters(identity)).map((k) => [
      k,
      staticValue(PUBLIC_IDENTITY_MARKER),
    ]),
  );
}

/** What the methods of the API are built from: the parts of the stack config they depend on. */
export interface RestMethodsConfig {
  readonly backend: BackendConfig;
  readonly identity: IdentityConfig;
  /**
   * The route table, one method per line.
   * @default `ANY /` and `ANY /{proxy+}` through the authorizer
   */
  readonly routes?: readonly Pick<RouteSpec, "method" | "path" | "rule">[];
  /** @default undefined (no CORS: no OPTIONS methods, no CORS headers) */
  readonly cors?: CorsConfig;
}

/** The path parameters of a template (`proxy` for `{proxy+}`), in order. */
function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1]);
}

function backendIntegration(
  config: RestMethodsConfig,
  path: string,
  isPublic: boolean,
): RestIntegrationDefinition {
  const backend = config.backend;
  if (backend.kind === "echo") {
    // Lambda proxy (AWS_PROXY): the function receives the authorizer context, stringified, in
    // `event.requestContext.authorizer.<key>` (aws-semantics.md §4, ROUT). There is deliberately
    // no `integration.request.header.*` mapping here. API Gateway builds the proxy event from the
    // *method* request, so `event.headers` holds the client's headers as sent and a mapping would
    // not replace them; AWS Support, as quoted in DianaIonita/serverless-api-gateway-caching#41,
    // says a Lambda proxy integration request cannot add headers or query parameters, and that
    // project's #51 reports that requestParameters on AWS_PROXY broke the integration when an
    // authorizer was attached (third-party reports, not AWS documentation; not verifiable here).
    // So a mapping would be at best a no-op that looks like protection, at worst a breakage.
    // Consequence: a client-sent X-Customer-ID IS in `event.headers` of a REST proxy event. A
    // Lambda backend behind rest-token must take the identity from `requestContext.authorizer`
    // only, never from those headers.
    return {
      type: "AWS_PROXY",
      integrationHttpMethod: "POST",
      target: "echo-backend",
    };
  }
  if (backend.kind !== "http") {
    // parseConfig refuses vpc-link for rest-token; fail loudly if that ever changes.
    throw new Error(
      `RestTokenGateway: [backend] kind "${backend.kind}" is not supported by rest-token`,
    );
  }
  const base = backend.url.replace(/\/+$/, "");
  const requestParameters = isPublic
    ? publicIdentityRequestParameters(config.identity)
    : identityRequestParameters(config.identity);
  for (const p of pathParams(path)) {
    requestParameters[`integration.request.path.${p}`] = `method.request.path.${p}`;
  }
  return {
    type: "HTTP_PROXY",
    integrationHttpMethod: "ANY",
    // The backend gets the request's path: `/{proxy+}` → `{base}/{proxy}`, `/` → `{base}/`.
    uri: path === "/" ? `${base}/` : `${base}${path.replace(/\+\}/g, "}")}`,
    requestParameters: sortKeys(requestParameters),
  };
}

/**
 * The one `Access-Control-Allow-Origin` value when a static header can express the allow-list
 * (a single origin, or `*` anywhere in the list); undefined when several origins are listed.
 */
export function staticAllowOrigin(cors: CorsConfig): string | undefined {
  if (cors.allowOrigins.includes("*")) return "*";
  return cors.allowOrigins.length === 1 ? cors.allowOrigins[0] : undefined;
}

/**
 * `Access-Control-Allow-Origin` for API Gateway's own answers (401/403/5xx), as a mapping
 * expression. One origin or `*`: a static value. Several: the request's `Origin` is reflected,
 * because a gateway response cannot choose from a list. That only exposes bodies such as
 * `{"message":"Unauthorized"}`, and never with credentials; the allow-list is enforced where it
 * matters, at the preflight a browser must pass before it sends `Authorization` cross-origin.
 */
function gatewayResponseAllowOrigin(cors: CorsConfig): string {
  const origin = staticAllowOrigin(cors);
  return origin !== undefined ? staticValue(origin) : "method.request.header.Origin";
}

function preflightResponse(cors: CorsConfig): RestPreflightResponse {
  const h = (name: string): string => `method.response.header.${name}`;
  const integrationResponseParameters: Record<string, string> = {
    [h("Access-Control-Allow-Headers")]: staticValue(cors.allowHeaders.join(",")),
    [h("Access-Control-Allow-Methods")]: staticValue(cors.allowMethods.join(",")),
    [h("Access-Control-Max-Age")]: staticValue(String(cors.maxAgeSeconds)),
  };
  let integrationResponseTemplates: Record<string, string> | undefined;
  const origin = staticAllowOrigin(cors);
  if (origin !== undefined) {
    integrationResponseParameters[h("Access-Control-Allow-Origin")] = staticValue(origin);
  } else {
    // Several origins: answer with the caller's Origin only when it is on the list (no header
    // otherwise, so the browser refuses). A static mapping cannot choose, so the MOCK integration's
    // response template sets the header with $context.responseOverride.
    integrationResponseParameters[h("Vary")] = staticValue("Origin");
    // A quote or VTL sigil in an origin would break out of the template; parseConfig's origin
    // check does not exclude them, so refuse here.
    for (const o of cors.allowOrigins) {
      if (/["'$#\\]/.test(o))
        throw new Error(`RestTokenGateway: [cors.allowOrigins] "${o}" is not an origin`);
    }
    const test = cors.allowOrigins.map((o) => `$o == "${o}"`).join(" || ");
    integrationResponseTemplates = {
      "application/json": [
        `#set($o = $input.params().header.get('Origin'))`,
        `#if("$!o" == "")#set($o = $input.params().header.get('origin'))#end`,
        `#if(${test})#set($context.responseOverride.header.Access-Control-Allow-Origin = $o)#end`,
      ].join("\n"),
    };
  }
  return {
    statusCode: "204",
    methodResponseParameters: Object.fromEntries(
      [
        "Access-Control-Allow-Headers",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Origin",
        "Access-Control-Max-Age",
        ...(origin !== undefined ? [] : ["Vary"]),
      ].map((name) => [h(name), true]),
    ),
    integrationResponseParameters: sortKeys(integrationResponseParameters),
    integrationResponseTemplates,
  };
}

/** The table of a stack without `routes`: what every stack deployed before per-route rules has. */
const DEFAULT_METHODS: readonly Pick<RouteSpec, "method" | "path" | "rule">[] = [
  { method: "ANY", path: "/", rule: { kind: "authenticated" } },
  { method: "ANY", path: "/{proxy+}", rule: { kind: "authenticated" } },
];

/**
 * One method per route line, as plain data: a `public` line with authorization `NONE`, every
 * other through the authorizer (`CUSTOM`), whose policy decides the line's rule. With CORS, every
 * resource that has methods also gets the `OPTIONS` preflight: REST selects the resource before the
 * method (functions/commons/route-select.ts), so a preflight to `/admin/x` is answered only by an
 * `OPTIONS` method on `/admin/{proxy+}`, never by the one on `/{proxy+}`. Resources come in the
 * table's order, their methods in line order, each followed by its preflight (for the default
 * table: `/` then `/{proxy+}`, as before per-route rules).
 */
export function restMethods(config: RestMethodsConfig): RestMethodDefinition[] {
  const routes = config.routes ?? DEFAULT_METHODS;
  const methods: RestMethodDefinition[] = [];
  const paths = [...new Set(routes.map((r) => r.path))];
  for (const path of paths) {
    const resource = resourceKey(path);
    const params = pathParams(path);
    for (const r of routes.filter((x) => x.path === path)) {
      const isPublic = r.rule.kind === "public";
      methods.push({
        resource,
        httpMethod: r.method,
        authorization: isPublic ? "NONE" : "CUSTOM",
        requestParameters:
          params.length > 0
            ? Object.fromEntries(params.map((p) => [`method.request.path.${p}`, true]))
            : undefined,
        integration: backendIntegration(config, path, isPublic),
      });
    }
    if (config.cors) {
      // Browsers send the preflight without Authorization: answer it here, without the authorizer
      // (design rule 8). An explicit OPTIONS method wins over ANY on the same resource.
      methods.push({
        resource,
        httpMethod: "OPTIONS",
        authorization: "NONE",
        integration: {
          type: "MOCK",
          requestTemplates: { "application/json": '{"statusCode": 200}' },
        },
        preflight: preflightResponse(config.cors),
      });
    }
  }
  return methods;
}

/** API Gateway's own answers (401, 403, every other 4XX and 5XX) as plain data. */
export function restGatewayResponses(
  cors: CorsConfig | undefined,
): RestGatewayResponseDefinition[] {
  const corsParams: Record<string, string> | undefined = cors
    ? {
        "gatewayresponse.header.Access-Control-Allow-Origin": gatewayResponseAllowOrigin(cors),
        ...(staticAllowOrigin(cors) !== undefined
          ? {}
          : { "gatewayresponse.header.Vary": staticValue("Origin") }),
      }
    : undefined;
  const json = { "application/json": '{"message":$context.error.messageString}' };
  // Every answer API Gateway gives itself carries the CORS headers, so a browser can read why a
  // call failed: 401 and 403 by type, and DEFAULT_4XX / DEFAULT_5XX for every other type (a wrong
  // stage's 403 Missing Authentication Token, 413, 429 throttling, 5xx), since a type without its
  // own gateway response "defaults to the DEFAULT_4XX type" or DEFAULT_5XX (Gateway response
  // types, https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
  // The defaults set no statusCode: one there would replace the status of every 4XX/5XX response.
  return [
    {
      responseType: "UNAUTHORIZED",
      statusCode: "401",
      responseTemplates: json,
      // RFC 9110 §15.5.2: a 401 "MUST send a WWW-Authenticate header field" naming the scheme;
      // RFC 6750 §3 names it `Bearer`. A gateway response adds headers by parameter mapping,
      // `gatewayresponse.header.<name>` from a quoted static value (Gateway responses in API
      // Gateway, https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html;
      // x-amazon-apigateway-gateway-responses.gatewayResponse example). Deliberately no
      // `error="invalid_token"`: the same 401 answers a missing token, for which RFC 6750 §3.1
      // says to send no error code.
      responseParameters: { ...corsParams, "gatewayresponse.header.WWW-Authenticate": "'Bearer'" },
    },
    {
      responseType: "ACCESS_DENIED",
      statusCode: "403",
      responseTemplates: json,
      responseParameters: corsParams,
    },
    { responseType: "DEFAULT_4XX", responseTemplates: json, responseParameters: corsParams },
    { responseType: "DEFAULT_5XX", responseTemplates: json, responseParameters: corsParams },
  ];
}

/** JSON with object keys sorted at every level and `undefined` members dropped: a stable text. */
export function canonicalJson(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, norm((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(norm(value));
}

/**
 * The deployment trigger: sha256 over the canonical JSON of the whole definition. Equal
 * definitions give equal hashes regardless of key order; any change gives a new hash, and a new
 * trigger value replaces the `aws.apigateway.Deployment`, i.e. redeploys the stage.
 *
 * The authorizer's rules (`roleClaim`, `requiredRoles`, the claims behind the context) are part of
 * it although API Gateway would pick up a new Lambda environment without a redeploy: a change of
 * who may call the API, or of what identity the backend gets, then shows in the preview as a
 * redeployment of the stage, not only as a function update.
 */
export function deploymentHash(definition: RestApiDefinition): string {
  return createHash("sha256").update(canonicalJson(definition)).digest("hex");
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

// ---------------------------------------------------------------------------------------------
// The resources
// ---------------------------------------------------------------------------------------------

/**
 * The `$context` fields of one access-log line. JSON, one object per request. The Authorization
 * header is never logged (nor any request header): `$context.authorizer.*` carries only what the
 * authorizer chose to return.
 */
export const ACCESS_LOG_FORMAT = jsonAccessLogFormat({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  requestTime: "$context.requestTime",
  ip: "$context.identity.sourceIp",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  integrationStatus: "$context.integration.status",
  principalId: "$context.authorizer.principalId",
  customerId: "$context.authorizer.customerId",
  authorizerError: "$context.authorizer.error",
  authorizerStatus: "$context.authorizer.status",
  authorizerLatency: "$context.authorizer.latency",
  errorMessage: "$context.error.message",
  errorType: "$context.error.responseType",
});

export interface RestApiArgs {
  /** The plain description the resources are built from; its hash triggers redeployment. */
  readonly definition: RestApiDefinition;
  /** The mode, for the descriptions of the API and its deployments. */
  readonly authMode: "rest-token";
  /** The stack's name, for the API's description. */
  readonly stackName: string;
  /** Stage name, throttling, log retention, access logging. */
  readonly stage: StageConfig;
  /** The authorizer function's `invokeArn` (the authorizer's `authorizerUri`). */
  readonly authorizerUri: pulumi.Output<string>;
  /**
   * The CORS policy the echo backend answers with (see `EchoBackendArgs.cors`).
   * @default undefined (no CORS headers)
   */
  readonly cors?: CorsConfig;
  /**
   * Create the account-level CloudWatch Logs role (`ApiGatewayAccount`) and make the stage wait
   * for it; see the top of this file.
   * @default false
   */
  readonly manageApiGatewayAccount?: boolean;
}

/** The resources of one REST API, as `createRestApi` made them. */
export interface RestApi {
  readonly restApi: aws.apigateway.RestApi;
  readonly authorizer: aws.apigateway.Authorizer;
  /** The bundled echo backend; undefined when no integration targets it (`backendUrl` set). */
  readonly echoBackend?: EchoBackend;
  readonly deployment: aws.apigateway.Deployment;
  readonly stage: aws.apigateway.Stage;
  /** The stage's access-log group; undefined when `stage.accessLogging` is false. */
  readonly accessLogGroup?: aws.cloudwatch.LogGroup;
  /** The account-level CloudWatch Logs role and setting; only with `manageApiGatewayAccount`. */
  readonly apiGatewayAccount?: ApiGatewayAccount;
}

/**
 * Create the REST API of `args.definition`, every resource parented to `parent` and named
 * `<name>-…` (see the top of this file for why they are not grouped in a component of their own).
 */
export function createRestApi(name: string, parent: pulumi.Resource, args: RestApiArgs): RestApi {
  const { definition, stage: stageConfig } = args;
  const opts = { parent };

  // --- API, resources, authorizer -------------------------------------------------------------
  const api = new aws.apigateway.RestApi(
    `${name}-api`,
    {
      description: `identity-gateway (${args.authMode}) for stack ${args.stackName}`,
      endpointConfiguration: { types: definition.endpointType },
    },
    opts,
  );
  // One resource per path segment, shared prefixes shared (`/admin` once for every `/admin/…`),
  // parents before children. `/{proxy+}` keeps the name `<name>-proxy` that stacks deployed before
  // per-route rules hold; every other resource is named after its path.
  const resourceIds = new Map<string, pulumi.Output<string>>([["/", api.rootResourceId]]);
  const paths = restResourcePaths(definition.methods.map((m) => resourcePath(m.resource)))
    .filter((p) => p !== "/")
    .sort((a, b) => a.split("/").length - b.split("/").length);
  for (const path of paths) {
    const cut = path.lastIndexOf("/");
    const parent = cut === 0 ? "/" : path.slice(0, cut);
    const res = new aws.apigateway.Resource(
      `${name}-${resourceKey(path)}`,
      { restApi: api.id, parentId: resourceIds.get(parent)!, pathPart: path.slice(cut + 1) },
      opts,
    );
    resourceIds.set(path, res.id);
  }
  const idOf = (key: RestResourceKey) => resourceIds.get(resourcePath(key))!;

  const authDef = definition.authorizer;
  const authorizer = new aws.apigateway.Authorizer(
    `${name}-authorizer`,
    {
      restApi: api.id,
      type: authDef.type,
      identitySource: authDef.identitySource,
      identityValidationExpression: authDef.identityValidationExpression,
      authorizerResultTtlInSeconds: authDef.resultTtlInSeconds,
      authorizerUri: args.authorizerUri,
    },
    opts,
  );

  // --- Backend --------------------------------------------------------------------------------
  let echoBackend: EchoBackend | undefined;
  let echoInvokeArn: pulumi.Output<string> | undefined;
  if (definition.methods.some((m) => m.integration.target === "echo-backend")) {
    // A proxy integration has no integration response to add Access-Control-Allow-Origin to, so
    // the echo sends the configured CORS headers itself (see EchoBackendArgs.cors); without them
    // a browser could pass the preflight and still not read any 200.
    echoBackend = new EchoBackend(
      `${name}-echo`,
      { logRetentionDays: stageConfig.logRetentionDays, cors: args.cors },
      opts,
    );
    echoInvokeArn = echoBackend.function.invokeArn;
    apiGatewayInvokePermission(
      `${name}-echo-invoke`,
      echoBackend.function,
      pulumi.interpolate`${api.executionArn}/*/*`,
      parent,
    );
  }

  // --- Methods and integrations ---------------------------------------------------------------
  const deployedParts: pulumi.Resource[] = [];
  for (const m of definition.methods) {
    const id = `${name}-${m.resource}-${m.httpMethod.toLowerCase()}`;
    const method = new aws.apigateway.Method(
      id,
      {
        restApi: api.id,
        resourceId: idOf(m.resource),
        httpMethod: m.httpMethod,
        authorization: m.authorization,
        authorizerId: m.authorization === "CUSTOM" ? authorizer.id : undefined,
        requestParameters: m.requestParameters,
      },
      opts,
    );
    // The integration and the preflight responses all attach to this method.
    const onMethod = {
      restApi: api.id,
      resourceId: idOf(m.resource),
      httpMethod: method.httpMethod,
    };
    const i = m.integration;
    const integration = new aws.apigateway.Integration(
      id,
      {
        ...onMethod,
        type: i.type,
        integrationHttpMethod: i.integrationHttpMethod,
        uri: i.target === "echo-backend" ? echoInvokeArn : i.uri,
        requestParameters: i.requestParameters,
        requestTemplates: i.requestTemplates,
      },
      opts,
    );
    deployedParts.push(method, integration);
    if (m.preflight) {
      const p = m.preflight;
      const methodResponse = new aws.apigateway.MethodResponse(
        id,
        {
          ...onMethod,
          statusCode: p.statusCode,
          responseParameters: p.methodResponseParameters,
        },
        opts,
      );
      const integrationResponse = new aws.apigateway.IntegrationResponse(
        id,
        {
          ...onMethod,
          statusCode: methodResponse.statusCode,
          responseParameters: p.integrationResponseParameters,
          responseTemplates: p.integrationResponseTemplates,
        },
        { parent, dependsOn: [integration] },
      );
      deployedParts.push(methodResponse, integrationResponse);
    }
  }

  // --- Gateway responses (API Gateway's own 401/403/4xx/5xx) ------------------------------------
  for (const g of definition.gatewayResponses) {
    deployedParts.push(
      new aws.apigateway.Response(
        `${name}-${g.responseType.toLowerCase().replace(/_/g, "-")}`,
        {
          restApiId: api.id,
          responseType: g.responseType,
          statusCode: g.statusCode,
          responseTemplates: g.responseTemplates,
          responseParameters: g.responseParameters,
        },
        opts,
      ),
    );
  }

  // --- Deployment and stage -------------------------------------------------------------------
  const deployment = new aws.apigateway.Deployment(
    `${name}-deployment`,
    {
      restApi: api.id,
      description: `identity-gateway ${args.authMode} ${stageConfig.stageName}`,
      triggers: {
        // The plain definition; plus the ids of what the definition cannot name (the authorizer
        // and the functions), which change only when those resources are replaced.
        definition: deploymentHash(definition),
        authorizer: authorizer.id,
        authorizerUri: args.authorizerUri,
        ...(echoInvokeArn ? { backendUri: echoInvokeArn } : {}),
      },
    },
    { parent, dependsOn: [...deployedParts, authorizer] },
  );

  // Access logs need the account-level CloudWatch Logs role; see the top of this file.
  const apiGatewayAccount = args.manageApiGatewayAccount
    ? new ApiGatewayAccount(`${name}-apigw-account`, {}, opts)
    : undefined;
  const logGroup = accessLogGroup(name, stageConfig, parent);
  const stage = new aws.apigateway.Stage(
    `${name}-stage`,
    {
      restApi: api.id,
      deployment: deployment.id,
      stageName: stageConfig.stageName,
      accessLogSettings: logGroup && {
        destinationArn: logGroup.arn,
        format: ACCESS_LOG_FORMAT,
      },
    },
    // Created in one `pulumi up` with the account role: the stage must wait until the account
    // setting names it, or its creation fails as if there were no role.
    { parent, dependsOn: apiGatewayAccount ? [apiGatewayAccount.account] : [] },
  );
  new aws.apigateway.MethodSettings(
    `${name}-method-settings`,
    {
      restApi: api.id,
      stageName: stage.stageName,
      methodPath: "*/*",
      settings: {
        metricsEnabled: true,
        throttlingBurstLimit: stageConfig.throttlingBurstLimit,
        throttlingRateLimit: stageConfig.throttlingRateLimit,
        // Full request/response execution logs would contain the Authorization header.
        dataTraceEnabled: false,
      },
    },
    opts,
  );

  return {
    restApi: api,
    authorizer,
    echoBackend,
    deployment,
    stage,
    accessLogGroup: logGroup,
    apiGatewayAccount,
  };
}
