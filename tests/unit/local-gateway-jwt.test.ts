/**
 * The local gateway's HTTP API JWT authorizer against a JWKS served by the test on 127.0.0.1,
 * with real RS256 tokens (node:crypto; jose 6 is ESM-only and this Jest runs CommonJS).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { KID_REFETCH_COOLDOWN_MS } from "../../functions/commons/keys";
import { identityRequestParameters } from "../../infra/components/http-api";
import type { IdentityConfig } from "../../infra/config";
import { jwtClaimExpression } from "../../infra/modes/http-jwt";
import { createGateway, type ListeningGateway } from "../../local/gateway";
import type { ApiModel, LambdaInvoker, RouteModel } from "../../local/model";
import { type Reply, fixture, keys, recordingBackend, send } from "./local-gateway-helpers";

// ---- an OIDC issuer on loopback ------------------------------------------------------------

interface Issuer {
  url: string;
  /** Number of JWKS downloads. */
  jwksHits: () => number;
  discoveryHits: () => number;
  publish: (kids: string[]) => void;
  setDown: (down: boolean) => void;
  close: () => Promise<void>;
}

const keyPairs = new Map<string, { privateKey: KeyObject; jwk: Record<string, unknown> }>();
/** An RSA key, or an EC P-256 one for a kid starting with "ec" (published as an ES256 JWK). */
function keyPair(kid: string) {
  let kp = keyPairs.get(kid);
  if (!kp) {
    const ec = kid.startsWith("ec");
    const { privateKey, publicKey } = ec
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
    kp = {
      privateKey,
      jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: ec ? "ES256" : "RS256", use: "sig" },
    };
    keyPairs.set(kid, kp);
  }
  return kp;
}

