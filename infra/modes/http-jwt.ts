/**
 * `http-jwt`: an HTTP API whose routes are guarded by API Gateway's native JWT authorizer against
 * an OIDC issuer (Passage, Clerk or any OIDC provider). No Lambda, no role, no secret: API Gateway
 * fetches the issuer's keys itself. Claims reach the backend through
 * `$context.authorizer.claims.<claim>`, mapped with `overwrite:`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { HttpJwtConfig } from "../config";
import {
  HttpApiBase,
  identityHeaderNames,
  identityRequestParameters,
} from "../components/http-api";
import { createRoutes } from "../components/routes";
import type { GatewayOutputs } from "../outputs";

export interface HttpJwtGatewayArgs {
  /** The validated stack config (`parseConfig`) for this mode. */
  readonly config: HttpJwtConfig;
}

/** The parameter-mapping (and access-log) expression for a claim of the verified token. */
export function jwtClaimExpression(claim: string): string {
  return `$context.authorizer.claims.${claim}`;
}

export class HttpJwtGateway extends pulumi.ComponentResource {
  readonly http: HttpApiBase;
  readonly authorizer: aws.apigatewayv2.Authorizer;
  readonly routes: aws.apigatewayv2.Route[];
  readonly outputs: GatewayOutputs;

  constructor(name: string, args: HttpJwtGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("identity-gateway:modes:HttpJwtGateway", name, {}, opts);
    const { config } = args;

    this.http = new HttpApiBase(
      `${name}-http`,
      {
        stage: config.stage,
        backend: config.backend,
        cors: config.cors,
        requestParameters: identityRequestParameters(config.identity, (f) =>
          jwtClaimExpression(f.claim),
        ),
        accessLogIdentityFields: {
          customerId: jwtClaimExpression(config.identity.customerIdClaims[0]),
        },
        publicRoutes: config.routes.some((r) => r.rule.kind === "public"),
      },
      { parent: this },
    );
    const api = this.http.api;

    this.authorizer = new aws.apigatewayv2.Authorizer(
      `${name}-authorizer`,
      {
        apiId: api.id,
        authorizerType: "JWT",
        identitySources: [config.identitySource],
        jwtConfiguration: { issuer: config.issuer, audiences: [...config.audiences] },
      },
      { parent: this },
    );

    // One route per table line. API Gateway's JWT authorizer enforces the rules itself:
    // `scopes=` as the route's authorizationScopes, `authenticated` as a JWT route without them
    // (the default table carries authorizationScopes as its rule, so it deploys as before).
    // `roles=` never reaches here: parseConfig refuses it in this mode.
    this.routes = createRoutes(name, this, {
      apiId: api.id,
      integrationId: this.http.integration.id,
      table: config.routes,
      authorization: {
        authorizationType: "JWT",
        authorizerId: this.authorizer.id,
        nativeScopes: true,
      },
      identityFreeIntegrationId: this.http.identityFreeIntegration?.id,
      cors: config.cors !== undefined,
    });

    this.outputs = {
      apiUrl: this.http.url,
      apiId: api.id,
      apiType: "http",
      authMode: "http-jwt",
      stageName: this.http.stage.name,
      executionArn: api.executionArn,
      authorizerId: this.authorizer.id,
      authorizerFunctionArn: null,
      secretArn: null,
      identityHeaders: identityHeaderNames(config.identity),
      issuer: config.issuer,
    };
    this.registerOutputs({ ...this.outputs });
  }
}
