/**
 * rest-token per-route rules, pure parts and the local gateway engine: REST route selection
 * (resource first), the policies route-policy.ts writes for the README example table, the preview
 * check that refuses inexpressible tables, and the two naive authorizer shapes failing over real
 * HTTP on 127.0.0.1 where the table's policy does not.
 */
import { selectRestRoute } from "../../functions/commons/route-select";
import { parseRouteTable, type RouteSpec } from "../../functions/commons/routes";
import {
  allowedRoutes,
  globsOverlap,
  planRoutePolicies,
  policyDocument,
  policyResources,
} from "../../functions/rest-authorizer/route-policy";
import {
  checkRestRouteTable,
  MAX_RULE_ATOMS,
} from "../../functions/rest-authorizer/route-policy-check";
import type { ApiModel, RouteModel } from "../../local/model";
import { type Fn, gatewayStarter, lambda, send } from "./local-gateway-helpers";
import { EXAMPLE_ROUTES as EXAMPLE } from "../helpers/routes";

function table(lines: readonly string[]): RouteSpec[] {
  const { routes, problems } = parseRouteTable(lines);
  expect(problems).toEqual([]);
  return routes;
}

describe("REST route selection: the resource first, then its method", () => {
  const routes = table([
    ...EXAMPLE,
    "GET /items/{id} authenticated",
    "GET /items/special authenticated",
  ]);

  test.each([
    ["GET", "/health", "GET /health"],
    ["GET", "/orders/1/2", "GET /orders/{proxy+}"],
    ["DELETE", "/admin/a", "ANY /admin/{proxy+}"],
    ["GET", "/x/admin/y", "ANY /{proxy+}"],
    ["GET", "/items/special", "GET /items/special"],
    ["GET", "/items/42", "GET /items/{id}"],
  ])("%s %s → %s", (method, path, key) => {
    expect(selectRestRoute(routes, method, path)?.route.routeKey).toBe(key);
  });

  test.each([
    ["POST", "/orders/1", "the resource has GET only"],
    ["GET", "/admin", "an intermediate resource has no method"],
    ["GET", "/webhooks/x", "the resource has POST only"],
    ["POST", "/health", "the resource has GET only"],
    ["GET", "/items/42/more", "/items/* is not handed back to /{proxy+}"],
    ["GET", "/", "no method on /"],
  ])("%s %s → none (403 Missing Authentication Token): %s", (method, path) => {
    expect(selectRestRoute(routes, method, path)).toBeUndefined();
  });
});

describe("policies of the example table", () => {
  const plan = planRoutePolicies(table(EXAMPLE));
  const resources = (roles: string[], scopes: string[]) =>
    policyResources(plan, allowedRoutes(plan, { roles, scopes }));

  test("every route allowed: the stage wildcard alone", () => {
    expect(resources(["admin"], ["orders:read"])).toEqual({
      effect: "Allow",
      allow: ["*/*"],
      deny: [],
    });
  });

  test("only the catch-all: Allow it, Deny /admin for every method and GET /orders", () => {
    const r = resources(["viewer"], []);
    expect(r.allow).toEqual(["*/*"]);
    expect(r.deny).toEqual([
      "DELETE/admin/*",
      "GET/admin/*",
      "HEAD/admin/*",
      "OPTIONS/admin/*",
      "PATCH/admin/*",
      "POST/admin/*",
      "PUT/admin/*",
      "GET/orders/*",
    ]);
  });

  test("a Deny never names * for the method (it would also match GET/x/admin/y)", () => {
    expect(resources(["viewer"], ["orders:read"]).deny.every((d) => !d.startsWith("*"))).toBe(true);
  });

  test("globsOverlap", () => {
    expect(globsOverlap("*/*", "GET/admin/*")).toBe(true);
    expect(globsOverlap("GET/orders/*", "POST/orders/*")).toBe(false);
    expect(globsOverlap("*/health", "GET/admin/*")).toBe(true); // GET/admin/health
    expect(globsOverlap("GET/health", "GET/admin/*")).toBe(false);
  });
});

describe("preview check (checkRestRouteTable)", () => {
  const check = (lines: readonly string[], cors = false) =>
    checkRestRouteTable(table(lines), { stageName: "prod", cors });

  test("the example table and the default table are expressible", () => {
    expect(check(EXAMPLE)).toEqual([]);
    expect(check(["ANY / roles=admin", "ANY /{proxy+} roles=admin"])).toEqual([]);
  });

  test("a nested literal route with another rule than its greedy parent is refused, naming both lines", () => {
    const problems = check([
      "GET /orders/special authenticated",
      "GET /orders/{proxy+} scopes=orders:read",
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0].index).toBe(0);
    expect(problems[0].message).toContain('routes[0] "GET /orders/special authenticated"');
    expect(problems[0].message).toContain('routes[1] "GET /orders/{proxy+} scopes=orders:read"');
    expect(problems[0].message).toContain("also matches /");
  });

  test("two different variable segments under one resource are refused", () => {
    const problems = check(["GET /items/{id} authenticated", "GET /items/{key}/x roles=a"]);
    expect(problems[0].message).toContain("one variable child");
  });

  test("an OPTIONS line is refused while CORS adds the preflight method", () => {
    const lines = ["OPTIONS /x authenticated", "GET /y roles=a"];
    expect(check(lines, true)[0].message).toContain("CORS preflight");
    expect(check(lines, false)).toEqual([]);
  });

  test(`more than ${MAX_RULE_ATOMS} distinct roles and scopes are refused`, () => {
    const lines = Array.from({ length: MAX_RULE_ATOMS + 1 }, (_, i) => `GET /r${i} roles=role${i}`);
    expect(check(lines)[0].message).toContain(`at most ${MAX_RULE_ATOMS}`);
    expect(check(lines.slice(1))).toEqual([]);
  });

  test("a policy over the size limit is refused", () => {
    const lines = Array.from(
      { length: 200 },
      (_, i) => `GET /a-long-segment-name-${i}/{proxy+} roles=r${i % 2}`,
    );
    expect(check(lines)[0].message).toMatch(/would be \d+ bytes; at most 8192/);
  });
});

