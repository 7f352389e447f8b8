/**
 * http-lambda under Pulumi's mock runtime: the exact resources and inputs the mode creates.
 * GIVEN a parsed stack config, WHEN the mode component is built, THEN assert what AWS would get.
 */
import {
  HTTP_TYPES,
  allStrings,
  expectOutputContract,
  mocks,
  onlyOfType,
  resourcesOfType,
  settle,
  typeCounts,
} from "./mocks";

jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());

import * as pulumi from "@pulumi/pulumi";

import { parseConfig, type HttpLambdaConfig } from "../../infra/config";
import { HttpLambdaGateway } from "../../infra/modes/http-lambda";

const T = HTTP_TYPES;

const SECRET = "x".repeat(32);
/** How the engine marks a secret value (`@pulumi/pulumi/runtime/rpc`: specialSigKey, specialSecretSig). */
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const EXISTING_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/jwt-key-Ab12Cd";

function config(values: Record<string, string> = {}, withSecret = true): HttpLambdaConfig {
  const parsed = parseConfig({
    stackName: "dev",
    values: {
      authMode: "http-lambda",
      verifyWith: "secret",
      issuer: "https://issuer.example.com",
      audiences: JSON.stringify(["orders-api"]),
      ...values,
    },
    jwtSecret: withSecret ? SECRET : undefined,
  });
  if (parsed.authMode !== "http-lambda") throw new Error("expected http-lambda");
  return parsed;
}

async function build(cfg: HttpLambdaConfig): Promise<HttpLambdaGateway> {
  const gw = new HttpLambdaGateway("gateway", { config: cfg });
  await settle();
  return gw;
}

/** The authorizer function (the one whose description names the http-authorizer bundle). */
function authorizerFn() {
  const fns = resourcesOfType(T.fn).filter((f) => /http-authorizer/.test(f.inputs.description));
  expect(fns).toHaveLength(1);
  return fns[0];
}

function authorizerPolicy(): {
  Statement: { Action: string | string[]; Resource: string | string[] }[];
} {
  const policy = resourcesOfType(T.rolePolicy).find((p) => p.name === "gateway-authz-policy");
  expect(policy).toBeDefined();
  return JSON.parse(policy!.inputs.policy);
}

beforeEach(() => mocks.reset());

describe("resource set", () => {
  it("creates exactly the http-lambda resources for a secret key, echo backend, no CORS", async () => {
    await build(config());

    expect(typeCounts()).toEqual({
      [T.secret]: 1,
      [T.secretVersion]: 1,
      [T.logGroup]: 3, // authorizer, echo backend, access log
      [T.role]: 2,
      [T.rolePolicy]: 2,
      [T.fn]: 2,
      [T.permission]: 2, // authorizer invoke, echo invoke
      [T.api]: 1,
      [T.integration]: 1,
      [T.stage]: 1,
      [T.authorizer]: 1,
      [T.route]: 2,
    });
    expect(resourcesOfType("identity-gateway:modes:HttpLambdaGateway")).toHaveLength(1);
  });

  it("creates no JWT authorizer", async () => {
    await build(config());

    expect(resourcesOfType(T.authorizer).map((a) => a.inputs.authorizerType)).toEqual(["REQUEST"]);
    expect(resourcesOfType(T.authorizer)[0].inputs.jwtConfiguration).toBeUndefined();
  });

  it("creates no secret for jwks, nor for an existing secret ARN", async () => {
    await build(config({ verifyWith: "jwks" }, false));
    expect(resourcesOfType(T.secret)).toHaveLength(0);
    expect(resourcesOfType(T.secretVersion)).toHaveLength(0);

    mocks.reset();
    await build(config({ secretArn: EXISTING_SECRET }, false));
    expect(resourcesOfType(T.secret)).toHaveLength(0);
    expect(resourcesOfType(T.secretVersion)).toHaveLength(0);
  });
});

