/**
 * Several trusted issuers (`issuers`), from stack config through the deployed environment
 * (`authorizerEnvironment` → `readSettings`) to the real authorizer with a fake web: the token's
 * `iss` selects its issuer before any key is used (an unknown `iss` costs no request), each issuer
 * has its own audiences, JWKS cache and kid-refetch cooldown, and the cross-issuer attacks (A's
 * iss with B's key or kid, iss spelled with another case or slash) are refused.
 */
import {
  createAuthorizer,
  readSettings,
  KID_REFETCH_COOLDOWN_MS,
  type AuthResult,
  type Authorizer,
} from "../../functions/commons";
import { authorizerEnvironment } from "../../infra/components/authorizer-function";
import { parseConfig } from "../../infra/config";
import { discoveryUrl, fakeFetch, type FakeFetch } from "../helpers/fetch";
import { rsaKey, testKey, type TestKey } from "../helpers/keys";
import { craftToken, signWithJose } from "../helpers/tokens";

const START = Date.UTC(2030, 0, 1, 12, 0, 0);
let clock = START;
const T = () => Math.floor(clock / 1000);

// A: users (RSA, keys by discovery). B: machines (ES256, an explicit JWKS URL).
const A = "https://users.example.com";
const A_JWKS = "https://users.example.com/.well-known/jwks.json";
const B = "https://machines.example.com/";
const B_JWKS = "https://keys.machines.example.com/jwks.json";
const kA = rsaKey("issuer-a");
const kB = testKey("P-256", "issuer-b");
const kB2 = testKey("P-256", "issuer-b-rotated");
const kBrsa = testKey("RSA", "issuer-b-rsa");

const code = (r: AuthResult): string => (r.ok ? "ok" : r.reason.code);

interface Setup {
  readonly auth: Authorizer;
  readonly web: FakeFetch;
  /** B's published keys; replace to rotate. */
  bKeys: Record<string, unknown>[];
}

function setup(extra: Record<string, string> = {}): Setup {
  const config = parseConfig({
    stackName: "dev",
    values: {
      authMode: "http-lambda",
      issuer: A,
      audiences: JSON.stringify(["web-app"]),
      issuers: JSON.stringify([`${B} aud=orders-api jwks=${B_JWKS} alg=ES256,RS256`]),
      ...extra,
    },
  });
  if (config.authMode === "http-jwt") throw new Error("not a Lambda mode");
  const env = authorizerEnvironment(config.lambda, config.identity) as Record<string, string>;
  const s: Setup = {
    bKeys: [kB.publicJwk, kBrsa.publicJwk],
    web: undefined as unknown as FakeFetch,
    auth: undefined as unknown as Authorizer,
  };
  const web = fakeFetch({
    [discoveryUrl(A)]: () => ({ issuer: A, jwks_uri: A_JWKS }),
    [A_JWKS]: () => ({ keys: [kA.publicJwk] }),
    [B_JWKS]: () => ({ keys: s.bKeys }),
  });
  return Object.assign(s, {
    web,
    auth: createAuthorizer(readSettings(env), { fetch: web.fetch, now: () => clock }),
  });
}

const claims = (iss: string, aud: string, extra: Record<string, unknown> = {}) => ({
  iss,
  aud,
  sub: "caller-1",
  iat: T() - 10,
  exp: T() + 600,
  ...extra,
});

/** A token of A signed by A's key. */
const tokenA = (extra: Record<string, unknown> = {}) =>
  signWithJose(claims(A, "web-app", extra), {
    alg: "RS256",
    privateKey: kA.privateKey,
    kid: kA.kid,
  });
/** A token of B signed by `key` (ES256 for P-256, RS256 for RSA). */
const tokenB = (key: TestKey = kB, extra: Record<string, unknown> = {}) =>
  signWithJose(claims(B, "orders-api", extra), {
    alg: key.kind === "RSA" ? "RS256" : "ES256",
    privateKey: key.privateKey,
    kid: key.kid,
  });

beforeEach(() => {
  clock = START;
});

test("the environment carries every issuer, the single one first", () => {
  const config = parseConfig({
    stackName: "dev",
    values: {
      authMode: "rest-token",
      issuer: A,
      audiences: JSON.stringify(["web-app"]),
      issuers: JSON.stringify([`${B} aud=orders-api jwks=${B_JWKS}`]),
    },
  });
  if (config.authMode === "http-jwt") throw new Error("not a Lambda mode");
  const env = authorizerEnvironment(config.lambda, config.identity) as Record<string, string>;

  expect(JSON.parse(env.ISSUERS)).toEqual([
    { issuer: A, audiences: ["web-app"] },
    { issuer: B, audiences: ["orders-api"], jwksUri: B_JWKS },
  ]);
  expect(env.ISSUER).toBe(A);
  expect(readSettings(env).issuers?.map((i) => i.issuer)).toEqual([A, B]);
});