// ---------------------------------------------------------------------------------------------
// The naive shapes, over real HTTP through the local gateway engine
// ---------------------------------------------------------------------------------------------

const STAGE = "arn:aws:execute-api:eu-west-1:123456789012:restapi/prod";
const echo: Fn = () => ({ statusCode: 200, body: "ok" });

/** The example table as REST methods (public lines without the authorizer). */
function exampleModel(): ApiModel {
  const routes: RouteModel[] = table(EXAMPLE).map((r) => ({
    method: r.method,
    path: r.path,
    authorization: r.rule.kind === "public" ? "NONE" : "CUSTOM",
    authorizerId: r.rule.kind === "public" ? undefined : "tok",
    integration: {
      kind: "lambda-proxy",
      function: lambda("backend"),
      payloadFormatVersion: "1.0",
      requestParameters: {},
    },
  }));
  return {
    type: "rest",
    apiId: "restapi",
    region: "eu-west-1",
    accountId: "123456789012",
    stageName: "prod",
    routes,
    authorizers: [
      {
        kind: "lambda-token",
        id: "tok",
        name: "token-authorizer",
        identitySource: "method.request.header.Authorization",
        resultTtlSeconds: 300,
        function: lambda("authorizer"),
      },
    ],
    gatewayResponses: [],
  };
}

/** Tokens name what the caller holds: `viewer+orders:read` = role viewer, scope orders:read. */
function grants(event: Record<string, unknown>) {
  const [role, scope] = String(event.authorizationToken).split("+");
  return { roles: [role], scopes: scope ? [scope] : [] };
}

const plan = planRoutePolicies(table(EXAMPLE));
const statement = (Effect: string, Resource: string) => ({
  Version: "2012-10-17",
  Statement: [{ Action: "execute-api:Invoke", Effect, Resource }],
});

/** The authorizer this program deploys: one policy for the whole table. */
const tablePolicy: Fn = (event) => ({
  principalId: "p",
  policyDocument: policyDocument(STAGE, policyResources(plan, allowedRoutes(plan, grants(event)))),
});

/** Naive 1: the rule of the route asked about, scoped to its methodArn (seed example's shape). */
const methodArnOnly: Fn = (event) => ({
  principalId: "p",
  policyDocument: statement("Allow", String(event.methodArn)),
});

/** Naive 2: a stage-wildcard Allow for any valid token (rules ignored once cached). */
const stageWildcardAllow: Fn = () => ({
  principalId: "p",
  policyDocument: statement("Allow", `${STAGE}/*/*`),
});

const start = gatewayStarter({ backend: echo, authorizer: tablePolicy });

async function statuses(authorizer: Fn, token: string, calls: Array<[string, string]>) {
  const gw = await start(exampleModel(), { authorizer });
  const out: number[] = [];
  for (const [method, path] of calls) {
    out.push((await send(gw.url, method, `/prod${path}`, { authorization: token })).status);
  }
  return { out, invocations: gw.count("authorizer") };
}

describe("one cached policy across routes (local gateway engine)", () => {
  const calls: Array<[string, string]> = [
    ["GET", "/orders/1"],
    ["GET", "/profile"],
    ["GET", "/admin/users"],
  ];

  test("the table's policy: /orders and /profile 200, /admin 403, one invocation", async () => {
    const r = await statuses(tablePolicy, "viewer+orders:read", calls);
    expect(r).toEqual({ out: [200, 200, 403], invocations: 1 });
  });

  test("naive methodArn-only policy: the cached /orders policy wrongly denies /profile", async () => {
    const r = await statuses(methodArnOnly, "viewer+orders:read", calls);
    expect(r.out.slice(0, 2)).toEqual([200, 403]);
  });

  test("naive stage-wildcard Allow: a non-admin token leaks into /admin", async () => {
    const r = await statuses(stageWildcardAllow, "viewer+orders:read", calls);
    expect(r.out[2]).toBe(200);
  });

  test("public /health needs no token and never runs the authorizer", async () => {
    const gw = await start(exampleModel());
    const res = await send(gw.url, "GET", "/prod/health");
    expect(res.status).toBe(200);
    expect(gw.count("authorizer")).toBe(0);
  });
});
