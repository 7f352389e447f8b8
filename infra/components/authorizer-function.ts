/**
 * An authorizer Lambda (`http-authorizer` or `rest-authorizer`) with the least privilege it needs:
 * write to its own log group, and read its own secret when it has one. The invoke permission is
 * left to the mode, which scopes it to its own authorizer ARN.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { ENV } from "../../functions/commons/env-contract";
import { arnPartitionAndRegion, isPartialSecretArn } from "../config";
import type { IdentityConfig, LambdaAuthConfig } from "../config";
import { functionCode } from "./bundle";
import {
  LAMBDA_ARCHITECTURES,
  LAMBDA_ASSUME_ROLE_POLICY,
  LAMBDA_HANDLER,
  LAMBDA_RUNTIME,
  type PolicyStatement,
  functionLogGroup,
  logWriteStatement,
  policyDocument,
} from "./lambda-basics";

export interface AuthorizerFunctionArgs {
  /** Which authorizer bundle to deploy. */
  readonly bundle: "http-authorizer" | "rest-authorizer";
  /** Token verification settings. */
  readonly lambda: LambdaAuthConfig;
  /** Which claims become the customer id/name and the extra context values. */
  readonly identity: IdentityConfig;
  /**
   * ARN of the Secrets Manager secret with the key material. The role may read exactly this
   * secret and nothing else.
   * @default undefined (no secret: `jwks`; the role gets no Secrets Manager permission)
   */
  readonly secretArn?: pulumi.Input<string>;
  /**
   * Extra environment variables, e.g. `ROLE_CLAIM`/`REQUIRED_ROLES` for the REST authorizer.
   * @default {}
   */
  readonly environment?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Retention of the function's log group, in days (a CloudWatch Logs value). */
  readonly logRetentionDays: number;
  /**
   * Function timeout in seconds. API Gateway waits at most 10 s for an authorizer.
   * @default 10
   */
  readonly timeoutSeconds?: number;
  /**
   * Memory in MB (Lambda's CPU share grows with it; signature checks are CPU-bound).
   * @default 256
   */
  readonly memorySizeMb?: number;
}

/**
 * The environment an authorizer reads at cold start (`functions/commons/env-contract.ts`).
 * Pure, so the contract is testable without the Pulumi engine. Lists and maps are JSON.
 */
export function authorizerEnvironment(
  lambda: LambdaAuthConfig,
  identity: IdentityConfig,
  secretArn?: pulumi.Input<string>,
  extra?: Readonly<Record<string, pulumi.Input<string>>>,
): Record<string, pulumi.Input<string>> {
  const contextClaims: Record<string, string> = {};
  for (const m of [...identity.claimHeaders, ...identity.claimQueryParams]) {
    contextClaims[m.contextKey] = m.claim;
  }
  const env: Record<string, pulumi.Input<string>> = {
    [ENV.VERIFY_WITH]: lambda.keySource.kind,
    [ENV.SECRET_CACHE_TTL_SECONDS]: String(lambda.secretCacheTtlSeconds),
    [ENV.ISSUER]: lambda.issuer,
    [ENV.AUDIENCES]: JSON.stringify(lambda.audiences),
    [ENV.CLOCK_TOLERANCE_SECONDS]: String(lambda.clockToleranceSeconds),
    [ENV.CUSTOMER_ID_CLAIMS]: JSON.stringify(identity.customerIdClaims),
    [ENV.CUSTOMER_NAME_CLAIMS]: JSON.stringify(identity.customerNameClaims),
    [ENV.CONTEXT_CLAIMS]: JSON.stringify(contextClaims),
  };
  if (secretArn !== undefined) env[ENV.SECRET_ID] = secretArn;
  // Unset means the authorizer's own default (one algorithm per key type), so only a list the
  // stack chose is passed on.
  if (lambda.tokenAlgorithms !== undefined) {
    env[ENV.TOKEN_ALGORITHMS] = JSON.stringify(lambda.tokenAlgorithms);
  }
  if (lambda.keySource.kind === "jwks" && lambda.keySource.jwksUri !== undefined) {
    env[ENV.JWKS_URI] = lambda.keySource.jwksUri;
  }
  // Several issuers: the whole list (the single issuer first), so each gets its own key source.
  if (lambda.issuers !== undefined) env[ENV.ISSUERS] = JSON.stringify(lambda.issuers);
  return { ...env, ...extra };
}

/**
 * Lambda allows 4 KB for all of a function's environment variables together ("Lambda quotas",
 * "Function configuration, deployment, and execution": "Environment variables: 4 KB, for all
 * environment variables associated with the function, in aggregate",
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Over it, CreateFunction
 * fails at `pulumi up`, after the API and the secret exist; checked here so `pulumi preview` stops
 * first. Counted as UTF-8 bytes of every name and value; a value not known at preview (the secret's
 * ARN, which the stack creates) counts as the longest it can be.
 */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;
/** Longest Secrets Manager secret ARN: the prefix, a 512-character name, `-` and 6 characters. */
const UNKNOWN_VALUE_BYTES = 600;

/** The keys whose values make the authorizer's environment grow with the stack's config. */
const GROWING: ReadonlyArray<[string, string]> = [
  [ENV.ROUTE_RULES, "routes"],
  [ENV.ISSUERS, "issuers"],
  [ENV.CONTEXT_CLAIMS, "claimHeaders / claimQueryParams"],
  [ENV.AUDIENCES, "audiences"],
];

/**
 * @throws Error naming the config keys that fill the environment, when it is over Lambda's limit.
 */