async function startIssuer(): Promise<Issuer> {
  let published = ["k1"];
  let down = false;
  let jwks = 0;
  let discovery = 0;
  const server = http.createServer((req, res) => {
    if (down) {
      res.writeHead(503).end();
      return;
    }
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") {
      discovery++;
      res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
    } else if (req.url === "/jwks") {
      jwks++;
      res.end(JSON.stringify({ keys: published.map((k) => keyPair(k).jwk) }));
    } else res.writeHead(404).end("{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    jwksHits: () => jwks,
    discoveryHits: () => discovery,
    publish: (kids) => (published = kids),
    setDown: (d) => (down = d),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** Signs a JWT: RS256 with the named key, HS256 with a secret, or `none`. */
function mint(
  claims: Record<string, unknown>,
  opts: { kid?: string; alg?: "RS256" | "HS256" | "none"; signWith?: string } = {},
): string {
  const alg = opts.alg ?? "RS256";
  const kid = opts.kid ?? "k1";
  // `signWith` names the key that signs when it is not the `kid` (made-up kids, no RSA keygen each).
  const signer = opts.signWith ?? kid;
  const head = `${b64({ alg, typ: "JWT", kid })}.${b64(claims)}`;
  if (alg === "none") return `${head}.`;
  if (alg === "HS256")
    return `${head}.${createHmac("sha256", "shared").update(head).digest("base64url")}`;
  return `${head}.${sign("sha256", Buffer.from(head), keyPair(signer).privateKey).toString("base64url")}`;
}

// ---- gateway -------------------------------------------------------------------------------

const AUDIENCE = "identity-gateway";
let issuer: Issuer;
let gateway: ListeningGateway | undefined;
let clock: number | undefined;
const backendEvents: Array<Record<string, unknown>> = [];
const logLines: string[] = [];

const invoker: LambdaInvoker = {
  async invoke(_fn, event) {
    const e = event as Record<string, unknown>;
    backendEvents.push(e);
    const headers = e.headers as Record<string, string>;
    return {
      ok: true,
      result: {
        statusCode: 200,
        body: JSON.stringify({ customerId: headers["x-customer-id"] ?? null }),
      },
    };
  },
};

function route(method: string, p: string, scopes?: string[]): RouteModel {
  return {
    method,
    path: p,
    authorization: "JWT",
    authorizerId: "jwt1",
    authorizationScopes: scopes,
    integration: {
      kind: "lambda-proxy",
      function: { name: "backend", bundlePath: "/x.js", environment: {}, timeoutMs: 3000 },
      payloadFormatVersion: "2.0",
      requestParameters: {
        "overwrite:header.X-Customer-ID": "$context.authorizer.claims.sub",
        "overwrite:header.X-Customer-Roles": "$context.authorizer.claims.roles",
      },
    },
  };
}

async function start(
  routes: RouteModel[] = [
    route("ANY", "/{proxy+}"),
    route("GET", "/scoped", ["orders:read", "orders:write"]),
  ],
) {
  const model: ApiModel = {
    type: "http",
    apiId: "jwtapi",
    region: "eu-west-1",
    accountId: "123456789012",
    stageName: "$default",
    routes,
    authorizers: [
      {
        kind: "jwt",
        id: "jwt1",
        name: "jwt",
        identitySource: "$request.header.Authorization",
        issuer: issuer.url,
        audiences: [AUDIENCE, "client-app"],
      },
    ],
    gatewayResponses: [],
  };
  const gw = createGateway(model, {
    invoker,
    now: () => clock ?? Date.now(),
    log: (l) => logLines.push(l),
  });
  gateway = await gw.listen(0);
  return gateway.url;
}

const nowSec = () => Math.floor((clock ?? Date.now()) / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: issuer.url,
  sub: "cust-1",
  aud: AUDIENCE,
  iat: nowSec() - 10,
  exp: nowSec() + 600,
  ...extra,
});

beforeEach(async () => {
  issuer = await startIssuer();
  backendEvents.length = 0;
  logLines.length = 0;
  clock = undefined;
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await issuer.close();
});

const wwwAuth = (r: Reply) => String(r.headers["www-authenticate"]);

// ---- tests ---------------------------------------------------------------------------------

describe("HTTP API JWT authorizer", () => {
  test("a valid RS256 token → 200; claims reach the backend as strings", async () => {
    const url = await start();
    const exp = nowSec() + 600;
    const res = await send(url, "GET", "/orders", {
      Authorization: `Bearer ${mint(claims({ roles: ["admin", "ops"], n: 5, exp }))}`,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ customerId: "cust-1" });
    const event = backendEvents[0];
    const jwt = (
      event.requestContext as {
        authorizer: { jwt: { claims: Record<string, string>; scopes: unknown } };
      }
    ).authorizer.jwt;
    expect(jwt.claims.exp).toBe(String(exp));
    expect(jwt.claims.n).toBe("5");
    expect(jwt.claims.roles).toBe("[admin ops]");
    expect(jwt.scopes).toBeNull();
    expect((event.headers as Record<string, string>)["x-customer-roles"]).toBe("[admin ops]");
  });

  test("the proxy event has the key set of the captured JWT event", async () => {
    const url = await start([route("POST", "/cognito")]);
    await send(url, "POST", "/cognito", { Authorization: `Bearer ${mint(claims())}` });
    const ref = fixture("powertools-ts__apigw-http__jwt-authorizer-auth.json");
    const event = backendEvents[0];
    expect(keys(event)).toEqual(keys(ref));
    expect(keys(event.requestContext)).toEqual(keys(ref.requestContext));
  });

  test("a bare token (no Bearer prefix) is accepted", async () => {
    const url = await start();
    expect((await send(url, "GET", "/a", { Authorization: mint(claims()) })).status).toBe(200);
  });

  test("no Authorization → 401 without fetching any key", async () => {
    const url = await start();
    const res = await send(url, "GET", "/a");
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ message: "Unauthorized" });
    expect(issuer.discoveryHits() + issuer.jwksHits()).toBe(0);
  });

  test.each([
    ["expired", () => claims({ exp: nowSec() - 1 }), "the token has expired"],
    ["no exp", () => claims({ exp: undefined }), "the token has expired"],
    [
      "wrong aud",
      () => claims({ aud: "someone-else" }),
      "the token does not have a valid audience",
    ],
    [
      "aud wins over a valid client_id",
      () => claims({ aud: "x", client_id: AUDIENCE }),
      "the token does not have a valid audience",
    ],
    [
      "wrong iss",
      () => claims({ iss: "https://evil.example" }),
      "the token does not have a valid issuer",
    ],
    ["nbf in the future", () => claims({ nbf: nowSec() + 60 }), "the token is not valid yet"],
    [
      "iat in the future",
      () => claims({ iat: nowSec() + 60 }),
      "the token was issued in the future",
    ],
  ])("%s → 401 invalid_token", async (_name, make, description) => {
    const url = await start();
    const res = await send(url, "GET", "/a", { Authorization: `Bearer ${mint(make())}` });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ message: "Unauthorized" });
    expect(wwwAuth(res)).toBe(
      `Bearer scope="" error="invalid_token" error_description="${description}"`,
    );
    expect(backendEvents).toHaveLength(0);
  });

  test("client_id is checked when aud is absent", async () => {
    const url = await start();
    const token = mint(claims({ aud: undefined, client_id: "client-app" }));
    expect((await send(url, "GET", "/a", { Authorization: token })).status).toBe(200);
  });

  test.each([
    ["HS256", { alg: "HS256" as const }],
    ["none", { alg: "none" as const }],
  ])("%s tokens are rejected", async (_n, opts) => {
    const url = await start();
    const res = await send(url, "GET", "/a", { Authorization: mint(claims(), opts) });
    expect(res.status).toBe(401);
    expect(wwwAuth(res)).toContain("is invalid");
  });

  test("an ES256 token whose key the issuer publishes is refused: RSA only (§1 step 3)", async () => {
    // Prepare: the issuer publishes an EC P-256 key beside its RSA key, and signs with it.
    issuer.publish(["k1", "ec1"]);
    const url = await start();
    const head = `${b64({ alg: "ES256", typ: "JWT", kid: "ec1" })}.${b64(claims())}`;
    const sig = sign("sha256", Buffer.from(head), {
      key: keyPair("ec1").privateKey,
      dsaEncoding: "ieee-p1363",
    });
    const token = `${head}.${sig.toString("base64url")}`;
    // The naive shape (verify with whatever key the kid names, hash from the header) accepts it:
    // the token is genuine, so only the RSA-only rule can refuse it.
    const ecKey = createPublicKey({ key: keyPair("ec1").jwk as JsonWebKey, format: "jwk" });
    expect(
      verify("sha256", Buffer.from(head), { key: ecKey, dsaEncoding: "ieee-p1363" }, sig),
    ).toBe(true);

    // Act
    const res = await send(url, "GET", "/a", { Authorization: `Bearer ${token}` });

    // Assess: "the JWT authorizer supports only RSA-based algorithms" (AWS, "Controlling access to
    // HTTP APIs with JWT authorizers", http-api-jwt-authorizer, "Validating a JWT").
    expect(res.status).toBe(401);
    expect(wwwAuth(res)).toContain("signing method ES256 is invalid");
    expect(backendEvents).toHaveLength(0);
  });

  test("an RS256 header naming an EC key is refused: the key is not RSA", async () => {
    issuer.publish(["k1", "ec1"]);
    const url = await start();
    const head = `${b64({ alg: "RS256", typ: "JWT", kid: "ec1" })}.${b64(claims())}`;
    const sig = sign("sha256", Buffer.from(head), keyPair("ec1").privateKey);
    const res = await send(url, "GET", "/a", {
      Authorization: `Bearer ${head}.${sig.toString("base64url")}`,
    });

    expect(res.status).toBe(401);
    expect(wwwAuth(res)).toContain("the signing key is not an RSA key");
  });

  test("a tampered signature is rejected", async () => {
    const url = await start();
    const [h, , s] = mint(claims()).split(".");
    const forged = `${h}.${b64(claims({ sub: "someone-else" }))}.${s}`;
    expect((await send(url, "GET", "/a", { Authorization: forged })).status).toBe(401);
  });

  test("scopes: one route scope in `scope` or `scp` → 200; none → 403 Forbidden", async () => {
    const url = await start();
    const ok1 = await send(url, "GET", "/scoped", {
      Authorization: mint(claims({ scope: "openid orders:read" })),
    });
    const ok2 = await send(url, "GET", "/scoped", {
      Authorization: mint(claims({ scp: ["orders:write"] })),
    });
    const no = await send(url, "GET", "/scoped", {
      Authorization: mint(claims({ scope: "openid" })),
    });
    const none = await send(url, "GET", "/scoped", { Authorization: mint(claims()) });
    expect([ok1.status, ok2.status, no.status, none.status]).toEqual([200, 200, 403, 403]);
    expect(JSON.parse(no.body)).toEqual({ message: "Forbidden" });
    const jwt = (backendEvents[0].requestContext as { authorizer: { jwt: { scopes: unknown } } })
      .authorizer.jwt;
    expect(jwt.scopes).toEqual(["openid", "orders:read"]);
  });

  test("keys are cached: many requests, one discovery and one JWKS fetch", async () => {
    const url = await start();
    for (let i = 0; i < 5; i++) await send(url, "GET", "/a", { Authorization: mint(claims()) });
    expect(issuer.jwksHits()).toBe(1);
    expect(issuer.discoveryHits()).toBe(1);
  });

  test("an unseen kid makes the gateway fetch the JWKS again (key rotation), after the cooldown", async () => {
    clock = Date.now();
    const url = await start();
    expect((await send(url, "GET", "/a", { Authorization: mint(claims()) })).status).toBe(200);
    issuer.publish(["k1", "k2"]);
    // Within the cooldown of the last fetch the new kid is not looked up yet: a 401, no fetch.
    const early = await send(url, "GET", "/a", { Authorization: mint(claims(), { kid: "k2" }) });
    expect(early.status).toBe(401);
    expect(wwwAuth(early)).toContain("the signing key for the token was not found");
    expect(issuer.jwksHits()).toBe(1);
    clock += KID_REFETCH_COOLDOWN_MS;
    expect(
      (await send(url, "GET", "/a", { Authorization: mint(claims(), { kid: "k2" }) })).status,
    ).toBe(200);
    expect(issuer.jwksHits()).toBe(2);
    const ghost = await send(url, "GET", "/a", { Authorization: mint(claims(), { kid: "ghost" }) });
    expect(ghost.status).toBe(401);
    expect(issuer.jwksHits()).toBe(2);
  });

  test("tokens with unknown kids refetch the JWKS at most once per cooldown window", async () => {
    // Prepare: keys fetched once.
    clock = Date.now();
    const url = await start();
    expect((await send(url, "GET", "/a", { Authorization: mint(claims()) })).status).toBe(200);
    const ghosts = (round: string, n = 8) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          send(url, "GET", "/a", {
            Authorization: mint(claims(), { kid: `${round}-${i}`, signWith: "k1" }),
          }),
        ),
      );
    const statuses = (replies: Reply[]) => [...new Set(replies.map((r) => r.status))];

    // Act + Assess: each window between fetches lets through one refetch, whatever the number
    // of made-up kids (sent concurrently, and then one after the other).
    expect(statuses(await ghosts("same-window"))).toEqual([401]);
    expect(issuer.jwksHits()).toBe(1);

    clock += KID_REFETCH_COOLDOWN_MS;
    expect(statuses(await ghosts("next-window"))).toEqual([401]);
    for (let i = 0; i < 4; i++) {
      await send(url, "GET", "/a", {
        Authorization: mint(claims(), { kid: `serial-${i}`, signWith: "k1" }),
      });
    }
    expect(issuer.jwksHits()).toBe(2);

    clock += KID_REFETCH_COOLDOWN_MS - 1;
    expect(statuses(await ghosts("one-ms-early"))).toEqual([401]);
    expect(issuer.jwksHits()).toBe(2);

    // A key published meanwhile is picked up by the first token that names it after the cooldown.
    issuer.publish(["k1", "k3"]);
    clock += 1;
    const rotated = await send(url, "GET", "/a", { Authorization: mint(claims(), { kid: "k3" }) });
    expect(rotated.status).toBe(200);
    expect(issuer.jwksHits()).toBe(3);
    // Known kids never wait for anything.
    expect((await send(url, "GET", "/a", { Authorization: mint(claims()) })).status).toBe(200);
    expect(issuer.jwksHits()).toBe(3);
  });

  test("keys older than 1 h are fetched again", async () => {
    clock = Date.now();
    const url = await start();
    await send(url, "GET", "/a", { Authorization: mint(claims()) });
    clock += 61 * 60 * 1000;
    expect((await send(url, "GET", "/a", { Authorization: mint(claims()) })).status).toBe(200);
    expect(issuer.jwksHits()).toBe(2);
  });

  test("issuer unreachable → 401 (fail closed); recovers when it is back", async () => {
    const url = await start();
    issuer.setDown(true);
    const down = await send(url, "GET", "/a", { Authorization: mint(claims()) });
    expect(down.status).toBe(401);
    issuer.setDown(false);
    expect((await send(url, "GET", "/a", { Authorization: mint(claims()) })).status).toBe(200);
  });

  test("the access log never contains the token", async () => {
    const url = await start();
    const token = mint(claims());
    await send(url, "GET", "/a", { Authorization: `Bearer ${token}` });
    await send(url, "GET", "/a", { Authorization: `Bearer ${mint(claims({ exp: 1 }))}` });
    expect(logLines).toHaveLength(2);
    for (const line of logLines) {
      expect(line).not.toContain(token.split(".")[2]);
      expect(line).not.toContain(token.split(".")[1]);
    }
    expect(JSON.parse(logLines[0])).toMatchObject({ status: 200, customerId: "cust-1" });
    expect(JSON.parse(logLines[1])).toMatchObject({ status: 401, authorizerStatus: 401 });
  });
});

