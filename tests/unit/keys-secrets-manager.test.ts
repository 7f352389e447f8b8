/**
 * The Secrets Manager key source through the real client (clients/secrets-manager.ts) against a
 * fake Secrets Manager endpoint on 127.0.0.1 (tests/helpers/secrets-manager.ts): cold read, caching, TTL refresh, rotation (AWSPREVIOUS), fail closed and
 * recovery. The clock is injected, so no test waits.
 */
import {
  createAuthorizer,
  createSecretsManagerKeySource,
  readSettings,
  type AuthResult,
  type Authorizer,
} from "../../functions/commons";
import { createSecretsManagerClient } from "../../functions/commons/clients/secrets-manager";
import { authorizerEnv, TEST_SECRET_ID } from "../helpers/env";
import { HS256_SECRET, HS256_SECRET_ROTATED, rsaKey } from "../helpers/keys";
import {
  getSecretCalls,
  useFakeSecretsManager,
  serviceError,
  setSecretStages,
} from "../helpers/secrets-manager";
import { claims, signWithJsonwebtoken } from "../helpers/tokens";

const sm = useFakeSecretsManager();
const START = Date.UTC(2030, 0, 1);
let clock = START;
const now = () => clock;
const TTL = 300;

const hs = (secret: string) =>
  signWithJsonwebtoken(
    claims({ iat: Math.floor(START / 1000), exp: Math.floor(START / 1000) + 86400 }),
    { alg: "HS256", secret },
  );

function makeAuthorizer(mode: "secret" | "public-key" = "secret"): Authorizer {
  return createAuthorizer(
    readSettings(authorizerEnv(mode, { SECRET_CACHE_TTL_SECONDS: String(TTL) })),
    { secretsManager: createSecretsManagerClient(), now },
  );
}

function code(result: AuthResult): string {
  return result.ok ? "ok" : result.reason.code;
}

beforeEach(() => {
  sm.reset();
  clock = START;
});

test("cold start reads AWSCURRENT and AWSPREVIOUS once, then serves from cache", async () => {
  // Prepare
  setSecretStages(sm, { current: HS256_SECRET });
  const auth = makeAuthorizer();
  const token = hs(HS256_SECRET);

  // Act
  const results = [];
  for (let i = 0; i < 50; i++) results.push(await auth.authorize(token));

  // Assess
  expect(results.map(code)).toEqual(Array(50).fill("ok"));
  expect(getSecretCalls(sm, "AWSCURRENT")).toBe(1);
  expect(getSecretCalls(sm, "AWSPREVIOUS")).toBe(1);
  expect(sm.calls.map((c) => c.input)).toEqual(
    expect.arrayContaining([
      { SecretId: TEST_SECRET_ID, VersionStage: "AWSCURRENT" },
      { SecretId: TEST_SECRET_ID, VersionStage: "AWSPREVIOUS" },
    ]),
  );
});

test("concurrent cold requests share one read", async () => {
  setSecretStages(sm, { current: HS256_SECRET });
  const auth = makeAuthorizer();
  const token = hs(HS256_SECRET);

  const results = await Promise.all(Array.from({ length: 20 }, () => auth.authorize(token)));

  expect(results.every((r) => r.ok)).toBe(true);
  expect(getSecretCalls(sm, "AWSCURRENT")).toBe(1);
});

test("the warm path is synchronous: getKeys returns an array, not a Promise", async () => {
  setSecretStages(sm, { current: HS256_SECRET });
  const source = createSecretsManagerKeySource({
    kind: "secret",
    secretId: TEST_SECRET_ID,
    ttlSeconds: TTL,
    client: createSecretsManagerClient(),
    now,
  });

  const cold = source.getKeys(undefined);
  expect(cold).toBeInstanceOf(Promise);
  await cold;
  const warm = source.getKeys(undefined);

  expect(Array.isArray(warm)).toBe(true);
});

test("the cache is refreshed after the TTL", async () => {
  setSecretStages(sm, { current: HS256_SECRET });
  const auth = makeAuthorizer();
  await auth.authorize(hs(HS256_SECRET));

  clock += (TTL - 1) * 1000;
  await auth.authorize(hs(HS256_SECRET));
  expect(getSecretCalls(sm, "AWSCURRENT")).toBe(1);

  clock += 2000;
  await auth.authorize(hs(HS256_SECRET));
  expect(getSecretCalls(sm, "AWSCURRENT")).toBe(2);
});

test("rotation: tokens signed with AWSPREVIOUS and the new AWSCURRENT both verify", async () => {
  // Prepare: before rotation
  setSecretStages(sm, { current: HS256_SECRET });
  const auth = makeAuthorizer();
  const oldToken = hs(HS256_SECRET);
  const newToken = hs(HS256_SECRET_ROTATED);
  expect(code(await auth.authorize(oldToken))).toBe("ok");
  expect(code(await auth.authorize(newToken))).toBe("SIGNATURE_INVALID");

  // Act: the secret rotates; the TTL passes
  sm.reset();
  setSecretStages(sm, { current: HS256_SECRET_ROTATED, previous: HS256_SECRET });
  clock += (TTL + 1) * 1000;

  // Assess
  expect(code(await auth.authorize(newToken))).toBe("ok");
  expect(code(await auth.authorize(oldToken))).toBe("ok");

  // And once the previous version is gone, old tokens stop verifying.
  sm.reset();
  setSecretStages(sm, { current: HS256_SECRET_ROTATED });
  clock += (TTL + 1) * 1000;
  expect(code(await auth.authorize(oldToken))).toBe("SIGNATURE_INVALID");
  expect(code(await auth.authorize(newToken))).toBe("ok");
});

