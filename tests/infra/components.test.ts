/**
 * The shared components and their pure helpers: parameter mapping, access-log format, authorizer
 * environment and policy, backend integrations, key material, bundles, and the program switch.
 */
import {
  allStrings,
  mocks,
  onlyOfType,
  resourcesOfType,
  settle,
  typeCounts,
  unwrap,
} from "./mocks";

jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());

import * as path from "node:path";

import {
  parseConfig,
  type IdentityConfig,
  type LambdaAuthConfig,
  type StageConfig,
} from "../../infra/config";
import {
  AuthorizerFunction,
  authorizerEnvironment,
  authorizerPolicyStatements,
} from "../../infra/components/authorizer-function";
import { bundlePath } from "../../infra/components/bundle";
import {
  HttpApiBase,
  accessLogFormat,
  backendPathParameters,
  identityHeaderNames,
  identityRequestParameters,
} from "../../infra/components/http-api";
import { KeyMaterial } from "../../infra/components/key-material";
import { createGateway } from "../../infra/program";

const IDENTITY: IdentityConfig = {
  customerIdHeader: "X-Customer-ID",
  customerNameHeader: "X-Customer-Name",
  customerIdClaims: ["customer_id", "sub"],
  customerNameClaims: ["customer_name"],
  claimHeaders: [{ target: "X-Plan", claim: "metadata.plan", contextKey: "metadata_plan" }],
  claimQueryParams: [{ target: "org", claim: "org_id", contextKey: "org_id" }],
};

const STAGE: StageConfig = {
  stageName: "dev",
  throttlingBurstLimit: 200,
  throttlingRateLimit: 100,
  logRetentionDays: 30,
};

const LAMBDA: LambdaAuthConfig = {
  keySource: { kind: "jwks" },
  issuer: "https://issuer.example.com",
  audiences: ["api"],
  clockToleranceSeconds: 5,
  authorizerCacheTtl: 300,
  secretCacheTtlSeconds: 300,
};

beforeEach(() => mocks.reset());

describe("identityRequestParameters", () => {
  it("maps every identity field with overwrite:, from the source the mode chooses", () => {
    expect(
      identityRequestParameters(IDENTITY, (f) => `ctx.${f.contextKey}|claim.${f.claim}`),
    ).toEqual({
      "overwrite:header.X-Customer-ID": "ctx.customerId|claim.customer_id",
      "overwrite:header.X-Customer-Name": "ctx.customerName|claim.customer_name",
      "overwrite:header.X-Plan": "ctx.metadata_plan|claim.metadata.plan",
      "overwrite:querystring.org": "ctx.org_id|claim.org_id",
      "remove:header.X_Customer_ID": "",
      "remove:header.X_Customer_Name": "",
      "remove:header.X_Plan": "",
    });
  });

  it("never produces an append: key", () => {
    const keys = Object.keys(identityRequestParameters(IDENTITY, () => "v"));
    expect(keys.every((k) => k.startsWith("overwrite:") || k.startsWith("remove:"))).toBe(true);
  });

  it("lists header names in mapping order", () => {
    expect(identityHeaderNames(IDENTITY)).toEqual(["X-Customer-ID", "X-Customer-Name", "X-Plan"]);
  });
});

describe("accessLogFormat", () => {
  it("is JSON with the request, route, status, authorizer error and latency fields", () => {
    const format = JSON.parse(accessLogFormat({ customerId: "$context.authorizer.customerId" }));
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
      authorizerError: "$context.authorizer.error",
      integrationError: "$context.integrationErrorMessage",
      responseLatency: "$context.responseLatency",
      integrationLatency: "$context.integrationLatency",
      customerId: "$context.authorizer.customerId",
    });
  });

  it.each([
    ["$request.header.Authorization"],
    ["$request.header.authorization"],
    ["$request.header.cookie"],
    ["$context.identitySource"],
  ])("refuses to log %s", (value) => {
    expect(() => accessLogFormat({ token: value })).toThrow("[token] would log a credential");
  });
});

describe("backendPathParameters", () => {
  it.each([
    [{ kind: "echo" } as const, {}],
    [
      { kind: "http", url: "https://backend.example.com" } as const,
      { "overwrite:path": "$request.path" },
    ],
    [
      { kind: "http", url: "https://backend.example.com/" } as const,
      { "overwrite:path": "$request.path" },
    ],
    [
      { kind: "http", url: "https://backend.example.com/api/v1/" } as const,
      { "overwrite:path": "/api/v1${request.path}" },
    ],
    [
      {
        kind: "vpc-link",
        listenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2",
        subnetIds: ["subnet-1"],
        securityGroupIds: ["sg-1"],
      } as const,
      { "overwrite:path": "$request.path" },
    ],
  ])("%j → %j", (backend, expected) => {
    expect(backendPathParameters(backend)).toEqual(expected);
  });
});

