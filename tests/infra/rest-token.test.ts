/**
 * rest-token mode under Pulumi's mock runtime: the exact inputs of every API Gateway resource, the
 * IAM scoping, the deployment trigger hash and the stack-output contract.
 */
// The mock runtime must be in place before any resource module is loaded.
import {
  ACCOUNT,
  REGION,
  allStrings,
  expectOutputContract,
  mocks,
  onlyOfType,
  resourcesOfType,
  settle,
  unwrap,
} from "./mocks";

import * as pulumi from "@pulumi/pulumi";

import { parseConfig } from "../../infra/config";
import type { RestTokenConfig } from "../../infra/config";
import {
  API_GATEWAY_ACCOUNT_WARNING,
  APIGATEWAY_ASSUME_ROLE_POLICY,
} from "../../infra/components/api-gateway-account";
import {
  ACCESS_LOG_FORMAT,
  RestTokenGateway,
  TOKEN_VALIDATION_EXPRESSION,
  canonicalJson,
  deploymentHash,
  restApiDefinition,
} from "../../infra/modes/rest-token";
import { EXAMPLE_ROUTES as EXAMPLE } from "../helpers/routes";

// The tests check what the program declares, not the bundles: skip building dist/functions.
jest.mock("../../infra/components/bundle", () => ({
  functionCode: () => new (jest.requireActual("@pulumi/pulumi").asset.AssetArchive)({}),
  bundlePath: (name: string) => `/dist/functions/${name}/index.js`,
}));

const SECRET = "an-hs256-secret-that-is-long-enough-0123456789";

function restConfig(values: Record<string, string> = {}): RestTokenConfig {
  const jwks = values.verifyWith === "jwks";
  const config = parseConfig({
    stackName: "dev",
    values: {
      authMode: "rest-token",
      verifyWith: "secret",
      issuer: jwks ? "https://issuer.example.com" : "dev-issuer",
      audiences: JSON.stringify(["my-api"]),
      ...values,
    },
    jwtSecret:
      values.verifyWith === undefined || values.verifyWith === "secret" ? SECRET : undefined,
  });
  if (config.authMode !== "rest-token") throw new Error("expected rest-token");
  return config;
}

async function deploy(config: RestTokenConfig): Promise<RestTokenGateway> {
  const gw = new RestTokenGateway("gateway", { config });
  await settle();
  return gw;
}

const byName = (type: string, name: string) => {
  const found = resourcesOfType(type).filter((r) => r.name === name);
  if (found.length !== 1)
    throw new Error(`expected one ${type} named ${name}, got ${found.length}`);
  return found[0];
};

const T = {
  api: "aws:apigateway/restApi:RestApi",
  resource: "aws:apigateway/resource:Resource",
  authorizer: "aws:apigateway/authorizer:Authorizer",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  methodResponse: "aws:apigateway/methodResponse:MethodResponse",
  integrationResponse: "aws:apigateway/integrationResponse:IntegrationResponse",
  response: "aws:apigateway/response:Response",
  deployment: "aws:apigateway/deployment:Deployment",
  stage: "aws:apigateway/stage:Stage",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  permission: "aws:lambda/permission:Permission",
  fn: "aws:lambda/function:Function",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  account: "aws:apigateway/account:Account",
  role: "aws:iam/role:Role",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
};

