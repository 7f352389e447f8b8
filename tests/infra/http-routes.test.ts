/**
 * The `routes` table in both HTTP modes under Pulumi's mock runtime (issue 11): the exact routes
 * the README's example table declares, the identity-free integration public routes target, the
 * preflight routes CORS needs, route-key caching in http-lambda, resource names (the default
 * routes keep theirs; the others are an injective function of the route key), and the `routes`
 * stack output in every mode.
 */
import {
  HTTP_TYPES,
  expectOutputContract,
  mocks,
  onlyOfType,
  resourcesOfType,
  settle,
  typeCounts,
} from "./mocks";

jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());

import fc from "fast-check";

import { ROUTE_METHODS } from "../../functions/commons/routes";
import { parseConfig, type AppConfig } from "../../infra/config";
import { LEGACY_ROUTE_SLUGS, routeSlug } from "../../infra/components/routes";
import { HttpJwtGateway } from "../../infra/modes/http-jwt";
import { HttpLambdaGateway } from "../../infra/modes/http-lambda";
import { createGateway } from "../../infra/program";

const T = HTTP_TYPES;

/** The README's example table; http-jwt cannot check roles, so there the admin line needs a scope. */
const EXAMPLE_LAMBDA = [
  "GET /health public",
  "POST /webhooks/{proxy+} public",
  "ANY /admin/{proxy+} roles=admin",
  "GET /orders/{proxy+} scopes=orders:read",
  "ANY /{proxy+} authenticated",
];
const EXAMPLE_JWT = EXAMPLE_LAMBDA.map((l) => l.replace("roles=admin", "scopes=admin"));

const LAMBDA = {
  authMode: "http-lambda",
  verifyWith: "jwks",
  issuer: "https://issuer.example.com",
  audiences: JSON.stringify(["orders-api"]),
};
const JWT = {
  authMode: "http-jwt",
  issuer: "https://issuer.example.com",
  audiences: JSON.stringify(["orders-api"]),
};
const CORS = { corsAllowOrigins: JSON.stringify(["https://app.example.com"]) };

function config(values: Record<string, string>): AppConfig {
  return parseConfig({ stackName: "dev", values });
}

async function build(values: Record<string, string>) {
  const cfg = config(values);
  const gw =
    cfg.authMode === "http-jwt"
      ? new HttpJwtGateway("gateway", { config: cfg })
      : cfg.authMode === "http-lambda"
        ? new HttpLambdaGateway("gateway", { config: cfg })
        : undefined;
  await settle();
  return gw!;
}

/** `{ name: inputs }` of every route, by resource name. */
function routesByName(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(resourcesOfType(T.route).map((r) => [r.name, r.inputs]));
}

const API = "gateway-http-api-id";
const BACKEND = "integrations/gateway-http-integration-id";
const IDENTITY_FREE = "integrations/gateway-http-preflight-integration-id";

beforeEach(() => mocks.reset());

