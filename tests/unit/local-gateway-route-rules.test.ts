/**
 * Per-route rules through the local gateway over real HTTP (issue 11), with the real HTTP
 * authorizer code (functions/http-authorizer, HS256 tokens) as the Lambda:
 * - caching: API Gateway caches a Lambda authorizer's decision by its identity-source values and
 *   shares it across routes (aws-semantics.md §2 "Caching"); with `$context.routeKey` among them a
 *   token allowed (and cached) on /orders still gets 403 on /admin, and the naive shape (the token
 *   alone) leaks the /orders Allow to /admin;
 * - CORS: a preflight to /admin/x matches `ANY /admin/{proxy+}`, more specific than
 *   `OPTIONS /{proxy+}`, so without an `OPTIONS /admin/{proxy+}` route it meets the authorizer
 *   and fails with 401 (the broken shape); with it, the gateway answers the preflight.
 */
import { createDecisionLogger, readSettings } from "../../functions/commons";
import { createHandler } from "../../functions/http-authorizer";
import type {
  ApiModel,
  IntegrationModel,
  LambdaRequestAuthorizerModel,
  RouteModel,
} from "../../local/model";
import { hs256Authorizer } from "../helpers/authorizer";
import { authorizerEnv } from "../helpers/env";
import { HS256_SECRET } from "../helpers/keys";
import { claims, signWithJsonwebtoken } from "../helpers/tokens";
import { type Fn, gatewayStarter, lambda, send } from "./local-gateway-helpers";

const TABLE = [
  "GET /health public",
  "ANY /admin/{proxy+} roles=admin",
  "GET /orders/{proxy+} scopes=orders:read",
  "ANY /{proxy+} authenticated",
];

/** The deployed authorizer's decision code with the table in its environment. */
const authorizer = createHandler({
  getAuthorizer: (() => {
    const a = hs256Authorizer(
      readSettings(
        authorizerEnv("secret", {
          ROUTE_RULES: JSON.stringify(TABLE),
          ROLE_CLAIM: "metadata.role",
        }),
      ),
    );
    return () => a;
  })(),
  logger: createDecisionLogger(() => undefined),
}) as unknown as Fn;

const backend: Fn = (event) => ({
  statusCode: 200,
  body: JSON.stringify({ routeKey: event.routeKey }),
});

const start = gatewayStarter({ authorizer, backend });

const integration: IntegrationModel = {
  kind: "lambda-proxy",
  function: lambda("backend"),
  payloadFormatVersion: "2.0",
  requestParameters: { "overwrite:header.X-Customer-ID": "$context.authorizer.customerId" },
};
const identityFree: IntegrationModel = {
  kind: "lambda-proxy",
  function: lambda("backend"),
  payloadFormatVersion: "2.0",
  requestParameters: { "remove:header.X-Customer-ID": "" },
};

const authz = (identitySources: string[]): LambdaRequestAuthorizerModel => ({
  kind: "lambda-request",
  id: "authz",
  name: "authz",
  identitySources,
  resultTtlSeconds: 300,
  payloadFormatVersion: "2.0",
  simpleResponses: true,
  function: lambda("authorizer"),
});

const authorized = (method: string, path: string): RouteModel => ({
  method,
  path,
  authorization: "CUSTOM",
  authorizerId: "authz",
  integration,
});
const open = (method: string, path: string): RouteModel => ({
  method,
  path,
  authorization: "NONE",
  integration: identityFree,
});

/** The table's routes as the program declares them in http-lambda. */
const TABLE_ROUTES: RouteModel[] = [
  open("GET", "/health"),
  authorized("ANY", "/admin/{proxy+}"),
  authorized("GET", "/orders/{proxy+}"),
  authorized("ANY", "/{proxy+}"),
];

function model(identitySources: string[], extra: Partial<ApiModel> = {}): ApiModel {
  return {
    type: "http",
    apiId: "abc123",
    region: "eu-west-1",
    accountId: "123456789012",
    stageName: "$default",
    routes: TABLE_ROUTES,
    authorizers: [authz(identitySources)],
    gatewayResponses: [],
    ...extra,
  };
}

const PER_ROUTE = ["$request.header.Authorization", "$context.routeKey"];
const NAIVE = ["$request.header.Authorization"];

const bearer = (extra: Record<string, unknown>) => ({
  authorization: `Bearer ${signWithJsonwebtoken(claims(extra), { alg: "HS256", secret: HS256_SECRET })}`,
});