test("a transient AWSPREVIOUS failure keeps the last known previous key", async () => {
  setSecretStages(sm, { current: HS256_SECRET_ROTATED, previous: HS256_SECRET });
  const auth = makeAuthorizer();
  expect(code(await auth.authorize(hs(HS256_SECRET)))).toBe("ok");

  sm.reset();
  setSecretStages(sm, { current: HS256_SECRET_ROTATED, previous: serviceError() });
  clock += (TTL + 1) * 1000;

  expect(code(await auth.authorize(hs(HS256_SECRET)))).toBe("ok");
});

test("Secrets Manager down at cold start: deny without throwing, back off, then recover", async () => {
  // Prepare
  setSecretStages(sm, { current: serviceError() });
  const auth = makeAuthorizer();
  const token = hs(HS256_SECRET);

  // Act + Assess: fail closed
  await expect(auth.authorize(token)).resolves.toMatchObject({
    ok: false,
    reason: { code: "KEY_SOURCE_UNAVAILABLE" },
  });
  expect(getSecretCalls(sm, "AWSCURRENT")).toBe(1);

  // During the backoff, requests are denied without hammering Secrets Manager.
  clock += 500;
  expect(code(await auth.authorize(token))).toBe("KEY_SOURCE_UNAVAILABLE");
  expect(getSecretCalls(sm, "AWSCURRENT")).toBe(1);

  // Secrets Manager comes back: the next request after the backoff recovers by itself.
  sm.reset();
  setSecretStages(sm, { current: HS256_SECRET });
  clock += 1000;
  expect(code(await auth.authorize(token))).toBe("ok");
  expect(getSecretCalls(sm, "AWSCURRENT")).toBe(1);
});

test("a failed refresh after the TTL fails closed, then recovers", async () => {
  setSecretStages(sm, { current: HS256_SECRET });
  const auth = makeAuthorizer();
  const token = hs(HS256_SECRET);
  expect(code(await auth.authorize(token))).toBe("ok");

  sm.reset();
  setSecretStages(sm, { current: serviceError() });
  clock += (TTL + 1) * 1000;
  expect(code(await auth.authorize(token))).toBe("KEY_SOURCE_UNAVAILABLE");

  sm.reset();
  setSecretStages(sm, { current: HS256_SECRET });
  clock += 10_000;
  expect(code(await auth.authorize(token))).toBe("ok");
});

test("the backoff grows with repeated failures and is capped", async () => {
  setSecretStages(sm, { current: serviceError() });
  const auth = makeAuthorizer();
  const token = hs(HS256_SECRET);

  const attemptsAt: number[] = [];
  for (let t = 0; t <= 40_000; t += 250) {
    clock = START + t;
    const before = getSecretCalls(sm, "AWSCURRENT");
    await auth.authorize(token);
    if (getSecretCalls(sm, "AWSCURRENT") > before) attemptsAt.push(t);
  }

  const gaps = attemptsAt.slice(1).map((t, i) => t - attemptsAt[i]);
  expect(gaps.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
  expect(Math.max(...gaps)).toBe(10_000);
});

test.each<[string, string]>([
  ["not a PEM", "this is not a key"],
  ["an EC key on secp256k1 (no JWS algorithm here)", "secp256k1"],
  ["an Ed448 key (refused explicitly)", "ed448"],
  ["an X25519 key (key agreement, not signatures)", "x25519"],
  ["a 1024-bit RSA key", "rsa1024"],
])("a public-key secret holding %s fails closed", async (_name, kind) => {
  const { generateKeyPairSync } = await import("node:crypto");
  const spki = (k: import("node:crypto").KeyObject) =>
    k.export({ type: "spki", format: "pem" }).toString();
  const value =
    kind === "secp256k1"
      ? spki(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey)
      : kind === "ed448"
        ? spki(generateKeyPairSync("ed448").publicKey)
        : kind === "x25519"
          ? spki(generateKeyPairSync("x25519").publicKey)
          : kind === "rsa1024"
            ? rsaKey("weak", 1024).publicPem
            : kind;
  setSecretStages(sm, { current: value });
  const auth = makeAuthorizer("public-key");
  // Valid claims at the injected clock: only the key can be what fails.
  const token = signWithJsonwebtoken(
    claims({ iat: Math.floor(START / 1000), exp: Math.floor(START / 1000) + 60 }),
    {
      alg: "RS256",
      privateKey: rsaKey("primary").privateKey,
    },
  );

  expect(code(await auth.authorize(token))).toBe("KEY_SOURCE_UNAVAILABLE");
});

test("a public-key secret verifies RS256 tokens", async () => {
  const key = rsaKey("primary");
  setSecretStages(sm, { current: key.publicPem });
  const auth = makeAuthorizer("public-key");
  const token = signWithJsonwebtoken(
    claims({ iat: Math.floor(START / 1000), exp: Math.floor(START / 1000) + 60 }),
    { alg: "RS256", privateKey: key.privateKey },
  );

  expect(code(await auth.authorize(token))).toBe("ok");
});

test("SecretBinary is accepted as HS256 key bytes", async () => {
  setSecretStages(sm, { current: { binary: new Uint8Array(Buffer.from(HS256_SECRET)) } });
  const auth = makeAuthorizer();

  expect(code(await auth.authorize(hs(HS256_SECRET)))).toBe("ok");
});