describe("http-lambda with the example table", () => {
  const authorized = (routeKey: string) => ({
    apiId: API,
    routeKey,
    target: BACKEND,
    authorizationType: "CUSTOM",
    authorizerId: "gateway-authorizer-id",
  });
  const open = (routeKey: string) => ({
    apiId: API,
    routeKey,
    target: IDENTITY_FREE,
    authorizationType: "NONE",
  });

  it("declares one route per line: public ones without an authorizer, to the identity-free integration", async () => {
    await build({ ...LAMBDA, routes: JSON.stringify(EXAMPLE_LAMBDA) });

    expect(routesByName()).toEqual({
      "gateway-route-get--health": open("GET /health"),
      "gateway-route-post--webhooks-_gproxy": open("POST /webhooks/{proxy+}"),
      "gateway-route-any--admin-_gproxy": authorized("ANY /admin/{proxy+}"),
      "gateway-route-get--orders-_gproxy": authorized("GET /orders/{proxy+}"),
      "gateway-route-any-proxy": authorized("ANY /{proxy+}"),
    });
  });

  it("the identity-free integration exists without CORS and only removes the identity", async () => {
    await build({ ...LAMBDA, routes: JSON.stringify(EXAMPLE_LAMBDA) });

    expect(typeCounts()[T.integration]).toBe(2);
    const identityFree = resourcesOfType(T.integration).find(
      (r) => r.name === "gateway-http-preflight-integration",
    );
    expect(identityFree!.inputs.requestParameters).toEqual({
      "remove:header.X-Customer-ID": "",
      "remove:header.X-Customer-Name": "",
      "remove:header.X_Customer_ID": "",
      "remove:header.X_Customer_Name": "",
    });
  });

  it("caches per route: $context.routeKey joins the identity sources when rules differ", async () => {
    await build({ ...LAMBDA, routes: JSON.stringify(EXAMPLE_LAMBDA) });

    expect(onlyOfType(T.authorizer).inputs.identitySources).toEqual([
      "$request.header.Authorization",
      "$context.routeKey",
    ]);
  });

  it.each([
    ["public and authenticated routes", ["GET /health public", "ANY /{proxy+} authenticated"]],
    ["one role everywhere", ["ANY /a/{proxy+} roles=admin", "ANY /{proxy+} roles=admin"]],
  ])("keeps the single identity source when the rules are uniform (%s)", async (_n, table) => {
    await build({ ...LAMBDA, routes: JSON.stringify(table) });

    expect(onlyOfType(T.authorizer).inputs.identitySources).toEqual([
      "$request.header.Authorization",
    ]);
  });

  it("hands the authorizer the normalized table", async () => {
    await build({ ...LAMBDA, routes: JSON.stringify(EXAMPLE_LAMBDA) });

    const fn = resourcesOfType(T.fn).find((f) => /http-authorizer/.test(f.inputs.description));
    expect(JSON.parse(fn!.inputs.environment.variables.ROUTE_RULES)).toEqual(EXAMPLE_LAMBDA);
    expect(fn!.inputs.environment.variables.ROLE_CLAIM).toBe("metadata.role");
  });

  it("with CORS: an OPTIONS route for every path with a non-public ANY route", async () => {
    await build({ ...LAMBDA, ...CORS, routes: JSON.stringify(EXAMPLE_LAMBDA) });

    const routes = routesByName();
    expect(Object.keys(routes).sort()).toEqual([
      "gateway-route-any--admin-_gproxy",
      "gateway-route-any-proxy",
      "gateway-route-get--health",
      "gateway-route-get--orders-_gproxy",
      "gateway-route-options--admin-_gproxy",
      "gateway-route-options-proxy",
      "gateway-route-post--webhooks-_gproxy",
    ]);
    expect(routes["gateway-route-options--admin-_gproxy"]).toEqual(open("OPTIONS /admin/{proxy+}"));
    expect(routes["gateway-route-options-proxy"]).toEqual(open("OPTIONS /{proxy+}"));
  });

  it("with CORS: a path's own OPTIONS line is left as written, no second OPTIONS route", async () => {
    await build({
      ...LAMBDA,
      ...CORS,
      routes: JSON.stringify(["ANY /admin/{proxy+} roles=admin", "OPTIONS /admin/{proxy+} public"]),
    });

    expect(
      resourcesOfType(T.route)
        .map((r) => r.inputs.routeKey)
        .sort(),
    ).toEqual(["ANY /admin/{proxy+}", "OPTIONS /admin/{proxy+}"]);
  });
});

describe("http-jwt with the example table", () => {
  const jwt = (routeKey: string, authorizationScopes?: string[]) => ({
    apiId: API,
    routeKey,
    target: BACKEND,
    authorizationType: "JWT",
    authorizerId: "gateway-authorizer-id",
    ...(authorizationScopes ? { authorizationScopes } : {}),
  });

  it("enforces scopes= natively per route; authenticated is a JWT route without scopes", async () => {
    await build({ ...JWT, routes: JSON.stringify(EXAMPLE_JWT) });

    expect(routesByName()).toEqual({
      "gateway-route-get--health": {
        apiId: API,
        routeKey: "GET /health",
        target: IDENTITY_FREE,
        authorizationType: "NONE",
      },
      "gateway-route-post--webhooks-_gproxy": {
        apiId: API,
        routeKey: "POST /webhooks/{proxy+}",
        target: IDENTITY_FREE,
        authorizationType: "NONE",
      },
      "gateway-route-any--admin-_gproxy": jwt("ANY /admin/{proxy+}", ["admin"]),
      "gateway-route-get--orders-_gproxy": jwt("GET /orders/{proxy+}", ["orders:read"]),
      "gateway-route-any-proxy": jwt("ANY /{proxy+}"),
    });
    // The JWT authorizer itself is unchanged by the table.
    expect(onlyOfType(T.authorizer).inputs.identitySources).toEqual([
      "$request.header.Authorization",
    ]);
  });

  it("with CORS: OPTIONS /admin/{proxy+} and OPTIONS /{proxy+}", async () => {
    await build({ ...JWT, ...CORS, routes: JSON.stringify(EXAMPLE_JWT) });

    const options = resourcesOfType(T.route)
      .filter((r) => r.inputs.routeKey.startsWith("OPTIONS"))
      .map((r) => [r.name, r.inputs.authorizationType, r.inputs.target]);
    expect(options.sort()).toEqual([
      ["gateway-route-options--admin-_gproxy", "NONE", IDENTITY_FREE],
      ["gateway-route-options-proxy", "NONE", IDENTITY_FREE],
    ]);
  });
});

