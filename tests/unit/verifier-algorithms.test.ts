/**
 * Every asymmetric algorithm (RS256/384/512, PS256/384/512, ES256/384/512, EdDSA) through
 * `createAuthorizer` with both asymmetric key sources: a PEM from Secrets Manager (the real client
 * against the fake endpoint on 127.0.0.1) and the issuer's JWKS (fake fetch). Real keys from
 * node:crypto; honest tokens from `jose` and, where it implements the algorithm, `jsonwebtoken`;
 * hostile tokens by hand. The attack tests of verifier.test.ts run against each algorithm, then
 * the ways one algorithm or key could be passed off as another: family, curve, JWK `alg`, DER
 * signatures, Ed448.
 */
import {
  constants,
  verify as cryptoVerify,
  type KeyObject,
  type VerifyKeyObjectInput,
  type VerifyPublicKeyInput,
} from "node:crypto";

import {
  ASYMMETRIC_ALGORITHMS,
  createAuthorizer,
  readSettings,
  type AsymmetricAlgorithm,
  type AuthResult,
  type Authorizer,
} from "../../functions/commons";
import { createSecretsManagerClient } from "../../functions/commons/clients/secrets-manager";
import { authorizerEnv } from "../helpers/env";
import { discoveryUrl, fakeFetch } from "../helpers/fetch";
import { HS256_SECRET, testKey, type KeyKind, type TestKey } from "../helpers/keys";
import { setSecretStages, useFakeSecretsManager } from "../helpers/secrets-manager";
import {
  JSONWEBTOKEN_SIGNS,
  SIGNING_LIBRARIES,
  TEST_ISSUER,
  claims,
  craftToken,
  signWithJose,
} from "../helpers/tokens";

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const now = () => NOW;
const T = Math.floor(NOW / 1000);
const JWKS_URI = "https://issuer.test.example/jwks.json";
const sm = useFakeSecretsManager();

/** Each algorithm and the key kind that verifies it (RFC 7518 §3.1, RFC 8037 §3.1). */
const ALGS: [AsymmetricAlgorithm, KeyKind][] = [
  ["RS256", "RSA"],
  ["RS384", "RSA"],
  ["RS512", "RSA"],
  ["PS256", "RSA"],
  ["PS384", "RSA"],
  ["PS512", "RSA"],
  ["ES256", "P-256"],
  ["ES384", "P-384"],
  ["ES512", "P-521"],
  ["EdDSA", "Ed25519"],
];
const KIND_OF = Object.fromEntries(ALGS) as Record<AsymmetricAlgorithm, KeyKind>;

type Source = "public-key" | "jwks";
const SOURCES: Source[] = ["public-key", "jwks"];

/** Claims valid at NOW. */
const valid = (overrides: Record<string, unknown> = {}) =>
  claims({ iat: T - 10, exp: T + 600, ...overrides });

const code = (r: AuthResult): string => (r.ok ? "ok" : r.reason.code);

/**
 * An authorizer over `source` holding `key` (and, for jwks, `others` too). `algorithms` becomes
 * TOKEN_ALGORITHMS (undefined: unset, the per-key-type default); `jwkAlg` is the JWK's `alg`.
 */
function makeAuthorizer(
  source: Source,
  key: TestKey,
  opts: {
    algorithms?: readonly string[];
    jwkAlg?: string;
    others?: readonly Record<string, unknown>[];
  } = {},
): Authorizer {
  const jwk = opts.jwkAlg === undefined ? key.publicJwk : { ...key.publicJwk, alg: opts.jwkAlg };
  const web = fakeFetch({
    [discoveryUrl(TEST_ISSUER)]: () => ({ issuer: TEST_ISSUER, jwks_uri: JWKS_URI }),
    [JWKS_URI]: () => ({ keys: [jwk, ...(opts.others ?? [])] }),
  });
  if (source === "public-key") setSecretStages(sm, { current: key.publicPem });
  const env = authorizerEnv(source, {
    TOKEN_ALGORITHMS: opts.algorithms && JSON.stringify(opts.algorithms),
  });
  return createAuthorizer(readSettings(env), {
    secretsManager: createSecretsManagerClient(),
    fetch: web.fetch,
    now,
  });
}

/** The digest an algorithm signs with (null: EdDSA, which hashes internally). */
function hashOf(alg: string): string | null {
  return alg === "EdDSA" ? null : `sha${alg.slice(2)}`;
}

