/**
 * Each preset against its provider's token shape (tests/fixtures/providers/, written from each
 * provider's documentation): the stack config goes through `parseConfig`, the authorizer
 * environment the program deploys (`authorizerEnvironment`) and `readSettings`, and the fixture's
 * payload, signed by a test key of the provider's kind under the fixture's `kid`, through the real
 * authorizer with the JWKS served at the URL the preset names (or found by discovery). Then the
 * attack table of the key-source tests (verifier.test.ts, keys-jwks.test.ts,
 * verifier-algorithms.test.ts) runs against every shape.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import {
  createAuthorizer,
  readSettings,
  validateClaims,
  type AuthResult,
  type Authorizer,
} from "../../functions/commons";
import { authorizerEnvironment } from "../../infra/components/authorizer-function";
import { parseConfig } from "../../infra/config";
import { discoveryUrl, fakeFetch, type FakeFetch } from "../helpers/fetch";
import { testKey, type KeyKind, type TestKey } from "../helpers/keys";
import { craftToken, signWithJose } from "../helpers/tokens";

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const T = Math.floor(NOW / 1000);
const DIR = join(__dirname, "../fixtures/providers");

interface Fixture {
  readonly name: string;
  readonly preset: Record<string, string>;
  readonly audiences: string[];
  readonly keyKind: KeyKind;
  readonly refusedWith?: string;
  readonly header: { alg: string; kid: string; [k: string]: unknown };
  readonly payload: Record<string, unknown>;
}

const FIXTURES: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({
    name: f.replace(/\.json$/, ""),
    ...JSON.parse(readFileSync(join(DIR, f), "utf8")),
  }));
const ACCEPTED = FIXTURES.filter((f) => f.refusedWith === undefined);

const code = (r: AuthResult): string => (r.ok ? "ok" : r.reason.code);

/** The fixture's payload, its times moved so the token is valid at NOW (same lifetime). */
function current(f: Fixture, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const p = f.payload as { iat: number; exp: number };
  const shift = T - 60 - p.iat;
  const out: Record<string, unknown> = { ...f.payload };
  for (const k of ["iat", "exp", "nbf", "auth_time"]) {
    if (typeof out[k] === "number") out[k] = (out[k] as number) + shift;
  }
  return { ...out, ...overrides };
}

interface Setup {
  readonly auth: Authorizer;
  readonly web: FakeFetch;
  readonly key: TestKey;
  /** Where the keys were fetched from. */
  readonly jwksUri: string;
}

/**
 * The deployed authorizer for the fixture's preset: `mode`'s config, the environment the stack
 * gives the Lambda, and a fake web serving the issuer's discovery document and JWKS.
 */
function setup(f: Fixture, mode: "http-lambda" | "rest-token" = "http-lambda"): Setup {
  const config = parseConfig({
    stackName: "dev",
    values: { authMode: mode, ...f.preset, audiences: JSON.stringify(f.audiences) },
  });
  if (config.authMode === "http-jwt") throw new Error("not a Lambda mode");
  const env = authorizerEnvironment(config.lambda, config.identity) as Record<string, string>;
  const settings = readSettings(env);
  const key = testKey(f.keyKind, f.name);
  // The preset's documented JWKS URL, else discovery from the issuer (as API Gateway does).
  const jwksUri =
    settings.jwksUri ?? `${config.lambda.issuer.replace(/\/+$/, "")}/keys-by-discovery`;
  const web = fakeFetch({
    [discoveryUrl(config.lambda.issuer)]: () => ({
      issuer: config.lambda.issuer,
      jwks_uri: jwksUri,
    }),
    [jwksUri]: () => ({ keys: [{ ...key.publicJwk, kid: f.header.kid }] }),
  });
  return {
    auth: createAuthorizer(settings, { fetch: web.fetch, now: () => NOW }),
    web,
    key,
    jwksUri,
  };
}

/** The fixture signed honestly (jose) with `key` under the fixture's own header. */
function sign(f: Fixture, key: TestKey, payload = current(f)): Promise<string> {
  return signWithJose(payload, {
    alg: f.header.alg as "RS256",
    privateKey: key.privateKey,
    header: f.header,
  });
}