describe("authorizer", () => {
  it("is a REQUEST authorizer, payload 2.0, simple responses, Authorization header, TTL from config", async () => {
    await build(config());

    const { inputs } = onlyOfType(T.authorizer);
    expect(inputs).toMatchObject({
      apiId: "gateway-http-api-id",
      authorizerType: "REQUEST",
      authorizerPayloadFormatVersion: "2.0",
      enableSimpleResponses: true,
      identitySources: ["$request.header.Authorization"],
      authorizerResultTtlInSeconds: 300,
    });
    expect(inputs.authorizerUri).toBe(
      "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" +
        "arn:aws:lambda:us-east-1:123456789012:function:gateway-authz-fn/invocations",
    );
  });

  it("passes a cache TTL of 0 through (caching off)", async () => {
    await build(config({ authorizerCacheTtl: "0" }));

    expect(onlyOfType(T.authorizer).inputs.authorizerResultTtlInSeconds).toBe(0);
  });

  it("may be invoked only by this API's authorizer", async () => {
    await build(config());

    const permission = resourcesOfType(T.permission).find(
      (p) => p.name === "gateway-authorizer-invoke",
    );
    expect(permission?.inputs).toMatchObject({
      action: "lambda:InvokeFunction",
      function: "gateway-authz-fn",
      principal: "apigateway.amazonaws.com",
      sourceArn:
        "arn:aws:execute-api:us-east-1:123456789012:gateway-http-api-id/authorizers/gateway-authorizer-id",
    });
    expect(permission?.inputs.sourceArn).toMatch(/\/authorizers\/gateway-authorizer-id$/);
  });
});

describe("authorizer function", () => {
  it("runs Node.js 24 on arm64 with the bundled handler, writing to its own log group", async () => {
    await build(config({ logRetentionDays: "14" }));

    const fn = authorizerFn();
    expect(fn.inputs).toMatchObject({
      runtime: "nodejs24.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout: 10,
      memorySize: 256,
      role: "arn:aws:iam::123456789012:role/gateway-authz-role",
      loggingConfig: { logFormat: "Text", logGroup: "/aws/lambda/http-authorizer-0001" },
    });
    const logGroup = resourcesOfType(T.logGroup).find((g) => g.name === "gateway-authz-logs");
    expect(logGroup?.inputs).toEqual({
      namePrefix: "/aws/lambda/http-authorizer-",
      retentionInDays: 14,
    });
  });

  it("gets the verification settings as environment variables (lists as JSON)", async () => {
    await build(
      config({
        clockToleranceSeconds: "30",
        secretCacheTtlSeconds: "60",
        audiences: JSON.stringify(["orders-api", "billing-api"]),
        customerIdClaims: JSON.stringify(["org_id", "sub"]),
        claimHeaders: JSON.stringify(["X-Customer-Plan=metadata.plan"]),
        claimQueryParams: JSON.stringify(["tenant=tenant_id"]),
      }),
    );

    const env = authorizerFn().inputs.environment.variables;
    expect(env).toEqual({
      VERIFY_WITH: "secret",
      SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway-keys-secret-AbCdEf",
      SECRET_CACHE_TTL_SECONDS: "60",
      ISSUER: "https://issuer.example.com",
      AUDIENCES: expect.any(String),
      CLOCK_TOLERANCE_SECONDS: "30",
      CUSTOMER_ID_CLAIMS: expect.any(String),
      CUSTOMER_NAME_CLAIMS: expect.any(String),
      CONTEXT_CLAIMS: expect.any(String),
      ROLE_CLAIM: "metadata.role",
      // The default table: the authorizer enforces the rule of the route a request matched.
      ROUTE_RULES: JSON.stringify(["ANY / authenticated", "ANY /{proxy+} authenticated"]),
    });
    expect(JSON.parse(env.AUDIENCES)).toEqual(["orders-api", "billing-api"]);
    expect(JSON.parse(env.CUSTOMER_ID_CLAIMS)).toEqual(["org_id", "sub"]);
    expect(JSON.parse(env.CUSTOMER_NAME_CLAIMS)).toEqual(["customer_name", "name"]);
    expect(JSON.parse(env.CONTEXT_CLAIMS)).toEqual({
      metadata_plan: "metadata.plan",
      tenant_id: "tenant_id",
    });
    // The key itself never travels in the environment.
    expect(allStrings(env)).not.toContain(SECRET);
  });

  it("with jwks: JWKS_URI when configured, no SECRET_ID", async () => {
    await build(config({ verifyWith: "jwks", jwksUri: "https://issuer.example.com/keys" }, false));

    const env = authorizerFn().inputs.environment.variables;
    expect(env.VERIFY_WITH).toBe("jwks");
    expect(env.JWKS_URI).toBe("https://issuer.example.com/keys");
    expect(env).not.toHaveProperty("SECRET_ID");
  });

  it.each([
    [
      "firebaseProjectId",
      "my-project-1234",
      "https://securetoken.google.com/my-project-1234",
      "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com",
    ],
    [
      "supabaseProjectRef",
      "abcdefghijklmnopqrst",
      "https://abcdefghijklmnopqrst.supabase.co/auth/v1",
      "https://abcdefghijklmnopqrst.supabase.co/auth/v1/.well-known/jwks.json",
    ],
    [
      "oktaIssuer",
      "https://example.okta.com/oauth2/default",
      "https://example.okta.com/oauth2/default",
      undefined,
    ],
  ])(
    "with the %s preset: ISSUER and the provider's JWKS_URI (or discovery), no secret",
    async (key, value, issuer, jwksUri) => {
      await build(
        config(
          {
            verifyWith: undefined as unknown as string,
            issuer: undefined as unknown as string,
            [key]: value,
            // Firebase tokens carry the project id as aud.
            ...(key === "firebaseProjectId" ? { audiences: JSON.stringify([value]) } : {}),
          },
          false,
        ),
      );

      const env = authorizerFn().inputs.environment.variables;
      expect(env.VERIFY_WITH).toBe("jwks");
      expect(env.ISSUER).toBe(issuer);
      expect(env.JWKS_URI).toBe(jwksUri);
      expect(env).not.toHaveProperty("SECRET_ID");
      expect(env).not.toHaveProperty("ISSUERS");
      expect(resourcesOfType(T.secret)).toEqual([]);
    },
  );

  it("with issuers: ISSUERS lists every issuer, the single one first", async () => {
    await build(
      config(
        {
          verifyWith: "jwks",
          issuers: JSON.stringify(["https://machines.example.com aud=m2m alg=ES256"]),
        },
        false,
      ),
    );

    const env = authorizerFn().inputs.environment.variables;
    expect(JSON.parse(env.ISSUERS)).toEqual([
      { issuer: "https://issuer.example.com", audiences: ["orders-api"] },
      { issuer: "https://machines.example.com", audiences: ["m2m"], algorithms: ["ES256"] },
    ]);
    expect(env.ISSUER).toBe("https://issuer.example.com");
  });

  it("with an empty audience list passes [] (audience check explicitly off)", async () => {
    await build(config({ audiences: "[]" }));

    expect(JSON.parse(authorizerFn().inputs.environment.variables.AUDIENCES)).toEqual([]);
  });
});

