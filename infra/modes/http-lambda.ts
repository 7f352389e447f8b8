/**
 * `http-lambda`: an HTTP API whose routes are guarded by a Lambda REQUEST authorizer (payload 2.0,
 * simple responses). The authorizer verifies the token (secret, PEM public key or JWKS), returns
 * `{ isAuthorized, context: { customerId, customerName, ... } }`, and the integration maps the
 * context to headers with `overwrite:`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { ENV } from "../../functions/commons/env-contract";
import { formatRoute, rulesAreUniform, type RouteSpec } from "../../functions/commons/routes";
import type { HttpLambdaConfig } from "../config";
import { AuthorizerFunction } from "../components/authorizer-function";
import {
  HttpApiBase,
  identityHeaderNames,
  identityRequestParameters,
} from "../components/http-api";
import { KeyMaterial } from "../components/key-material";
import { apiGatewayInvokePermission } from "../components/lambda-basics";
import type { GatewayOutputs } from "../outputs";
import { createRoutes } from "../components/routes";

export interface HttpLambdaGatewayArgs {
  /** The validated stack config (`parseConfig`) for this mode. */
  readonly config: HttpLambdaConfig;
}

/** Where an HTTP API REQUEST authorizer's token comes from. */
export const HTTP_LAMBDA_IDENTITY_SOURCES = ["$request.header.Authorization"];

/** The identity source that makes API Gateway cache one decision per route. */
export const ROUTE_KEY_IDENTITY_SOURCE = "$context.routeKey";

/**
 * The authorizer's identity sources for a route table: the token, plus `$context.routeKey` when
 * the non-public routes do not all have the same rule.
 *
 * Why: API Gateway caches a Lambda authorizer's result under its identity-source values and
 * shares it across every route that uses the authorizer; a simple response "allows or denies
 * every request that matches those identity values". With only the token as the key, a token
 * allowed on `GET /orders/{proxy+}` (it has `orders:read`) would be let into `ANY /admin/{proxy+}`
 * from the cache for the whole TTL, the authorizer never asked. Identity sources may be
 * `$context.<variable>`, and with the route key among them each route gets its own cache entry
 * ("Working with AWS Lambda authorizers for HTTP APIs", sections "Identity sources" and "Caching",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html;
 * aws-semantics.md §2: "Add $context.routeKey to the identity sources to cache per route").
 * Every request carries a route key, so the "each identity source must be present" rule never
 * turns a request away for it.
 *
 * Why not the other fix, the IAM-policy response format listing exactly the routes the caller may
 * call (the cached policy is then checked against each route's ARN): it gives up simple
 * responses, so `enableSimpleResponses` and the handler's answer change for every stack, the
 * default table's included; the authorizer would have to turn the whole table into
 * `execute-api` ARNs (API id, stage, a wildcard per path variable) and evaluate every rule for
 * every token; and a wrong wildcard would silently widen access. The route key costs one
 * authorizer call per token per route instead of one per token: the README says so.
 *
 * When every non-public route has the same rule (the default table, or any table whose rules
 * are all `authenticated`), one cached decision is right for every route, so the identity
 * sources stay exactly what they were: no change, and no extra invocations, for existing stacks.
 * Public routes have no authorizer, so their rule never shares the cache.
 */
export function httpLambdaIdentitySources(routes: readonly RouteSpec[]): string[] {
  return rulesAreUniform(routes)
    ? [...HTTP_LAMBDA_IDENTITY_SOURCES]
    : [...HTTP_LAMBDA_IDENTITY_SOURCES, ROUTE_KEY_IDENTITY_SOURCE];
}

export class HttpLambdaGateway extends pulumi.ComponentResource {
  readonly keys: KeyMaterial;
  readonly authorizerFunction: AuthorizerFunction;
  readonly http: HttpApiBase;
  readonly authorizer: aws.apigatewayv2.Authorizer;
  readonly invokePermission: aws.lambda.Permission;
  readonly routes: aws.apigatewayv2.Route[];
  readonly outputs: GatewayOutputs;

  constructor(name: string, args: HttpLambdaGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("identity-gateway:modes:HttpLambdaGateway", name, {}, opts);
    const { config } = args;

    this.keys = new KeyMaterial(
      `${name}-keys`,
      { keySource: config.lambda.keySource },
      { parent: this },
    );
    this.authorizerFunction = new AuthorizerFunction(
      `${name}-authz`,
      {
        bundle: "http-authorizer",
        lambda: config.lambda,
        identity: config.identity,
        secretArn: this.keys.secretArn,
        environment: {
          [ENV.ROLE_CLAIM]: config.roleClaim,
          [ENV.ROUTE_RULES]: JSON.stringify(config.routes.map(formatRoute)),
        },
        logRetentionDays: config.stage.logRetentionDays,
      },
      // The secret's value must exist before the function can first read it.
      { parent: this, dependsOn: [this.keys] },
    );

    this.http = new HttpApiBase(
      `${name}-http`,
      {
        stage: config.stage,
        backend: config.backend,
        cors: config.cors,
        requestParameters: identityRequestParameters(
          config.identity,
          (f) => `$context.authorizer.${f.contextKey}`,
        ),
        accessLogIdentityFields: { customerId: "$context.authorizer.customerId" },
        publicRoutes: config.routes.some((r) => r.rule.kind === "public"),
      },
      { parent: this },
    );
    const api = this.http.api;

    this.authorizer = new aws.apigatewayv2.Authorizer(
      `${name}-authorizer`,
      {
        apiId: api.id,
        authorizerType: "REQUEST",
        authorizerPayloadFormatVersion: "2.0",
        enableSimpleResponses: true,
        identitySources: httpLambdaIdentitySources(config.routes),
        authorizerResultTtlInSeconds: config.lambda.authorizerCacheTtl,
        authorizerUri: this.authorizerFunction.function.invokeArn,
      },
      { parent: this },
    );
    // Only this API's authorizer may invoke the function (design.md, rule 7).
    this.invokePermission = apiGatewayInvokePermission(
      `${name}-authorizer-invoke`,
      this.authorizerFunction.function,
      pulumi.interpolate`${api.executionArn}/authorizers/${this.authorizer.id}`,
      this,
    );

    // One route per table line; the authorizer enforces roles= and scopes= itself, finding the
    // rule by the event's routeKey (functions/http-authorizer/route-check.ts).
    this.routes = createRoutes(name, this, {
      apiId: api.id,
      integrationId: this.http.integration.id,
      table: config.routes,
      authorization: { authorizationType: "CUSTOM", authorizerId: this.authorizer.id },
      identityFreeIntegrationId: this.http.identityFreeIntegration?.id,
      cors: config.cors !== undefined,
    });

    this.outputs = {
      apiUrl: this.http.url,
      apiId: api.id,
      apiType: "http",
      authMode: "http-lambda",
      stageName: this.http.stage.name,
      executionArn: api.executionArn,
      authorizerId: this.authorizer.id,
      authorizerFunctionArn: this.authorizerFunction.function.arn,
      secretArn: this.keys.secretArn ?? null,
      identityHeaders: identityHeaderNames(config.identity),
      issuer: config.lambda.issuer,
    };
    this.registerOutputs({ ...this.outputs });
  }
}