test("each issuer's tokens are accepted with its own keys and audiences", async () => {
  const s = setup();

  expect(code(await s.auth.authorize(await tokenA()))).toBe("ok");
  expect(code(await s.auth.authorize(await tokenB()))).toBe("ok");
  // B allows RS256 too (alg=ES256,RS256), with its own RSA key.
  expect(code(await s.auth.authorize(await tokenB(kBrsa)))).toBe("ok");
  expect(s.web.calls).toEqual([discoveryUrl(A), A_JWKS, B_JWKS]);
});

test("an audience is checked against the token's own issuer", async () => {
  const s = setup();

  // B's audience on A's token, and A's on B's.
  expect(code(await s.auth.authorize(await tokenA({ aud: "orders-api" })))).toBe(
    "AUDIENCE_MISMATCH",
  );
  const bWithA = await signWithJose(claims(B, "web-app"), {
    alg: "ES256",
    privateKey: kB.privateKey,
    kid: kB.kid,
  });
  expect(code(await s.auth.authorize(bWithA))).toBe("AUDIENCE_MISMATCH");
});

describe("an unknown iss is refused before any key is used", () => {
  test.each([
    ["another issuer", "https://evil.example.com"],
    ["A with a trailing slash", `${A}/`],
    ["B without its trailing slash", B.slice(0, -1)],
    ["A in upper case", A.toUpperCase()],
    ["A with an upper-case host only", "https://USERS.example.com"],
    ["A with a path added", `${A}/tenant`],
    ["no iss at all", undefined],
    ["iss as an array", [A]],
  ])("%s: ISSUER_MISMATCH, 0 JWKS requests", async (_what, iss) => {
    const s = setup();
    const token = await signWithJose(
      { ...claims(A, "web-app"), iss },
      { alg: "RS256", privateKey: kA.privateKey, kid: kA.kid },
    );

    expect(code(await s.auth.authorize(token))).toBe("ISSUER_MISMATCH");
    expect(s.web.calls).toEqual([]);
  });

  test("alg none or HS256 with an unknown iss: refused, still no request", async () => {
    const s = setup();
    const none = craftToken({ alg: "none" }, claims("https://evil.example.com", "web-app"), {
      none: true,
    });
    const hs = craftToken({ alg: "HS256", kid: kA.kid }, claims(A, "web-app"), {
      hmacKey: kA.publicPem,
    });

    expect(code(await s.auth.authorize(none))).toBe("ISSUER_MISMATCH");
    expect(code(await s.auth.authorize(hs))).toBe("ALG_NOT_ALLOWED");
    expect(s.web.calls).toEqual([]);
  });
});

describe("cross-issuer attacks", () => {
  test("A's iss signed with B's key under B's kid: only A's keys are consulted", async () => {
    const s = setup();
    await s.auth.authorize(await tokenA()); // A's set is fresh
    const token = await signWithJose(claims(A, "web-app"), {
      alg: "ES256",
      privateKey: kB.privateKey,
      kid: kB.kid,
    });

    expect(code(await s.auth.authorize(token))).toBe("KEY_NOT_FOUND");
    expect(s.web.count(B_JWKS)).toBe(0);
  });

  test("A's iss signed with B's RSA key under A's kid: the signature fails", async () => {
    const s = setup();
    const token = await signWithJose(claims(A, "web-app"), {
      alg: "RS256",
      privateKey: kBrsa.privateKey,
      kid: kA.kid,
    });

    expect(code(await s.auth.authorize(token))).toBe("SIGNATURE_INVALID");
  });

  test("B's iss signed with A's key under A's kid: not in B's set", async () => {
    const s = setup();
    const token = await signWithJose(claims(B, "orders-api"), {
      alg: "RS256",
      privateKey: kA.privateKey,
      kid: kA.kid,
    });

    expect(code(await s.auth.authorize(token))).toBe("KEY_NOT_FOUND");
    expect(s.web.count(A_JWKS)).toBe(0);
  });

  test("an algorithm B allows but A does not is refused for A's iss", async () => {
    const s = setup({ tokenAlgorithms: JSON.stringify(["RS256"]) });
    const token = await signWithJose(claims(A, "web-app"), {
      alg: "ES256",
      privateKey: kB.privateKey,
      kid: kB.kid,
    });

    expect(code(await s.auth.authorize(token))).toBe("ALG_NOT_ALLOWED");
    expect(s.web.calls).toEqual([]);
  });
});