// ---- claim values that cannot be a header ---------------------------------------------------

describe("http-jwt: a mapped claim value HTTP cannot carry", () => {
  // The mapping http-jwt deploys (infra), with one claimHeaders entry.
  const IDENTITY: IdentityConfig = {
    customerIdHeader: "X-Customer-ID",
    customerNameHeader: "X-Customer-Name",
    customerIdClaims: ["sub"],
    customerNameClaims: ["name"],
    claimHeaders: [{ target: "X-Tenant", claim: "tenant", contextKey: "tenant" }],
    claimQueryParams: [],
  };
  const MAPPING = identityRequestParameters(IDENTITY, (f) => jwtClaimExpression(f.claim));

  const backend = recordingBackend();
  const backendHeaders = backend.seen;

  const jwtRoute = (integration: RouteModel["integration"]): RouteModel => ({
    method: "ANY",
    path: "/{proxy+}",
    authorization: "JWT",
    authorizerId: "jwt1",
    integration,
  });
  const INTEGRATIONS: Array<[string, () => RouteModel["integration"]]> = [
    [
      "Lambda proxy",
      () => ({
        kind: "lambda-proxy",
        function: { name: "backend", bundlePath: "/x.js", environment: {}, timeoutMs: 3000 },
        payloadFormatVersion: "2.0",
        requestParameters: MAPPING,
      }),
    ],
    [
      "HTTP proxy (--backend-url)",
      () => ({ kind: "http-proxy", uri: backend.url, method: "ANY", requestParameters: MAPPING }),
    ],
  ];

  describe.each(INTEGRATIONS)("%s", (_kind, integration) => {
    test.each([
      ["CR/LF in the customer id (sub)", { sub: "cust-1\r\nX-Admin: true" }],
      ["a bare LF in the customer name", { name: "Acme\nCorp" }],
      ["NUL in a claimHeaders claim", { tenant: "t1\u0000" }],
      ["DEL in a claimHeaders claim", { tenant: "t1\u007f" }],
      ["ESC in the customer id", { sub: "\u001b[31mred" }],
    ])("%s → 500 Internal Server Error; nothing reaches the backend", async (_what, extra) => {
      // Prepare
      const url = await start([jwtRoute(integration())]);

      // Act
      const res = await send(url, "GET", "/orders", {
        Authorization: `Bearer ${mint(claims({ name: "Acme", tenant: "t1", ...extra }))}`,
      });

      // Assess
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ message: "Internal Server Error" });
      expect(res.headers["x-admin"]).toBeUndefined();
      expect(backendEvents).toHaveLength(0);
      expect(backendHeaders).toHaveLength(0);
      // One access-log line names the header, never the value.
      expect(logLines).toHaveLength(1);
      const log = JSON.parse(logLines[0]) as { status: number; error?: string };
      expect(log.status).toBe(500);
      expect(log.error).toMatch(
        /^mapped header "X-[A-Za-z-]+" has a value with control characters/,
      );
    });

    test("printable values, a tab and non-ASCII text still pass (as UTF-8)", async () => {
      const url = await start([jwtRoute(integration())]);

      const res = await send(url, "GET", "/orders", {
        Authorization: `Bearer ${mint(claims({ name: "Zoë\tSmith", tenant: "山田" }))}`,
      });

      expect(res.status).toBe(200);
      const headers = backendHeaders[0] ?? (backendEvents[0].headers as Record<string, string>);
      const asText = (v: unknown) =>
        backendHeaders[0] ? Buffer.from(String(v), "latin1").toString("utf8") : String(v);
      expect(asText(headers["x-customer-name"])).toBe("Zoë\tSmith");
      expect(asText(headers["x-tenant"])).toBe("山田");
    });
  });
});