/**
 * A token whose header says `headerAlg`, signed with `key` the way `headerAlg` would be if `key`
 * could mean it: `headerAlg`'s digest, PSS for PS*, R||S for ECDSA. The header is the only lie, so
 * a verifier that takes the hash from the header and the key from `kid` accepts it.
 */
function swapped(headerAlg: string, key: TestKey, kid = key.kid): string {
  const header = { alg: headerAlg, typ: "JWT", kid };
  const ed = key.kind === "Ed25519" || key.kind === "Ed448";
  return craftToken(header, valid(), {
    key: key.privateKey,
    hash: ed ? null : (hashOf(headerAlg) ?? "sha256"),
    pss: key.kind === "RSA" && headerAlg.startsWith("PS"),
  });
}

/**
 * The broken shape this file guards against: the algorithm's digest (and padding, encoding) taken
 * from the token's header, the key from its `kid`, and no pinning of one to the other. It accepts
 * every `swapped` token; the tests below show ours does not.
 */
function naiveVerify(token: string, publicKey: KeyObject): boolean {
  const [h, p, s] = token.split(".");
  const alg = (JSON.parse(Buffer.from(h, "base64url").toString()) as { alg: string }).alg;
  const key: VerifyKeyObjectInput | VerifyPublicKeyInput = alg.startsWith("PS")
    ? {
        key: publicKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      }
    : { key: publicKey, dsaEncoding: "ieee-p1363" };
  const ed = publicKey.asymmetricKeyType === "ed25519";
  try {
    return cryptoVerify(
      ed ? null : (hashOf(alg) ?? "sha256"),
      Buffer.from(`${h}.${p}`),
      key,
      Buffer.from(s, "base64url"),
    );
  } catch {
    return false;
  }
}

beforeEach(() => {
  sm.reset();
});