describe("each issuer's JWKS is cached and rate-limited on its own", () => {
  test("unknown kids sent for A do not stop B's refetch after B rotates", async () => {
    const s = setup();
    await s.auth.authorize(await tokenA());
    await s.auth.authorize(await tokenB());
    expect([s.web.count(A_JWKS), s.web.count(B_JWKS)]).toEqual([1, 1]);

    // After A's cooldown, an attacker sends A-tokens with made-up kids: one refetch of A at most.
    clock += KID_REFETCH_COOLDOWN_MS;
    for (let i = 0; i < 20; i++) {
      const forged = await signWithJose(claims(A, "web-app"), {
        alg: "RS256",
        privateKey: kA.privateKey,
        kid: `made-up-${i}`,
      });
      expect(code(await s.auth.authorize(forged))).toBe("KEY_NOT_FOUND");
    }
    expect(s.web.count(A_JWKS)).toBe(2);

    // B rotates while A is cooling down: B's new kid still refetches B's set at once.
    s.bKeys = [kB2.publicJwk];
    expect(code(await s.auth.authorize(await tokenB(kB2)))).toBe("ok");
    expect(s.web.count(B_JWKS)).toBe(2);
    // And A's cooldown is untouched by B's fetch.
    const another = await signWithJose(claims(A, "web-app"), {
      alg: "RS256",
      privateKey: kA.privateKey,
      kid: "made-up-again",
    });
    expect(code(await s.auth.authorize(another))).toBe("KEY_NOT_FOUND");
    expect(s.web.count(A_JWKS)).toBe(2);
  });

  test("one issuer's JWKS outage leaves the other working (fail closed for the one)", async () => {
    const s = setup();
    s.web.routes.set(B_JWKS, () => {
      throw new Error("connection refused");
    });

    expect(code(await s.auth.authorize(await tokenB()))).toBe("KEY_SOURCE_UNAVAILABLE");
    expect(code(await s.auth.authorize(await tokenA()))).toBe("ok");
  });

  test("the warm path is synchronous: a cached issuer answers without awaiting I/O", async () => {
    const s = setup();
    await s.auth.authorize(await tokenB());
    const token = await tokenB();
    const calls = s.web.calls.length;

    const result = await s.auth.authorize(token);

    expect(code(result)).toBe("ok");
    expect(s.web.calls.length).toBe(calls);
  });
});

test("a Cognito issuer in the list gets Cognito's client_id and token_use rules", async () => {
  const cognito = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Machines";
  const config = parseConfig({
    stackName: "dev",
    values: {
      authMode: "http-lambda",
      issuer: A,
      audiences: JSON.stringify(["web-app"]),
      issuers: JSON.stringify([`${cognito} aud=machine-client`]),
    },
  });
  if (config.authMode === "http-jwt") throw new Error("not a Lambda mode");
  const env = authorizerEnvironment(config.lambda, config.identity) as Record<string, string>;
  const jwks = `${cognito}/keys`;
  const web = fakeFetch({
    [discoveryUrl(cognito)]: () => ({ issuer: cognito, jwks_uri: jwks }),
    [jwks]: () => ({ keys: [kBrsa.publicJwk] }),
  });
  const auth = createAuthorizer(readSettings(env), { fetch: web.fetch, now: () => clock });
  const sign = (c: Record<string, unknown>) =>
    signWithJose(c, { alg: "RS256", privateKey: kBrsa.privateKey, kid: kBrsa.kid });
  const machine = { iss: cognito, sub: "machine", iat: T() - 5, exp: T() + 600 };

  expect(
    code(
      await auth.authorize(
        await sign({ ...machine, client_id: "machine-client", token_use: "access" }),
      ),
    ),
  ).toBe("ok");
  expect(
    code(
      await auth.authorize(
        await sign({ ...machine, client_id: "machine-client", token_use: "id" }),
      ),
    ),
  ).toBe("ok");
  expect(code(await auth.authorize(await sign({ ...machine, client_id: "machine-client" })))).toBe(
    "TOKEN_USE_INVALID",
  );
  // A is not Cognito: client_id does not stand in for its aud.
  expect(
    code(
      await auth.authorize(
        await signWithJose(
          { iss: A, client_id: "web-app", sub: "u", iat: T() - 5, exp: T() + 600 },
          { alg: "RS256", privateKey: kA.privateKey, kid: kA.kid },
        ),
      ),
    ),
  ).toBe("AUDIENCE_MISMATCH");
});