describe("key material and IAM", () => {
  it("stores the HS256 secret in Secrets Manager, as a Pulumi secret", async () => {
    const gw = await build(config());

    const version = onlyOfType(T.secretVersion);
    expect(version.inputs.secretId).toBe("gateway-keys-secret-id");
    // The engine receives the value wrapped as a secret (Pulumi's special secret signature), so it
    // is encrypted in the state file and masked in previews.
    expect(version.inputs.secretString).toEqual({
      [SPECIAL_SIG_KEY]: SECRET_SIG,
      value: SECRET,
    });
    expect(await pulumi.isSecret(gw.keys.secretVersion!.secretString)).toBe(true);
  });

  it("lets the role read exactly its own secret, and write only its own logs", async () => {
    await build(config());

    const policy = authorizerPolicy();
    const secretArn =
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway-keys-secret-AbCdEf";
    const logArn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/http-authorizer-0001";
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [logArn, `${logArn}:*`],
      }),
      expect.objectContaining({
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: secretArn,
      }),
    ]);
    const secretStatement = policy.Statement[1];
    expect(secretStatement.Resource).not.toContain("*");
  });

  it("scopes the policy to an existing secret's exact ARN", async () => {
    await build(config({ secretArn: EXISTING_SECRET }, false));

    const statement = authorizerPolicy().Statement.find(
      (s) => s.Action === "secretsmanager:GetSecretValue",
    );
    expect(statement?.Resource).toBe(EXISTING_SECRET);
    expect(authorizerFn().inputs.environment.variables.SECRET_ID).toBe(EXISTING_SECRET);
  });

  it("grants no Secrets Manager access with jwks", async () => {
    await build(config({ verifyWith: "jwks" }, false));

    expect(allStrings(authorizerPolicy())).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/secretsmanager/)]),
    );
  });

  it("lets only Lambda assume the authorizer role", async () => {
    await build(config());

    const role = resourcesOfType(T.role).find((r) => r.name === "gateway-authz-role");
    expect(JSON.parse(role!.inputs.assumeRolePolicy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(role!.inputs.managedPolicyArns).toBeUndefined();
  });
});

