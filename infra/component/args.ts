// Written by `npm run config:docs` from infra/config/schema.ts and infra/component/arg-paths.ts
// (CI checks it is up to date): edit those, not this file.
import type * as pulumi from "@pulumi/pulumi";

/** The values of authMode: Authorizer mode: http-jwt, http-lambda or rest-token. */
export const AuthMode = {
  HttpJwt: "http-jwt",
  HttpLambda: "http-lambda",
  RestToken: "rest-token",
} as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

/**
 * The values of verifyWith: Lambda modes: key source, secret (HS256), public-key (PEM: RSA, EC or
 * Ed25519) or jwks (the issuer's JWKS: kty RSA, EC, OKP).
 */
export const VerifyWith = {
  Secret: "secret",
  PublicKey: "public-key",
  Jwks: "jwks",
} as const;
export type VerifyWith = (typeof VerifyWith)[keyof typeof VerifyWith];

/** How the verified identity reaches the backend: headers, claims, extra mappings. */
export interface IdentityGatewayIdentityArgs {
  /** Header carrying the customer id. Default X-Customer-ID. (Config key: customerIdHeader.) */
  readonly customerIdHeader?: string;
  /**
   * Header carrying the customer name. Default X-Customer-Name. (Config key: customerNameHeader.)
   */
  readonly customerNameHeader?: string;
  /**
   * Claims tried in order for the customer id (dot paths reach nested claims). Default
   * [customer_id, tenant_id, sub]; http-jwt: exactly one claim, default [sub]. (Config key:
   * customerIdClaims.)
   */
  readonly customerIdClaims?: string[];
  /**
   * Claims tried in order for the customer name; falls back to the customer id. Default
   * [customer_name, name]; http-jwt: exactly one claim, default [name]. (Config key:
   * customerNameClaims.)
   */
  readonly customerNameClaims?: string[];
  /** Extra claim->header mappings, each "Header-Name=claim.path". (Config key: claimHeaders.) */
  readonly claimHeaders?: string[];
  /**
   * Extra claim->query-string mappings, each "param=claim.path". (Config key: claimQueryParams.)
   */
  readonly claimQueryParams?: string[];
}

/** HTTP modes: a private ALB/NLB backend reached through a VPC link. */
export interface IdentityGatewayVpcLinkArgs {
  /**
   * HTTP modes: private backend, ALB/NLB listener ARN reached through a VPC link. (Config key:
   * vpcLinkListenerArn.)
   */
  readonly listenerArn?: string;
  /** HTTP modes: subnets for the VPC link. (Config key: vpcLinkSubnetIds.) */
  readonly subnetIds?: string[];
  /** HTTP modes: security groups for the VPC link. (Config key: vpcLinkSecurityGroupIds.) */
  readonly securityGroupIds?: string[];
}

/** The API stage: name, throttling and logs. */
export interface IdentityGatewayStageArgs {
  /** API stage name. Default: the stack name. (Config key: stageName.) */
  readonly name?: string;
  /** Stage throttling burst limit. Default 200. (Config key: throttlingBurstLimit.) */
  readonly throttlingBurstLimit?: number;
  /**
   * Stage throttling steady-state requests per second. Default 100. (Config key:
   * throttlingRateLimit.)
   */
  readonly throttlingRateLimit?: number;
  /**
   * Access and Lambda log retention in days (a CloudWatch value). Default 30. (Config key:
   * logRetentionDays.)
   */
  readonly logRetentionDays?: number;
  /**
   * Stage access logs to a CloudWatch log group. false: no log group and no access-log settings
   * (rest-token then needs no account-level API Gateway CloudWatch role). Default true. (Config
   * key: accessLogging.)
   */
  readonly accessLogging?: boolean;
}

/** CORS; without allowOrigins CORS is off and the other CORS arguments are refused. */
export interface IdentityGatewayCorsArgs {
  /** CORS allowed origins; unset disables CORS. (Config key: corsAllowOrigins.) */
  readonly allowOrigins?: string[];
  /**
   * CORS allowed methods. Default [GET, POST, PUT, PATCH, DELETE, OPTIONS]. (Config key:
   * corsAllowMethods.)
   */
  readonly allowMethods?: string[];
  /**
   * CORS allowed request headers. Default [authorization, content-type]. (Config key:
   * corsAllowHeaders.)
   */
  readonly allowHeaders?: string[];
  /** CORS preflight cache seconds, 0-86400. Default 600. (Config key: corsMaxAge.) */
  readonly maxAge?: number;
}

