/**
 * Per-route rules in rest-token (issue 11), through `npm start`'s gateway: the README example table
 * under the program's own REST resources and methods, the real rest-authorizer bundle and its
 * cached IAM policy. Needs the built bundles (`npm run build`).
 */
import { startLocal, type LocalGateway } from "../../local/server";
import { bearer, distinctValues, request, startBackend } from "./helpers";

export const EXAMPLE_ROUTES = [
  "GET /health public",
  "POST /webhooks/{proxy+} public",
  "ANY /admin/{proxy+} roles=admin",
  "GET /orders/{proxy+} scopes=orders:read",
  "ANY /{proxy+} authenticated",
];

const config = { routes: JSON.stringify(EXAMPLE_ROUTES) };
const viewer = { metadata: { role: "viewer" }, scope: "orders:read" };

describe("rest-token with the example route table (echo backend)", () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    gw = await startLocal({ port: 0, mode: "rest-token", config });
  });
  afterAll(() => gw.close());

  test("GET /health is public: 200 without a token, and no identity reaches the backend", async () => {
    const res = await request(`${gw.stageUrl}/health`, {
      headers: { "X-Customer-ID": "someone-else" },
    });

    expect(res.status).toBe(200);
    expect(res.json.identity).toEqual({ customerId: null, customerName: null });
    expect(res.json.identitySource).toBeNull();
    expect(res.json.authorizer).toBeNull();
  });

  test("a non-admin token is refused on /admin even after the same token was cached by /orders", async () => {
    const token = gw.mintToken({ sub: "viewer-1", claims: viewer });

    const orders = await request(`${gw.stageUrl}/orders/42`, { headers: bearer(token) });
    const admin = await request(`${gw.stageUrl}/admin/users`, { headers: bearer(token) });
    const other = await request(`${gw.stageUrl}/profile`, { headers: bearer(token) });

    expect(orders.status).toBe(200);
    expect(orders.json.identity.customerId).toBe("viewer-1");
    expect(admin.status).toBe(403);
    expect(admin.json).toEqual({
      message: "User is not authorized to access this resource with an explicit deny",
    });
    expect(other.status).toBe(200);
  });

  test("an admin token gets /admin; a token without the scope is refused GET /orders", async () => {
    const admin = gw.mintToken({ sub: "admin-1", claims: { metadata: { role: "admin" } } });

    const res = await request(`${gw.stageUrl}/admin/users`, {
      method: "DELETE",
      headers: bearer(admin),
    });
    const orders = await request(`${gw.stageUrl}/orders/42`, { headers: bearer(admin) });

    expect(res.status).toBe(200);
    expect(res.json.identity.customerId).toBe("admin-1");
    expect(orders.status).toBe(403);
  });

  test("a resource without the request's method is 403 Missing Authentication Token, not /{proxy+}", async () => {
    const token = gw.mintToken({ sub: "viewer-2", claims: viewer });

    const post = await request(`${gw.stageUrl}/orders/42`, {
      method: "POST",
      headers: bearer(token),
    });
    const admin = await request(`${gw.stageUrl}/admin`, { headers: bearer(token) });

    expect(post.status).toBe(403);
    expect(post.json).toEqual({ message: "Missing Authentication Token" });
    expect(admin.status).toBe(403);
    expect(admin.json).toEqual({ message: "Missing Authentication Token" });
  });

  test("a bad token stays 401 Unauthorized on a protected route", async () => {
    const res = await request(`${gw.stageUrl}/profile`, { headers: bearer("e30.e30.sig") });

    expect(res.status).toBe(401);
    expect(res.json).toEqual({ message: "Unauthorized" });
  });
});

describe("rest-token with the example route table and --backend-url", () => {
  let gw: LocalGateway;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    backend = await startBackend();
    gw = await startLocal({ port: 0, mode: "rest-token", config, backendUrl: backend.url });
  });
  afterAll(async () => {
    await gw.close();
    await backend.close();
  });

  test("a public route replaces a client-sent X-Customer-ID (both spellings) by the marker", async () => {
    const res = await request(`${gw.stageUrl}/webhooks/stripe`, {
      method: "POST",
      headers: { "X-Customer-ID": "someone-else", "x-customer-name": "Someone Else" },
      body: "{}",
    });

    expect(res.status).toBe(200);
    const got = backend.requests.at(-1)!;
    expect(got.url).toBe("/webhooks/stripe");
    expect(distinctValues(got, "X-Customer-ID")).toEqual(["-"]);
    expect(distinctValues(got, "X-Customer-Name")).toEqual(["-"]);
  });

  test("a protected route still gets the verified identity", async () => {
    const token = gw.mintToken({ sub: "viewer-3", claims: viewer });

    const res = await request(`${gw.stageUrl}/orders/7`, {
      headers: { ...bearer(token), "x-customer-id": "someone-else" },
    });

    expect(res.status).toBe(200);
    const got = backend.requests.at(-1)!;
    expect(got.url).toBe("/orders/7");
    expect(distinctValues(got, "X-Customer-ID")).toEqual(["viewer-3"]);
  });
});