describe.each(ALGS)("%s (%s key)", (alg, kind) => {
  const primary = testKey(kind, "primary");
  const attacker = testKey(kind, "attacker");
  // RS384 and the PS algorithms are not an RSA key's default: the stack allows them explicitly.
  const algorithms = [alg];
  const libraries = SIGNING_LIBRARIES.filter(([lib]) => lib === "jose" || JSONWEBTOKEN_SIGNS(alg));
  const signer = (key: TestKey = primary, kid: string = key.kid) =>
    ({ alg, privateKey: key.privateKey, kid }) as const;

  describe.each(SOURCES)("from %s", (source) => {
    test.each(libraries)("a valid token signed by %s is accepted", async (_lib, sign) => {
      // Prepare
      const auth = makeAuthorizer(source, primary, { algorithms });
      const token = await sign(valid(), signer());

      // Act
      const result = await auth.authorize(token);

      // Assess
      expect(result).toEqual({
        ok: true,
        claims: expect.objectContaining({ customer_id: "cust-42" }),
        identity: { customerId: "cust-42", customerName: "Acme Corp", extra: {} },
      });
    });

    test.each(libraries)("a token signed by %s with another key is refused", async (_l, sign) => {
      const auth = makeAuthorizer(source, primary, { algorithms });
      // The attacker signs with their own key but names ours.
      const token = await sign(valid(), signer(attacker, primary.kid));

      expect(code(await auth.authorize(token))).toBe("SIGNATURE_INVALID");
    });

    test("a tampered payload fails the signature", async () => {
      const auth = makeAuthorizer(source, primary, { algorithms });
      const [h, , s] = (await signWithJose(valid(), signer())).split(".");
      const forged = `${h}.${Buffer.from(JSON.stringify(valid({ customer_id: "other" }))).toString("base64url")}.${s}`;

      expect(code(await auth.authorize(forged))).toBe("SIGNATURE_INVALID");
    });

    test.each<[string, Record<string, unknown>, string]>([
      ["expired", { exp: T - 60 }, "TOKEN_EXPIRED"],
      ["no exp", { exp: undefined }, "TOKEN_EXPIRED"],
      ["not yet valid", { nbf: T + 60 }, "TOKEN_NOT_YET_VALID"],
      ["issued in the future", { iat: T + 60 }, "TOKEN_ISSUED_IN_FUTURE"],
      ["wrong issuer", { iss: "https://evil.example" }, "ISSUER_MISMATCH"],
      ["wrong audience", { aud: "someone-else" }, "AUDIENCE_MISMATCH"],
      ["identity claim with CR/LF", { customer_id: "c\r\nX-Admin: 1" }, "IDENTITY_CLAIM_INVALID"],
      ["identity claim beyond 2^53", { customer_id: 2 ** 53 + 2 }, "IDENTITY_CLAIM_INVALID"],
    ])("claims: %s is refused", async (_name, overrides, expected) => {
      const auth = makeAuthorizer(source, primary, { algorithms });
      const payload = Object.fromEntries(
        Object.entries(valid(overrides)).filter(([, v]) => v !== undefined),
      );

      expect(code(await auth.authorize(await signWithJose(payload, signer())))).toBe(expected);
    });

    test("alg none is refused", async () => {
      const auth = makeAuthorizer(source, primary, { algorithms });
      const token = craftToken({ alg: "none", kid: primary.kid }, valid(), { none: true });

      expect(code(await auth.authorize(token))).toBe("ALG_NOT_ALLOWED");
    });

    test.each([
      ["the PEM", () => primary.publicPem],
      ["the JWK's JSON", () => JSON.stringify(primary.publicJwk)],
    ])("HS256 keyed with %s (key confusion) is refused", async (_what, material) => {
      const auth = makeAuthorizer(source, primary, { algorithms });
      const token = craftToken({ alg: "HS256", kid: primary.kid }, valid(), {
        hmacKey: material(),
      });

      expect(code(await auth.authorize(token))).toBe("ALG_NOT_ALLOWED");
    });

    test("embedded jwk, jku, x5u and x5c headers with the attacker's key are ignored", async () => {
      // Prepare: signed by the attacker, who also ships the matching public key in the header.
      const web = fakeFetch({ [JWKS_URI]: () => ({ keys: [primary.publicJwk] }) });
      const TOKEN_ALGORITHMS = JSON.stringify(algorithms);
      const auth =
        source === "jwks"
          ? createAuthorizer(readSettings(authorizerEnv("jwks", { JWKS_URI, TOKEN_ALGORITHMS })), {
              fetch: web.fetch,
              now,
            })
          : makeAuthorizer(source, primary, { algorithms });
      const header = {
        jwk: attacker.publicJwk,
        jku: "https://evil.example/jwks.json",
        x5u: "https://evil.example/cert.pem",
        x5c: ["MIIB"],
      };
      const token = await signWithJose(valid(), { ...signer(attacker, primary.kid), header });

      // Act + Assess: the key source's key decides, and nothing named in the header is fetched.
      expect(code(await auth.authorize(token))).toBe("SIGNATURE_INVALID");
      if (source === "jwks") expect(web.calls).toEqual([JWKS_URI]);
    });

    test.each(ASYMMETRIC_ALGORITHMS.filter((other) => other !== alg))(
      "an alg swap to %s is refused, though the naive shape accepts it",
      async (other) => {
        // Prepare: every algorithm but those of this key's type allowed, so only the key's own
        // pinning stands between the token and a verification with the wrong algorithm.
        const allowed = ASYMMETRIC_ALGORITHMS.filter((x) => x === alg || KIND_OF[x] !== kind);
        const auth = makeAuthorizer(source, primary, { algorithms: allowed });
        const token = swapped(other, primary);

        // Act + Assess
        expect(code(await auth.authorize(token))).toBe("ALG_NOT_ALLOWED");
        // The same token passes a verifier that trusts the header, whenever this key can produce
        // that algorithm's signature (same family or another curve's digest): the shape this
        // test exists to catch.
        const sameFamily =
          (kind === "RSA" && /^(RS|PS)/.test(other)) ||
          (kind.startsWith("P-") && other.startsWith("ES"));
        if (sameFamily) expect(naiveVerify(token, primary.publicKey)).toBe(true);
      },
    );

    if (source === "jwks") {
      test("kid selects the key: another key's kid fails the signature, an unknown kid finds none", async () => {
        const auth = makeAuthorizer(source, primary, {
          algorithms,
          others: [attacker.publicJwk],
        });

        expect(code(await auth.authorize(await signWithJose(valid(), signer())))).toBe("ok");
        const mislabelled = await signWithJose(valid(), signer(attacker, primary.kid));
        expect(code(await auth.authorize(mislabelled))).toBe("SIGNATURE_INVALID");
        const unknown = await signWithJose(valid(), signer(primary, "no-such-kid"));
        expect(code(await auth.authorize(unknown))).toBe("KEY_NOT_FOUND");
      });

      test("a JWK whose alg member names the token's algorithm verifies it", async () => {
        const auth = makeAuthorizer(source, primary, { algorithms, jwkAlg: alg });

        expect(code(await auth.authorize(await signWithJose(valid(), signer())))).toBe("ok");
      });
    }
  });
});