describe("authorizerEnvironment", () => {
  it("builds the env contract; SECRET_ID only with a secret, extras merged", () => {
    const env = authorizerEnvironment(
      { ...LAMBDA, keySource: { kind: "secret", existingSecretArn: "arn:s" } },
      IDENTITY,
      "arn:s",
      { ROLE_CLAIM: "metadata.role", REQUIRED_ROLES: '["admin"]' },
    );
    expect(env).toEqual({
      VERIFY_WITH: "secret",
      SECRET_ID: "arn:s",
      SECRET_CACHE_TTL_SECONDS: "300",
      ISSUER: "https://issuer.example.com",
      AUDIENCES: '["api"]',
      CLOCK_TOLERANCE_SECONDS: "5",
      CUSTOMER_ID_CLAIMS: '["customer_id","sub"]',
      CUSTOMER_NAME_CLAIMS: '["customer_name"]',
      CONTEXT_CLAIMS: '{"metadata_plan":"metadata.plan","org_id":"org_id"}',
      ROLE_CLAIM: "metadata.role",
      REQUIRED_ROLES: '["admin"]',
    });
  });

  it("jwks: JWKS_URI only when configured, no SECRET_ID", () => {
    expect(authorizerEnvironment(LAMBDA, IDENTITY)).not.toHaveProperty("JWKS_URI");
    const env = authorizerEnvironment(
      { ...LAMBDA, keySource: { kind: "jwks", jwksUri: "https://issuer.example.com/jwks" } },
      IDENTITY,
    );
    expect(env.JWKS_URI).toBe("https://issuer.example.com/jwks");
    expect(env).not.toHaveProperty("SECRET_ID");
  });

  it("TOKEN_ALGORITHMS only when the stack lists them (unset: the authorizer's per-key default)", () => {
    expect(authorizerEnvironment(LAMBDA, IDENTITY)).not.toHaveProperty("TOKEN_ALGORITHMS");
    const env = authorizerEnvironment({ ...LAMBDA, tokenAlgorithms: ["PS256", "ES256"] }, IDENTITY);
    expect(env.TOKEN_ALGORITHMS).toBe('["PS256","ES256"]');
  });
});

describe("authorizerPolicyStatements", () => {
  it("logs only without a secret", () => {
    expect(authorizerPolicyStatements("arn:lg", undefined)).toEqual([
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: ["arn:lg", "arn:lg:*"],
      },
    ]);
  });

  it("GetSecretValue on exactly the secret", () => {
    expect(authorizerPolicyStatements("arn:lg", "arn:secret-AbCdEf")[1]).toEqual({
      Sid: "ReadOwnKeyMaterial",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: "arn:secret-AbCdEf",
    });
  });
});