describe("authorizer cache and route rules", () => {
  test("with $context.routeKey: a token allowed and cached on /orders still gets 403 on /admin", async () => {
    // Prepare
    const gw = await start(model(PER_ROUTE));
    const reader = bearer({ scope: "orders:read" });

    // Act
    const first = await send(gw.url, "GET", "/orders/1", reader);
    const again = await send(gw.url, "GET", "/orders/2", reader);
    const admin = await send(gw.url, "GET", "/admin/users", reader);

    // Assess
    expect([first.status, again.status, admin.status]).toEqual([200, 200, 403]);
    // The second /orders call came from the cache; /admin asked the authorizer again.
    expect(gw.count("authorizer")).toBe(2);
    expect(gw.lines.map((l) => JSON.parse(l).authorizerCached)).toEqual([false, true, undefined]);
  });

  test("with $context.routeKey: a deny cached on /admin does not spill onto /orders", async () => {
    const gw = await start(model(PER_ROUTE));
    const reader = bearer({ scope: "orders:read" });

    expect((await send(gw.url, "POST", "/admin/x", reader)).status).toBe(403);
    expect((await send(gw.url, "GET", "/orders/1", reader)).status).toBe(200);
  });

  test("the naive shape (the token alone as identity source) leaks the /orders Allow to /admin", async () => {
    const gw = await start(model(NAIVE));
    const reader = bearer({ scope: "orders:read" });

    expect((await send(gw.url, "GET", "/orders/1", reader)).status).toBe(200);
    // The leak: the cached Allow answers for /admin; the authorizer is never asked.
    expect((await send(gw.url, "GET", "/admin/users", reader)).status).toBe(200);
    expect(gw.count("authorizer")).toBe(1);
  });

  test("the naive shape also turns a cached /admin deny into a 403 on /orders", async () => {
    const gw = await start(model(NAIVE));
    const reader = bearer({ scope: "orders:read" });

    expect((await send(gw.url, "GET", "/admin/users", reader)).status).toBe(403);
    expect((await send(gw.url, "GET", "/orders/1", reader)).status).toBe(403);
  });

  test("an admin gets /admin, and the catch-all needs only a valid token", async () => {
    const gw = await start(model(PER_ROUTE));

    expect(
      (await send(gw.url, "DELETE", "/admin/x", bearer({ metadata: { role: "admin" } }))).status,
    ).toBe(200);
    expect((await send(gw.url, "GET", "/anything", bearer({}))).status).toBe(200);
    expect((await send(gw.url, "GET", "/anything", {})).status).toBe(401);
  });

  test("a public route needs no token, never runs the authorizer, and drops a client's X-Customer-ID", async () => {
    const gw = await start(model(PER_ROUTE));

    const res = await send(gw.url, "GET", "/health", { "X-Customer-ID": "someone-else" });

    expect(res.status).toBe(200);
    expect(gw.count("authorizer")).toBe(0);
    expect(gw.calls.backend[0].headers).not.toHaveProperty("x-customer-id");
  });
});

describe("CORS preflight with a route table", () => {
  const cors = {
    allowOrigins: ["https://app.example.com"],
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["authorization"],
    exposeHeaders: [],
  };
  const preflight = {
    origin: "https://app.example.com",
    "access-control-request-method": "GET",
    "access-control-request-headers": "authorization",
  };

  test("the broken shape (only OPTIONS / and OPTIONS /{proxy+}): a preflight to /admin meets the authorizer, 401", async () => {
    const gw = await start(
      model(PER_ROUTE, {
        cors,
        routes: [...TABLE_ROUTES, open("OPTIONS", "/"), open("OPTIONS", "/{proxy+}")],
      }),
    );

    const res = await send(gw.url, "OPTIONS", "/admin/users", preflight);

    expect(res.status).toBe(401);
    // Elsewhere the old routes still do their job.
    expect((await send(gw.url, "OPTIONS", "/things", preflight)).status).toBe(204);
  });

  test("with OPTIONS /admin/{proxy+} (what the program adds) the gateway answers it, no authorizer", async () => {
    const gw = await start(
      model(PER_ROUTE, {
        cors,
        routes: [...TABLE_ROUTES, open("OPTIONS", "/admin/{proxy+}"), open("OPTIONS", "/{proxy+}")],
      }),
    );

    const res = await send(gw.url, "OPTIONS", "/admin/users", preflight);

    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    expect(gw.count("authorizer")).toBe(0);
  });
});
