/**
 * The JWKS key source with an injected fetch (no network): OIDC discovery, caching, unknown-kid
 * refetch with a cooldown, key filtering, size and time limits, fail closed and recovery.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";

import {
  createAuthorizer,
  createJwksKeySource,
  parseJwks,
  readSettings,
  type AuthResult,
  type Authorizer,
} from "../../functions/commons";
import { authorizerEnv } from "../helpers/env";
import { discoveryUrl, fakeFetch, type FakeFetch } from "../helpers/fetch";
import { jwksOf, rsaKey } from "../helpers/keys";
import { TEST_ISSUER, claims, signWithJose, signWithJsonwebtoken } from "../helpers/tokens";

const START = Date.UTC(2030, 0, 1);
let clock = START;
const now = () => clock;
const T = Math.floor(START / 1000);

const DISCOVERY = discoveryUrl(TEST_ISSUER);
const JWKS_URI = "https://issuer.test.example/.well-known/jwks.json";
const k1 = rsaKey("k1");
const k2 = rsaKey("k2");

/** An RS256 token signed by `key`, with header kid `kid` (`null`: no kid at all). */
const tokenFor = (key: ReturnType<typeof rsaKey>, kid: string | null = key.kid) =>
  signWithJsonwebtoken(claims({ iat: T, exp: T + 86400 }), {
    alg: "RS256",
    privateKey: key.privateKey,
    kid: kid ?? undefined,
  });

function setup(
  jwks: () => unknown = () => jwksOf(k1),
  env = {},
): {
  web: FakeFetch;
  auth: Authorizer;
} {
  const web = fakeFetch({
    [DISCOVERY]: () => ({ issuer: TEST_ISSUER, jwks_uri: JWKS_URI }),
    [JWKS_URI]: jwks,
  });
  const auth = createAuthorizer(readSettings(authorizerEnv("jwks", env)), {
    fetch: web.fetch,
    now,
  });
  return { web, auth };
}

const code = (r: AuthResult) => (r.ok ? "ok" : r.reason.code);

beforeEach(() => {
  clock = START;
});

test("discovers jwks_uri from the issuer, then serves from cache", async () => {
  // Prepare
  const { web, auth } = setup();

  // Act
  const first = await auth.authorize(tokenFor(k1));
  for (let i = 0; i < 20; i++) await auth.authorize(tokenFor(k1));

  // Assess
  expect(code(first)).toBe("ok");
  expect(web.calls).toEqual([DISCOVERY, JWKS_URI]);
});

test("a trailing slash on the issuer does not double the slash in discovery", async () => {
  const web = fakeFetch({
    [DISCOVERY]: () => ({ jwks_uri: JWKS_URI }),
    [JWKS_URI]: () => jwksOf(k1),
  });
  const source = createJwksKeySource({
    issuer: `${TEST_ISSUER}/`,
    ttlSeconds: 300,
    fetch: web.fetch,
    now,
  });

  await source.getKeys(k1.kid);

  expect(web.calls).toEqual([DISCOVERY, JWKS_URI]);
});

test("JWKS_URI skips discovery", async () => {
  const { web, auth } = setup(undefined, { JWKS_URI });

  expect(code(await auth.authorize(tokenFor(k1)))).toBe("ok");
  expect(web.calls).toEqual([JWKS_URI]);
});

test("tokens signed by jose verify too", async () => {
  const { auth } = setup();
  const token = await signWithJose(claims({ iat: T, exp: T + 60 }), {
    alg: "RS256",
    privateKey: k1.privateKey,
    kid: k1.kid,
  });

  expect(code(await auth.authorize(token))).toBe("ok");
});