const API_ID = "gateway-api-id";
const EXECUTION_ARN = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}`;
const AUTHORIZER_ID = "gateway-authorizer-id";

beforeEach(() => mocks.reset());

describe("identityValidationExpression", () => {
  // API Gateway evaluates it with Java regex; it is written in the subset JS reads the same way.
  const re = new RegExp(TOKEN_VALIDATION_EXPRESSION);
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl_-";

  test.each([
    [`Bearer ${jwt}`],
    [`bearer ${jwt}`],
    [`BEARER ${jwt}`],
    [`BeArEr ${jwt}`],
    [`Bearer  ${jwt}`],
    [jwt],
    ["ey.e30.x"], // every segment only needs to be base64url; the Lambda does the rest
  ])("accepts %s", (header) => {
    expect(re.test(header)).toBe(true);
  });

  test.each([
    [""],
    ["Bearer"],
    ["Bearer "],
    ["Basic dXNlcjpwYXNz"],
    [`Basic ${jwt}`],
    [`Bearer${jwt}`],
    ["Bearer abc.def"],
    ["Bearer a.b.c.d"],
    ["Bearer abc.def.ghi"], // the header segment does not decode to "{..."
    ["eyJhbGciOiJIUzI1NiJ9..c2ln"], // empty payload segment
    ["eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjMifQ."], // alg none: empty signature
    [`Bearer ${jwt} trailing`],
    [` Bearer ${jwt}`],
    [`Bearer ${jwt}\nX-Customer-ID: someone-else`],
    [`Bearer a+b/c=.d.e`], // base64, not base64url
    ["null"],
    ["undefined"],
  ])("refuses %j", (header) => {
    expect(re.test(header)).toBe(false);
  });

  test("uses no syntax Java and JavaScript read differently", () => {
    expect(TOKEN_VALIDATION_EXPRESSION).not.toMatch(/\(\?[a-z]|\\[zZAhHR]|\\p\{/);
  });
});

describe("deployment trigger hash", () => {
  const base = restConfig();
  const hash = (c: RestTokenConfig) => deploymentHash(restApiDefinition(c));

  test("is stable for equal configs and independent of key order", () => {
    expect(hash(restConfig())).toBe(hash(base));
    expect(hash(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson({ b: 1, a: { d: 2, c: undefined } })).toBe(
      canonicalJson({ a: { d: 2 }, b: 1 }),
    );
  });

  test.each([
    ["authorizer TTL", { authorizerCacheTtl: "60" }],
    ["authorizer TTL 0", { authorizerCacheTtl: "0" }],
    ["role claim", { roleClaim: "app_metadata.role" }],
    ["required roles", { requiredRoles: JSON.stringify(["admin", "support"]) }],
    ["customer id claims", { customerIdClaims: JSON.stringify(["sub"]) }],
    ["claim header mapping", { claimHeaders: JSON.stringify(["X-Customer-Plan=metadata.plan"]) }],
    ["claim query mapping", { claimQueryParams: JSON.stringify(["plan=metadata.plan"]) }],
    ["backend", { backendUrl: "https://backend.example.com" }],
    ["CORS", { corsAllowOrigins: JSON.stringify(["https://app.example.com"]) }],
  ])("changes when the %s changes", (_what, values) => {
    expect(hash(restConfig(values))).not.toBe(hash(base));
  });

  const http = { backendUrl: "https://backend.example.com" };
  const withPlan = { ...http, claimHeaders: JSON.stringify(["X-Customer-Plan=metadata.plan"]) };
  test.each<[string, Record<string, string>, Record<string, string>]>([
    ["backend URL", http, { backendUrl: "https://backend.example.com/v2" }],
    ["customer id header", http, { ...http, customerIdHeader: "X-Tenant-ID" }],
    ["customer name header", http, { ...http, customerNameHeader: "X-Tenant-Name" }],
    ["claim headers", http, withPlan],
    ["claim header target", withPlan, { ...http, claimHeaders: '["X-Plan=metadata.plan"]' }],
  ])("HTTP backend: changes when the %s of the mapping changes", (_what, before, after) => {
    expect(hash(restConfig(after))).not.toBe(hash(restConfig(before)));
    expect(hash(restConfig(before))).toBe(hash(restConfig({ ...before })));
  });

  test.each([
    ["throttling", { throttlingRateLimit: "5" }],
    ["log retention", { logRetentionDays: "7" }],
    ["secret cache TTL", { secretCacheTtlSeconds: "60" }],
  ])("stays equal when only a stage or Lambda setting (%s) changes", (_what, values) => {
    expect(hash(restConfig(values))).toBe(hash(base));
  });

  test("is what the Deployment's triggers hold", async () => {
    await deploy(base);
    const d = onlyOfType(T.deployment);
    expect(d.inputs.restApi).toBe(API_ID);
    expect(d.inputs.triggers).toEqual({
      definition: hash(base),
      authorizer: AUTHORIZER_ID,
      authorizerUri: expect.stringContaining(":function:gateway-authorizer-fn/invocations"),
      backendUri: expect.stringContaining(":function:gateway-echo-fn/invocations"),
    });
  });
});

describe("RestTokenGateway resources", () => {
  test("a regional REST API with a {proxy+} resource", async () => {
    await deploy(restConfig());
    expect(onlyOfType(T.api).inputs.endpointConfiguration).toEqual({ types: "REGIONAL" });
    const proxy = onlyOfType(T.resource);
    expect(proxy.inputs).toEqual({
      restApi: API_ID,
      parentId: `${API_ID}-root`,
      pathPart: "{proxy+}",
    });
  });

  test("a TOKEN authorizer on the Authorization header, with the default TTL", async () => {
    await deploy(restConfig());
    const a = onlyOfType(T.authorizer);
    expect(a.inputs).toEqual({
      restApi: API_ID,
      type: "TOKEN",
      identitySource: "method.request.header.Authorization",
      identityValidationExpression: TOKEN_VALIDATION_EXPRESSION,
      authorizerResultTtlInSeconds: 300,
      authorizerUri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:gateway-authorizer-fn/invocations`,
    });
  });

  test.each([[0], [60]])(
    "authorizer TTL %i is passed through (0 disables caching)",
    async (ttl) => {
      await deploy(restConfig({ authorizerCacheTtl: String(ttl) }));
      expect(onlyOfType(T.authorizer).inputs.authorizerResultTtlInSeconds).toBe(ttl);
    },
  );

  test("the authorizer Lambda runs rest-authorizer with the role rule", async () => {
    await deploy(restConfig({ roleClaim: "app_metadata.role", requiredRoles: '["admin","ops"]' }));
    const fn = byName(T.fn, "gateway-authorizer-fn");
    expect(fn.inputs.description).toBe("identity-gateway rest-authorizer");
    expect(fn.inputs.environment.variables).toMatchObject({
      ROLE_CLAIM: "app_metadata.role",
      REQUIRED_ROLES: '["admin","ops"]',
      VERIFY_WITH: "secret",
      SECRET_ID: expect.stringMatching(/^arn:aws:secretsmanager:/),
    });
  });

  test("ANY on / and /{proxy+} require the authorizer; no OPTIONS without CORS", async () => {
    await deploy(restConfig());
    const methods = resourcesOfType(T.method);
    expect(methods.map((m) => m.name).sort()).toEqual(["gateway-proxy-any", "gateway-root-any"]);
    expect(byName(T.method, "gateway-root-any").inputs).toEqual({
      restApi: API_ID,
      resourceId: `${API_ID}-root`,
      httpMethod: "ANY",
      authorization: "CUSTOM",
      authorizerId: AUTHORIZER_ID,
    });
    expect(byName(T.method, "gateway-proxy-any").inputs).toEqual({
      restApi: API_ID,
      resourceId: "gateway-proxy-id",
      httpMethod: "ANY",
      authorization: "CUSTOM",
      authorizerId: AUTHORIZER_ID,
      requestParameters: { "method.request.path.proxy": true },
    });
    expect(resourcesOfType(T.methodResponse)).toHaveLength(0);
    expect(resourcesOfType(T.integrationResponse)).toHaveLength(0);
  });

  test("echo backend: AWS_PROXY without header mappings, invoke permission for this API", async () => {
    await deploy(restConfig());
    const echoInvokeArn = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:gateway-echo-fn/invocations`;
    for (const [name, resourceId] of [
      ["gateway-root-any", `${API_ID}-root`],
      ["gateway-proxy-any", "gateway-proxy-id"],
    ]) {
      expect(byName(T.integration, name).inputs).toEqual({
        restApi: API_ID,
        resourceId,
        httpMethod: "ANY",
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: echoInvokeArn,
      });
    }
    const p = byName(T.permission, "gateway-echo-invoke");
    expect(p.inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: expect.stringMatching(/^gateway-echo-fn/),
      principal: "apigateway.amazonaws.com",
      sourceArn: `${EXECUTION_ARN}/*/*`,
    });
  });

  test("HTTP backend: HTTP_PROXY with identity from the authorizer context", async () => {
    const config = restConfig({
      backendUrl: "https://backend.example.com/",
      claimHeaders: JSON.stringify(["X-Customer-Plan=metadata.plan"]),
      claimQueryParams: JSON.stringify(["tenant=org.id"]),
    });
    await deploy(config);
    // Each name also in lower case: REST header and query names are case-sensitive, so the
    // mapping of one spelling would leave a client's other spelling in place.
    const identity = {
      "integration.request.header.X-Customer-ID": "context.authorizer.customerId",
      "integration.request.header.X-Customer-Name": "context.authorizer.customerName",
      "integration.request.header.X-Customer-Plan": "context.authorizer.metadata_plan",
      "integration.request.header.x-customer-id": "context.authorizer.customerId",
      "integration.request.header.x-customer-name": "context.authorizer.customerName",
      "integration.request.header.x-customer-plan": "context.authorizer.metadata_plan",
      "integration.request.querystring.tenant": "context.authorizer.org_id",
    };
    expect(byName(T.integration, "gateway-root-any").inputs).toEqual({
      restApi: API_ID,
      resourceId: `${API_ID}-root`,
      httpMethod: "ANY",
      type: "HTTP_PROXY",
      integrationHttpMethod: "ANY",
      uri: "https://backend.example.com/",
      requestParameters: identity,
    });
    expect(byName(T.integration, "gateway-proxy-any").inputs).toEqual({
      restApi: API_ID,
      resourceId: "gateway-proxy-id",
      httpMethod: "ANY",
      type: "HTTP_PROXY",
      integrationHttpMethod: "ANY",
      uri: "https://backend.example.com/{proxy}",
      requestParameters: {
        ...identity,
        "integration.request.path.proxy": "method.request.path.proxy",
      },
    });
    expect(resourcesOfType(T.fn).map((f) => f.name)).toEqual(["gateway-authorizer-fn"]);
    expect(resourcesOfType(T.permission).map((p) => p.name)).toEqual(["gateway-authorizer-invoke"]);
  });

  test("custom identity header names are the ones mapped", async () => {
    await deploy(
      restConfig({
        backendUrl: "https://backend.example.com",
        customerIdHeader: "X-Tenant-ID",
        customerNameHeader: "X-Tenant-Name",
      }),
    );
    const params = byName(T.integration, "gateway-root-any").inputs.requestParameters;
    expect(Object.keys(params).sort()).toEqual([
      "integration.request.header.X-Tenant-ID",
      "integration.request.header.X-Tenant-Name",
      "integration.request.header.x-tenant-id",
      "integration.request.header.x-tenant-name",
    ]);
  });

  test("lower-case variants: one mapping for a lower-case name; a configured query name keeps its own", async () => {
    await deploy(
      restConfig({
        backendUrl: "https://backend.example.com",
        customerIdHeader: "x-tenant-id",
        claimQueryParams: JSON.stringify(["Org=org.id", "org=org.name", "planId=metadata.plan"]),
      }),
    );
    expect(byName(T.integration, "gateway-root-any").inputs.requestParameters).toEqual({
      "integration.request.header.x-tenant-id": "context.authorizer.customerId",
      "integration.request.header.X-Customer-Name": "context.authorizer.customerName",
      "integration.request.header.x-customer-name": "context.authorizer.customerName",
      "integration.request.querystring.Org": "context.authorizer.org_id",
      "integration.request.querystring.org": "context.authorizer.org_name",
      "integration.request.querystring.planId": "context.authorizer.metadata_plan",
      "integration.request.querystring.planid": "context.authorizer.metadata_plan",
    });
  });

  test("gateway responses: JSON bodies, 401 with WWW-Authenticate, 403, defaults without a status, no CORS headers without CORS", async () => {
    await deploy(restConfig());
    const json = { "application/json": '{"message":$context.error.messageString}' };
    const order = ["UNAUTHORIZED", "ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX"];
    const responses = resourcesOfType(T.response).map((r) => r.inputs);
    responses.sort((a, b) => order.indexOf(a.responseType) - order.indexOf(b.responseType));
    expect(responses).toEqual([
      {
        restApiId: API_ID,
        responseType: "UNAUTHORIZED",
        statusCode: "401",
        responseTemplates: json,
        responseParameters: { "gatewayresponse.header.WWW-Authenticate": "'Bearer'" },
      },
      {
        restApiId: API_ID,
        responseType: "ACCESS_DENIED",
        statusCode: "403",
        responseTemplates: json,
      },
      // No statusCode on the defaults: one there would replace every 4XX/5XX status.
      { restApiId: API_ID, responseType: "DEFAULT_4XX", responseTemplates: json },
      { restApiId: API_ID, responseType: "DEFAULT_5XX", responseTemplates: json },
    ]);
    expect(byName(T.response, "gateway-default-4xx").inputs.responseType).toBe("DEFAULT_4XX");
  });

  describe("CORS", () => {
    const corsValues = {
      corsAllowOrigins: JSON.stringify(["https://app.example.com"]),
      corsAllowHeaders: JSON.stringify(["authorization", "content-type"]),
      corsAllowMethods: JSON.stringify(["GET", "POST", "OPTIONS"]),
      corsMaxAge: "600",
    };

    test("OPTIONS on / and /{proxy+}: no authorizer, MOCK integration, 204 with CORS headers", async () => {
      await deploy(restConfig(corsValues));
      for (const [resource, resourceId] of [
        ["root", `${API_ID}-root`],
        ["proxy", "gateway-proxy-id"],
      ]) {
        const name = `gateway-${resource}-options`;
        expect(byName(T.method, name).inputs).toEqual({
          restApi: API_ID,
          resourceId,
          httpMethod: "OPTIONS",
          authorization: "NONE",
        });
        expect(byName(T.integration, name).inputs).toEqual({
          restApi: API_ID,
          resourceId,
          httpMethod: "OPTIONS",
          type: "MOCK",
          requestTemplates: { "application/json": '{"statusCode": 200}' },
        });
        expect(byName(T.methodResponse, name).inputs).toEqual({
          restApi: API_ID,
          resourceId,
          httpMethod: "OPTIONS",
          statusCode: "204",
          responseParameters: {
            "method.response.header.Access-Control-Allow-Headers": true,
            "method.response.header.Access-Control-Allow-Methods": true,
            "method.response.header.Access-Control-Allow-Origin": true,
            "method.response.header.Access-Control-Max-Age": true,
          },
        });
        expect(byName(T.integrationResponse, name).inputs).toEqual({
          restApi: API_ID,
          resourceId,
          httpMethod: "OPTIONS",
          statusCode: "204",
          responseParameters: {
            "method.response.header.Access-Control-Allow-Headers": "'authorization,content-type'",
            "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
            "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
            "method.response.header.Access-Control-Max-Age": "'600'",
          },
        });
      }
      // The ANY methods still require the authorizer.
      expect(byName(T.method, "gateway-root-any").inputs.authorization).toBe("CUSTOM");
      expect(byName(T.method, "gateway-proxy-any").inputs.authorization).toBe("CUSTOM");
    });

    test("every gateway response (401, 403, DEFAULT_4XX, DEFAULT_5XX) carries Access-Control-Allow-Origin", async () => {
      await deploy(restConfig(corsValues));
      const acao = {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'",
      };
      const byType = Object.fromEntries(
        resourcesOfType(T.response).map((r) => [r.inputs.responseType, r.inputs]),
      );
      expect(Object.keys(byType).sort()).toEqual([
        "ACCESS_DENIED",
        "DEFAULT_4XX",
        "DEFAULT_5XX",
        "UNAUTHORIZED",
      ]);
      expect(byType.UNAUTHORIZED.responseParameters).toEqual({
        ...acao,
        "gatewayresponse.header.WWW-Authenticate": "'Bearer'",
      });
      for (const type of ["ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX"]) {
        expect(byType[type].responseParameters).toEqual(acao);
      }
    });

    test("the echo backend gets the CORS policy (a proxy integration's 200 needs its own ACAO)", async () => {
      await deploy(restConfig(corsValues));
      expect(byName(T.fn, "gateway-echo-fn").inputs.environment).toEqual({
        variables: {
          CORS_ALLOW_ORIGINS: '["https://app.example.com"]',
          CORS_ALLOW_HEADERS: '["authorization","content-type"]',
          CORS_ALLOW_METHODS: '["GET","POST","OPTIONS"]',
        },
      });
    });

    test("without CORS the echo backend has no environment", async () => {
      await deploy(restConfig());
      expect(byName(T.fn, "gateway-echo-fn").inputs.environment).toBeUndefined();
    });

    test("'*' anywhere in the origins is a static '*'", async () => {
      await deploy(
        restConfig({ corsAllowOrigins: JSON.stringify(["https://a.example.com", "*"]) }),
      );
      const r = byName(T.response, "gateway-unauthorized");
      expect(r.inputs.responseParameters).toEqual({
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
        "gatewayresponse.header.WWW-Authenticate": "'Bearer'",
      });
    });

    test("several origins: the preflight answers only listed origins, Vary: Origin", async () => {
      await deploy(
        restConfig({
          corsAllowOrigins: JSON.stringify(["https://a.example.com", "https://b.example.com"]),
        }),
      );
      const ir = byName(T.integrationResponse, "gateway-root-options").inputs;
      expect(ir.responseParameters["method.response.header.Vary"]).toBe("'Origin'");
      expect(
        ir.responseParameters["method.response.header.Access-Control-Allow-Origin"],
      ).toBeUndefined();
      const template: string = ir.responseTemplates["application/json"];
      expect(template).toContain(`$o == "https://a.example.com" || $o == "https://b.example.com"`);
      expect(template).toContain(
        "$context.responseOverride.header.Access-Control-Allow-Origin = $o",
      );
      expect(byName(T.response, "gateway-access-denied").inputs.responseParameters).toEqual({
        "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin",
        "gatewayresponse.header.Vary": "'Origin'",
      });
    });
  });

  test("deployment, stage with JSON access logs, throttling and metrics", async () => {
    await deploy(
      restConfig({
        stageName: "prod",
        throttlingBurstLimit: "50",
        throttlingRateLimit: "20",
        logRetentionDays: "14",
      }),
    );
    const stage = onlyOfType(T.stage);
    const accessLogs = byName(T.logGroup, "gateway-access-logs");
    expect(accessLogs.inputs).toEqual({ retentionInDays: 14 });
    expect(stage.inputs).toEqual({
      restApi: API_ID,
      deployment: "gateway-deployment-id",
      stageName: "prod",
      accessLogSettings: { destinationArn: accessLogs.state.arn, format: ACCESS_LOG_FORMAT },
    });
    const format = JSON.parse(ACCESS_LOG_FORMAT);
    for (const v of [
      "$context.requestId",
      "$context.resourcePath",
      "$context.httpMethod",
      "$context.status",
      "$context.authorizer.error",
      "$context.authorizer.principalId",
      "$context.authorizer.customerId",
      "$context.error.message",
      "$context.responseLatency",
      "$context.integrationLatency",
    ]) {
      expect(Object.values(format)).toContain(v);
    }
    expect(ACCESS_LOG_FORMAT.toLowerCase()).not.toContain("authorization");
    expect(ACCESS_LOG_FORMAT).not.toContain("$input");
    expect(onlyOfType(T.methodSettings).inputs).toEqual({
      restApi: API_ID,
      stageName: "prod",
      methodPath: "*/*",
      settings: {
        metricsEnabled: true,
        throttlingBurstLimit: 50,
        throttlingRateLimit: 20,
        dataTraceEnabled: false,
      },
    });
    // By default the account-wide CloudWatch role is a documented prerequisite, never created.
    expect(resourcesOfType(T.account)).toHaveLength(0);
    expect(resourcesOfType(T.rolePolicyAttachment)).toHaveLength(0);
    expect(
      resourcesOfType(T.role).filter((r) => r.inputs.assumeRolePolicy.includes("apigateway")),
    ).toEqual([]);
  });

  describe("access logging and the account-level CloudWatch role (issue 9, item 2)", () => {
    /** Every resource's options as the program passed them (transformations see them). */
    async function deployCapturingOptions(config: RestTokenConfig) {
      const opts = new Map<string, pulumi.CustomResourceOptions>();
      const gw = new RestTokenGateway(
        "gateway",
        { config },
        {
          transformations: [
            (args) => {
              opts.set(`${args.type}::${args.name}`, args.opts);
              return undefined;
            },
          ],
        },
      );
      await settle();
      return { gw, opts: (type: string, name: string) => opts.get(`${type}::${name}`) };
    }

    test("accessLogging false: no access-log group, no accessLogSettings, no account role", async () => {
      const gw = await deploy(restConfig({ stageName: "prod", accessLogging: "false" }));
      expect(onlyOfType(T.stage).inputs).toEqual({
        restApi: API_ID,
        deployment: "gateway-deployment-id",
        stageName: "prod",
      });
      expect(resourcesOfType(T.logGroup).map((g) => g.name)).not.toContain("gateway-access-logs");
      expect(gw.accessLogGroup).toBeUndefined();
      expect(resourcesOfType(T.account)).toHaveLength(0);
      // Execution logging stays off too (no loggingLevel): it would need the account role as well.
      expect(onlyOfType(T.methodSettings).inputs.settings).not.toHaveProperty("loggingLevel");
    });

    test("manageApiGatewayAccount: a role only API Gateway can assume, the managed push policy, the Account", async () => {
      await deploy(restConfig({ manageApiGatewayAccount: "true" }));
      const role = byName(T.role, "gateway-apigw-account-cloudwatch-role");
      expect(role.inputs).toEqual({
        description: expect.stringContaining("kept after pulumi destroy"),
        assumeRolePolicy: APIGATEWAY_ASSUME_ROLE_POLICY,
      });
      expect(JSON.parse(role.inputs.assumeRolePolicy)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "apigateway.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      });
      expect(onlyOfType(T.rolePolicyAttachment).inputs).toEqual({
        role: role.state.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
      });
      expect(onlyOfType(T.account).inputs).toEqual({ cloudwatchRoleArn: role.state.arn });
      // Access logs as by default.
      const accessLogs = byName(T.logGroup, "gateway-access-logs");
      expect(onlyOfType(T.stage).inputs.accessLogSettings).toEqual({
        destinationArn: accessLogs.state.arn,
        format: ACCESS_LOG_FORMAT,
      });
    });

    test("manageApiGatewayAccount: the stage waits for the Account; all three survive pulumi destroy", async () => {
      const { gw, opts } = await deployCapturingOptions(
        restConfig({ manageApiGatewayAccount: "true" }),
      );
      const account = gw.apiGatewayAccount!.account;
      expect(opts(T.stage, "gateway-stage")?.dependsOn).toEqual([account]);
      expect(opts(T.account, "gateway-apigw-account")).toMatchObject({
        retainOnDelete: true,
        dependsOn: [gw.apiGatewayAccount!.policyAttachment],
      });
      expect(opts(T.role, "gateway-apigw-account-cloudwatch-role")?.retainOnDelete).toBe(true);
      expect(
        opts(T.rolePolicyAttachment, "gateway-apigw-account-push-to-cloudwatch-logs")
          ?.retainOnDelete,
      ).toBe(true);
    });

    test("without manageApiGatewayAccount the stage depends on no Account", async () => {
      const { gw, opts } = await deployCapturingOptions(restConfig());
      expect(gw.apiGatewayAccount).toBeUndefined();
      expect(opts(T.stage, "gateway-stage")?.dependsOn).toEqual([]);
    });

    test("the takeover is announced at preview with pulumi.log.warn", async () => {
      const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
      try {
        await deploy(restConfig({ manageApiGatewayAccount: "true" }));
        expect(warn).toHaveBeenCalledWith(API_GATEWAY_ACCOUNT_WARNING, expect.anything());
        expect(API_GATEWAY_ACCOUNT_WARNING).toMatch(/WHOLE AWS account/);
        expect(API_GATEWAY_ACCOUNT_WARNING).toMatch(/stays in place after pulumi destroy/);
        warn.mockClear();
        mocks.reset();
        await deploy(restConfig());
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
    });
  });
});

