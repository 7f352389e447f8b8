/**
 * The `routes` table (functions/commons/routes.ts): parsing with a message per bad line, the
 * normalized form, and the rule checks the authorizers make with scopes and roles.
 */
import fc from "fast-check";
import {
  formatRoute,
  MAX_ROUTES,
  parseRouteTable,
  ruleAllows,
  rulesAreUniform,
  tokenRoles,
  tokenScopes,
  type RouteRule,
} from "../../functions/commons/routes";
import { EXAMPLE_ROUTES as EXAMPLE } from "../helpers/routes";

describe("parseRouteTable", () => {
  test("the README example parses into route keys and rules", () => {
    const { routes, problems } = parseRouteTable(EXAMPLE);

    expect(problems).toEqual([]);
    expect(routes.map((r) => [r.routeKey, r.rule])).toEqual([
      ["GET /health", { kind: "public" }],
      ["POST /webhooks/{proxy+}", { kind: "public" }],
      ["ANY /admin/{proxy+}", { kind: "roles", roles: ["admin"] }],
      ["GET /orders/{proxy+}", { kind: "scopes", scopes: ["orders:read"] }],
      ["ANY /{proxy+}", { kind: "authenticated" }],
    ]);
    expect(routes.map(formatRoute)).toEqual(EXAMPLE);
  });

  test("extra whitespace is tolerated; duplicate rule values are dropped", () => {
    const { routes, problems } = parseRouteTable(["  GET   /a/{id}   roles=a,b,a  "]);
    expect(problems).toEqual([]);
    expect(routes[0]).toEqual({
      method: "GET",
      path: "/a/{id}",
      routeKey: "GET /a/{id}",
      rule: { kind: "roles", roles: ["a", "b"] },
    });
  });

  test.each<[string, string, RegExp]>([
    ["not three words", "GET /health", /is not "<METHOD> <path> <rule>"/],
    ["four words", "GET /health public now", /is not "<METHOD> <path> <rule>"/],
    ["unknown method", "FETCH /a public", /method "FETCH" is not one of ANY, GET/],
    ["lower-case method", "get /a public", /method "get" .*upper case/],
    ["relative path", "GET a public", /must start with \//],
    ["trailing slash", "GET /a/ public", /must not end with \//],
    ["empty segment", "GET /a//b public", /empty segment/],
    ["greedy not last", "GET /{proxy+}/x public", /greedy segment \{proxy\+\} must be the last/],
    ["bad segment", "GET /a{b public", /segment "a\{b" is neither/],
    ["parameter named twice", "GET /{id}/x/{id} public", /names \{id\} twice/],
    ["unknown rule", "GET /a private", /rule "private" is not one of/],
    ["empty role", "GET /a roles=", /without empty entries/],
    ["empty scope entry", "GET /a scopes=a,,b", /without empty entries/],
    ["too many scopes", `GET /a scopes=${"s,".repeat(11)}s`, /at most 10/],
    ["a role with a space-like char", "GET /a roles=a\u0000b", /is not a valid role/],
  ])("%s is refused with a message naming the line", (_name, line, message) => {
    const { routes, problems } = parseRouteTable(["GET /ok public", line]);

    expect(routes.map((r) => r.routeKey)).toEqual(["GET /ok"]);
    expect(problems).toEqual([{ index: 1, message: expect.stringMatching(message) }]);
  });

  test("a duplicate route is refused, also when only parameter names differ", () => {
    const { problems } = parseRouteTable([
      "GET /orders/{id} authenticated",
      "GET /orders/{orderId} roles=admin",
      "ANY /x/{a+} public",
      "ANY /x/{b+} public",
      "POST /orders/{id} authenticated",
    ]);
    expect(problems).toEqual([
      { index: 1, message: '"GET /orders/{orderId}" repeats line 0' },
      { index: 3, message: '"ANY /x/{b+}" repeats line 2' },
    ]);
  });

  test("more routes than API Gateway allows is refused", () => {
    const lines = Array.from({ length: MAX_ROUTES + 1 }, (_, i) => `GET /r${i} public`);
    expect(parseRouteTable(lines).problems).toEqual([
      { index: MAX_ROUTES, message: expect.stringContaining(`at most ${MAX_ROUTES}`) },
    ]);
  });

  test("property: a formatted valid table parses back to itself", () => {
    const segment = fc.oneof(
      fc.stringMatching(/^[a-z0-9._-]{1,8}$/),
      fc.stringMatching(/^[a-z]{1,6}$/).map((n) => `{${n}}`),
    );
    const rule = fc.oneof(
      fc.constant("public"),
      fc.constant("authenticated"),
      fc
        .uniqueArray(fc.stringMatching(/^[a-z:]{1,6}$/), { minLength: 1, maxLength: 3 })
        .map((v) => `roles=${v.join(",")}`),
      fc
        .uniqueArray(fc.stringMatching(/^[a-z:]{1,6}$/), { minLength: 1, maxLength: 3 })
        .map((v) => `scopes=${v.join(",")}`),
    );
    const line = fc
      .tuple(
        fc.constantFrom("ANY", "GET", "POST", "DELETE"),
        fc.uniqueArray(segment, { maxLength: 3, selector: (s) => s.replace(/\{.*\}/, "{}") }),
        fc.boolean(),
        rule,
      )
      .map(([m, segs, greedy, r]) => {
        const names = new Set<string>();
        const clean = segs.filter((s) => {
          const n = /^\{(.*)\}$/.exec(s)?.[1];
          if (n === undefined) return true;
          if (names.has(n) || n === "rest") return false;
          names.add(n);
          return true;
        });
        const path = `/${[...clean, ...(greedy ? ["{rest+}"] : [])].join("/")}`;
        return `${m} ${path} ${r}`;
      });
    fc.assert(
      fc.property(line, (l) => {
        const { routes, problems } = parseRouteTable([l]);
        expect(problems).toEqual([]);
        expect(parseRouteTable(routes.map(formatRoute)).routes).toEqual(routes);
      }),
    );
  });
});

describe("rules", () => {
  const roles = (...r: string[]): RouteRule => ({ kind: "roles", roles: r });
  const scopes = (...s: string[]): RouteRule => ({ kind: "scopes", scopes: s });

  test.each<[string, RouteRule, { roles: string[]; scopes: string[] }, boolean]>([
    ["public: anyone", { kind: "public" }, { roles: [], scopes: [] }, true],
    ["authenticated: any valid token", { kind: "authenticated" }, { roles: [], scopes: [] }, true],
    ["roles: one of them", roles("admin", "ops"), { roles: ["ops"], scopes: [] }, true],
    ["roles: none of them", roles("admin"), { roles: ["viewer"], scopes: ["admin"] }, false],
    ["roles: case matters", roles("admin"), { roles: ["Admin"], scopes: [] }, false],
    ["scopes: at least one", scopes("a", "b"), { roles: [], scopes: ["x", "b"] }, true],
    ["scopes: none", scopes("orders:read"), { roles: ["orders:read"], scopes: [] }, false],
  ])("%s", (_name, rule, caller, allowed) => {
    expect(ruleAllows(rule, caller)).toBe(allowed);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "scope: space-separated",
      { scope: "orders:read  orders:write" },
      ["orders:read", "orders:write"],
    ],
    ["scp: an array (Okta, Entra ID)", { scp: ["a", "b"] }, ["a", "b"]],
    ["scp: a string", { scp: "a b" }, ["a", "b"]],
    ["scope wins over scp", { scope: "a", scp: ["b"] }, ["a"]],
    ["scope of another type: none", { scope: 7 }, []],
    ["scp with a non-string: none", { scp: ["a", 1] }, []],
    ["no claim", {}, []],
  ])("tokenScopes, %s", (_name, claims, expected) => {
    expect(tokenScopes(claims)).toEqual(expected);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["a string", { metadata: { role: "admin" } }, ["admin"]],
    ["an array", { metadata: { role: ["a", "b"] } }, ["a", "b"]],
    ["a namespaced top-level key", { "metadata.role": "ops" }, ["ops"]],
    ["a number: none", { metadata: { role: 1 } }, []],
    ["an object: none", { metadata: { role: { admin: true } } }, []],
    ["absent", {}, []],
  ])("tokenRoles, %s", (_name, claims, expected) => {
    expect(tokenRoles(claims, "metadata.role")).toEqual(expected);
  });

  test("rulesAreUniform: public routes do not count; two different rules do", () => {
    const table = (lines: readonly string[]) => parseRouteTable(lines).routes;
    expect(rulesAreUniform(table(["GET /h public", "ANY /{proxy+} authenticated"]))).toBe(true);
    expect(rulesAreUniform(table(["ANY / roles=a", "ANY /{proxy+} roles=a"]))).toBe(true);
    expect(rulesAreUniform(table(EXAMPLE))).toBe(false);
  });
});