describe("the default table keeps today's resources", () => {
  it.each([
    ["http-lambda", LAMBDA],
    ["http-jwt", JWT],
  ])("%s: the same route and integration names, with and without CORS", async (_mode, values) => {
    await build(values);
    expect(
      resourcesOfType(T.route)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["gateway-route-any-proxy", "gateway-route-any-root"]);
    expect(resourcesOfType(T.integration).map((r) => r.name)).toEqual(["gateway-http-integration"]);

    mocks.reset();
    await build({ ...values, ...CORS });
    expect(
      resourcesOfType(T.route)
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      "gateway-route-any-proxy",
      "gateway-route-any-root",
      "gateway-route-options-proxy",
      "gateway-route-options-root",
    ]);
    expect(
      resourcesOfType(T.integration)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["gateway-http-integration", "gateway-http-preflight-integration"]);
  });
});

describe("routeSlug", () => {
  it("keeps the names of the routes the program always had", () => {
    expect(Object.keys(LEGACY_ROUTE_SLUGS).map(routeSlug)).toEqual([
      "any-root",
      "any-proxy",
      "options-root",
      "options-proxy",
    ]);
  });

  it.each([
    ["GET /orders/{proxy+}", "GET /orders/proxy"],
    ["GET /a-b", "GET /a/b"],
    ["GET /Orders", "GET /orders"],
    ["ANY /root", "ANY /"],
    ["ANY /proxy", "ANY /{proxy+}"],
    ["GET /items/{id}", "GET /items/id"],
    ["GET /a_b", "GET /a/b"],
  ])("tells %s from %s", (a, b) => {
    expect(routeSlug(a)).not.toBe(routeSlug(b));
  });

  it("is injective over valid route keys", () => {
    const segment = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9._~!$&'()*,;=:@-]{1,6}$/),
      fc.stringMatching(/^[A-Za-z0-9_]{1,5}$/).map((n) => `{${n}}`),
    );
    const routeKey = fc
      .tuple(
        fc.constantFrom(...ROUTE_METHODS),
        fc.array(segment, { maxLength: 4 }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9_]{1,5}$/), { nil: undefined }),
      )
      .map(([m, segs, greedy]) => {
        const all = greedy === undefined ? segs : [...segs, `{${greedy}+}`];
        return `${m} /${all.join("/")}`;
      });
    fc.assert(
      fc.property(routeKey, routeKey, (a, b) => a === b || routeSlug(a) !== routeSlug(b)),
      { numRuns: 5000 },
    );
  });
});

describe("the routes stack output", () => {
  it.each([
    ["http-lambda", LAMBDA, EXAMPLE_LAMBDA],
    ["http-jwt", JWT, EXAMPLE_JWT],
  ])("%s: the normalized example table", async (_mode, values, table) => {
    const outputs = createGateway(config({ ...values, routes: JSON.stringify(table) }));
    await settle();

    const resolved = await expectOutputContract(outputs);
    expect(resolved.routes).toEqual(table);
  });

  it.each([
    ["http-lambda", LAMBDA, ["ANY / authenticated", "ANY /{proxy+} authenticated"]],
    ["http-jwt", JWT, ["ANY / authenticated", "ANY /{proxy+} authenticated"]],
    [
      "http-jwt with authorizationScopes",
      { ...JWT, authorizationScopes: JSON.stringify(["orders:read"]) },
      ["ANY / scopes=orders:read", "ANY /{proxy+} scopes=orders:read"],
    ],
    [
      "rest-token",
      { ...LAMBDA, authMode: "rest-token" },
      ["ANY / roles=admin", "ANY /{proxy+} roles=admin"],
    ],
  ])("%s: the default table when routes is unset", async (_mode, values, table) => {
    const outputs = createGateway(config(values));
    await settle();

    const resolved = await expectOutputContract(outputs);
    expect(resolved.routes).toEqual(table);
  });
});
