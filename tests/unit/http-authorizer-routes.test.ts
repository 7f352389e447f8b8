/**
 * Per-route rules in the HTTP API Lambda authorizer (issue 11): `ROUTE_RULES` and `ROLE_CLAIM`
 * read at cold start, the rule found by the payload 2.0 event's `routeKey`, `ROUTE_NOT_ALLOWED`
 * for a caller the rule refuses and for a route key the table does not hold. Real HS256 tokens,
 * the captured payload 2.0 events with the route key of the README's example table set.
 */
import {
  ConfigurationError,
  createDecisionLogger,
  readSettings,
  type Authorizer,
} from "../../functions/commons";
import { createHandler } from "../../functions/http-authorizer";
import { hs256Authorizer } from "../helpers/authorizer";
import { authorizerEnv } from "../helpers/env";
import { HTTP_AUTHORIZER_EVENTS, httpAuthorizerEvent } from "../helpers/events";
import { HS256_SECRET } from "../helpers/keys";
import { claims, signWithJsonwebtoken } from "../helpers/tokens";
import { EXAMPLE_ROUTES as EXAMPLE } from "../helpers/routes";

/** The README's example table, http-lambda flavour. */

const env = (overrides: Parameters<typeof authorizerEnv>[1] = {}) =>
  authorizerEnv("secret", {
    ROUTE_RULES: JSON.stringify(EXAMPLE),
    ROLE_CLAIM: "metadata.role",
    ...overrides,
  });

