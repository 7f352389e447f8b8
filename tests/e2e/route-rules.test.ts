/**
 * The README's per-route example table end to end in the HTTP modes (issue 11): `npm start`'s
 * gateway (startLocal, in-process) runs the program with `routes` set, the deployed authorizer
 * bundle in worker threads, tokens from the built-in issuer. http-jwt has no roles, so its admin
 * line asks for a scope instead.
 */
import { banner } from "../../local/cli";
import { startLocal, type LocalGateway } from "../../local/server";
import { bearer, request } from "./helpers";

const ORIGIN = "http://app.test";

const TABLES = {
  "http-lambda": [
    "GET /health public",
    "POST /webhooks/{proxy+} public",
    "ANY /admin/{proxy+} roles=admin",
    "GET /orders/{proxy+} scopes=orders:read",
    "ANY /{proxy+} authenticated",
  ],
  "http-jwt": [
    "GET /health public",
    "POST /webhooks/{proxy+} public",
    "ANY /admin/{proxy+} scopes=admin",
    "GET /orders/{proxy+} scopes=orders:read",
    "ANY /{proxy+} authenticated",
  ],
} as const;

describe.each(Object.keys(TABLES) as Array<keyof typeof TABLES>)("%s", (mode) => {
  let gw: LocalGateway;
  let n = 0;
  /** A fresh subject per token, so no test is served another's cached decision by accident. */
  const token = (claims: Record<string, unknown> = {}) =>
    gw.mintToken({ sub: `route-${mode}-${++n}`, claims });
  const admin = () =>
    token(mode === "http-lambda" ? { metadata: { role: "admin" } } : { scope: "admin" });

  beforeAll(async () => {
    gw = await startLocal({
      port: 0,
      mode,
      config: {
        routes: JSON.stringify(TABLES[mode]),
        corsAllowOrigins: JSON.stringify([ORIGIN]),
      },
    });
  });
  afterAll(() => gw?.close());

  it("exposes the normalized table as the routes output", () => {
    expect(gw.program.outputs.routes).toEqual(TABLES[mode]);
  });

  it("npm start's banner prints the table with each rule", () => {
    const lines = banner(gw, "dev", 0).split("\n");
    const start = lines.indexOf("routes (identity-gateway:routes):");
    expect(start).toBeGreaterThan(0);
    const printed = lines.slice(start + 1, start + 1 + TABLES[mode].length);
    expect(printed.map((l) => l.trim().split(/\s+/).slice(0, 3).join(" "))).toEqual(TABLES[mode]);
    expect(printed[0]).toMatch(/public +no token; identity headers removed$/);
    expect(printed[4]).toMatch(/authenticated +any valid token$/);
    expect(printed[3]).toMatch(/scopes=orders:read +scope\/scp holds one of orders:read$/);
    if (mode === "http-lambda") {
      expect(printed[2]).toMatch(/roles=admin +metadata\.role holds one of admin$/);
    }
  });

  it("public routes answer without a token and never pass a client's X-Customer-ID on", async () => {
    for (const [method, path] of [
      ["GET", "/health"],
      ["POST", "/webhooks/github"],
    ]) {
      const res = await request(`${gw.stageUrl}${path}`, {
        method,
        headers: { "X-Customer-ID": "someone-else", X_Customer_ID: "someone-else" },
      });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain("someone-else");
    }
  });

  it("a public route path with another method is not public (GET /webhooks/x needs a token)", async () => {
    expect((await request(`${gw.stageUrl}/webhooks/github`)).status).toBe(401);
  });

  it("/admin: 401 without a token, 403 without the rule, 200 with it and the identity", async () => {
    const url = `${gw.stageUrl}/admin/users`;
    expect((await request(url)).status).toBe(401);
    expect((await request(url, { headers: bearer(token()) })).status).toBe(403);
    const ok = await request(url, { method: "DELETE", headers: bearer(admin()) });
    expect(ok.status).toBe(200);
    expect(ok.json.identity.customerId).toMatch(new RegExp(`^route-${mode}-`));
  });

  it("/orders: GET needs orders:read; other methods fall to the catch-all", async () => {
    const url = `${gw.stageUrl}/orders/1`;
    expect((await request(url, { headers: bearer(token()) })).status).toBe(403);
    expect(
      (await request(url, { headers: bearer(token({ scope: "orders:read profile" })) })).status,
    ).toBe(200);
    expect((await request(url, { method: "POST", headers: bearer(token()) })).status).toBe(200);
  });

  it("a token allowed on /orders (and cached) still gets 403 on /admin", async () => {
    const reader = bearer(token({ scope: "orders:read" }));
    expect((await request(`${gw.stageUrl}/orders/1`, { headers: reader })).status).toBe(200);
    expect((await request(`${gw.stageUrl}/orders/2`, { headers: reader })).status).toBe(200);
    expect((await request(`${gw.stageUrl}/admin/users`, { headers: reader })).status).toBe(403);
  });

  it("a preflight to /admin is answered by the gateway, without the authorizer", async () => {
    const before = gw.invocations.authorizer();
    const res = await request(`${gw.stageUrl}/admin/users`, {
      method: "OPTIONS",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": "DELETE",
        "access-control-request-headers": "authorization",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(gw.invocations.authorizer()).toBe(before);
  });

  if (mode === "http-lambda") {
    it("the authorizer caches per route ($context.routeKey among its identity sources)", () => {
      const authorizer = gw.model.authorizers[0];
      expect(authorizer.kind === "lambda-request" && authorizer.identitySources).toEqual([
        "$request.header.Authorization",
        "$context.routeKey",
      ]);
    });
  }
});
