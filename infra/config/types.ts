/**
 * The typed result of `parseConfig`: what the components receive. Shaped by mode and by the rules
 * between keys (a key source, a backend kind), so it is written out rather than derived key by key
 * from the schema; its scalar fields carry the schema's defaults (`parse.ts`).
 */
import type { AsymmetricAlgorithm } from "../../functions/commons/algorithms";
import type { IssuerSettings } from "../../functions/commons/issuers";
import type { PresetKey, ProviderId } from "./presets";
import type { RouteSpec } from "../../functions/commons/routes";
import type * as pulumi from "@pulumi/pulumi";

/** An extra claim delivered to the backend as a header or a query-string parameter. */
export interface ClaimMapping {
  /** Header name (as configured) or query-string parameter name. */
  readonly target: string;
  /** Claim path; dots reach nested claims in the Lambda modes. */
  readonly claim: string;
  /** The authorizer-context key the Lambda modes put the value under. */
  readonly contextKey: string;
}

export interface IdentityConfig {
  readonly customerIdHeader: string;
  readonly customerNameHeader: string;
  readonly customerIdClaims: readonly string[];
  readonly customerNameClaims: readonly string[];
  readonly claimHeaders: readonly ClaimMapping[];
  readonly claimQueryParams: readonly ClaimMapping[];
}

export type BackendConfig =
  | { readonly kind: "echo" }
  | { readonly kind: "http"; readonly url: string }
  | {
      readonly kind: "vpc-link";
      readonly listenerArn: string;
      readonly subnetIds: readonly string[];
      readonly securityGroupIds: readonly string[];
    };

export interface CorsConfig {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

export interface StageConfig {
  readonly stageName: string;
  readonly throttlingBurstLimit: number;
  readonly throttlingRateLimit: number;
  readonly logRetentionDays: number;
  /**
   * Stage access logs to a CloudWatch log group; false leaves out the log group and the stage's
   * access-log settings. Only an explicit `false` turns them off (`parseConfig` always sets it).
   * @default true
   */
  readonly accessLogging?: boolean;
}

/** A Secrets Manager secret the stack did not create (`secretArn`). */
export interface ExistingSecret {
  /** The configured ARN, complete or partial (see `isPartialSecretArn`). */
  readonly existingSecretArn?: string;
  /** Key ARN of the customer-managed KMS key the existing secret is encrypted with. */
  readonly existingSecretKmsKeyArn?: string;
}

/** Where the Lambda authorizers get their key material. */
export type KeySource =
  /** HS256 with a shared secret: from config (stored by the stack in Secrets Manager) or an existing secret. */
  | ({
      readonly kind: "secret";
      readonly jwtSecret?: pulumi.Input<string>;
    } & ExistingSecret)
  /** A PEM public key (RSA, EC, Ed25519): from config (stored in Secrets Manager) or an existing secret. */
  | ({
      readonly kind: "public-key";
      readonly publicKeyPem?: string;
    } & ExistingSecret)
  /** Keys from the issuer's JWKS (kty RSA, EC, OKP). */
  | { readonly kind: "jwks"; readonly jwksUri?: string };

export interface LambdaAuthConfig {
  readonly keySource: KeySource;
  /**
   * `public-key` / `jwks`: the algorithms tokens may use, each key narrowing them to its type.
   * Undefined: unset, one algorithm per key type (functions/commons/algorithms.ts).
   */
  readonly tokenAlgorithms?: readonly AsymmetricAlgorithm[];
  /** The single issuer (`issuer` or a preset); with only `issuers` set, their first entry. */
  readonly issuer: string;
  /** Empty means the audience check was explicitly turned off. */
  readonly audiences: readonly string[];
  /** The preset key that set `issuer`, if one did. */
  readonly preset?: PresetKey;
  /**
   * `issuers` set: every trusted issuer, the single one first (with `audiences`, the key
   * source's `jwksUri` and `tokenAlgorithms`). Undefined: only `issuer`.
   */
  readonly issuers?: readonly IssuerSettings[];
  readonly clockToleranceSeconds: number;
  readonly authorizerCacheTtl: number;
  readonly secretCacheTtlSeconds: number;
}

export interface CommonConfig {
  readonly stackName: string;
  /**
   * The route table, normalized, with the mode's default table when `routes` is unset
   * (`ANY /` and `ANY /{proxy+}`): what the API declares and what the authorizers enforce.
   */
  readonly routes: readonly RouteSpec[];
  readonly stage: StageConfig;
  readonly identity: IdentityConfig;
  readonly backend: BackendConfig;
  readonly cors?: CorsConfig;
}

export interface HttpJwtConfig extends CommonConfig {
  readonly authMode: "http-jwt";
  /** The preset key that set the issuer (`oidc`: the plain `issuer` key). */
  readonly provider: ProviderId | "oidc";
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly identitySource: string;
  readonly authorizationScopes: readonly string[];
}

export interface HttpLambdaConfig extends CommonConfig {
  readonly authMode: "http-lambda";
  readonly lambda: LambdaAuthConfig;
  /** Claim path of the caller's role(s), for `roles=` route rules. */
  readonly roleClaim: string;
}

export interface RestTokenConfig extends CommonConfig {
  readonly authMode: "rest-token";
  readonly lambda: LambdaAuthConfig;
  readonly roleClaim: string;
  readonly requiredRoles: readonly string[];
  /**
   * Create the account-level API Gateway CloudWatch Logs role and `aws.apigateway.Account`
   * (a per-region singleton of the whole AWS account).
   * @default false
   */
  readonly manageApiGatewayAccount: boolean;
}

export type AppConfig = HttpJwtConfig | HttpLambdaConfig | RestTokenConfig;
