/**
 * `http-lambda`: an HTTP API whose routes are guarded by a Lambda REQUEST authorizer (payload 2.0,
 * simple responses). The authorizer verifies the token (secret, PEM public key or JWKS), returns
 * `{ isAuthorized, context: { customerId, customerName, ... } }`, and the integration maps the
 * context to headers with `overwrite:`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { ENV } from "../../functions/commons/env-contract";
import { formatRoute } from "../../functions/commons/routes";
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
        identitySources: HTTP_LAMBDA_IDENTITY_SOURCES,
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

    this.routes = createRoutes(name, this, {
      apiId: api.id,
      integrationId: this.http.integration.id,
      authorization: { authorizationType: "CUSTOM", authorizerId: this.authorizer.id },
      preflightIntegrationId: this.http.preflightIntegration?.id,
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
