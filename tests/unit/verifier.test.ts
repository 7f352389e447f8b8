/**
 * The verifier through `createAuthorizer` with each real key source (Secrets Manager via the real
 * client and a fake endpoint on 127.0.0.1, JWKS via a fake fetch), against tokens minted by two independent libraries and by hand.
 */
import { createSecretsManagerClient } from "../../functions/commons/clients/secrets-manager";
import {
  createAuthorizer,
  readSettings,
  type AuthResult,
  type Authorizer,
} from "../../functions/commons";
import { authorizerEnv } from "../helpers/env";
import { discoveryUrl, fakeFetch } from "../helpers/fetch";
import { HS256_SECRET, HS256_SECRET_WRONG, jwksOf, rsaKey } from "../helpers/keys";
import { useFakeSecretsManager, setSecretStages } from "../helpers/secrets-manager";
import { SIGNING_LIBRARIES, TEST_ISSUER, claims, craftToken, type Signer } from "../helpers/tokens";

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const now = () => NOW;
const T = Math.floor(NOW / 1000);

const primary = rsaKey("primary");
const attacker = rsaKey("attacker");
const sm = useFakeSecretsManager();
const JWKS_URI = "https://issuer.test.example/jwks.json";

type Mode = "secret" | "public-key" | "jwks";

function makeAuthorizer(mode: Mode, env: Parameters<typeof authorizerEnv>[1] = {}): Authorizer {
  const web = fakeFetch({
    [discoveryUrl(TEST_ISSUER)]: () => ({ issuer: TEST_ISSUER, jwks_uri: JWKS_URI }),
    [JWKS_URI]: () => jwksOf(primary),
  });
  return createAuthorizer(readSettings(authorizerEnv(mode, env)), {
    secretsManager: createSecretsManagerClient(),
    fetch: web.fetch,
    now,
  });
}

const SIGNERS: Record<Mode, Signer> = {
  secret: { alg: "HS256", secret: HS256_SECRET },
  "public-key": { alg: "RS256", privateKey: primary.privateKey },
  jwks: { alg: "RS256", privateKey: primary.privateKey, kid: primary.kid },
};

const MODES: Mode[] = ["secret", "public-key", "jwks"];

/** Claims valid at NOW. */
const valid = (overrides: Record<string, unknown> = {}) =>
  claims({ iat: T - 10, exp: T + 600, ...overrides });

function expectDenied(result: AuthResult, code: string): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason.code).toBe(code);
}

beforeEach(() => {
  sm.reset();
  setSecretStages(sm, { current: HS256_SECRET });
});

function useSecretFor(mode: Mode): void {
  if (mode === "public-key") setSecretStages(sm, { current: primary.publicPem });
}