/**
 * The settings of one IdentityGateway: the stack configuration's keys (README, Configuration) as
 * camelCase arguments, some grouped in objects. Each argument is one config key, validated by the
 * same rules with the same messages, which name the argument. Plain values, not Outputs (except
 * jwtSecret): they decide which resources exist, and are checked before any is created.
 */
export interface IdentityGatewayArgs {
  /** Authorizer mode: http-jwt, http-lambda or rest-token. (Config key: authMode.) */
  readonly authMode: AuthMode;
  /** The API stage: name, throttling and logs. */
  readonly stage?: IdentityGatewayStageArgs;
  /** How the verified identity reaches the backend: headers, claims, extra mappings. */
  readonly identity?: IdentityGatewayIdentityArgs;
  /**
   * Per-route rules, each "<METHOD> <path> <rule>" with rule public, authenticated, roles=a,b
   * (Lambda modes) or scopes=x,y, e.g. "GET /health public". Default: ANY / and ANY /{proxy+},
   * authenticated (rest-token: roles=<requiredRoles>; http-jwt: scopes=<authorizationScopes> when
   * set). (Config key: routes.)
   */
  readonly routes?: string[];
  /**
   * Lambda modes: key source, secret (HS256), public-key (PEM: RSA, EC or Ed25519) or jwks (the
   * issuer's JWKS: kty RSA, EC, OKP). (Config key: verifyWith.)
   */
  readonly verifyWith?: VerifyWith;
  /**
   * verifyWith=secret: the HS256 shared secret (pulumi config set --secret jwtSecret <value>);
   * stored in Secrets Manager. (Config key: jwtSecret.)
   */
  readonly jwtSecret?: pulumi.Input<string>;
  /**
   * verifyWith=public-key: the issuer's public key (PEM: RSA >= 2048 bits, EC P-256/P-384/P-521 or
   * Ed25519); stored in Secrets Manager. (Config key: publicKeyPem.)
   */
  readonly publicKeyPem?: string;
  /**
   * verifyWith=public-key|jwks: algorithms tokens may use (RS256 RS384 RS512 PS256 PS384 PS512
   * ES256 ES384 ES512 EdDSA); each key verifies only those of its type. Default: one per key type
   * (RSA RS256, P-256 ES256, P-384 ES384, P-521 ES512, Ed25519 EdDSA). (Config key:
   * tokenAlgorithms.)
   */
  readonly tokenAlgorithms?: string[];
  /**
   * verifyWith=secret|public-key: ARN of an existing Secrets Manager secret holding the key,
   * instead of jwtSecret/publicKeyPem. Complete (ending in -<6 random characters>) or partial
   * (without them). (Config key: secretArn.)
   */
  readonly secretArn?: string;
  /**
   * With secretArn: key ARN (arn:aws:kms:<region>:<account>:key/<id>, not an alias) of the
   * customer-managed KMS key the secret is encrypted with; the authorizer may kms:Decrypt with it
   * through Secrets Manager only. (Config key: secretKmsKeyArn.)
   */
  readonly secretKmsKeyArn?: string;
  /**
   * verifyWith=jwks: JWKS URL; default: discovered from the issuer's
   * /.well-known/openid-configuration. (Config key: jwksUri.)
   */
  readonly jwksUri?: string;
  /** Expected iss claim (http-jwt: the OIDC issuer URL). (Config key: issuer.) */
  readonly issuer?: string;
  /**
   * Accepted aud values. Lambda modes: [] explicitly disables the audience check. (Config key:
   * audiences.)
   */
  readonly audiences: string[];
  /**
   * Lambda modes: allowed clock skew for exp/nbf/iat, 0-300. Default 5. (Config key:
   * clockToleranceSeconds.)
   */
  readonly clockToleranceSeconds?: number;
  /**
   * Lambda modes: authorizer result cache TTL in seconds, 0-3600 (0 disables). Default 300. (Config
   * key: authorizerCacheTtl.)
   */
  readonly authorizerCacheTtl?: number;
  /**
   * Lambda modes: how long the authorizer caches key material before re-reading it, 0-86400.
   * Default 300. (Config key: secretCacheTtlSeconds.)
   */
  readonly secretCacheTtlSeconds?: number;
  /**
   * Lambda modes, verifyWith=jwks: more trusted issuers beside issuer (or a preset), each
   * "<issuer-url> [aud=a,b] [jwks=<url>] [alg=RS256,ES256]"; a token's iss picks its issuer.
   * Default for aud: audiences; for jwks: discovery; for alg: tokenAlgorithms. (Config key:
   * issuers.)
   */
  readonly issuers?: string[];
  /**
   * Passage app id; issuer becomes https://auth.passage.id/v1/apps/<id>. (Config key:
   * passageAppId.)
   */
  readonly passageAppId?: string;
  /** Clerk Frontend API URL, used as the issuer. (Config key: clerkFrontendApiUrl.) */
  readonly clerkFrontendApiUrl?: string;
  /**
   * Amazon Cognito user pool id (<region>_<id>); issuer becomes
   * https://cognito-idp.<region>.amazonaws.com/<pool id>. (Config key: cognitoUserPoolId.)
   */
  readonly cognitoUserPoolId?: string;
  /**
   * Auth0 tenant or custom domain (no https://); issuer becomes https://<domain>/. (Config key:
   * auth0Domain.)
   */
  readonly auth0Domain?: string;
  /**
   * Okta authorization server issuer: https://<org>.okta.com (org) or
   * https://<org>.okta.com/oauth2/<id> (custom, e.g. default). (Config key: oktaIssuer.)
   */
  readonly oktaIssuer?: string;
  /**
   * Microsoft Entra ID directory (tenant) id, a GUID; issuer becomes
   * https://login.microsoftonline.com/<id>/v2.0 (v2.0 tokens only). (Config key: entraTenantId.)
   */
  readonly entraTenantId?: string;
  /**
   * Firebase project id; issuer becomes https://securetoken.google.com/<id>, and audiences must
   * list the id. (Config key: firebaseProjectId.)
   */
  readonly firebaseProjectId?: string;
  /**
   * Lambda modes: Supabase project ref; issuer becomes https://<ref>.supabase.co/auth/v1, keys from
   * its JWKS (ES256/RS256), or verifyWith=secret for legacy HS256 projects. (Config key:
   * supabaseProjectRef.)
   */
  readonly supabaseProjectRef?: string;
  /**
   * http-jwt: scopes a route requires (token needs at least one), at most 10. (Config key:
   * authorizationScopes.)
   */
  readonly authorizationScopes?: string[];
  /**
   * http-jwt: where the token is read. Default $request.header.Authorization. (Config key:
   * identitySource.)
   */
  readonly identitySource?: string;
  /**
   * Lambda modes: claim (dot path) holding the caller's role(s), for requiredRoles (rest-token) and
   * roles= route rules. Default metadata.role. (Config key: roleClaim.)
   */
  readonly roleClaim?: string;
  /**
   * rest-token: roles allowed to call the API (any one suffices). Default [admin]. (Config key:
   * requiredRoles.)
   */
  readonly requiredRoles?: string[];
  /**
   * HTTP backend URL (HTTP_PROXY). Default: the bundled echo backend Lambda. (Config key:
   * backendUrl.)
   */
  readonly backendUrl?: string;
  /** HTTP modes: a private ALB/NLB backend reached through a VPC link. */
  readonly vpcLink?: IdentityGatewayVpcLinkArgs;
  /**
   * rest-token: create the API Gateway CloudWatch Logs role and set it as this account's and
   * region's cloudwatchRoleArn. WARNING, TAKES OVER a per-region, account-wide setting: it replaces
   * the role every other REST API in that account and region logs with, and it stays in place after
   * pulumi destroy (see the README, Troubleshooting). Default false. (Config key:
   * manageApiGatewayAccount.)
   */
  readonly manageApiGatewayAccount?: boolean;
  /** CORS; without allowOrigins CORS is off and the other CORS arguments are refused. */
  readonly cors?: IdentityGatewayCorsArgs;
}