test("an unknown kid refetches once, then waits for the cooldown", async () => {
  // Prepare
  const { web, auth } = setup();
  await auth.authorize(tokenFor(k1));
  expect(web.count(JWKS_URI)).toBe(1);

  // Act: the IdP has not published k2; a token with its kid arrives (after the cooldown).
  clock += 31_000;
  expect(code(await auth.authorize(tokenFor(k2)))).toBe("KEY_NOT_FOUND");
  expect(web.count(JWKS_URI)).toBe(2);

  // Garbage kids within the cooldown do not reach the IdP.
  for (let i = 0; i < 10; i++) {
    expect(code(await auth.authorize(tokenFor(k2, `garbage-${i}`)))).toBe("KEY_NOT_FOUND");
  }
  expect(web.count(JWKS_URI)).toBe(2);

  // Known kids keep working meanwhile, without I/O.
  expect(code(await auth.authorize(tokenFor(k1)))).toBe("ok");
  expect(web.count(JWKS_URI)).toBe(2);
});

test("an IdP key rotation is picked up through the unknown-kid refetch", async () => {
  let published = jwksOf(k1);
  const { web, auth } = setup(() => published);
  expect(code(await auth.authorize(tokenFor(k1)))).toBe("ok");

  published = jwksOf(k1, k2);
  clock += 30_000;

  expect(code(await auth.authorize(tokenFor(k2)))).toBe("ok");
  expect(web.count(JWKS_URI)).toBe(2);
  expect(web.count(DISCOVERY)).toBe(1);
});

test("the key set is refetched after the TTL", async () => {
  const { web, auth } = setup(undefined, { SECRET_CACHE_TTL_SECONDS: "60" });
  await auth.authorize(tokenFor(k1));

  clock += 61_000;
  await auth.authorize(tokenFor(k1));

  expect(web.count(JWKS_URI)).toBe(2);
});

test.each<[string, () => unknown]>([
  [
    "a network error",
    () => {
      throw new TypeError("fetch failed");
    },
  ],
  ["HTTP 500", () => new Response("oops", { status: 500 })],
  ["a non-JSON body", () => new Response("<html>", { status: 200 })],
  ["no keys array", () => ({ nope: [] })],
  ["no usable keys", () => ({ keys: [{ kty: "EC", crv: "P-256", x: "a", y: "b" }] })],
])("JWKS failing with %s: deny, then recover after the backoff", async (_name, failure) => {
  // Prepare
  let broken = true;
  const { web, auth } = setup(() => (broken ? failure() : jwksOf(k1)));

  // Act + Assess: fail closed
  expect(code(await auth.authorize(tokenFor(k1)))).toBe("KEY_SOURCE_UNAVAILABLE");
  clock += 100;
  expect(code(await auth.authorize(tokenFor(k1)))).toBe("KEY_SOURCE_UNAVAILABLE");
  expect(web.count(JWKS_URI)).toBe(1);

  // The IdP is back.
  broken = false;
  clock += 1000;
  expect(code(await auth.authorize(tokenFor(k1)))).toBe("ok");
});

test("discovery failure denies and recovers", async () => {
  let up = false;
  const web = fakeFetch({
    [DISCOVERY]: () => (up ? { jwks_uri: JWKS_URI } : new Response("", { status: 503 })),
    [JWKS_URI]: () => jwksOf(k1),
  });
  const auth = createAuthorizer(readSettings(authorizerEnv("jwks")), { fetch: web.fetch, now });

  expect(code(await auth.authorize(tokenFor(k1)))).toBe("KEY_SOURCE_UNAVAILABLE");
  up = true;
  clock += 1000;
  expect(code(await auth.authorize(tokenFor(k1)))).toBe("ok");
});

test.each([
  ["no jwks_uri", {}],
  ["a non-http jwks_uri", { jwks_uri: "file:///etc/passwd" }],
])("a discovery document with %s fails closed", async (_name, doc) => {
  const web = fakeFetch({ [DISCOVERY]: () => doc });
  const auth = createAuthorizer(readSettings(authorizerEnv("jwks")), { fetch: web.fetch, now });

  expect(code(await auth.authorize(tokenFor(k1)))).toBe("KEY_SOURCE_UNAVAILABLE");
});

test("an oversize JWKS response is refused, whatever Content-Length says", async () => {
  const huge = JSON.stringify({ ...jwksOf(k1), padding: "x".repeat(100_000) });
  const { auth } = setup(() => new Response(huge, { status: 200 }));

  expect(code(await auth.authorize(tokenFor(k1)))).toBe("KEY_SOURCE_UNAVAILABLE");
});