export function checkEnvironmentSize(
  variables: Readonly<Record<string, pulumi.Input<string>>>,
): void {
  let total = 0;
  for (const [k, v] of Object.entries(variables)) {
    total +=
      Buffer.byteLength(k) + (typeof v === "string" ? Buffer.byteLength(v) : UNKNOWN_VALUE_BYTES);
  }
  if (total <= LAMBDA_ENVIRONMENT_MAX_BYTES) return;
  const parts = GROWING.filter(([env]) => typeof variables[env] === "string")
    .map(([env, key]) => ({ key, bytes: Buffer.byteLength(variables[env] as string) }))
    .sort((a, b) => b.bytes - a.bytes);
  const largest = parts[0]?.key ?? "routes";
  throw new Error(
    `identity-gateway:${largest}: the authorizer's environment would be ${total} bytes, and Lambda allows ${LAMBDA_ENVIRONMENT_MAX_BYTES} for all variables together (${parts.map((p) => `${p.key}: ${p.bytes} bytes`).join(", ")}). Shorten the largest: fewer route lines (one greedy {proxy+} line covers a subtree), fewer issuers or mapped claims.`,
  );
}

/**
 * The IAM `Resource` that names one secret. A complete ARN is kept exact. A partial ARN (no
 * `-<6 random characters>`, see `isPartialSecretArn`) never equals the secret's real ARN, which is
 * what IAM matches, so it gets exactly six `?` wildcards: "Using '??????' as a wildcard to match
 * the 6 random characters assigned by Secrets Manager avoids a problem that occurs if you use the
 * '*' wildcard instead" (`name-*` also matches `name-<anything>-a1b2c3`, another secret) (Secrets
 * Manager User Guide, "Permissions policy examples",
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html, and
 * "Limiting access to specific secrets").
 */
export function secretPolicyResource(secretArn: string): string {
  return isPartialSecretArn(secretArn) ? `${secretArn}-??????` : secretArn;
}

/**
 * `kms:Decrypt` on the customer-managed key an existing secret is encrypted with, and only when
 * Secrets Manager asks on the function's behalf (GetSecretValue decrypts the secret's data key with
 * the caller's permissions: Secrets Manager User Guide, "Secret encryption and decryption",
 * "Permissions for the KMS key",
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html). The
 * `kms:ViaService` condition holds the service endpoint `secretsmanager.<region>.amazonaws.com`
 * of the secret's Region, so the role cannot use the key directly (AWS KMS Developer Guide, "AWS
 * KMS condition keys", kms:ViaService,
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 */
export function secretKmsDecryptStatement(secretArn: string, kmsKeyArn: string): PolicyStatement {
  const { partition, region } = arnPartitionAndRegion(secretArn);
  // China Regions serve AWS endpoints under amazonaws.com.cn.
  const dnsSuffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return {
    Sid: "DecryptOwnKeyMaterial",
    Effect: "Allow",
    Action: "kms:Decrypt",
    Resource: kmsKeyArn,
    Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.${dnsSuffix}` } },
  };
}

/**
 * The statements of an authorizer's role policy: its own logs, `secretsmanager:GetSecretValue` on
 * exactly its own secret when it has one (never `*`; a partial ARN gets the six-character
 * `-??????` suffix pattern), and `kms:Decrypt` on that secret's customer-managed key when one is
 * configured (`secretKmsKeyArn`).
 */
export function authorizerPolicyStatements(
  logGroupArn: string,
  secretArn: string | undefined,
  secretKmsKeyArn?: string,
): PolicyStatement[] {
  const statements = [logWriteStatement(logGroupArn)];
  if (secretArn !== undefined) {
    statements.push({
      Sid: "ReadOwnKeyMaterial",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: secretPolicyResource(secretArn),
    });
    if (secretKmsKeyArn !== undefined) {
      statements.push(secretKmsDecryptStatement(secretArn, secretKmsKeyArn));
    }
  }
  return statements;
}

export class AuthorizerFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly rolePolicy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: AuthorizerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("identity-gateway:shared:AuthorizerFunction", name, {}, opts);

    this.logGroup = functionLogGroup(name, args.bundle, args.logRetentionDays, this);
    this.role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: LAMBDA_ASSUME_ROLE_POLICY },
      { parent: this },
    );
    const secretArn = args.secretArn === undefined ? undefined : pulumi.output(args.secretArn);
    // Only an existing secret (`secretArn`) can have a customer-managed key configured; a secret
    // this stack creates uses the AWS managed key aws/secretsmanager, which needs no grant.
    const keySource = args.lambda.keySource;
    const secretKmsKeyArn =
      keySource.kind === "jwks" ? undefined : keySource.existingSecretKmsKeyArn;
    this.rolePolicy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.name,
        policy: pulumi
          .all([this.logGroup.arn, secretArn])
          .apply(([logArn, secret]) =>
            policyDocument(authorizerPolicyStatements(logArn, secret, secretKmsKeyArn)),
          ),
      },
      { parent: this },
    );
    const variables = authorizerEnvironment(
      args.lambda,
      args.identity,
      args.secretArn,
      args.environment,
    );
    checkEnvironmentSize(variables);
    this.function = new aws.lambda.Function(
      `${name}-fn`,
      {
        description: `identity-gateway ${args.bundle}`,
        runtime: LAMBDA_RUNTIME,
        architectures: LAMBDA_ARCHITECTURES,
        handler: LAMBDA_HANDLER,
        code: functionCode(args.bundle),
        role: this.role.arn,
        timeout: args.timeoutSeconds ?? 10,
        memorySize: args.memorySizeMb ?? 256,
        loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
        environment: { variables },
      },
      // The policy first: a function that can run before it may read its secret fails closed
      // on the first requests for no reason.
      { parent: this, dependsOn: [this.rolePolicy] },
    );

    this.registerOutputs({
      function: this.function,
      role: this.role,
      logGroup: this.logGroup,
    });
  }
}