describe("IAM scoping", () => {
  test("the authorizer's invoke permission is scoped to this API's authorizer", async () => {
    await deploy(restConfig());
    const p = byName(T.permission, "gateway-authorizer-invoke");
    expect(p.inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: expect.stringMatching(/^gateway-authorizer-fn/),
      principal: "apigateway.amazonaws.com",
      sourceArn: `${EXECUTION_ARN}/authorizers/${AUTHORIZER_ID}`,
    });
    expect(p.inputs.sourceArn).toMatch(new RegExp(`/authorizers/${AUTHORIZER_ID}$`));
  });

  test("the authorizer's role may read exactly its own secret", async () => {
    await deploy(restConfig());
    const secretArn = onlyOfType("aws:secretsmanager/secret:Secret").state.arn as string;
    const policy = JSON.parse(byName(T.rolePolicy, "gateway-authorizer-policy").inputs.policy);
    const secretStatements = policy.Statement.filter((s: { Action: unknown }) =>
      allStrings(s.Action).some((a) => a.startsWith("secretsmanager:")),
    );
    expect(secretStatements).toEqual([
      {
        Sid: "ReadOwnKeyMaterial",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: secretArn,
      },
    ]);
    expect(secretArn).not.toContain("*");
    for (const s of policy.Statement) {
      expect(allStrings(s.Action)).not.toContain("*");
      expect(allStrings(s.Resource)).not.toContain("*");
    }
  });

  test("no secret, and no Secrets Manager permission, with jwks", async () => {
    await deploy(restConfig({ verifyWith: "jwks" }));
    expect(resourcesOfType("aws:secretsmanager/secret:Secret")).toHaveLength(0);
    const policy = byName(T.rolePolicy, "gateway-authorizer-policy").inputs.policy as string;
    expect(policy).not.toContain("secretsmanager");
  });

  test("the secret value never appears in a plain input of an API Gateway resource", async () => {
    await deploy(restConfig());
    const apiResources = mocks.all().filter((r) => r.type.startsWith("aws:apigateway/"));
    expect(apiResources.flatMap((r) => allStrings(r.inputs))).not.toContain(SECRET);
  });
});