describe.each(SIGNING_LIBRARIES)("tokens signed by %s", (_lib, sign) => {
  test.each(MODES)("a valid token is accepted (%s)", async (mode) => {
    // Prepare
    useSecretFor(mode);
    const auth = makeAuthorizer(mode);
    const token = await sign(valid(), SIGNERS[mode]);

    // Act
    const result = await auth.authorize(token);

    // Assess
    expect(result).toEqual({
      ok: true,
      claims: expect.objectContaining({ customer_id: "cust-42" }),
      identity: { customerId: "cust-42", customerName: "Acme Corp", extra: {} },
    });
  });

  const claimCases: [string, Record<string, unknown>, string][] = [
    ["expired", { exp: T - 60 }, "TOKEN_EXPIRED"],
    ["expired exactly at tolerance", { exp: T - 5 }, "TOKEN_EXPIRED"],
    ["no exp", { exp: undefined }, "TOKEN_EXPIRED"],
    ["not yet valid", { nbf: T + 60 }, "TOKEN_NOT_YET_VALID"],
    ["issued in the future", { iat: T + 60 }, "TOKEN_ISSUED_IN_FUTURE"],
    ["wrong issuer", { iss: "https://evil.example" }, "ISSUER_MISMATCH"],
    ["issuer with trailing slash", { iss: `${TEST_ISSUER}/` }, "ISSUER_MISMATCH"],
    ["no issuer", { iss: undefined }, "ISSUER_MISMATCH"],
    ["wrong audience", { aud: "someone-else" }, "AUDIENCE_MISMATCH"],
    ["audience array without ours", { aud: ["a", "b"] }, "AUDIENCE_MISMATCH"],
    ["no audience", { aud: undefined }, "AUDIENCE_MISMATCH"],
    [
      "no identity claim",
      { customer_id: undefined, tenant_id: undefined, sub: undefined },
      "IDENTITY_CLAIM_INVALID",
    ],
    ["object identity claim", { customer_id: { id: 1 } }, "IDENTITY_CLAIM_INVALID"],
    ["array identity claim", { customer_id: ["a"] }, "IDENTITY_CLAIM_INVALID"],
    ["boolean identity claim", { customer_id: true }, "IDENTITY_CLAIM_INVALID"],
    [
      "identity claim with CR/LF",
      { customer_id: "cust-42\r\nX-Admin: yes" },
      "IDENTITY_CLAIM_INVALID",
    ],
    ["name claim with LF", { customer_name: "Acme\nCorp" }, "IDENTITY_CLAIM_INVALID"],
    ["overlong identity claim", { customer_id: "x".repeat(257) }, "IDENTITY_CLAIM_INVALID"],
  ];

  test.each(claimCases)("rejects: %s", async (_name, overrides, code) => {
    // Prepare
    const auth = makeAuthorizer("secret");
    const payload = Object.fromEntries(
      Object.entries(valid(overrides)).filter(([, v]) => v !== undefined),
    );
    const token = await sign(payload, SIGNERS.secret);

    // Act
    const result = await auth.authorize(token);

    // Assess
    expectDenied(result, code);
  });

  const acceptedCases: [string, Record<string, unknown>, Record<string, string>][] = [
    ["exp within clock tolerance", { exp: T - 3 }, { customerId: "cust-42" }],
    ["nbf within clock tolerance", { nbf: T + 3 }, { customerId: "cust-42" }],
    [
      "audience array containing ours",
      { aud: ["other", "identity-gateway-tests"] },
      { customerId: "cust-42" },
    ],
    ["numeric customer id", { customer_id: 1234 }, { customerId: "1234" }],
    [
      "falls back to tenant_id",
      { customer_id: undefined, tenant_id: "t-1" },
      { customerId: "t-1" },
    ],
    ["null id claim counts as absent", { customer_id: null }, { customerId: "user-123" }],
    ["name falls back to id", { customer_name: undefined }, { customerName: "cust-42" }],
    ["name from `name`", { customer_name: undefined, name: "Jane" }, { customerName: "Jane" }],
  ];

  test.each(acceptedCases)("accepts: %s", async (_name, overrides, identity) => {
    const auth = makeAuthorizer("secret");
    const payload = Object.fromEntries(
      Object.entries(valid(overrides)).filter(([, v]) => v !== undefined),
    );

    const result = await auth.authorize(await sign(payload, SIGNERS.secret));

    expect(result.ok).toBe(true);
    if (result.ok) expect(result.identity).toMatchObject(identity);
  });

  test("AUDIENCES=[] turns the audience check off explicitly", async () => {
    const auth = makeAuthorizer("secret", { AUDIENCES: "[]" });
    const token = await sign(valid({ aud: "anything" }), SIGNERS.secret);

    expect((await auth.authorize(token)).ok).toBe(true);
  });

  test.each<[Mode, Signer, string]>([
    ["secret", { alg: "HS256", secret: HS256_SECRET_WRONG }, "SIGNATURE_INVALID"],
    ["public-key", { alg: "RS256", privateKey: attacker.privateKey }, "SIGNATURE_INVALID"],
    [
      "jwks",
      { alg: "RS256", privateKey: attacker.privateKey, kid: primary.kid },
      "SIGNATURE_INVALID",
    ],
  ])("rejects a token signed with the wrong key (%s)", async (mode, signer, code) => {
    useSecretFor(mode);
    const auth = makeAuthorizer(mode);

    expectDenied(await auth.authorize(await sign(valid(), signer)), code);
  });

  test("rejects RS256 against an HS256 (secret) source", async () => {
    const auth = makeAuthorizer("secret");
    const token = await sign(valid(), SIGNERS["public-key"]);

    expectDenied(await auth.authorize(token), "ALG_NOT_ALLOWED");
  });

  test("rejects HS256 against an RS256 (public-key) source", async () => {
    useSecretFor("public-key");
    const auth = makeAuthorizer("public-key");
    const token = await sign(valid(), SIGNERS.secret);

    expectDenied(await auth.authorize(token), "ALG_NOT_ALLOWED");
  });

  test("rejects an unknown kid (jwks)", async () => {
    const auth = makeAuthorizer("jwks");
    const token = await sign(valid(), { ...SIGNERS.jwks, kid: "no-such-kid" } as Signer);

    expectDenied(await auth.authorize(token), "KEY_NOT_FOUND");
  });
});

