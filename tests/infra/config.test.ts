/**
 * parseConfig is pure: these tests hand it raw values the way Pulumi stores them (strings, lists
 * as JSON) and check the typed result, or that every mistake is reported with the key it names.
 */
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import fc from "fast-check";
import {
  AUTH_MODES,
  CONFIG_KEYS,
  ConfigError,
  LOG_RETENTION_DAYS,
  MAX_JWT_AUDIENCES,
  MAX_ROUTE_SCOPES,
  PROJECT,
  parseConfig,
  withoutDeclaredDefaults,
  type AppConfig,
  type ConfigProblem,
  type HttpJwtConfig,
  type HttpLambdaConfig,
  type RestTokenConfig,
} from "../../infra/config";
import { startLocal, validateStack } from "../../local/server";
import { readStackConfig, StackConfigError } from "../../local/stack-config";
import { EXAMPLE_ROUTES as EXAMPLE } from "../helpers/routes";

type Values = Record<string, string | undefined>;

const ISSUER = "https://auth.example.com";
// A real key: the PEM is parsed at preview (its type decides which algorithms it verifies).
const PEM = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .publicKey.export({ type: "spki", format: "pem" })
  .toString()
  .trim();
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-AbCdEf";
const LISTENER_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/backend/50dc6c495c0c9188/f2f7dc8efc522ab2";

const json = (v: unknown): string => JSON.stringify(v);

/** Minimal valid configs per mode. */
const BASE = {
  "http-lambda": {
    authMode: "http-lambda",
    verifyWith: "jwks",
    issuer: ISSUER,
    audiences: json(["api"]),
  },
  "rest-token": {
    authMode: "rest-token",
    verifyWith: "jwks",
    issuer: ISSUER,
    audiences: json(["api"]),
  },
  "http-jwt": { authMode: "http-jwt", issuer: ISSUER, audiences: json(["api"]) },
} satisfies Record<string, Values>;
type Mode = keyof typeof BASE;