describe("outputs", () => {
  test("every contract key, with values (secret key source)", async () => {
    const gw = await deploy(
      restConfig({ claimHeaders: JSON.stringify(["X-Customer-Plan=metadata.plan"]) }),
    );
    await expectOutputContract(gw.outputs, {
      apiUrl: `https://${API_ID}.execute-api.${REGION}.amazonaws.com/dev`,
      apiId: API_ID,
      apiType: "rest",
      authMode: "rest-token",
      stageName: "dev",
      executionArn: EXECUTION_ARN,
      authorizerId: AUTHORIZER_ID,
      authorizerFunctionArn: expect.stringMatching(
        new RegExp(`^arn:aws:lambda:${REGION}:${ACCOUNT}:function:gateway-authorizer-fn`),
      ),
      secretArn: expect.stringMatching(/^arn:aws:secretsmanager:/),
      identityHeaders: ["X-Customer-ID", "X-Customer-Name", "X-Customer-Plan"],
      issuer: "dev-issuer",
    });
  });

  test("secretArn is null (present, not missing) with jwks", async () => {
    const gw = await deploy(restConfig({ verifyWith: "jwks" }));
    const out = await expectOutputContract(gw.outputs);
    expect(out.secretArn).toBeNull();
    expect(out.issuer).toBe("https://issuer.example.com");
  });

  test("an existing secret ARN is passed through", async () => {
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:existing-AbCdEf`;
    const config = parseConfig({
      stackName: "dev",
      values: {
        authMode: "rest-token",
        verifyWith: "public-key",
        secretArn: arn,
        issuer: "dev-issuer",
        audiences: "[]",
      },
    }) as RestTokenConfig;
    const gw = await deploy(config);
    expect(await unwrap(gw.outputs.secretArn!)).toBe(arn);
    expect(resourcesOfType("aws:secretsmanager/secret:Secret")).toHaveLength(0);
  });
});

describe("per-route rules (the README example table)", () => {
  const routes = JSON.stringify(EXAMPLE);
  const idOf = (name: string) => `${name}-id`;

  test("one resource per segment, shared prefixes once, parents first; / and /{proxy+} keep their names", async () => {
    await deploy(restConfig({ routes }));
    const resources = resourcesOfType(T.resource).map((r) => [
      r.name,
      r.inputs.pathPart,
      r.inputs.parentId,
    ]);
    expect(resources).toEqual([
      ["gateway-/health", "health", `${API_ID}-root`],
      ["gateway-/webhooks", "webhooks", `${API_ID}-root`],
      ["gateway-/admin", "admin", `${API_ID}-root`],
      ["gateway-/orders", "orders", `${API_ID}-root`],
      ["gateway-proxy", "{proxy+}", `${API_ID}-root`],
      ["gateway-/webhooks/{proxy+}", "{proxy+}", idOf("gateway-/webhooks")],
      ["gateway-/admin/{proxy+}", "{proxy+}", idOf("gateway-/admin")],
      ["gateway-/orders/{proxy+}", "{proxy+}", idOf("gateway-/orders")],
    ]);
  });

  test("one method per line: public NONE, the others through the authorizer", async () => {
    await deploy(restConfig({ routes }));
    const methods = resourcesOfType(T.method).map((m) => [
      m.name,
      m.inputs.httpMethod,
      m.inputs.authorization,
      m.inputs.authorizerId ?? null,
    ]);
    expect(methods).toEqual([
      ["gateway-/health-get", "GET", "NONE", null],
      ["gateway-/webhooks/{proxy+}-post", "POST", "NONE", null],
      ["gateway-/admin/{proxy+}-any", "ANY", "CUSTOM", AUTHORIZER_ID],
      ["gateway-/orders/{proxy+}-get", "GET", "CUSTOM", AUTHORIZER_ID],
      ["gateway-proxy-any", "ANY", "CUSTOM", AUTHORIZER_ID],
    ]);
    expect(byName(T.fn, "gateway-authorizer-fn").inputs.environment.variables.ROUTE_RULES).toBe(
      routes,
    );
  });

  test("HTTP backend: a public method maps every identity spelling to the static '-'", async () => {
    await deploy(restConfig({ routes, backendUrl: "https://backend.example.com" }));
    const health = byName(T.integration, "gateway-/health-get").inputs;
    expect(health.uri).toBe("https://backend.example.com/health");
    expect(health.requestParameters).toEqual({
      "integration.request.header.X-Customer-ID": "'-'",
      "integration.request.header.X-Customer-Name": "'-'",
      "integration.request.header.x-customer-id": "'-'",
      "integration.request.header.x-customer-name": "'-'",
    });
    const admin = byName(T.integration, "gateway-/admin/{proxy+}-any").inputs;
    expect(admin.uri).toBe("https://backend.example.com/admin/{proxy}");
    expect(admin.requestParameters).toMatchObject({
      "integration.request.header.X-Customer-ID": "context.authorizer.customerId",
      "integration.request.path.proxy": "method.request.path.proxy",
    });
  });

  test("CORS: every resource with methods gets the OPTIONS preflight, intermediate ones none", async () => {
    await deploy(restConfig({ routes, corsAllowOrigins: '["https://app.example.com"]' }));
    const options = resourcesOfType(T.method)
      .filter((m) => m.inputs.httpMethod === "OPTIONS")
      .map((m) => [m.name, m.inputs.authorization])
      .sort();
    expect(options).toEqual([
      ["gateway-/admin/{proxy+}-options", "NONE"],
      ["gateway-/health-options", "NONE"],
      ["gateway-/orders/{proxy+}-options", "NONE"],
      ["gateway-/webhooks/{proxy+}-options", "NONE"],
      ["gateway-proxy-options", "NONE"],
    ]);
  });

  test("the deployment hash covers the table: a changed rule redeploys; the default table's hash is unchanged", () => {
    const hash = (values: Record<string, string>) =>
      deploymentHash(restApiDefinition(restConfig(values)));
    const other = JSON.stringify(EXAMPLE.map((l) => l.replace("roles=admin", "roles=ops")));
    expect(hash({ routes: other })).not.toBe(hash({ routes }));
    expect(restApiDefinition(restConfig()).authorizer.function.routeRules).toBeUndefined();
    expect(hash({ routes: '["ANY / roles=admin","ANY /{proxy+} roles=admin"]' })).toBe(hash({}));
  });

  test("preview refuses an inexpressible table, naming identity-gateway:routes and the lines", () => {
    expect(() =>
      restConfig({
        routes: JSON.stringify([
          "GET /orders/special authenticated",
          "GET /orders/{proxy+} scopes=orders:read",
        ]),
      }),
    ).toThrow(
      /identity-gateway:routes: routes\[0\]: routes\[0\] "GET \/orders\/special authenticated".*routes\[1\]/,
    );
  });
});
