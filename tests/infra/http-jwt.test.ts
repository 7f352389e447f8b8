/**
 * http-jwt under Pulumi's mock runtime: API Gateway's native JWT authorizer per issuer preset,
 * claim mappings, scopes, and the absence of everything Lambda-authorizer related.
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

import { parseConfig, type HttpJwtConfig } from "../../infra/config";
import { HttpJwtGateway } from "../../infra/modes/http-jwt";

const T = HTTP_TYPES;

function config(values: Record<string, string>): HttpJwtConfig {
  const parsed = parseConfig({
    stackName: "dev",
    values: { authMode: "http-jwt", ...values },
    jwtSecret: undefined,
  });
  if (parsed.authMode !== "http-jwt") throw new Error("expected http-jwt");
  return parsed;
}

const OIDC = {
  issuer: "https://login.example.com/realms/acme",
  audiences: JSON.stringify(["orders-api"]),
};

async function build(cfg: HttpJwtConfig): Promise<HttpJwtGateway> {
  const gw = new HttpJwtGateway("gateway", { config: cfg });
  await settle();
  return gw;
}

/** Route inputs sorted by route key (routes register in no fixed order). */
function routesByKey() {
  return resourcesOfType(T.route)
    .map((r) => r.inputs)
    .sort((a, b) => a.routeKey.localeCompare(b.routeKey));
}

beforeEach(() => mocks.reset());

describe("JWT authorizer per issuer preset", () => {
  it.each([
    [
      "Passage (issuer from the app id)",
      { passageAppId: "AbC123xyz", audiences: JSON.stringify(["https://app.example.com"]) },
      "https://auth.passage.id/v1/apps/AbC123xyz",
      ["https://app.example.com"],
    ],
    [
      "Clerk (Frontend API URL, trailing slash dropped)",
      {
        clerkFrontendApiUrl: "https://clerk.example.com/",
        audiences: JSON.stringify(["ClerkJwtAuthorizer"]),
      },
      "https://clerk.example.com",
      ["ClerkJwtAuthorizer"],
    ],
    [
      "Cognito (issuer from the pool id's Region and id; client_id is API Gateway's own)",
      { cognitoUserPoolId: "eu-west-1_AbCdEf123", audiences: JSON.stringify(["app-client-id"]) },
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
      ["app-client-id"],
    ],
    [
      "Auth0 (issuer with its trailing slash)",
      {
        auth0Domain: "my-tenant.eu.auth0.com",
        audiences: JSON.stringify(["https://api.example.com"]),
      },
      "https://my-tenant.eu.auth0.com/",
      ["https://api.example.com"],
    ],
    [
      "Okta (custom authorization server)",
      {
        oktaIssuer: "https://example.okta.com/oauth2/default",
        audiences: JSON.stringify(["api://default"]),
      },
      "https://example.okta.com/oauth2/default",
      ["api://default"],
    ],
    [
      "Entra ID (v2.0 issuer)",
      {
        entraTenantId: "9188040d-6c67-4c5b-b112-36a304b66dad",
        audiences: JSON.stringify(["6e74172b-be56-4843-9ff4-e66a39bb12e3"]),
      },
      "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
      ["6e74172b-be56-4843-9ff4-e66a39bb12e3"],
    ],
    [
      "Firebase (audience the project id)",
      { firebaseProjectId: "my-project-1234", audiences: JSON.stringify(["my-project-1234"]) },
      "https://securetoken.google.com/my-project-1234",
      ["my-project-1234"],
    ],
    [
      "any OIDC issuer, several audiences",
      { issuer: OIDC.issuer, audiences: JSON.stringify(["orders-api", "billing-api"]) },
      OIDC.issuer,
      ["orders-api", "billing-api"],
    ],
  ])("%s", async (_label, values, issuer, audiences) => {
    const gw = await build(config(values));

    expect(onlyOfType(T.authorizer).inputs).toEqual({
      apiId: "gateway-http-api-id",
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      jwtConfiguration: { issuer, audiences },
    });
    expect(gw.outputs.issuer).toBe(issuer);
  });

  it("reads the token from a configured identity source", async () => {
    await build(config({ ...OIDC, identitySource: "$request.querystring.access_token" }));

    expect(onlyOfType(T.authorizer).inputs.identitySources).toEqual([
      "$request.querystring.access_token",
    ]);
  });
});

describe("routes", () => {
  it("guard ANY / and ANY /{proxy+} with the JWT authorizer and the configured scopes", async () => {
    await build(config({ ...OIDC, authorizationScopes: JSON.stringify(["orders:read", "admin"]) }));

    expect(routesByKey()).toEqual([
      {
        apiId: "gateway-http-api-id",
        routeKey: "ANY /",
        target: "integrations/gateway-http-integration-id",
        authorizationType: "JWT",
        authorizerId: "gateway-authorizer-id",
        authorizationScopes: ["orders:read", "admin"],
      },
      {
        apiId: "gateway-http-api-id",
        routeKey: "ANY /{proxy+}",
        target: "integrations/gateway-http-integration-id",
        authorizationType: "JWT",
        authorizerId: "gateway-authorizer-id",
        authorizationScopes: ["orders:read", "admin"],
      },
    ]);
  });

  it("set no scopes when none are configured (no scope check)", async () => {
    await build(config(OIDC));

    for (const route of resourcesOfType(T.route)) {
      expect(route.inputs.authorizationScopes).toBeUndefined();
    }
  });

  it("with CORS: OPTIONS routes without authorization, targeting the preflight integration", async () => {
    await build(config({ ...OIDC, corsAllowOrigins: JSON.stringify(["*"]) }));

    expect(onlyOfType(T.api).inputs.corsConfiguration).toMatchObject({ allowOrigins: ["*"] });
    expect(
      resourcesOfType(T.route)
        .map((r) => [r.inputs.routeKey, r.inputs.authorizationType])
        .sort(),
    ).toEqual([
      ["ANY /", "JWT"],
      ["ANY /{proxy+}", "JWT"],
      ["OPTIONS /", "NONE"],
      ["OPTIONS /{proxy+}", "NONE"],
    ]);
    const preflight = resourcesOfType(T.route).filter((r) =>
      r.inputs.routeKey.startsWith("OPTIONS"),
    );
    for (const r of preflight) {
      expect(r.inputs.authorizerId).toBeUndefined();
      // AWS documents the OPTIONS route of a CORS API with an authorized catch-all route WITH an
      // integration (http-api-cors.html); a target-less route is what the local gateway 404s.
      expect(r.inputs.target).toBe("integrations/gateway-http-preflight-integration-id");
    }
  });
});