describe("pinning across families and curves", () => {
  const rsa = testKey("RSA", "primary");
  const p256 = testKey("P-256", "primary");
  const p384 = testKey("P-384", "primary");
  const p521 = testKey("P-521", "primary");
  const ed = testKey("Ed25519", "primary");
  const ALL = [...ASYMMETRIC_ALGORITHMS];

  test.each<[string, TestKey, string]>([
    ["an ES256 token against an RSA key", rsa, "ES256"],
    ["an EdDSA token against an RSA key", rsa, "EdDSA"],
    ["an ES256 token against a P-384 key", p384, "ES256"],
    ["an ES512 token against a P-384 key", p384, "ES512"],
    ["an ES256 token against a P-521 key", p521, "ES256"],
    ["an ES384 token against a P-256 key", p256, "ES384"],
    ["an RS256 token against a P-256 key", p256, "RS256"],
    ["an ES256 token against an Ed25519 key", ed, "ES256"],
    ["an RS256 token against an Ed25519 key", ed, "RS256"],
  ])("%s is refused (every algorithm allowed)", async (_name, key, headerAlg) => {
    for (const source of SOURCES) {
      const auth = makeAuthorizer(source, key, { algorithms: ALL });
      expect(code(await auth.authorize(swapped(headerAlg, key)))).toBe("ALG_NOT_ALLOWED");
    }
  });

  test("in a JWKS mixing RSA, EC and OKP keys, each kid verifies only its own algorithm", async () => {
    // Prepare
    const auth = makeAuthorizer("jwks", rsa, {
      algorithms: ALL,
      others: [p256.publicJwk, p384.publicJwk, ed.publicJwk],
    });
    const sign = (alg: AsymmetricAlgorithm, key: TestKey, kid = key.kid) =>
      signWithJose(valid(), { alg, privateKey: key.privateKey, kid });

    // Act + Assess: each key for its own algorithm…
    expect(code(await auth.authorize(await sign("RS256", rsa)))).toBe("ok");
    expect(code(await auth.authorize(await sign("PS512", rsa)))).toBe("ok");
    expect(code(await auth.authorize(await sign("ES256", p256)))).toBe("ok");
    expect(code(await auth.authorize(await sign("ES384", p384)))).toBe("ok");
    expect(code(await auth.authorize(await sign("EdDSA", ed)))).toBe("ok");
    // …and a token naming another key's kid never reaches a verification with the wrong key type.
    expect(code(await auth.authorize(await sign("ES256", p256, rsa.kid)))).toBe("ALG_NOT_ALLOWED");
    expect(code(await auth.authorize(await sign("ES256", p256, p384.kid)))).toBe("ALG_NOT_ALLOWED");
    expect(code(await auth.authorize(await sign("EdDSA", ed, p256.kid)))).toBe("ALG_NOT_ALLOWED");
  });

  test.each<[string, TestKey, AsymmetricAlgorithm[], string, AsymmetricAlgorithm]>([
    ["RSA JWK for RS256, PS256 token", rsa, ["RS256", "PS256"], "RS256", "PS256"],
    ["RSA JWK for RS512, RS256 token", rsa, ["RS256", "RS512"], "RS512", "RS256"],
    ["P-384 JWK for ES384, ES256 token", p384, ALL, "ES384", "ES256"],
  ])(
    "a JWK whose alg member disagrees with the token is refused: %s",
    async (_n, key, algs, jwkAlg, alg) => {
      const auth = makeAuthorizer("jwks", key, { algorithms: algs, jwkAlg });

      expect(code(await auth.authorize(swapped(alg, key)))).toBe("ALG_NOT_ALLOWED");
    },
  );

  test.each<[string, TestKey, string, AsymmetricAlgorithm]>([
    ["a P-256 JWK that says ES384", p256, "ES384", "ES256"],
    ["an Ed25519 JWK that says ES256", ed, "ES256", "EdDSA"],
    ["an RSA JWK that says ES256", rsa, "ES256", "RS256"],
    ["a P-256 JWK that says none", p256, "none", "ES256"],
  ])("%s is not a key at all (its alg contradicts its type)", async (_n, key, jwkAlg, alg) => {
    // A second, usable key keeps the set valid: the contradicting one is simply absent.
    const auth = makeAuthorizer("jwks", key, {
      algorithms: ALL,
      jwkAlg,
      others: [testKey("RSA", "other").publicJwk],
    });
    const token = await signWithJose(valid(), { alg, privateKey: key.privateKey, kid: key.kid });

    expect(code(await auth.authorize(token))).toBe("KEY_NOT_FOUND");
  });

  test.each<[AsymmetricAlgorithm, TestKey]>([
    ["ES256", p256],
    ["ES384", p384],
    ["ES512", p521],
  ])("%s: a DER-encoded signature is refused (JWS uses R||S)", async (alg, key) => {
    // Prepare: the same signature OpenSSL gives by default, which is genuine…
    const token = craftToken({ alg, kid: key.kid }, valid(), {
      key: key.privateKey,
      hash: hashOf(alg),
      dsaEncoding: "der",
    });
    const [h, p, s] = token.split(".");
    expect(
      cryptoVerify(
        hashOf(alg),
        Buffer.from(`${h}.${p}`),
        key.publicKey,
        Buffer.from(s, "base64url"),
      ),
    ).toBe(true);

    // …but not a JWS signature (RFC 7518 §3.4).
    for (const source of SOURCES) {
      const auth = makeAuthorizer(source, key);
      expect(code(await auth.authorize(token))).toBe("SIGNATURE_INVALID");
    }
  });

  test.each<[string, TestKey, AsymmetricAlgorithm, string]>([
    ["RSA → RS256 only", rsa, "RS384", "ALG_NOT_ALLOWED"],
    ["RSA → no PS256", rsa, "PS256", "ALG_NOT_ALLOWED"],
    ["RSA → RS256", rsa, "RS256", "ok"],
    ["P-256 → ES256", p256, "ES256", "ok"],
    ["P-384 → ES384", p384, "ES384", "ok"],
    ["P-521 → ES512", p521, "ES512", "ok"],
    ["Ed25519 → EdDSA", ed, "EdDSA", "ok"],
  ])("without tokenAlgorithms, one algorithm per key type: %s", async (_n, key, alg, expected) => {
    const token = await signWithJose(valid(), { alg, privateKey: key.privateKey, kid: key.kid });

    for (const source of SOURCES) {
      expect(code(await makeAuthorizer(source, key).authorize(token))).toBe(expected);
    }
  });

  test("an allowed list that leaves out the token's algorithm refuses it before any key is read", async () => {
    const auth = makeAuthorizer("public-key", p256, { algorithms: ["RS256"] });
    const token = await signWithJose(valid(), {
      alg: "ES256",
      privateKey: p256.privateKey,
      kid: p256.kid,
    });

    expect(code(await auth.authorize(token))).toBe("ALG_NOT_ALLOWED");
    expect(sm.calls).toHaveLength(0);
  });

  test("an Ed448 key is not used: its JWK is skipped and its tokens find no key", async () => {
    const ed448 = testKey("Ed448", "primary");
    const auth = makeAuthorizer("jwks", ed448, {
      others: [testKey("RSA", "other").publicJwk],
    });
    const token = craftToken({ alg: "EdDSA", kid: ed448.kid }, valid(), {
      key: ed448.privateKey,
      hash: null,
    });

    expect(code(await auth.authorize(token))).toBe("KEY_NOT_FOUND");
  });

  test("a PEM key whose type allows none of TOKEN_ALGORITHMS fails closed", async () => {
    const auth = makeAuthorizer("public-key", p256, { algorithms: ["ES384", "RS256"] });
    const token = swapped("ES384", p384, p256.kid);

    expect(code(await auth.authorize(token))).toBe("KEY_SOURCE_UNAVAILABLE");
  });

  test("an HS256 secret source still refuses every asymmetric algorithm", async () => {
    setSecretStages(sm, { current: HS256_SECRET });
    const auth = createAuthorizer(readSettings(authorizerEnv("secret")), {
      secretsManager: createSecretsManagerClient(),
      now,
    });
    for (const [alg, kind] of ALGS) {
      const key = testKey(kind, "primary");
      const token = await signWithJose(valid(), { alg, privateKey: key.privateKey });
      expect([alg, code(await auth.authorize(token))]).toEqual([alg, "ALG_NOT_ALLOWED"]);
    }
    // And HS256 with the shared secret still verifies.
    const hs = craftToken({ alg: "HS256" }, valid(), { hmacKey: HS256_SECRET });
    expect(code(await auth.authorize(hs))).toBe("ok");
  });
});