test("a JWKS endpoint that hangs is abandoned after the timeout", async () => {
  // Prepare: a fetch that only ends when its signal aborts.
  const web = fakeFetch({
    [JWKS_URI]: (init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      }),
  });
  const source = createJwksKeySource({
    issuer: TEST_ISSUER,
    jwksUri: JWKS_URI,
    ttlSeconds: 300,
    fetch: web.fetch,
    timeoutMs: 50,
  });

  // Act + Assess
  const started = Date.now();
  await expect(Promise.resolve().then(() => source.getKeys(k1.kid))).rejects.toMatchObject({
    code: "KEY_SOURCE_UNAVAILABLE",
  });
  expect(Date.now() - started).toBeLessThan(1000);
});

describe("key selection", () => {
  test("by default only RSA signing keys for RS256 are kept", () => {
    const ec = { kty: "EC", crv: "P-256", x: "x", y: "y", kid: "ec" };
    const keys = parseJwks({
      keys: [
        { ...k1.publicJwk, kid: "enc", use: "enc" },
        { ...k1.publicJwk, kid: "rs512", alg: "RS512" },
        ec,
        { ...k1.publicJwk, kid: "good" },
        { ...k2.publicJwk, kid: "no-alg", alg: undefined, use: undefined },
        { ...rsaKey("weak", 1024).publicJwk, kid: "weak" },
        { kty: "RSA", kid: "broken", n: "AQAB", e: "AQAB" },
      ],
    });

    expect([...keys.byKid.keys()].sort()).toEqual(["good", "no-alg"]);
  });

  test("RSA, EC and Ed25519 signing keys are kept, each pinned to its algorithm; others skipped", () => {
    const jwk = (pair: { publicKey: KeyObject }, kid: string) => ({
      ...pair.publicKey.export({ format: "jwk" }),
      kid,
    });
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keys = parseJwks(
      {
        keys: [
          { ...k1.publicJwk, kid: "rsa", alg: undefined },
          jwk(p256, "p256"),
          // A private member must not turn the entry into a private key: only x and y are read.
          { ...p256.privateKey.export({ format: "jwk" }), kid: "p256-with-d" },
          jwk(generateKeyPairSync("ec", { namedCurve: "P-521" }), "p521"),
          jwk(generateKeyPairSync("ed25519"), "ed25519"),
          jwk(generateKeyPairSync("ed448"), "ed448"),
          jwk(generateKeyPairSync("x25519"), "x25519"),
          jwk(generateKeyPairSync("ec", { namedCurve: "secp256k1" }), "secp256k1"),
          { ...jwk(generateKeyPairSync("ec", { namedCurve: "P-384" }), "p384-enc"), use: "enc" },
        ],
      },
      ["RS256", "PS256", "ES256", "ES512", "EdDSA"],
    );

    const pinned = Object.fromEntries(
      [...keys.byKid].map(([kid, entries]) => [kid, entries.map((e) => e.alg)]),
    );
    expect(pinned).toEqual({
      rsa: ["RS256", "PS256"],
      p256: ["ES256"],
      "p256-with-d": ["ES256"],
      p521: ["ES512"],
      ed25519: ["EdDSA"],
    });
    expect(keys.byKid.get("p256-with-d")?.[0].key.type).toBe("public");
    expect(keys.keyCount).toBe(5);
  });

  test("a token without kid is accepted when the set holds exactly one key", async () => {
    const { auth } = setup(() => jwksOf(k1));

    expect(code(await auth.authorize(tokenFor(k1, null)))).toBe("ok");
  });

  test("a token without kid is refused when the set holds several keys", async () => {
    const { auth } = setup(() => jwksOf(k1, k2));

    expect(code(await auth.authorize(tokenFor(k1, null)))).toBe("KEY_NOT_FOUND");
  });

  test("a kid that exists but belongs to another key fails the signature", async () => {
    const { auth } = setup(() => jwksOf(k1, k2));

    expect(code(await auth.authorize(tokenFor(k2, k1.kid)))).toBe("SIGNATURE_INVALID");
  });
});