describe("hostile tokens built by hand", () => {
  test.each(MODES)("alg none is rejected (%s)", async (mode) => {
    useSecretFor(mode);
    const auth = makeAuthorizer(mode);
    const token = craftToken({ alg: "none", typ: "JWT" }, valid(), { none: true });

    expectDenied(await auth.authorize(token), "ALG_NOT_ALLOWED");
  });

  test.each(["None", "NONE", "HS384", "HS512", "RS384", "RS512", "PS256", "ES256", "EdDSA"])(
    "alg %s is rejected",
    async (alg) => {
      const auth = makeAuthorizer("secret");
      const token = craftToken({ alg }, valid(), { hmacKey: HS256_SECRET });

      expectDenied(await auth.authorize(token), "ALG_NOT_ALLOWED");
    },
  );

  test("HS256 keyed with the RSA public key PEM (key confusion) is rejected by a public-key source", async () => {
    // Prepare: the classic attack, the public PEM is public, so anyone can HMAC with it.
    useSecretFor("public-key");
    const auth = makeAuthorizer("public-key");
    const token = craftToken({ alg: "HS256", typ: "JWT" }, valid(), { hmacKey: primary.publicPem });

    // Act + Assess
    expectDenied(await auth.authorize(token), "ALG_NOT_ALLOWED");
  });

  test("HS256 keyed with the JWKS key material is rejected by a jwks source", async () => {
    const auth = makeAuthorizer("jwks");
    const token = craftToken({ alg: "HS256", kid: primary.kid }, valid(), {
      hmacKey: JSON.stringify(primary.publicJwk),
    });

    expectDenied(await auth.authorize(token), "ALG_NOT_ALLOWED");
  });

  test.each<[Mode, string]>([
    ["public-key", "SIGNATURE_INVALID"],
    ["jwks", "SIGNATURE_INVALID"],
  ])("an embedded jwk header with the attacker's key is ignored (%s)", async (mode, code) => {
    // Prepare: signed by the attacker, who also ships the matching public key in the header.
    useSecretFor(mode);
    const auth = makeAuthorizer(mode);
    const header = {
      alg: "RS256",
      kid: primary.kid,
      jwk: attacker.publicJwk,
      jku: "https://evil.example/jwks.json",
      x5u: "https://evil.example/cert.pem",
      x5c: ["MIIB"],
    };
    const token = craftToken(header, valid(), { rsaKey: attacker.privateKey });

    // Act + Assess
    expectDenied(await auth.authorize(token), code);
  });

  test("a jku header is never fetched", async () => {
    const web = fakeFetch({ [JWKS_URI]: () => jwksOf(primary) });
    const auth = createAuthorizer(readSettings(authorizerEnv("jwks", { JWKS_URI })), {
      fetch: web.fetch,
      now,
    });
    const token = craftToken(
      { alg: "RS256", kid: "evil", jku: "https://evil.example/jwks.json" },
      valid(),
      { rsaKey: attacker.privateKey },
    );

    expectDenied(await auth.authorize(token), "KEY_NOT_FOUND");
    expect(web.calls).toEqual([JWKS_URI]);
  });

  const good = craftToken({ alg: "HS256" }, valid(), { hmacKey: HS256_SECRET });
  const [h, p, s] = good.split(".");
  const malformed: [string, string][] = [
    ["two segments", `${h}.${p}`],
    ["four segments", `${good}.${s}`],
    ["five segments (JWE-shaped)", `${h}.${p}.${s}.${s}.${s}`],
    ["empty header", `.${p}.${s}`],
    ["non-base64url characters", `${h}.${p}+/.${s}`],
    ["padding", `${h}.${p}=.${s}`],
    // Every segment is held to the alphabet, not just the payload: Node's decoder skips what it
    // does not know and reads `+`, `/` and `=` too, so the bytes alone cannot tell.
    ["padding on the header", `${h}=.${p}.${s}`],
    ["standard base64 in the header", `${h.slice(0, -1)}+.${p}.${s}`],
    ["padding on the signature", `${h}.${p}.${s}=`],
    ["a / in the signature", `${h}.${p}.${s.slice(0, 4)}/${s.slice(5)}`],
    ["a space in the payload", `${h}.${p.slice(0, 8)} ${p.slice(8)}.${s}`],
    ["a non-ASCII letter in the payload", `${h}.${p.slice(0, 8)}é${p.slice(8)}.${s}`],
    ["a line break in the signature", `${h}.${p}.${s.slice(0, 10)}\n${s.slice(10)}`],
    ["header not JSON", `${Buffer.from("{alg:HS256").toString("base64url")}.${p}.${s}`],
    ["header an array", craftToken(["HS256"], valid(), { hmacKey: HS256_SECRET })],
    ["header without alg", craftToken({ typ: "JWT" }, valid(), { hmacKey: HS256_SECRET })],
    ["kid not a string", craftToken({ alg: "HS256", kid: 7 }, valid(), { hmacKey: HS256_SECRET })],
    [
      "crit header",
      craftToken({ alg: "HS256", crit: ["exp"] }, valid(), { hmacKey: HS256_SECRET }),
    ],
    ["payload an array", craftToken({ alg: "HS256" }, [valid()], { hmacKey: HS256_SECRET })],
    ["payload a string", craftToken({ alg: "HS256" }, "hello", { hmacKey: HS256_SECRET })],
    ["payload null", craftToken({ alg: "HS256" }, "null", { hmacKey: HS256_SECRET })],
    [
      "exp a string",
      craftToken({ alg: "HS256" }, valid({ exp: String(T + 600) }), { hmacKey: HS256_SECRET }),
    ],
    ["nbf a string", craftToken({ alg: "HS256" }, valid({ nbf: "0" }), { hmacKey: HS256_SECRET })],
    [
      "iat a boolean",
      craftToken({ alg: "HS256" }, valid({ iat: true }), { hmacKey: HS256_SECRET }),
    ],
    [
      "oversize (> 8 KB)",
      craftToken({ alg: "HS256" }, valid({ pad: "x".repeat(9000) }), { hmacKey: HS256_SECRET }),
    ],
    ["empty string", ""],
  ];

  test.each(malformed)("malformed: %s", async (_name, token) => {
    const auth = makeAuthorizer("secret");

    expectDenied(await auth.authorize(token), "TOKEN_MALFORMED");
  });

  test.each(MODES)(
    "a non-canonical spelling of a valid segment is refused (%s): one token, one string",
    async (mode) => {
      // Prepare: the same signature bytes under another spelling (the spare low bits of the last
      // base64url character set), which lenient decoders accept.
      useSecretFor(mode);
      const auth = makeAuthorizer(mode);
      const token = await SIGNING_LIBRARIES[0][1](valid(), SIGNERS[mode]);
      const [h, p, sig] = token.split(".");
      const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const respell = (seg: string) =>
        seg.slice(0, -1) + ALPHABET[ALPHABET.indexOf(seg.at(-1)!) | 1];
      const variants = [
        [h, p, respell(sig)],
        [respell(h), p, sig],
        [h, respell(p), sig],
      ]
        .filter((parts) => parts.some((x, i) => x.length % 4 !== 0 && x !== [h, p, sig][i]))
        .map((parts) => parts.join("."));
      expect(variants.length).toBeGreaterThan(0);

      for (const v of variants) {
        // The naive reading: the very same bytes, so only the spelling check can tell them apart.
        expect(v.split(".").map((x) => Buffer.from(x, "base64url").toString("hex"))).toEqual(
          token.split(".").map((x) => Buffer.from(x, "base64url").toString("hex")),
        );
        // Act + Assess
        expectDenied(await auth.authorize(v), "TOKEN_MALFORMED");
      }
      expect((await auth.authorize(token)).ok).toBe(true);
    },
  );

  test("empty signature with HS256 is a signature failure", async () => {
    const auth = makeAuthorizer("secret");

    expectDenied(await auth.authorize(`${h}.${p}.`), "SIGNATURE_INVALID");
  });

  test("truncated HMAC signature is rejected without throwing", async () => {
    const auth = makeAuthorizer("secret");

    expectDenied(await auth.authorize(`${h}.${p}.${s.slice(0, 20)}`), "SIGNATURE_INVALID");
  });

  test("a claim is read as own property only (no prototype paths)", async () => {
    const auth = makeAuthorizer("secret", {
      CUSTOMER_ID_CLAIMS: JSON.stringify(["constructor.name", "__proto__.x"]),
    });
    const token = craftToken({ alg: "HS256" }, valid(), { hmacKey: HS256_SECRET });

    expectDenied(await auth.authorize(token), "IDENTITY_CLAIM_INVALID");
  });
});

