/**
 * Each mode end to end: the Pulumi program under mocks, the deployed bundles in worker threads,
 * the engine on 127.0.0.1, tokens from the built-in issuer.
 */
import { startLocal, type LocalGateway } from "../../local/server";
import { bearer, forgedToken, request } from "./helpers";

const ORIGIN = "http://app.test";
const MODES = ["http-lambda", "http-jwt", "rest-token"] as const;

describe.each(MODES)("%s", (mode) => {
  let gw: LocalGateway;
  const lambdaMode = mode !== "http-jwt";
  let n = 0;
  /** A fresh subject per call, so the authorizer cache of one test never serves another. */
  const sub = (): string => `cust-${mode}-${++n}`;

  beforeAll(async () => {
    gw = await startLocal({
      port: 0,
      mode,
      config: { corsAllowOrigins: JSON.stringify([ORIGIN]) },
    });
  });
  afterAll(() => gw?.close());

  it("serves the stage the program declares, with the mode's API type", () => {
    expect(gw.model.type).toBe(mode === "rest-token" ? "rest" : "http");
    expect(gw.stageUrl).toBe(`${gw.url}/${gw.appConfig.stage.stageName}`);
  });

  // rest-token with the echo backend: REST AWS_PROXY integrations run no parameter mapping, so the
  // echo backend takes the identity from requestContext.authorizer and drops client-sent
  // x-customer-* headers (functions/echo-backend, a241f14; found by these tests).

  it("valid token → 200 and the backend gets X-Customer-ID from the token", async () => {
    const id = sub();
    const res = await request(`${gw.stageUrl}/hello`, {
      headers: bearer(gw.mintToken({ sub: id })),
    });
    expect(res.status).toBe(200);
    expect(res.json.identity.customerId).toBe(id);
  });

  it("a client-sent X-Customer-ID never reaches the backend", async () => {
    const id = sub();
    const res = await request(`${gw.stageUrl}/hello`, {
      headers: { ...bearer(gw.mintToken({ sub: id })), "X-Customer-ID": "someone-else" },
    });
    expect(res.status).toBe(200);
    expect(res.json.identity.customerId).toBe(id);
    expect(res.text).not.toContain("someone-else");
  });

  if (lambdaMode) {
    it("the backend gets the authorizer context built from the token", async () => {
      const id = sub();
      const res = await request(`${gw.stageUrl}/hello`, {
        headers: bearer(gw.mintToken({ sub: id })),
      });
      expect(res.status).toBe(200);
      const context = mode === "rest-token" ? res.json.authorizer : res.json.authorizer.lambda;
      expect(context).toMatchObject({ customerId: id, customerName: "Dev Customer" });
    });
  }

  it("missing Authorization → 401 without invoking the authorizer", async () => {
    const before = gw.invocations.authorizer();
    const res = await request(`${gw.stageUrl}/hello`);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ message: "Unauthorized" });
    expect(gw.invocations.authorizer()).toBe(before);
  });

  // An HTTP API Lambda authorizer can only answer `isAuthorized: false`, which API Gateway turns
  // into 403 Forbidden (aws-semantics.md §2); 401 there means "no identity source". The JWT
  // authorizer (§1) and the REST TOKEN authorizer failing with "Unauthorized" (§4) give 401.
  const refused = mode === "http-lambda" ? 403 : 401;

  it(`expired token → ${refused}`, async () => {
    const res = await request(`${gw.stageUrl}/hello`, {
      headers: bearer(gw.mintToken({ sub: sub(), expiresIn: "-5m" })),
    });
    expect(res.status).toBe(refused);
    expect(res.json).toEqual({ message: refused === 401 ? "Unauthorized" : "Forbidden" });
  });

  it(`forged token (right claims, wrong key) → ${refused}`, async () => {
    const res = await request(`${gw.stageUrl}/hello`, {
      headers: bearer(forgedToken(gw.profile, sub())),
    });
    expect(res.status).toBe(refused);
    expect(res.text).not.toContain("identity-gateway echo backend");
  });

  it("a CORS preflight is answered without the authorizer", async () => {
    const before = gw.invocations.authorizer();
    const backendBefore = gw.invocations.backend();
    const res = await request(`${gw.stageUrl}/hello`, {
      method: "OPTIONS",
      headers: {
        Origin: ORIGIN,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect([200, 204]).toContain(res.status);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "authorization",
    );
    expect(gw.invocations.authorizer()).toBe(before);
    expect(gw.invocations.backend()).toBe(backendBefore);
  });

  if (lambdaMode) {
    it("N requests with one token within the TTL invoke the authorizer once", async () => {
      const token = gw.mintToken({ sub: sub() });
      const before = gw.invocations.authorizer();
      for (let i = 0; i < 5; i++) {
        const res = await request(`${gw.stageUrl}/items/${i}`, { headers: bearer(token) });
        expect(res.status).toBe(200);
      }
      expect(gw.invocations.authorizer() - before).toBe(1);
    });
  }

  if (mode === "rest-token") {
    it("wrong role → 403, no role → 403", async () => {
      for (const claims of [{ metadata: { role: "viewer" } }, { metadata: null }]) {
        const res = await request(`${gw.stageUrl}/hello`, {
          headers: bearer(gw.mintToken({ sub: sub(), claims })),
        });
        expect(res.status).toBe(403);
        expect(res.text).not.toContain("identity-gateway echo backend");
      }
    });

    it("a second method and resource with the same (cached) token is allowed", async () => {
      const token = gw.mintToken({ sub: sub() });
      const before = gw.invocations.authorizer();
      const get = await request(`${gw.stageUrl}/orders`, { headers: bearer(token) });
      const post = await request(`${gw.stageUrl}/orders/7/items`, {
        method: "POST",
        headers: { ...bearer(token), "content-type": "application/json" },
        body: "{}",
      });
      const root = await request(`${gw.stageUrl}/`, { method: "DELETE", headers: bearer(token) });
      expect([get.status, post.status, root.status]).toEqual([200, 200, 200]);
      expect(post.json.method).toBe("POST");
      expect(gw.invocations.authorizer() - before).toBe(1);
    });
  }
});