describe("claim mapping", () => {
  it("overwrites headers and query parameters from $context.authorizer.claims", async () => {
    await build(
      config({
        ...OIDC,
        customerIdClaims: JSON.stringify(["org_id"]),
        customerNameClaims: JSON.stringify(["org_name"]),
        claimHeaders: JSON.stringify(["X-User-Email=email"]),
        claimQueryParams: JSON.stringify(["user=sub"]),
      }),
    );

    expect(onlyOfType(T.integration).inputs.requestParameters).toEqual({
      "overwrite:header.X-Customer-ID": "$context.authorizer.claims.org_id",
      "overwrite:header.X-Customer-Name": "$context.authorizer.claims.org_name",
      "overwrite:header.X-User-Email": "$context.authorizer.claims.email",
      "overwrite:querystring.user": "$context.authorizer.claims.sub",
      "remove:header.X_Customer_ID": "",
      "remove:header.X_Customer_Name": "",
      "remove:header.X_User_Email": "",
    });
    expect(
      allStrings(mocks.all().map((r) => r.inputs)).filter((s) => s.startsWith("append:")),
    ).toEqual([]);
  });

  it("defaults to sub and name", async () => {
    await build(config(OIDC));

    expect(onlyOfType(T.integration).inputs.requestParameters).toEqual({
      "overwrite:header.X-Customer-ID": "$context.authorizer.claims.sub",
      "overwrite:header.X-Customer-Name": "$context.authorizer.claims.name",
      "remove:header.X_Customer_ID": "",
      "remove:header.X_Customer_Name": "",
    });
  });

  it("logs the customer id claim, never the token", async () => {
    await build(config(OIDC));

    const format = onlyOfType(T.stage).inputs.accessLogSettings.format;
    expect(JSON.parse(format)).toMatchObject({
      customerId: "$context.authorizer.claims.sub",
      authorizerError: "$context.authorizer.error",
    });
    expect(format).not.toMatch(/authorization/i);
  });
});

describe("resource set", () => {
  it("creates no Lambda authorizer, no authorizer role, no secret", async () => {
    await build(config(OIDC));

    expect(typeCounts()).toEqual({
      [T.api]: 1,
      [T.authorizer]: 1,
      [T.integration]: 1,
      [T.route]: 2,
      [T.stage]: 1,
      [T.logGroup]: 2, // echo backend, access log
      // The echo backend only:
      [T.fn]: 1,
      [T.role]: 1,
      [T.rolePolicy]: 1,
      [T.permission]: 1,
    });
    expect(onlyOfType(T.fn).name).toBe("gateway-http-echo-fn");
    expect(onlyOfType(T.permission).inputs.sourceArn).toMatch(/\/\*\/\*$/);
    expect(resourcesOfType("identity-gateway:shared:AuthorizerFunction")).toHaveLength(0);
    expect(resourcesOfType("identity-gateway:shared:KeyMaterial")).toHaveLength(0);
    expect(allStrings(mocks.all().map((r) => r.type))).not.toContainEqual(
      expect.stringMatching(/secretsmanager/),
    );
    expect(resourcesOfType(T.authorizer).map((a) => a.inputs.authorizerType)).toEqual(["JWT"]);
  });

  it("with an HTTP backend creates no Lambda at all", async () => {
    await build(config({ ...OIDC, backendUrl: "https://backend.example.com" }));

    expect(resourcesOfType(T.fn)).toHaveLength(0);
    expect(resourcesOfType(T.role)).toHaveLength(0);
    expect(resourcesOfType(T.permission)).toHaveLength(0);
  });
});

describe("outputs", () => {
  it("fills every key of the contract, null for the Lambda-only ones", async () => {
    const gw = await build(
      config({
        ...OIDC,
        stageName: "$default",
        claimHeaders: JSON.stringify(["X-User-Email=email"]),
      }),
    );

    await expectOutputContract(gw.outputs, {
      authorizerFunctionArn: null,
      secretArn: null,
      apiType: "http",
      authMode: "http-jwt",
      issuer: OIDC.issuer,
      identityHeaders: ["X-Customer-ID", "X-Customer-Name", "X-User-Email"],
      // The $default stage's invoke URL ends in "/" (the mock gives it, as AWS does); apiUrl not.
      apiUrl: "https://gateway-http-api-id.execute-api.us-east-1.amazonaws.com",
      stageName: "$default",
      apiId: "gateway-http-api-id",
      executionArn: "arn:aws:execute-api:us-east-1:123456789012:gateway-http-api-id",
      authorizerId: "gateway-authorizer-id",
    });
  });
});
