/**
 * Review: CORS in rest-token through `npm start`'s gateway (the program under mocks, the real
 * bundles). A REST proxy integration has no integration response, so a browser can read a 200
 * only when the backend itself sends `Access-Control-Allow-Origin`: the echo backend does, from
 * the CORS config the stack hands it; a backend that does not gets a 200 the browser cannot read,
 * because the gateway adds nothing. API Gateway's own answers carry the headers, and a 401 carries
 * `WWW-Authenticate: Bearer`.
 */
import { startLocal, type LocalGateway } from "../../local/server";
import { bearer, request, startBackend } from "./helpers";

const APP = "https://app.example.com";
const ADMIN = "https://admin.example.com";

describe("rest-token, echo backend, one allowed origin", () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    gw = await startLocal({
      port: 0,
      mode: "rest-token",
      config: { corsAllowOrigins: JSON.stringify([APP]) },
    });
  });
  afterAll(() => gw.close());

  test("a 200 carries Access-Control-Allow-Origin (sent by the echo Lambda)", async () => {
    const res = await request(`${gw.stageUrl}/hello`, {
      headers: { ...bearer(gw.mintToken({ sub: "cors-user" })), origin: APP },
    });

    expect(res.status).toBe(200);
    expect(res.json.identity.customerId).toBe("cors-user");
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-headers")).toBe("authorization,content-type");
  });

  test("401: WWW-Authenticate: Bearer and Access-Control-Allow-Origin", async () => {
    const res = await request(`${gw.stageUrl}/hello`, { headers: { origin: APP } });

    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
  });

  test("another 4XX (a stage that does not exist) carries Access-Control-Allow-Origin too", async () => {
    const res = await request(`${gw.url}/no-such-stage/hello`, { headers: { origin: APP } });

    expect(res.status).toBe(403);
    expect(res.json).toEqual({ message: "Missing Authentication Token" });
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
  });
});

describe("rest-token, echo backend, several allowed origins", () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    gw = await startLocal({
      port: 0,
      mode: "rest-token",
      config: { corsAllowOrigins: JSON.stringify([APP, ADMIN]) },
    });
  });
  afterAll(() => gw.close());

  test.each([
    [ADMIN, ADMIN],
    ["https://evil.example", null],
  ])("Origin %s → Access-Control-Allow-Origin %s, Vary: Origin", async (origin, expected) => {
    const res = await request(`${gw.stageUrl}/hello`, {
      headers: { ...bearer(gw.mintToken({ sub: "multi" })), origin },
    });

    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(expected);
    expect(res.headers.get("vary")).toBe("Origin");
  });
});

describe("rest-token, an HTTP backend that sends no CORS headers (--backend-url)", () => {
  test("the 200 has no Access-Control-Allow-Origin: the gateway adds none", async () => {
    const backend = await startBackend();
    const gw = await startLocal({
      port: 0,
      mode: "rest-token",
      backendUrl: backend.url,
      config: { corsAllowOrigins: JSON.stringify([APP]) },
    });
    try {
      const res = await request(`${gw.stageUrl}/hello`, {
        headers: { ...bearer(gw.mintToken({ sub: "plain" })), origin: APP },
      });

      expect(res.status).toBe(200);
      expect(res.json.backend).toBe("test");
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await gw.close();
      await backend.close();
    }
  });
});