describe("identity mapping", () => {
  it("overwrites the identity headers from the authorizer context, never appends", async () => {
    await build(
      config({
        customerIdHeader: "X-Tenant",
        claimHeaders: JSON.stringify(["X-Customer-Plan=metadata.plan"]),
        claimQueryParams: JSON.stringify(["tenant=tenant_id"]),
      }),
    );

    const { inputs } = onlyOfType(T.integration);
    expect(inputs.requestParameters).toEqual({
      "overwrite:header.X-Tenant": "$context.authorizer.customerId",
      "overwrite:header.X-Customer-Name": "$context.authorizer.customerName",
      "overwrite:header.X-Customer-Plan": "$context.authorizer.metadata_plan",
      "overwrite:querystring.tenant": "$context.authorizer.tenant_id",
      "remove:header.X_Tenant": "",
      "remove:header.X_Customer_Name": "",
      "remove:header.X_Customer_Plan": "",
    });
    const everything = allStrings(mocks.all().map((r) => r.inputs));
    expect(everything.filter((s) => s.startsWith("append:"))).toEqual([]);
  });

  it("sends the echo backend the Lambda proxy 2.0 payload", async () => {
    await build(config());

    expect(onlyOfType(T.integration).inputs).toMatchObject({
      integrationType: "AWS_PROXY",
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
      integrationUri: expect.stringContaining("function:gateway-http-echo-fn/invocations"),
    });
    const echoInvoke = resourcesOfType(T.permission).find(
      (p) => p.name === "gateway-http-echo-invoke",
    );
    expect(echoInvoke?.inputs.sourceArn).toBe(
      "arn:aws:execute-api:us-east-1:123456789012:gateway-http-api-id/*/*",
    );
  });
});

describe("routes", () => {
  it("sends ANY / and ANY /{proxy+} through the Lambda authorizer to the integration", async () => {
    await build(config());

    const routes = resourcesOfType(T.route)
      .map((r) => r.inputs)
      .sort((a, b) => a.routeKey.localeCompare(b.routeKey));
    expect(routes).toEqual([
      expect.objectContaining({
        routeKey: "ANY /",
        authorizationType: "CUSTOM",
        authorizerId: "gateway-authorizer-id",
        target: "integrations/gateway-http-integration-id",
      }),
      expect.objectContaining({
        routeKey: "ANY /{proxy+}",
        authorizationType: "CUSTOM",
        authorizerId: "gateway-authorizer-id",
        target: "integrations/gateway-http-integration-id",
      }),
    ]);
    expect(routes.every((r) => r.authorizationScopes === undefined)).toBe(true);
  });

  it("with CORS: configures it on the API and answers preflights without the authorizer", async () => {
    await build(
      config({
        corsAllowOrigins: JSON.stringify(["https://app.example.com"]),
        corsMaxAge: "300",
      }),
    );

    expect(onlyOfType(T.api).inputs.corsConfiguration).toEqual({
      allowOrigins: ["https://app.example.com"],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["authorization", "content-type"],
      maxAge: 300,
    });
    const preflight = resourcesOfType(T.route).filter((r) =>
      r.inputs.routeKey.startsWith("OPTIONS"),
    );
    expect(
      preflight.map((r) => r.inputs).sort((a, b) => a.routeKey.localeCompare(b.routeKey)),
    ).toEqual([
      {
        apiId: "gateway-http-api-id",
        routeKey: "OPTIONS /",
        authorizationType: "NONE",
        target: "integrations/gateway-http-preflight-integration-id",
      },
      {
        apiId: "gateway-http-api-id",
        routeKey: "OPTIONS /{proxy+}",
        authorizationType: "NONE",
        target: "integrations/gateway-http-preflight-integration-id",
      },
    ]);
    // The preflight integration reaches the same backend but only removes the identity.
    const preflightIntegration = resourcesOfType(T.integration).find(
      (r) => r.name === "gateway-http-preflight-integration",
    );
    expect(preflightIntegration!.inputs.requestParameters).toEqual({
      "remove:header.X-Customer-ID": "",
      "remove:header.X-Customer-Name": "",
      "remove:header.X_Customer_ID": "",
      "remove:header.X_Customer_Name": "",
    });
  });

  it("without CORS: no corsConfiguration, no OPTIONS routes", async () => {
    await build(config());

    expect(onlyOfType(T.api).inputs.corsConfiguration).toBeUndefined();
    expect(
      resourcesOfType(T.route)
        .map((r) => r.inputs.routeKey)
        .sort(),
    ).toEqual(["ANY /", "ANY /{proxy+}"]);
  });
});