describe("AuthorizerFunction", () => {
  it("creates log group, role, scoped policy and function; no invoke permission", async () => {
    const fn = new AuthorizerFunction("authz", {
      bundle: "rest-authorizer",
      lambda: LAMBDA,
      identity: IDENTITY,
      environment: { ROLE_CLAIM: "metadata.role" },
      logRetentionDays: 90,
    });
    await settle();

    expect(typeCounts()).toEqual({
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:iam/role:Role": 1,
      "aws:iam/rolePolicy:RolePolicy": 1,
      "aws:lambda/function:Function": 1,
    });
    const f = onlyOfType("aws:lambda/function:Function");
    expect(f.name).toBe("authz-fn");
    expect(f.inputs.environment.variables.ROLE_CLAIM).toBe("metadata.role");
    expect(f.inputs.loggingConfig.logGroup).toBe("/aws/lambda/rest-authorizer-0001");
    expect(onlyOfType("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).toBe(90);
    const policy = JSON.parse(onlyOfType("aws:iam/rolePolicy:RolePolicy").inputs.policy);
    expect(allStrings(policy)).not.toContainEqual(expect.stringMatching(/secretsmanager/));
    expect(await unwrap(fn.function.arn)).toBe(
      "arn:aws:lambda:us-east-1:123456789012:function:authz-fn",
    );
  });
});

describe("KeyMaterial", () => {
  it("public-key: stores the PEM in a new secret", async () => {
    const pem = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----";
    const keys = new KeyMaterial("keys", { keySource: { kind: "public-key", publicKeyPem: pem } });
    await settle();

    // @pulumi/aws treats secretString as a secret whatever it holds (the engine sees Pulumi's
    // secret signature around the value).
    expect(onlyOfType("aws:secretsmanager/secretVersion:SecretVersion").inputs).toEqual({
      secretId: "keys-secret-id",
      secretString: expect.objectContaining({ value: pem }),
    });
    expect(await unwrap(keys.secretArn!)).toBe(
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:keys-secret-AbCdEf",
    );
  });

  it("existing secret: creates nothing and exposes that ARN", async () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared-Ab12Cd";
    const keys = new KeyMaterial("keys", { keySource: { kind: "secret", existingSecretArn: arn } });
    await settle();

    expect(typeCounts()).toEqual({});
    expect(keys.secret).toBeUndefined();
    expect(await unwrap(keys.secretArn!)).toBe(arn);
  });

  it("jwks: creates nothing and has no secret ARN", async () => {
    const keys = new KeyMaterial("keys", { keySource: { kind: "jwks" } });
    await settle();

    expect(typeCounts()).toEqual({});
    expect(keys.secretArn).toBeUndefined();
  });
});

describe("HttpApiBase backends", () => {
  const params = { "overwrite:header.X-Customer-ID": "$context.authorizer.customerId" };

  it("http: HTTP_PROXY to the URL, ANY method, path passed through, no Lambda", async () => {
    new HttpApiBase("h", {
      stage: STAGE,
      backend: { kind: "http", url: "https://backend.example.com/api" },
      requestParameters: params,
    });
    await settle();

    expect(onlyOfType("aws:apigatewayv2/integration:Integration").inputs).toEqual({
      apiId: "h-api-id",
      integrationType: "HTTP_PROXY",
      integrationMethod: "ANY",
      integrationUri: "https://backend.example.com/api",
      requestParameters: { ...params, "overwrite:path": "/api${request.path}" },
    });
    expect(resourcesOfType("aws:lambda/function:Function")).toHaveLength(0);
  });

  it("vpc-link: a VPC link with the subnets and groups, integration to the listener", async () => {
    const listenerArn =
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/backend/50dc6c495c0c9188/f2f7dc8efc522ab2";
    const base = new HttpApiBase("h", {
      stage: STAGE,
      backend: {
        kind: "vpc-link",
        listenerArn,
        subnetIds: ["subnet-a", "subnet-b"],
        securityGroupIds: ["sg-1"],
      },
      requestParameters: params,
    });
    await settle();

    expect(onlyOfType("aws:apigatewayv2/vpcLink:VpcLink").inputs).toMatchObject({
      subnetIds: ["subnet-a", "subnet-b"],
      securityGroupIds: ["sg-1"],
    });
    expect(onlyOfType("aws:apigatewayv2/integration:Integration").inputs).toEqual({
      apiId: "h-api-id",
      integrationType: "HTTP_PROXY",
      integrationMethod: "ANY",
      connectionType: "VPC_LINK",
      connectionId: "h-vpc-link-id",
      integrationUri: listenerArn,
      requestParameters: { ...params, "overwrite:path": "$request.path" },
    });
    expect(await unwrap(base.url)).toBe("https://h-api-id.execute-api.us-east-1.amazonaws.com/dev");
  });
});

describe("bundlePath", () => {
  it("points at dist/functions/<name>/index.js in the repository", () => {
    expect(bundlePath("http-authorizer")).toBe(
      path.resolve(__dirname, "..", "..", "dist", "functions", "http-authorizer", "index.js"),
    );
  });
});

describe("createGateway", () => {
  it.each([
    [
      "http-jwt",
      { issuer: "https://login.example.com", audiences: '["api"]' },
      "identity-gateway:modes:HttpJwtGateway",
    ],
    [
      "http-lambda",
      { verifyWith: "jwks", issuer: "https://login.example.com", audiences: '["api"]' },
      "identity-gateway:modes:HttpLambdaGateway",
    ],
  ])("%s: builds the mode component named gateway", async (authMode, values, type) => {
    const outputs = createGateway(
      parseConfig({ stackName: "dev", values: { authMode, ...values } }),
    );
    await settle();

    expect(resourcesOfType(type).map((r) => r.name)).toEqual(["gateway"]);
    expect(outputs.authMode).toBe(authMode);
    expect(outputs.secretArn).toBeNull();
  });
});