/** Base values of `mode` with `overrides` applied; an `undefined` override removes the key. */
function values(mode: Mode, overrides: Values = {}): Values {
  const out: Values = { ...BASE[mode], ...overrides };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

function parse(v: Values, jwtSecret?: string, stackName = "dev"): AppConfig {
  return parseConfig({ stackName, values: v, jwtSecret });
}

/** The ConfigError parseConfig throws (fails the test if it returns or throws anything else). */
function configError(v: Values, jwtSecret?: string, stackName = "dev"): ConfigError {
  try {
    parse(v, jwtSecret, stackName);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${json(v)}`);
}

function problems(v: Values, jwtSecret?: string, stackName = "dev"): readonly ConfigProblem[] {
  return configError(v, jwtSecret, stackName).problems;
}

function lambdaOf(c: AppConfig): HttpLambdaConfig["lambda"] {
  if (c.authMode === "http-jwt") throw new Error("not a Lambda mode");
  return c.lambda;
}

// -------------------------------------------------------------------------------------------
// Defaults
// -------------------------------------------------------------------------------------------

describe("defaults", () => {
  test.each(Object.keys(BASE) as Mode[])(
    "%s: stage, identity headers, backend, no CORS",
    (mode) => {
      const c = parse(values(mode), undefined, "staging");
      expect(c.authMode).toBe(mode);
      expect(c.stackName).toBe("staging");
      expect(c.stage).toEqual({
        stageName: "staging",
        throttlingBurstLimit: 200,
        throttlingRateLimit: 100,
        logRetentionDays: 30,
        accessLogging: true,
      });
      expect(c.identity.customerIdHeader).toBe("X-Customer-ID");
      expect(c.identity.customerNameHeader).toBe("X-Customer-Name");
      expect(c.identity.claimHeaders).toEqual([]);
      expect(c.identity.claimQueryParams).toEqual([]);
      expect(c.backend).toEqual({ kind: "echo" });
      expect(c.cors).toBeUndefined();
    },
  );

  test("http-lambda: claim fallback chains and Lambda verification defaults", () => {
    const c = parse(values("http-lambda")) as HttpLambdaConfig;
    expect(c.identity.customerIdClaims).toEqual(["customer_id", "tenant_id", "sub"]);
    expect(c.identity.customerNameClaims).toEqual(["customer_name", "name"]);
    expect(c.lambda).toEqual({
      keySource: { kind: "jwks", jwksUri: undefined },
      issuer: ISSUER,
      audiences: ["api"],
      clockToleranceSeconds: 5,
      authorizerCacheTtl: 300,
      secretCacheTtlSeconds: 300,
    });
  });

  test("rest-token: roleClaim metadata.role and requiredRoles [admin]", () => {
    const c = parse(values("rest-token")) as RestTokenConfig;
    expect(c.roleClaim).toBe("metadata.role");
    expect(c.requiredRoles).toEqual(["admin"]);
    expect(c.manageApiGatewayAccount).toBe(false);
    expect(c.identity.customerIdClaims).toEqual(["customer_id", "tenant_id", "sub"]);
    expect(c.lambda.clockToleranceSeconds).toBe(5);
  });

  test("http-jwt: one claim per header, Authorization header, no scopes, plain OIDC", () => {
    const c = parse(values("http-jwt")) as HttpJwtConfig;
    expect(c).toMatchObject({
      provider: "oidc",
      issuer: ISSUER,
      audiences: ["api"],
      identitySource: "$request.header.Authorization",
      authorizationScopes: [],
    });
    expect(c.identity.customerIdClaims).toEqual(["sub"]);
    expect(c.identity.customerNameClaims).toEqual(["name"]);
  });

  test("CORS defaults once origins are set", () => {
    const c = parse(values("http-lambda", { corsAllowOrigins: json(["https://app.example.com"]) }));
    expect(c.cors).toEqual({
      allowOrigins: ["https://app.example.com"],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["authorization", "content-type"],
      maxAgeSeconds: 600,
    });
  });
});

// -------------------------------------------------------------------------------------------
// Valid configurations
// -------------------------------------------------------------------------------------------

describe("valid settings", () => {
  test("an explicit empty audiences list turns the Lambda audience check off", () => {
    expect(lambdaOf(parse(values("http-lambda", { audiences: "[]" }))).audiences).toEqual([]);
    expect(lambdaOf(parse(values("rest-token", { audiences: "[]" }))).audiences).toEqual([]);
  });

  test("verifyWith=secret with jwtSecret keeps the secret as given (an Output in a real stack)", () => {
    const c = parse(values("http-lambda", { verifyWith: "secret" }), "s3cr3t");
    expect(lambdaOf(c).keySource).toEqual({
      kind: "secret",
      jwtSecret: "s3cr3t",
      existingSecretArn: undefined,
    });
  });

  test("verifyWith=secret with an existing secret ARN", () => {
    const c = parse(values("http-lambda", { verifyWith: "secret", secretArn: SECRET_ARN }));
    expect(lambdaOf(c).keySource).toEqual({
      kind: "secret",
      jwtSecret: undefined,
      existingSecretArn: SECRET_ARN,
    });
  });

  test("verifyWith=public-key with a PEM, or with an existing secret ARN", () => {
    expect(
      lambdaOf(parse(values("rest-token", { verifyWith: "public-key", publicKeyPem: PEM })))
        .keySource,
    ).toEqual({
      kind: "public-key",
      publicKeyPem: PEM,
      existingSecretArn: undefined,
    });
    expect(
      lambdaOf(parse(values("rest-token", { verifyWith: "public-key", secretArn: SECRET_ARN })))
        .keySource,
    ).toEqual({ kind: "public-key", publicKeyPem: undefined, existingSecretArn: SECRET_ARN });
  });

  test("verifyWith=jwks with an explicit jwksUri accepts a non-URL issuer", () => {
    const c = parse(
      values("http-lambda", { issuer: "my-issuer", jwksUri: "https://keys.example.com/jwks.json" }),
    );
    expect(lambdaOf(c).keySource).toEqual({
      kind: "jwks",
      jwksUri: "https://keys.example.com/jwks.json",
    });
    expect(lambdaOf(c).issuer).toBe("my-issuer");
  });

  test("http-jwt: Passage issuer is derived from the app id", () => {
    const c = parse(
      values("http-jwt", { issuer: undefined, passageAppId: "AbC123_x" }),
    ) as HttpJwtConfig;
    expect(c.provider).toBe("passage");
    expect(c.issuer).toBe("https://auth.passage.id/v1/apps/AbC123_x");
  });

  test("http-jwt: Clerk issuer is the Frontend API URL without trailing slash", () => {
    const c = parse(
      values("http-jwt", {
        issuer: undefined,
        clerkFrontendApiUrl: "https://clerk.example.com/",
        audiences: json(["ClerkJwtAuthorizer"]),
      }),
    ) as HttpJwtConfig;
    expect(c.provider).toBe("clerk");
    expect(c.issuer).toBe("https://clerk.example.com");
  });

  test("http-jwt: scopes, query-string identity source, 50 audiences and 10 scopes are fine", () => {
    const audiences = Array.from({ length: MAX_JWT_AUDIENCES }, (_, i) => `aud-${i}`);
    const scopes = Array.from({ length: MAX_ROUTE_SCOPES }, (_, i) => `scope:${i}`);
    const c = parse(
      values("http-jwt", {
        audiences: json(audiences),
        authorizationScopes: json(scopes),
        identitySource: "$request.querystring.token",
      }),
    ) as HttpJwtConfig;
    expect(c.audiences).toHaveLength(MAX_JWT_AUDIENCES);
    expect(c.authorizationScopes).toEqual(scopes);
    expect(c.identitySource).toBe("$request.querystring.token");
  });

  test("claim mappings get a context key; nested paths in the Lambda modes", () => {
    const c = parse(
      values("http-lambda", {
        customerIdClaims: json(["metadata.tenant", "sub"]),
        claimHeaders: json(["X-Customer-Plan=metadata.plan", " X-Role = role_name "]),
        claimQueryParams: json(["tier=https://example.com/tier"]),
      }),
    );
    expect(c.identity.customerIdClaims).toEqual(["metadata.tenant", "sub"]);
    expect(c.identity.claimHeaders).toEqual([
      { target: "X-Customer-Plan", claim: "metadata.plan", contextKey: "metadata_plan" },
      { target: "X-Role", claim: "role_name", contextKey: "role_name" },
    ]);
    expect(c.identity.claimQueryParams).toEqual([
      { target: "tier", claim: "https://example.com/tier", contextKey: "https___example_com_tier" },
    ]);
  });

  test("custom identity headers and a single flat claim in http-jwt", () => {
    const c = parse(
      values("http-jwt", {
        customerIdHeader: "X-Tenant",
        customerNameHeader: "X-Tenant-Name",
        customerIdClaims: json(["org_id"]),
        claimHeaders: json(["X-Plan=plan"]),
      }),
    );
    expect(c.identity).toMatchObject({
      customerIdHeader: "X-Tenant",
      customerNameHeader: "X-Tenant-Name",
      customerIdClaims: ["org_id"],
      claimHeaders: [{ target: "X-Plan", claim: "plan", contextKey: "plan" }],
    });
  });

  test("rest-token: custom role claim and roles", () => {
    const c = parse(
      values("rest-token", {
        roleClaim: "app_metadata.roles",
        requiredRoles: json(["admin", "ops"]),
      }),
    ) as RestTokenConfig;
    expect(c.roleClaim).toBe("app_metadata.roles");
    expect(c.requiredRoles).toEqual(["admin", "ops"]);
  });

  test("backends: http URL, VPC link in the HTTP modes", () => {
    expect(
      parse(values("rest-token", { backendUrl: "http://backend.internal:8080/api" })).backend,
    ).toEqual({
      kind: "http",
      url: "http://backend.internal:8080/api",
    });
    for (const mode of ["http-lambda", "http-jwt"] as const) {
      expect(
        parse(
          values(mode, {
            vpcLinkListenerArn: LISTENER_ARN,
            vpcLinkSubnetIds: json(["subnet-1", "subnet-2"]),
            vpcLinkSecurityGroupIds: json(["sg-1"]),
          }),
        ).backend,
      ).toEqual({
        kind: "vpc-link",
        listenerArn: LISTENER_ARN,
        subnetIds: ["subnet-1", "subnet-2"],
        securityGroupIds: ["sg-1"],
      });
    }
  });

  test.each(["http-lambda", "http-jwt"] as const)("%s: the $default stage is allowed", (mode) => {
    expect(parse(values(mode, { stageName: "$default" })).stage.stageName).toBe("$default");
  });

  test("stage settings and every CloudWatch retention value", () => {
    for (const days of LOG_RETENTION_DAYS) {
      expect(
        parse(values("http-lambda", { logRetentionDays: String(days) })).stage.logRetentionDays,
      ).toBe(days);
    }
    const c = parse(
      values("rest-token", {
        stageName: "v1",
        throttlingBurstLimit: "0",
        throttlingRateLimit: "1000000",
      }),
    );
    expect(c.stage).toEqual({
      stageName: "v1",
      throttlingBurstLimit: 0,
      throttlingRateLimit: 1_000_000,
      logRetentionDays: 30,
      accessLogging: true,
    });
  });

  test("integer bounds are inclusive", () => {
    const c = parse(
      values("http-lambda", {
        clockToleranceSeconds: "300",
        authorizerCacheTtl: "0",
        secretCacheTtlSeconds: "86400",
      }),
    );
    expect(lambdaOf(c)).toMatchObject({
      clockToleranceSeconds: 300,
      authorizerCacheTtl: 0,
      secretCacheTtlSeconds: 86400,
    });
  });

  test("CORS: methods are upper-cased, * origin and custom headers kept", () => {
    const c = parse(
      values("http-lambda", {
        corsAllowOrigins: json(["*"]),
        corsAllowMethods: json(["get", "options"]),
        corsAllowHeaders: json(["authorization", "x-request-id"]),
        corsMaxAge: "0",
      }),
    );
    expect(c.cors).toEqual({
      allowOrigins: ["*"],
      allowMethods: ["GET", "OPTIONS"],
      allowHeaders: ["authorization", "x-request-id"],
      maxAgeSeconds: 0,
    });
  });

  test("values are trimmed, and blank values count as unset", () => {
    const c = parse(
      values("http-lambda", {
        issuer: `  ${ISSUER}  `,
        customerIdHeader: "   ",
        audiences: json([" api "]),
      }),
    );
    expect(lambdaOf(c).issuer).toBe(ISSUER);
    expect(lambdaOf(c).audiences).toEqual(["api"]);
    expect(c.identity.customerIdHeader).toBe("X-Customer-ID");
  });
});

// -------------------------------------------------------------------------------------------
// Invalid configurations: each names its key
// -------------------------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly mode: Mode;
  readonly set: Values;
  readonly jwtSecret?: string;
  readonly stackName?: string;
  readonly key: string;
  readonly fragment: string;
}

const reservedHeaders = [
  "Authorization",
  "X-Forwarded-For",
  "x-amzn-trace-id",
  "X-Amz-Date",
  "Access-Control-Allow-Origin",
  "apigw-requestid",
  "Origin",
  "Via",
  "Content-Length",
  "Proxy-Authorization",
];

const CASES: Case[] = [
  // Key material (Lambda modes)
  {
    name: "verifyWith missing",
    mode: "http-lambda",
    set: { verifyWith: undefined },
    key: "verifyWith",
    fragment: "is required in this mode: one of secret, public-key, jwks",
  },
  {
    name: "verifyWith blank",
    mode: "rest-token",
    set: { verifyWith: "  " },
    key: "verifyWith",
    fragment: "is required in this mode",
  },
  {
    name: "verifyWith unknown",
    mode: "http-lambda",
    set: { verifyWith: "hs256" },
    key: "verifyWith",
    fragment: '"hs256" is not a key source',
  },
  {
    name: "verifyWith named after the algorithm",
    mode: "rest-token",
    set: { verifyWith: "HS256" },
    key: "verifyWith",
    fragment: '"HS256" is not a key source (did you mean secret?)',
  },
  {
    name: "verifyWith one edit away",
    mode: "http-lambda",
    set: { verifyWith: "jwk" },
    key: "verifyWith",
    fragment: '"jwk" is not a key source (did you mean jwks?)',
  },
  {
    name: "jwtSecret missing",
    mode: "http-lambda",
    set: { verifyWith: "secret" },
    key: "jwtSecret",
    fragment: "pulumi config set --secret jwtSecret",
  },
  {
    name: "jwtSecret and secretArn",
    mode: "rest-token",
    set: { verifyWith: "secret", secretArn: SECRET_ARN },
    jwtSecret: "s",
    key: "jwtSecret",
    fragment: "set either jwtSecret or secretArn, not both",
  },
  {
    name: "secretArn malformed",
    mode: "http-lambda",
    set: { verifyWith: "secret", secretArn: "my-secret" },
    key: "secretArn",
    fragment: "expected a Secrets Manager secret ARN",
  },
  {
    name: "secretArn of another service",
    mode: "http-lambda",
    set: { verifyWith: "public-key", secretArn: "arn:aws:ssm:us-east-1:123456789012:parameter/x" },
    key: "secretArn",
    fragment: 'got "arn:aws:ssm',
  },
  {
    name: "publicKeyPem with verifyWith=secret",
    mode: "http-lambda",
    set: { verifyWith: "secret", publicKeyPem: PEM },
    jwtSecret: "s",
    key: "publicKeyPem",
    fragment: "only used with verifyWith=public-key",
  },
  {
    name: "public-key without PEM",
    mode: "http-lambda",
    set: { verifyWith: "public-key" },
    key: "publicKeyPem",
    fragment: "needs the issuer's public key",
  },
  {
    name: "public-key not a PEM",
    mode: "rest-token",
    set: { verifyWith: "public-key", publicKeyPem: "MIIBIjANBgkq" },
    key: "publicKeyPem",
    fragment: "expected a PEM public key (-----BEGIN PUBLIC KEY-----)",
  },
  {
    name: "public-key is a private key",
    mode: "rest-token",
    set: {
      verifyWith: "public-key",
      publicKeyPem: "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----",
    },
    key: "publicKeyPem",
    fragment: "Never put a private key in config",
  },
  {
    name: "public-key PEM and secretArn",
    mode: "http-lambda",
    set: { verifyWith: "public-key", publicKeyPem: PEM, secretArn: SECRET_ARN },
    key: "publicKeyPem",
    fragment: "not both",
  },
  {
    name: "jwtSecret with public-key",
    mode: "http-lambda",
    set: { verifyWith: "public-key", publicKeyPem: PEM },
    jwtSecret: "s",
    key: "jwtSecret",
    fragment: "only used with verifyWith=secret",
  },
  {
    name: "jwks with http issuer",
    mode: "http-lambda",
    set: { issuer: "http://auth.example.com" },
    key: "issuer",
    fragment: "verifyWith=jwks discovers keys from the issuer, so it must be an https URL",
  },
  {
    name: "jwks with secretArn",
    mode: "http-lambda",
    set: { secretArn: SECRET_ARN },
    key: "secretArn",
    fragment: "not used with verifyWith=jwks",
  },
  {
    name: "jwks with jwtSecret",
    mode: "rest-token",
    set: {},
    jwtSecret: "s",
    key: "jwtSecret",
    fragment: "only used with verifyWith=secret",
  },
  {
    name: "jwks with publicKeyPem",
    mode: "rest-token",
    set: { publicKeyPem: PEM },
    key: "publicKeyPem",
    fragment: "only used with verifyWith=public-key",
  },
  {
    name: "jwksUri over http",
    mode: "http-lambda",
    set: { jwksUri: "http://keys.example.com/jwks" },
    key: "jwksUri",
    fragment: "must be an https URL",
  },
  {
    name: "jwksUri with verifyWith=secret",
    mode: "http-lambda",
    set: { verifyWith: "secret", jwksUri: "https://k.example.com" },
    jwtSecret: "s",
    key: "jwksUri",
    fragment: "only used with verifyWith=jwks",
  },
  {
    name: "issuer missing (Lambda)",
    mode: "http-lambda",
    set: { issuer: undefined },
    key: "issuer",
    fragment: "is required: the iss value tokens must carry",
  },
  {
    name: "issuer blank (Lambda)",
    mode: "rest-token",
    set: { verifyWith: "secret", issuer: "   " },
    jwtSecret: "s",
    key: "issuer",
    fragment: "is required",
  },
  {
    name: "audiences missing (Lambda)",
    mode: "http-lambda",
    set: { audiences: undefined },
    key: "audiences",
    fragment: "set it to an empty list explicitly (audiences: [] in the stack file)",
  },
  {
    name: "audiences not JSON",
    mode: "http-lambda",
    set: { audiences: "api" },
    key: "audiences",
    fragment: "expected a list of strings, e.g. pulumi config set --path 'audiences[0]' value",
  },
  {
    name: "audiences an object",
    mode: "rest-token",
    set: { audiences: '{"aud":"api"}' },
    key: "audiences",
    fragment: "expected a list of strings",
  },
  {
    name: "audiences of numbers",
    mode: "http-jwt",
    set: { audiences: "[1,2]" },
    key: "audiences",
    fragment: "expected a list of strings",
  },
  {
    name: "audiences with an empty entry",
    mode: "http-lambda",
    set: { audiences: json(["api", " "]) },
    key: "audiences",
    fragment: "empty entry (audiences[1])",
  },
  {
    name: "clockToleranceSeconds > 300",
    mode: "http-lambda",
    set: { clockToleranceSeconds: "301" },
    key: "clockToleranceSeconds",
    fragment: "must be from 0 to 300, got 301",
  },
  {
    name: "authorizerCacheTtl > 3600",
    mode: "rest-token",
    set: { authorizerCacheTtl: "3601" },
    key: "authorizerCacheTtl",
    fragment: "must be from 0 to 3600",
  },
  {
    name: "secretCacheTtlSeconds negative",
    mode: "http-lambda",
    set: { secretCacheTtlSeconds: "-1" },
    key: "secretCacheTtlSeconds",
    fragment: "must be from 0 to 86400, got -1",
  },
  {
    name: "secretCacheTtlSeconds fractional",
    mode: "http-lambda",
    set: { secretCacheTtlSeconds: "1.5" },
    key: "secretCacheTtlSeconds",
    fragment: 'expected a whole number from 0 to 86400, got "1.5"',
  },

  // Identity mapping
  ...reservedHeaders.map((h): Case => ({
    name: `customerIdHeader ${h}`,
    mode: "http-lambda",
    set: { customerIdHeader: h },
    key: "customerIdHeader",
    fragment: `"${h}" is a header API Gateway reserves`,
  })),
  ...reservedHeaders.map((h): Case => ({
    name: `claimHeaders ${h}`,
    mode: "http-jwt",
    set: { claimHeaders: json([`${h}=plan`]) },
    key: "claimHeaders",
    fragment: `"${h}" is a header API Gateway reserves`,
  })),
  {
    name: "claimHeaders Host",
    mode: "http-lambda",
    set: { claimHeaders: json(["Host=tenant_host"]) },
    key: "claimHeaders",
    fragment: '"Host" selects the backend\'s virtual host',
  },
  {
    name: "customerIdHeader host",
    mode: "rest-token",
    set: { customerIdHeader: "host" },
    key: "customerIdHeader",
    fragment: '"host" selects the backend\'s virtual host',
  },
  {
    name: "customerNameHeader reserved",
    mode: "rest-token",
    set: { customerNameHeader: "X-Forwarded-Host" },
    key: "customerNameHeader",
    fragment: "reserves",
  },
  {
    name: "customerIdHeader with a space",
    mode: "http-lambda",
    set: { customerIdHeader: "X Customer" },
    key: "customerIdHeader",
    fragment: '"X Customer" is not a valid HTTP header name',
  },
  {
    name: "customerIdHeader with CR/LF",
    mode: "http-lambda",
    set: { customerIdHeader: "X-A\r\nX-B" },
    key: "customerIdHeader",
    fragment: "is not a valid HTTP header name",
  },
  {
    name: "claimHeaders invalid name",
    mode: "http-lambda",
    set: { claimHeaders: json(["X:Plan=plan"]) },
    key: "claimHeaders",
    fragment: "is not a valid HTTP header name",
  },
  {
    name: "same header for id and name",
    mode: "http-lambda",
    set: { customerNameHeader: "x-customer-id" },
    key: "customerNameHeader",
    fragment: 'header "x-customer-id" is mapped twice (also by customerIdHeader)',
  },
  {
    name: "claimHeaders repeats customerIdHeader",
    mode: "rest-token",
    set: { claimHeaders: json(["X-CUSTOMER-ID=plan"]) },
    key: "claimHeaders",
    fragment: "mapped twice (also by customerIdHeader)",
  },
  {
    name: "claimHeaders repeats itself",
    mode: "http-jwt",
    set: { claimHeaders: json(["X-Plan=plan", "x-plan=tier"]) },
    key: "claimHeaders",
    fragment: "mapped twice (also by claimHeaders)",
  },
  {
    name: "claimHeaders without =",
    mode: "http-lambda",
    set: { claimHeaders: json(["X-Plan"]) },
    key: "claimHeaders",
    fragment: '"X-Plan" is not of the form "Header-Name=claim.path"',
  },
  {
    name: "claimHeaders without header",
    mode: "http-lambda",
    set: { claimHeaders: json(["=plan"]) },
    key: "claimHeaders",
    fragment: 'is not of the form "Header-Name=claim.path"',
  },
  {
    name: "claimHeaders without claim",
    mode: "http-lambda",
    set: { claimHeaders: json(["X-Plan= "]) },
    key: "claimHeaders",
    fragment: 'is not of the form "Header-Name=claim.path"',
  },
  {
    name: "claimHeaders bad claim path",
    mode: "http-lambda",
    set: { claimHeaders: json(["X-Plan=a..b"]) },
    key: "claimHeaders",
    fragment: '"a..b" is not a claim path',
  },
  {
    name: "claimHeaders collides with context key",
    mode: "http-lambda",
    set: { claimHeaders: json(["X-Who=customerId"]) },
    key: "claimHeaders",
    fragment: 'collides with the authorizer context key "customerId"',
  },
  {
    name: "claimQueryParams malformed",
    mode: "http-lambda",
    set: { claimQueryParams: json(["tier"]) },
    key: "claimQueryParams",
    fragment: '"tier" is not of the form "param=claim.path"',
  },
  {
    name: "claimQueryParams bad name",
    mode: "http-lambda",
    set: { claimQueryParams: json(["a b=tier"]) },
    key: "claimQueryParams",
    fragment: '"a b" is not a valid query-string parameter name',
  },
  {
    name: "customerIdClaims empty",
    mode: "http-lambda",
    set: { customerIdClaims: "[]" },
    key: "customerIdClaims",
    fragment: "must name at least one claim",
  },
  {
    name: "customerNameClaims bad path",
    mode: "rest-token",
    set: { customerNameClaims: json(["name."]) },
    key: "customerNameClaims",
    fragment: '"name." is not a claim path',
  },

  // http-jwt
  {
    name: "http-jwt fallback chain",
    mode: "http-jwt",
    set: { customerIdClaims: json(["customer_id", "sub"]) },
    key: "customerIdClaims",
    fragment: "use authMode http-lambda, whose authorizer tries claims in order",
  },
  {
    name: "http-jwt name fallback chain",
    mode: "http-jwt",
    set: { customerNameClaims: json(["customer_name", "name"]) },
    key: "customerNameClaims",
    fragment: "exactly one claim per header",
  },
  {
    name: "http-jwt dotted claim",
    mode: "http-jwt",
    set: { customerIdClaims: json(["metadata.tenant"]) },
    key: "customerIdClaims",
    fragment: "no nested paths). Use http-lambda for nested claims",
  },
  {
    name: "http-jwt dotted claimHeaders claim",
    mode: "http-jwt",
    set: { claimHeaders: json(["X-Plan=metadata.plan"]) },
    key: "claimHeaders",
    fragment: "letters, digits and _ only (no nested paths)",
  },
  {
    name: "http-jwt no issuer",
    mode: "http-jwt",
    set: { issuer: undefined },
    key: "issuer",
    fragment:
      "set issuer (any OIDC issuer) or one preset: passageAppId (Passage), clerkFrontendApiUrl (Clerk), cognitoUserPoolId",
  },
  {
    name: "http-jwt http:// issuer",
    mode: "http-jwt",
    set: { issuer: "http://auth.example.com" },
    key: "issuer",
    fragment: "must be an https URL (API Gateway fetches its keys over https)",
  },
  {
    name: "http-jwt issuer not a URL",
    mode: "http-jwt",
    set: { issuer: "my-issuer" },
    key: "issuer",
    fragment: 'got "my-issuer"',
  },
  {
    name: "Passage and issuer",
    mode: "http-jwt",
    set: { passageAppId: "app1" },
    key: "issuer",
    fragment: "passageAppId and issuer both set the issuer; set only one of them",
  },
  {
    name: "Passage and Clerk",
    mode: "http-jwt",
    set: {
      issuer: undefined,
      passageAppId: "app1",
      clerkFrontendApiUrl: "https://clerk.example.com",
    },
    key: "clerkFrontendApiUrl",
    fragment: "set only one of",
  },
  {
    name: "Passage bad app id",
    mode: "http-jwt",
    set: { issuer: undefined, passageAppId: "app/1" },
    key: "passageAppId",
    fragment: '"app/1" is not a Passage app id',
  },
  {
    name: "Passage without audience",
    mode: "http-jwt",
    set: { issuer: undefined, passageAppId: "app1", audiences: undefined },
    key: "audiences",
    fragment: "your Passage app's authentication origin",
  },
  {
    name: "Clerk http URL",
    mode: "http-jwt",
    set: { issuer: undefined, clerkFrontendApiUrl: "http://clerk.example.com" },
    key: "clerkFrontendApiUrl",
    fragment: "https Frontend API URL from the Clerk dashboard",
  },
  {
    name: "Clerk without audience",
    mode: "http-jwt",
    set: {
      issuer: undefined,
      clerkFrontendApiUrl: "https://clerk.example.com",
      audiences: undefined,
    },
    key: "audiences",
    fragment:
      'unless a JWT template adds one: create a template with {"aud": "ClerkJwtAuthorizer"}',
  },
  {
    name: "OIDC with explicit empty audiences",
    mode: "http-jwt",
    set: { audiences: "[]" },
    key: "audiences",
    fragment: "JWT authorizer requires at least one audience",
  },
  {
    name: "http-jwt > 50 audiences",
    mode: "http-jwt",
    set: { audiences: json(Array.from({ length: 51 }, (_, i) => `a${i}`)) },
    key: "audiences",
    fragment: "at most 50 audiences per JWT authorizer, got 51",
  },
  {
    name: "http-jwt > 10 scopes",
    mode: "http-jwt",
    set: { authorizationScopes: json(Array.from({ length: 11 }, (_, i) => `s${i}`)) },
    key: "authorizationScopes",
    fragment: "at most 10 scopes per route, got 11",
  },
  {
    name: "identitySource bare header",
    mode: "http-jwt",
    set: { identitySource: "Authorization" },
    key: "identitySource",
    fragment: "e.g. $request.header.Authorization",
  },
  {
    name: "identitySource two sources",
    mode: "http-jwt",
    set: { identitySource: "$request.header.Authorization,$request.header.X-Token" },
    key: "identitySource",
    fragment: "reads one header or query parameter",
  },
  {
    name: "identitySource REST syntax",
    mode: "http-jwt",
    set: { identitySource: "method.request.header.Authorization" },
    key: "identitySource",
    fragment: 'got "method.request.header.Authorization"',
  },

  // rest-token
  {
    name: "requiredRoles empty",
    mode: "rest-token",
    set: { requiredRoles: "[]" },
    key: "requiredRoles",
    fragment: "list at least one role",
  },
  {
    name: "requiredRoles blank entry",
    mode: "rest-token",
    set: { requiredRoles: json([""]) },
    key: "requiredRoles",
    fragment: "empty entry (requiredRoles[0])",
  },
  {
    name: "roleClaim bad path",
    mode: "rest-token",
    set: { roleClaim: "metadata..role" },
    key: "roleClaim",
    fragment: '"metadata..role" is not a claim path',
  },
  {
    name: "rest-token VPC link",
    mode: "rest-token",
    set: {
      vpcLinkListenerArn: LISTENER_ARN,
      vpcLinkSubnetIds: json(["subnet-1"]),
      vpcLinkSecurityGroupIds: json(["sg-1"]),
    },
    key: "vpcLinkListenerArn",
    fragment: "rest-token does not support a VPC link backend",
  },

  // Backend
  {
    name: "backendUrl and VPC link",
    mode: "http-lambda",
    set: {
      backendUrl: "https://b.example.com",
      vpcLinkListenerArn: LISTENER_ARN,
      vpcLinkSubnetIds: json(["subnet-1"]),
      vpcLinkSecurityGroupIds: json(["sg-1"]),
    },
    key: "backendUrl",
    fragment: "set either backendUrl or vpcLinkListenerArn, not both",
  },
  {
    name: "VPC link without subnets",
    mode: "http-lambda",
    set: { vpcLinkListenerArn: LISTENER_ARN, vpcLinkSecurityGroupIds: json(["sg-1"]) },
    key: "vpcLinkSubnetIds",
    fragment: "needs at least one subnet id",
  },
  {
    name: "VPC link without security groups",
    mode: "http-jwt",
    set: { vpcLinkListenerArn: LISTENER_ARN, vpcLinkSubnetIds: json(["subnet-1"]) },
    key: "vpcLinkSecurityGroupIds",
    fragment: "needs at least one security group id",
  },
  {
    name: "VPC link bad listener ARN",
    mode: "http-lambda",
    set: {
      vpcLinkListenerArn:
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1",
      vpcLinkSubnetIds: json(["subnet-1"]),
      vpcLinkSecurityGroupIds: json(["sg-1"]),
    },
    key: "vpcLinkListenerArn",
    fragment: "expected an ALB/NLB listener ARN",
  },
  {
    name: "subnets without listener",
    mode: "http-lambda",
    set: { vpcLinkSubnetIds: json(["subnet-1"]) },
    key: "vpcLinkListenerArn",
    fragment: "are set but the listener ARN is not",
  },
  {
    name: "backendUrl not http",
    mode: "rest-token",
    set: { backendUrl: "ftp://files.example.com" },
    key: "backendUrl",
    fragment: 'expected an http(s) URL, got "ftp://files.example.com"',
  },
  {
    name: "backendUrl not a URL",
    mode: "http-lambda",
    set: { backendUrl: "backend:8080" },
    key: "backendUrl",
    fragment: "expected an http(s) URL",
  },

  {
    name: "backendUrl with a query string",
    mode: "http-lambda",
    set: { backendUrl: "https://b.example.com/api?key=1" },
    key: "backendUrl",
    fragment: "has a query string or fragment; the request path is appended",
  },
  {
    name: "backendUrl with a fragment",
    mode: "rest-token",
    set: { backendUrl: "https://b.example.com/#x" },
    key: "backendUrl",
    fragment: "has a query string or fragment",
  },

  // Stage
  {
    name: "stageName with a space",
    mode: "http-lambda",
    set: { stageName: "my stage" },
    key: "stageName",
    fragment:
      '"my stage" is not a valid stage name (letters, digits, _ and -, up to 128, or $default)',
  },
  {
    name: "stageName too long",
    mode: "http-jwt",
    set: { stageName: "s".repeat(129) },
    key: "stageName",
    fragment: "is not a valid stage name",
  },
  {
    name: "$default on REST",
    mode: "rest-token",
    set: { stageName: "$default" },
    key: "stageName",
    fragment: '"$default" is not a valid stage name (letters, digits, _ and -, up to 128).',
  },
  {
    name: "stack name not a stage name",
    mode: "rest-token",
    set: {},
    stackName: "prod.eu",
    key: "stageName",
    fragment: 'the stack name "prod.eu" would be the stage name',
  },
  {
    name: "logRetentionDays not a CloudWatch value",
    mode: "http-lambda",
    set: { logRetentionDays: "2" },
    key: "logRetentionDays",
    fragment: "CloudWatch Logs accepts only 1, 3, 5, 7, 14, 30",
  },
  {
    name: "logRetentionDays 0",
    mode: "http-lambda",
    set: { logRetentionDays: "0" },
    key: "logRetentionDays",
    fragment: "must be from 1 to 3653, got 0",
  },
  {
    name: "logRetentionDays text",
    mode: "http-jwt",
    set: { logRetentionDays: "thirty" },
    key: "logRetentionDays",
    fragment: 'expected a whole number from 1 to 3653, got "thirty"',
  },
  {
    name: "throttlingBurstLimit negative",
    mode: "http-lambda",
    set: { throttlingBurstLimit: "-5" },
    key: "throttlingBurstLimit",
    fragment: "must be from 0 to 1000000, got -5",
  },
  {
    name: "throttlingRateLimit too large",
    mode: "rest-token",
    set: { throttlingRateLimit: "1000001" },
    key: "throttlingRateLimit",
    fragment: "must be from 0 to 1000000",
  },

  // CORS
  {
    name: "corsAllowMethods without origins",
    mode: "http-lambda",
    set: { corsAllowMethods: json(["GET"]) },
    key: "corsAllowMethods",
    fragment: "has no effect without corsAllowOrigins",
  },
  {
    name: "corsAllowHeaders without origins",
    mode: "rest-token",
    set: { corsAllowHeaders: json(["x-a"]) },
    key: "corsAllowHeaders",
    fragment: "has no effect without corsAllowOrigins",
  },
  {
    name: "corsMaxAge without origins",
    mode: "http-jwt",
    set: { corsMaxAge: "60" },
    key: "corsMaxAge",
    fragment: "has no effect without corsAllowOrigins",
  },
  {
    name: "corsAllowOrigins empty",
    mode: "http-lambda",
    set: { corsAllowOrigins: "[]" },
    key: "corsAllowOrigins",
    fragment: "list at least one origin, or unset the key",
  },
  {
    name: "corsAllowOrigins with a path",
    mode: "http-lambda",
    set: { corsAllowOrigins: json(["https://app.example.com/"]) },
    key: "corsAllowOrigins",
    fragment: "is not an origin (scheme://host[:port], no path)",
  },
  {
    name: "corsAllowMethods unknown",
    mode: "http-lambda",
    set: { corsAllowOrigins: json(["*"]), corsAllowMethods: json(["FETCH"]) },
    key: "corsAllowMethods",
    fragment: '"FETCH" is not one of GET, POST',
  },
  {
    name: "corsMaxAge too large",
    mode: "http-lambda",
    set: { corsAllowOrigins: json(["*"]), corsMaxAge: "86401" },
    key: "corsMaxAge",
    fragment: "must be from 0 to 86400",
  },

  // Unknown keys
  {
    name: "unknown key, other case",
    mode: "http-lambda",
    set: { Issuer: ISSUER },
    key: "Issuer",
    fragment: "is not a setting of this program (did you mean issuer?)",
  },
  {
    name: "unknown key, typo",
    mode: "http-lambda",
    set: { audience: json(["api"]) },
    key: "audience",
    fragment: "(did you mean audiences?)",
  },
  {
    name: "unknown key, typo 2",
    mode: "rest-token",
    set: { requiredRole: json(["admin"]) },
    key: "requiredRole",
    fragment: "(did you mean requiredRoles?)",
  },
  {
    name: "unknown key, nothing close",
    mode: "http-jwt",
    set: { region: "us-east-1" },
    key: "region",
    fragment: "is not a setting of this program; see the README",
  },
  {
    name: "routes: a line that is not METHOD path rule",
    mode: "http-lambda",
    set: { routes: json(["GET /health public", "GET /orders"]) },
    key: "routes",
    fragment: 'routes[1]: "GET /orders" is not "<METHOD> <path> <rule>"',
  },
  {
    name: "routes: unknown rule",
    mode: "rest-token",
    set: { routes: json(["ANY /{proxy+} admins-only"]) },
    key: "routes",
    fragment: 'routes[0]: rule "admins-only" is not one of public, authenticated',
  },
  {
    name: "routes: greedy segment not last",
    mode: "http-jwt",
    set: { routes: json(["GET /{proxy+}/x authenticated"]) },
    key: "routes",
    fragment: "must be the last one",
  },
  {
    name: "routes: duplicate route",
    mode: "http-lambda",
    set: { routes: json(["GET /a/{id} authenticated", "GET /a/{other} public"]) },
    key: "routes",
    fragment: 'routes[1]: "GET /a/{other}" repeats line 0',
  },
  {
    name: "routes: roles= in http-jwt",
    mode: "http-jwt",
    set: { routes: json(["ANY /admin/{proxy+} roles=admin", "ANY /{proxy+} authenticated"]) },
    key: "routes",
    fragment: "http-jwt cannot check roles",
  },
  {
    name: "routes: every route public",
    mode: "http-lambda",
    set: { routes: json(["GET /health public"]) },
    key: "routes",
    fragment: "every route is public",
  },
  {
    name: "routes with requiredRoles",
    mode: "rest-token",
    set: { routes: json(["ANY /{proxy+} authenticated"]), requiredRoles: json(["ops"]) },
    key: "requiredRoles",
    fragment: "with identity-gateway:routes set, write it on the routes that need it (roles=",
  },
  {
    name: "routes with authorizationScopes",
    mode: "http-jwt",
    set: { routes: json(["ANY /{proxy+} authenticated"]), authorizationScopes: json(["a"]) },
    key: "authorizationScopes",
    fragment: "write it on the routes that need it (scopes=",
  },
  {
    name: "unknown key named like an Object method",
    mode: "http-lambda",
    set: { constructor: "x" },
    key: "constructor",
    fragment: "is not a setting of this program",
  },
];

describe("routes", () => {
  const table = (c: AppConfig) => c.routes.map((r) => `${r.routeKey} ${JSON.stringify(r.rule)}`);

  test.each<[Mode, Values, string]>([
    ["http-lambda", {}, '{"kind":"authenticated"}'],
    ["http-jwt", {}, '{"kind":"authenticated"}'],
    ["http-jwt", { authorizationScopes: json(["a", "b"]) }, '{"kind":"scopes","scopes":["a","b"]}'],
    ["rest-token", {}, '{"kind":"roles","roles":["admin"]}'],
    ["rest-token", { requiredRoles: json(["ops"]) }, '{"kind":"roles","roles":["ops"]}'],
  ])("%s %j: unset routes is ANY / and ANY /{proxy+} with the mode's rule", (mode, set, rule) => {
    expect(table(parse(values(mode, set)))).toEqual([`ANY / ${rule}`, `ANY /{proxy+} ${rule}`]);
  });

  test.each(["http-lambda", "rest-token"] as const)("%s: the README example", (mode) => {
    const c = parse(values(mode, { routes: json(EXAMPLE) }));
    expect(c.routes.map((r) => r.routeKey)).toEqual([
      "GET /health",
      "POST /webhooks/{proxy+}",
      "ANY /admin/{proxy+}",
      "GET /orders/{proxy+}",
      "ANY /{proxy+}",
    ]);
    expect(c.routes[2].rule).toEqual({ kind: "roles", roles: ["admin"] });
  });

  test("http-lambda reads roleClaim for roles= rules", () => {
    const c = parse(values("http-lambda", { roleClaim: "app.roles" })) as HttpLambdaConfig;
    expect(c.roleClaim).toBe("app.roles");
    expect((parse(values("http-lambda")) as HttpLambdaConfig).roleClaim).toBe("metadata.role");
  });

  test("every bad line is reported, each with its position", () => {
    const keys = problems(
      values("http-lambda", { routes: json(["GET /a public", "BAD", "GET /b nope", "GET /a x"]) }),
    );
    expect(keys.map((p) => p.message.slice(0, 10))).toEqual([
      "routes[1]:",
      "routes[2]:",
      "routes[3]:",
    ]);
  });
});

describe("invalid settings name their key", () => {
  test.each(CASES)("$name → $key", ({ mode, set, jwtSecret, stackName, key, fragment }) => {
    const err = configError(values(mode, set), jwtSecret, stackName);
    const matching = err.problems.filter((p) => p.key === key);
    expect(matching.map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringContaining(fragment)]),
    );
    // The message lists every problem as identity-gateway:<key>: <message>.
    for (const p of err.problems)
      expect(err.message).toContain(`${PROJECT}:${p.key}: ${p.message}`);
  });

  test("every case's base config is valid on its own (the failure comes from the change)", () => {
    for (const mode of Object.keys(BASE) as Mode[]) expect(() => parse(values(mode))).not.toThrow();
  });

  test("reserved headers are refused in any case", () => {
    for (const h of [
      "AUTHORIZATION",
      "x-forwarded-for",
      "X-AMZN-TRACE-ID",
      "access-control-max-age",
    ]) {
      expect(problems(values("http-lambda", { customerIdHeader: h })).map((p) => p.key)).toEqual([
        "customerIdHeader",
      ]);
    }
  });
});

describe("authMode", () => {
  test.each([
    ["missing", undefined, "is required: set one of http-jwt, http-lambda, rest-token"],
    ["blank", " ", "is required: set one of http-jwt, http-lambda, rest-token"],
    ["unknown", "lambda", '"lambda" is not a mode: set one of http-jwt, http-lambda, rest-token'],
    ["wrong case", "HTTP-JWT", '"HTTP-JWT" is not a mode (did you mean http-jwt?)'],
    ["near miss", "http-jwks", '"http-jwks" is not a mode (did you mean http-jwt?)'],
  ])("%s", (_label, authMode, fragment) => {
    const err = configError(values("http-lambda", { authMode }));
    expect(err.problems).toEqual([{ key: "authMode", message: expect.stringContaining(fragment) }]);
    expect(err.message).toContain("pulumi config set authMode http-lambda");
    expect(err.message).toContain(`${PROJECT}:authMode:`);
  });

  test("unknown keys are still reported with a missing authMode", () => {
    // Without a mode the other checks cannot run (their rules depend on it), but typos can.
    expect(problems({ authmode: "http-lambda" }).map((p) => p.key)).toEqual([
      "authmode",
      "authMode",
    ]);
  });

  test("every mode in AUTH_MODES parses", () => {
    for (const mode of AUTH_MODES) expect(parse(values(mode)).authMode).toBe(mode);
  });
});

describe("every problem is reported at once", () => {
  test("three mistakes give three problems, in one error", () => {
    const err = configError(
      values("http-lambda", {
        logRetentionDays: "2",
        customerIdHeader: "Authorization",
        audiences: undefined,
      }),
    );
    expect(err.problems.map((p) => p.key).sort()).toEqual([
      "audiences",
      "customerIdHeader",
      "logRetentionDays",
    ]);
    expect(err.message.split("\n")).toHaveLength(4);
    expect(err.message.split("\n")[0]).toBe("Invalid identity-gateway configuration:");
  });

  test("mistakes across stage, identity, backend, CORS and verification are all listed", () => {
    const err = configError(
      values("rest-token", {
        stageName: "$default",
        claimHeaders: json(["X-Plan"]),
        backendUrl: "nope",
        corsMaxAge: "60",
        verifyWith: "secret",
        requiredRoles: "[]",
        Audiences: "[]",
      }),
    );
    expect(err.problems.map((p) => p.key).sort()).toEqual(
      [
        "Audiences",
        "backendUrl",
        "claimHeaders",
        "corsMaxAge",
        "jwtSecret",
        "requiredRoles",
        "stageName",
      ].sort(),
    );
  });

  test("ConfigError is an Error named ConfigError", () => {
    const err = configError({});
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("ConfigError");
  });
});

describe("allowLoopbackHttpIssuer (local gateway only)", () => {
  const loopback = ["http://127.0.0.1:4010", "http://localhost:4010/issuer", "http://[::1]:4010"];

  test.each(loopback)("off by default: %s is refused as an issuer", (url) => {
    expect(problems(values("http-jwt", { issuer: url })).map((p) => p.key)).toEqual(["issuer"]);
    expect(problems(values("http-lambda", { issuer: url })).map((p) => p.key)).toEqual(["issuer"]);
    expect(
      problems(values("rest-token", { jwksUri: `${url}/jwks.json` })).map((p) => p.key),
    ).toEqual(["jwksUri"]);
  });

  test.each(loopback)("on: %s is accepted for issuer and jwksUri", (url) => {
    const options = { allowLoopbackHttpIssuer: true };
    const jwt = parseConfig(
      { stackName: "dev", values: values("http-jwt", { issuer: url }) },
      options,
    );
    expect(jwt.authMode === "http-jwt" && jwt.issuer).toBe(url);
    const lambda = parseConfig(
      { stackName: "dev", values: values("http-lambda", { issuer: url }) },
      options,
    );
    expect(lambdaOf(lambda).issuer).toBe(url);
    const rest = parseConfig(
      { stackName: "dev", values: values("rest-token", { jwksUri: `${url}/jwks.json` }) },
      options,
    );
    expect(lambdaOf(rest).keySource).toEqual({ kind: "jwks", jwksUri: `${url}/jwks.json` });
  });

  test.each([
    "http://auth.example.com",
    "http://localhost.example.com",
    "http://127.0.0.2",
    "ftp://127.0.0.1",
  ])("on: %s (not http on loopback) is still refused", (url) => {
    const err = (() => {
      try {
        parseConfig(
          { stackName: "dev", values: values("http-jwt", { issuer: url }) },
          { allowLoopbackHttpIssuer: true },
        );
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.key)).toEqual(["issuer"]);
  });
});

// -------------------------------------------------------------------------------------------
// Property: parseConfig never fails with anything but a ConfigError
// -------------------------------------------------------------------------------------------

describe("property", () => {
  const knownKey = fc.constantFrom(...Object.keys(CONFIG_KEYS));
  const key = fc.oneof(
    { weight: 4, arbitrary: knownKey },
    { weight: 1, arbitrary: fc.string() },
    {
      weight: 1,
      arbitrary: fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty"),
    },
  );
  const value = fc.oneof(
    fc.string(),
    fc.constantFrom(
      "",
      " ",
      "[]",
      "null",
      "{}",
      "true",
      "0",
      "-1",
      "1e3",
      "3653",
      "$default",
      PEM,
      SECRET_ARN,
    ),
    fc.constantFrom(
      ...AUTH_MODES,
      "secret",
      "public-key",
      "jwks",
      ISSUER,
      "http://x",
      "http://127.0.0.1:4010",
      LISTENER_ARN,
    ),
    fc.array(fc.string()).map(json),
    fc
      .array(fc.constantFrom("X-Plan=plan", "Authorization=sub", "a..b", "sub", "*", "", "GET"))
      .map(json),
    fc.jsonValue().map(json),
    fc.integer().map(String),
  );
  const valuesArb = fc.dictionary(key, value, { maxKeys: 12 });

  test("random values: either an AppConfig or a ConfigError whose problems all name a key", () => {
    fc.assert(
      fc.property(
        valuesArb,
        fc.constantFrom(...AUTH_MODES, undefined),
        fc.option(fc.string(), { nil: undefined }),
        fc.constantFrom("dev", "prod.eu", ""),
        fc.boolean(),
        (v, mode, jwtSecret, stackName, allowLoopbackHttpIssuer) => {
          const input: Values = mode === undefined ? v : { ...v, authMode: mode };
          try {
            const c = parseConfig(
              { stackName, values: input, jwtSecret },
              { allowLoopbackHttpIssuer },
            );
            expect(AUTH_MODES).toContain(c.authMode);
          } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            expect(e.problems.length).toBeGreaterThan(0);
            for (const p of e.problems) {
              expect(typeof p.key).toBe("string");
              expect(p.message.length).toBeGreaterThan(0);
              expect(e.message).toContain(`${PROJECT}:${p.key}: ${p.message}`);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test("a valid config stays valid when an unknown key is added, which is then the only problem", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(BASE) as Mode[])),
        fc
          .string({ minLength: 1 })
          .filter((k) => !Object.prototype.hasOwnProperty.call(CONFIG_KEYS, k)),
        (mode, extra) => {
          const err = configError({ ...values(mode), [extra]: "x" });
          expect(err.problems.map((p) => p.key)).toEqual([extra]);
        },
      ),
    );
  });
});

// -------------------------------------------------------------------------------------------
// The same stacks through `npm start`: refused before any local substitution
// -------------------------------------------------------------------------------------------

describe("npm start refuses every bad stack that parseConfig refuses", () => {
  const root = mkdtempSync(join(tmpdir(), "bad-stacks-"));
  copyFileSync(join(__dirname, "..", "..", "Pulumi.yaml"), join(root, "Pulumi.yaml"));
  const arrayKeys = new Set(
    Object.entries(CONFIG_KEYS).flatMap(([k, d]) => (d.type === "array" ? [k] : [])),
  );

  /** `v` as a stack file: lists as YAML flow lists, everything else a quoted string. */
  function writeStack(stack: string, v: Values, jwtSecret?: string): void {
    const lines = ["config:"];
    for (const [key, value] of Object.entries(v)) {
      if (value === undefined) continue;
      const yaml = arrayKeys.has(key) && /^\s*[[{]/.test(value) ? value : JSON.stringify(value);
      lines.push(`  ${PROJECT}:${key}: ${yaml}`);
    }
    // An encrypted value, as `pulumi config set --secret` writes it: nobody here can decrypt it.
    if (jwtSecret !== undefined) lines.push(`  ${PROJECT}:jwtSecret:\n    secure: v1:AAAA`);
    writeFileSync(join(root, `Pulumi.${stack}.yaml`), lines.join("\n") + "\n");
  }

  // Pulumi hands an unset key its declared default, so a stack that writes exactly the default
  // (customerIdClaims: [], corsAllowOrigins: []) is a stack that leaves the key unset: accepted.
  const asDefault = CASES.filter(
    (c) =>
      Object.keys(c.set).length > 0 &&
      Object.values(c.set).every((v) => v !== undefined) &&
      Object.keys(withoutDeclaredDefaults(c.set as Record<string, string>)).length === 0,
  );
  test("the cases that only write a declared default are these (and are accepted)", () => {
    expect(asDefault.map((c) => c.name)).toEqual([
      "customerIdClaims empty",
      "corsAllowOrigins empty",
    ]);
    for (const c of asDefault) {
      writeStack("asdefault", values(c.mode, c.set), c.jwtSecret);
      expect(validateStack(readStackConfig(root, "asdefault"))).toEqual(
        parse(values(c.mode), undefined, "asdefault"),
      );
    }
  });

  test.each(CASES.filter((c) => !asDefault.includes(c)))(
    "$name",
    async ({ mode, set, jwtSecret, stackName, key, fragment }) => {
      const stack = stackName ?? "dev";
      writeStack(stack, values(mode, set), jwtSecret);
      const local = await startLocal({ root, stack, port: 0 }).then(
        async (gw) => {
          await gw.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      if (local instanceof StackConfigError && local.message.includes("is missing configuration")) {
        // Pulumi itself refuses a stack without a key declared with no default (audiences).
        expect(local.message).toContain(`is missing configuration value '${key}'`);
        return;
      }
      if (local instanceof StackConfigError) {
        // Pulumi itself refuses a value of the wrong declared type before the program runs.
        expect(local.message).toContain(`${PROJECT}:${key}: Pulumi refuses the stack`);
        expect(local.message).toContain("must be of type");
        return;
      }
      expect(local).toBeInstanceOf(ConfigError);
      // The very problems pulumi preview reports (placeholders stand in for encrypted values).
      expect((local as ConfigError).problems).toEqual(
        configError(values(mode, set), jwtSecret, stackName).problems,
      );
      expect((local as ConfigError).message).toContain(fragment);
    },
  );

  test.each(Object.keys(BASE) as Mode[])(
    "the valid %s base passes the same check (the refusals come from the changes)",
    (mode) => {
      writeStack("base", values(mode));
      expect(validateStack(readStackConfig(root, "base")).authMode).toBe(mode);
    },
  );
});