describe("stage", () => {
  it("auto-deploys the configured stage with throttling and a token-free JSON access log", async () => {
    await build(
      config({
        stageName: "v1",
        throttlingBurstLimit: "50",
        throttlingRateLimit: "20",
        logRetentionDays: "7",
      }),
    );

    const { inputs } = onlyOfType(T.stage);
    expect(inputs).toMatchObject({
      apiId: "gateway-http-api-id",
      name: "v1",
      autoDeploy: true,
      defaultRouteSettings: { throttlingBurstLimit: 50, throttlingRateLimit: 20 },
    });
    const accessLogs = resourcesOfType(T.logGroup).find(
      (g) => g.name === "gateway-http-access-logs",
    );
    expect(accessLogs?.inputs).toEqual({ retentionInDays: 7 });
    expect(inputs.accessLogSettings.destinationArn).toBe(
      "arn:aws:logs:us-east-1:123456789012:log-group:gateway-http-access-logs",
    );
    const format = JSON.parse(inputs.accessLogSettings.format);
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
      authorizerError: "$context.authorizer.error",
      customerId: "$context.authorizer.customerId",
      integrationError: "$context.integrationErrorMessage",
      responseLatency: "$context.responseLatency",
    });
    expect(inputs.accessLogSettings.format).not.toMatch(/authorization/i);
  });

  it("defaults the stage name to the stack name", async () => {
    await build(config());

    expect(onlyOfType(T.stage).inputs.name).toBe("dev");
  });

  it("accessLogging false: no access-log group and no accessLogSettings on the stage", async () => {
    await build(config({ accessLogging: "false" }));

    const { inputs } = onlyOfType(T.stage);
    expect(inputs).toEqual({
      apiId: "gateway-http-api-id",
      name: "dev",
      autoDeploy: true,
      defaultRouteSettings: { throttlingBurstLimit: 200, throttlingRateLimit: 100 },
    });
    // The Lambda functions keep their own log groups; only the stage's access-log group goes.
    expect(resourcesOfType(T.logGroup).map((g) => g.name)).not.toContain(
      "gateway-http-access-logs",
    );
    expect(resourcesOfType(T.logGroup).length).toBeGreaterThan(0);
    expect(resourcesOfType("aws:apigateway/account:Account")).toHaveLength(0);
  });
});

describe("outputs", () => {
  it("fills every key of the output contract", async () => {
    const gw = await build(
      config({ claimHeaders: JSON.stringify(["X-Customer-Plan=metadata.plan"]) }),
    );

    await expectOutputContract(gw.outputs, {
      apiUrl: "https://gateway-http-api-id.execute-api.us-east-1.amazonaws.com/dev",
      apiId: "gateway-http-api-id",
      apiType: "http",
      authMode: "http-lambda",
      stageName: "dev",
      executionArn: "arn:aws:execute-api:us-east-1:123456789012:gateway-http-api-id",
      authorizerId: "gateway-authorizer-id",
      authorizerFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:gateway-authz-fn",
      secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway-keys-secret-AbCdEf",
      identityHeaders: ["X-Customer-ID", "X-Customer-Name", "X-Customer-Plan"],
      issuer: "https://issuer.example.com",
    });
  });

  it("has secretArn null with jwks", async () => {
    const gw = await build(config({ verifyWith: "jwks" }, false));

    expect(gw.outputs.secretArn).toBeNull();
    await expectOutputContract(gw.outputs);
  });
});