describe("authorizeHeader", () => {
  test.each<[string, string | undefined, string]>([
    ["missing", undefined, "TOKEN_MISSING"],
    ["empty", "", "TOKEN_MISSING"],
    ["blank", "   ", "TOKEN_MISSING"],
    ["bare Bearer", "Bearer", "TOKEN_MISSING"],
    ["Bearer and spaces", "Bearer    ", "TOKEN_MISSING"],
    ["another scheme", "Basic dXNlcjpwYXNz", "TOKEN_MALFORMED"],
    ["two tokens", "Bearer a.b.c d.e.f", "TOKEN_MALFORMED"],
    ["garbled", "Bearer %%%garbage%%%", "TOKEN_MALFORMED"],
  ])("denies a %s header", async (_name, header, code) => {
    const auth = makeAuthorizer("secret");

    expectDenied(await auth.authorizeHeader(header), code);
  });

  test.each(["Bearer", "bearer", "BEARER", "bEaReR", ""])(
    "accepts the scheme %p (empty = bare token)",
    async (scheme) => {
      const auth = makeAuthorizer("secret");
      const token = craftToken({ alg: "HS256" }, valid(), { hmacKey: HS256_SECRET });

      const result = await auth.authorizeHeader(scheme ? `${scheme} ${token}` : token);

      expect(result.ok).toBe(true);
    },
  );
});