describe.each(ACCEPTED.map((f) => [f.name, f] as const))("%s", (_name, f) => {
  test.each(["http-lambda", "rest-token"] as const)(
    "%s: the documented shape is accepted, the keys read where the preset says",
    async (mode) => {
      const { auth, web, key, jwksUri } = setup(f, mode);

      const result = await auth.authorize(await sign(f, key));

      expect(code(result)).toBe("ok");
      expect(result.ok && result.identity.customerId).toBe(f.payload.sub);
      expect(web.calls.at(-1)).toBe(jwksUri);
    },
  );

  // The attacks of the key-source tests, against this provider's shape. `attacker` is a key of the
  // same kind the issuer never published.
  const attacks: [string, (s: Setup, attacker: TestKey) => Promise<string> | string, string][] = [
    [
      "alg none",
      () => craftToken({ ...f.header, alg: "none" }, current(f), { none: true }),
      "ALG_NOT_ALLOWED",
    ],
    [
      "HS256 keyed with the issuer's public key (HS/RS confusion)",
      ({ key }) =>
        craftToken({ ...f.header, alg: "HS256" }, current(f), { hmacKey: key.publicPem }),
      "ALG_NOT_ALLOWED",
    ],
    [
      "alg swapped to another family, signed as that family would be",
      ({ key }) =>
        f.keyKind === "RSA"
          ? craftToken({ ...f.header, alg: "ES256" }, current(f), {
              key: key.privateKey,
              hash: "sha256",
            })
          : craftToken({ ...f.header, alg: "RS256" }, current(f), {
              key: key.privateKey,
              hash: "sha256",
            }),
      "ALG_NOT_ALLOWED",
    ],
    [
      "signed by another key under the issuer's kid",
      (_s, attacker) => sign(f, attacker),
      "SIGNATURE_INVALID",
    ],
    [
      "the attacker's key embedded as jwk/jku/x5u/x5c",
      (_s, attacker) =>
        signWithJose(current(f), {
          alg: f.header.alg as "RS256",
          privateKey: attacker.privateKey,
          header: {
            ...f.header,
            jwk: attacker.publicJwk,
            jku: "https://evil.example/jwks.json",
            x5u: "https://evil.example/cert.pem",
            x5c: ["MIIBevil"],
          },
        }),
      "SIGNATURE_INVALID",
    ],
    [
      "an unknown kid",
      (_s, attacker) =>
        signWithJose(current(f), {
          alg: f.header.alg as "RS256",
          privateKey: attacker.privateKey,
          header: { ...f.header, kid: "not-published" },
        }),
      "KEY_NOT_FOUND",
    ],
    ["expired", ({ key }) => sign(f, key, current(f, { exp: T - 3600 })), "TOKEN_EXPIRED"],
    [
      "iss with a trailing slash added or removed",
      ({ key }) => {
        const iss = String(f.payload.iss);
        return sign(f, key, current(f, { iss: iss.endsWith("/") ? iss.slice(0, -1) : `${iss}/` }));
      },
      "ISSUER_MISMATCH",
    ],
    [
      "iss in upper case",
      ({ key }) => sign(f, key, current(f, { iss: String(f.payload.iss).toUpperCase() })),
      "ISSUER_MISMATCH",
    ],
    [
      "another audience",
      ({ key }) =>
        sign(
          f,
          key,
          current(f, f.payload.aud === undefined ? { client_id: "other" } : { aud: "other" }),
        ),
      "AUDIENCE_MISMATCH",
    ],
  ];

  test.each(attacks)("refused: %s", async (_what, make, expected) => {
    const s = setup(f);
    const attacker = testKey(f.keyKind, `${f.name}-attacker`);

    const result = await s.auth.authorize(await make(s, attacker));

    expect(code(result)).toBe(expected);
    // Embedded key URLs are never fetched.
    expect(s.web.calls.filter((u) => u.startsWith("https://evil.example"))).toEqual([]);
  });
});

describe.each(FIXTURES.filter((f) => f.refusedWith !== undefined).map((f) => [f.name, f] as const))(
  "%s",
  (_name, f) => {
    test(`is refused (${f.refusedWith}) without any key request`, async () => {
      const { auth, web, key } = setup(f);

      const result = await auth.authorize(await sign(f, key));

      expect(code(result)).toBe(f.refusedWith);
      expect(web.calls).toEqual([]);
    });
  },
);

describe("Cognito: client_id stands for aud, as API Gateway's JWT authorizer reads it", () => {
  const access = FIXTURES.find((f) => f.name === "cognito-access-token")!;
  const id = FIXTURES.find((f) => f.name === "cognito-id-token")!;

  test("an access token (client_id, no aud) and an ID token (aud) are both accepted", async () => {
    const s = setup(access);
    expect(code(await s.auth.authorize(await sign(access, s.key)))).toBe("ok");
    expect(code(await s.auth.authorize(await sign(id, s.key)))).toBe("ok");
  });

  test("with an aud, client_id is not read: a wrong aud is refused even with the right client_id", async () => {
    const s = setup(access);
    const token = await sign(access, s.key, current(access, { aud: "other-client" }));

    expect(code(await s.auth.authorize(token))).toBe("AUDIENCE_MISMATCH");
    // The broken shape "aud or client_id, whichever matches" would have let it through.
    const payload = current(access, { aud: "other-client" });
    const naiveAccepts = [payload.aud, payload.client_id].some((v) =>
      access.audiences.includes(String(v)),
    );
    expect(naiveAccepts).toBe(true);
  });

  test("an access token without client_id is refused", async () => {
    const s = setup(access);
    const token = await sign(access, s.key, current(access, { client_id: undefined }));

    expect(code(await s.auth.authorize(token))).toBe("AUDIENCE_MISMATCH");
  });

  test.each([["refresh"], [undefined], [""]])("token_use %s is refused", async (tokenUse) => {
    const s = setup(access);
    const token = await sign(access, s.key, current(access, { token_use: tokenUse }));

    expect(code(await s.auth.authorize(token))).toBe("TOKEN_USE_INVALID");
  });

  test("an aud-only verifier (the shape without the Cognito rule) refuses every access token", () => {
    const payload = current(access);
    const base = {
      issuer: String(payload.iss),
      audiences: access.audiences,
      clockToleranceSeconds: 5,
    };

    expect(() => validateClaims(payload, base, NOW)).toThrow("audience");
    expect(() => validateClaims(payload, { ...base, clientIdAudience: true }, NOW)).not.toThrow();
  });

  test("other issuers never read client_id", async () => {
    const okta = FIXTURES.find((f) => f.name === "okta-access-token")!;
    const s = setup(okta);
    const token = await sign(
      okta,
      s.key,
      current(okta, { aud: undefined, client_id: "api://default" }),
    );

    expect(code(await s.auth.authorize(token))).toBe("AUDIENCE_MISMATCH");
  });
});