function harness(vars: Record<string, string> = env()) {
  const lines: string[] = [];
  const authorizer: Authorizer = hs256Authorizer(readSettings(vars));
  const handler = createHandler({
    getAuthorizer: () => authorizer,
    logger: createDecisionLogger((line) => lines.push(line)),
  });
  return { handler, lines, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const token = (extra: Record<string, unknown> = {}) =>
  signWithJsonwebtoken(claims(extra), { alg: "HS256", secret: HS256_SECRET });

/** A captured payload 2.0 event for `routeKey`, as API Gateway sends it for that route. */
function eventFor(
  routeKey: string | undefined,
  authorization: string | undefined,
  fixture: (typeof HTTP_AUTHORIZER_EVENTS)[number] = HTTP_AUTHORIZER_EVENTS[0],
) {
  const event = httpAuthorizerEvent(authorization, fixture);
  (event as { routeKey?: string }).routeKey = routeKey;
  if (routeKey !== undefined) event.requestContext.routeKey = routeKey;
  return event;
}

describe.each(HTTP_AUTHORIZER_EVENTS)("event %s", (fixture) => {
  test.each<[string, string, Record<string, unknown>, boolean]>([
    ["an admin on /admin", "ANY /admin/{proxy+}", { metadata: { role: "admin" } }, true],
    ["a viewer on /admin", "ANY /admin/{proxy+}", { metadata: { role: "viewer" } }, false],
    ["no role on /admin", "ANY /admin/{proxy+}", {}, false],
    [
      "one of several roles on /admin",
      "ANY /admin/{proxy+}",
      { metadata: { role: ["ops", "admin"] } },
      true,
    ],
    [
      "scope orders:read on /orders",
      "GET /orders/{proxy+}",
      { scope: "profile orders:read" },
      true,
    ],
    ["scp [orders:read] on /orders", "GET /orders/{proxy+}", { scp: ["orders:read"] }, true],
    ["another scope on /orders", "GET /orders/{proxy+}", { scope: "orders:write" }, false],
    ["no scope on /orders", "GET /orders/{proxy+}", {}, false],
    // The admin role is no scope: rules do not stand in for each other.
    [
      "an admin without the scope on /orders",
      "GET /orders/{proxy+}",
      { metadata: { role: "admin" } },
      false,
    ],
    ["any valid token on the catch-all", "ANY /{proxy+}", {}, true],
    // Public routes have no authorizer on API Gateway; if one is ever asked, a valid token passes.
    ["a valid token on a public route", "GET /health", {}, true],
  ])("%s (%s): allowed %s", async (_name, routeKey, extra, allowed) => {
    // Prepare
    const { handler, logs } = harness();

    // Act
    const result = await handler(eventFor(routeKey, `Bearer ${token(extra)}`, fixture));

    // Assess
    expect(result.isAuthorized).toBe(allowed);
    if (allowed) {
      expect(result).toEqual({
        isAuthorized: true,
        context: { customerId: "cust-42", customerName: "Acme Corp" },
      });
    } else {
      expect(result).toEqual({ isAuthorized: false });
      expect(logs()).toEqual([
        expect.objectContaining({
          decision: "deny",
          reason: "ROUTE_NOT_ALLOWED",
          route: routeKey,
          detail: expect.stringMatching(/^the route needs (roles|scopes)=/),
        }),
      ]);
    }
  });
});

test.each<[string, string | undefined]>([
  ["a route key the table does not hold", "DELETE /nowhere"],
  ["no route key at all", undefined],
  ["the $default route key", "$default"],
])("%s: denied, fail closed, with a log detail", async (_name, routeKey) => {
  const { handler, logs } = harness();

  const result = await handler(
    eventFor(routeKey, `Bearer ${token({ metadata: { role: "admin" } })}`),
  );

  expect(result).toEqual({ isAuthorized: false });
  expect(logs()).toEqual([
    expect.objectContaining({
      decision: "deny",
      reason: "ROUTE_NOT_ALLOWED",
      detail: "route key not in ROUTE_RULES (fail closed)",
    }),
  ]);
});

test("a bad token on a rule route is refused for the token, not the route", async () => {
  const { handler, logs } = harness();
  const expired = token({ metadata: { role: "admin" }, exp: Math.floor(Date.now() / 1000) - 60 });

  const result = await handler(eventFor("ANY /admin/{proxy+}", `Bearer ${expired}`));

  expect(result).toEqual({ isAuthorized: false });
  expect(logs()[0]).toMatchObject({ reason: "TOKEN_EXPIRED" });
});

test("the log of a route deny never holds the token", async () => {
  const { handler, lines } = harness();
  const t = token({ metadata: { role: "viewer" } });

  await handler(eventFor("ANY /admin/{proxy+}", `Bearer ${t}`));

  expect(lines.join("")).not.toContain(t);
  expect(lines.join("")).not.toContain(t.split(".")[2]);
});

test("without ROUTE_RULES (a deployment from before the key): every route just needs a valid token", async () => {
  const { handler } = harness(authorizerEnv("secret"));

  for (const routeKey of ["ANY /admin/{proxy+}", "DELETE /nowhere", undefined]) {
    const result = await handler(eventFor(routeKey, `Bearer ${token()}`));
    expect(result.isAuthorized).toBe(true);
  }
});

test("the default table (ANY /, ANY /{proxy+} authenticated) lets any valid token in", async () => {
  const { handler } = harness(
    env({ ROUTE_RULES: JSON.stringify(["ANY / authenticated", "ANY /{proxy+} authenticated"]) }),
  );

  for (const routeKey of ["ANY /", "ANY /{proxy+}"]) {
    expect((await handler(eventFor(routeKey, `Bearer ${token()}`))).isAuthorized).toBe(true);
  }
});

describe("ROUTE_RULES and ROLE_CLAIM at cold start", () => {
  test("are read into the settings, normalized", () => {
    const settings = readSettings(env());

    expect(settings.roleClaim).toBe("metadata.role");
    expect(settings.routeRules?.map((r) => r.routeKey)).toEqual([
      "GET /health",
      "POST /webhooks/{proxy+}",
      "ANY /admin/{proxy+}",
      "GET /orders/{proxy+}",
      "ANY /{proxy+}",
    ]);
    expect(settings.routeRules?.[2].rule).toEqual({ kind: "roles", roles: ["admin"] });
  });

  test.each<[string, string, RegExp]>([
    ["not JSON", "ANY /{proxy+", /ROUTE_RULES must be valid JSON/],
    ["not an array of strings", JSON.stringify({ a: 1 }), /ROUTE_RULES must be a JSON array/],
    ["an empty table", "[]", /ROUTE_RULES must list at least one value/],
    [
      "an unknown rule",
      JSON.stringify(["ANY /{proxy+} admins-only"]),
      /ROUTE_RULES line 0: rule "admins-only"/,
    ],
    ["a bad method", JSON.stringify(["FETCH /x public"]), /ROUTE_RULES line 0: method "FETCH"/],
  ])("a broken table (%s) is a ConfigurationError naming ROUTE_RULES", (_name, value, message) => {
    expect(() => readSettings(env({ ROUTE_RULES: value }))).toThrow(ConfigurationError);
    expect(() => readSettings(env({ ROUTE_RULES: value }))).toThrow(message);
  });

  test("a roles= rule without ROLE_CLAIM is a ConfigurationError naming ROLE_CLAIM", () => {
    expect(() => readSettings(env({ ROLE_CLAIM: undefined }))).toThrow(
      /ROLE_CLAIM is required: ROUTE_RULES has "ANY \/admin\/\{proxy\+\} roles=admin"/,
    );
  });

  test("a table without roles= needs no ROLE_CLAIM", () => {
    const settings = readSettings(
      env({
        ROLE_CLAIM: undefined,
        ROUTE_RULES: JSON.stringify(["GET /orders scopes=orders:read"]),
      }),
    );

    expect(settings.routeRules).toHaveLength(1);
  });

  test("the deployed handler fails loudly on a broken table (a Lambda error, not a deny)", async () => {
    const handler = createHandler({
      getAuthorizer: () => hs256Authorizer(readSettings(env({ ROUTE_RULES: "[1]" }))),
      logger: createDecisionLogger(() => undefined),
    });

    await expect(handler(eventFor("ANY /{proxy+}", `Bearer ${token()}`))).rejects.toThrow(
      ConfigurationError,
    );
  });
});
