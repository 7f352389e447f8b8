/**
 * Test key material, generated once per test file (RSA generation is slow) and cached by name.
 * Never reused outside tests.
 */
import { generateKeyPairSync, type JsonWebKey, type KeyObject } from "node:crypto";

/** An RSA key pair in every form the tests need. */
export interface TestRsaKey {
  /** Key id used in JWKS and token headers. */
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** PKCS#8 PEM. */
  readonly privatePem: string;
  /** SPKI PEM: what a `public-key` secret holds. */
  readonly publicPem: string;
  /** Public JWK as an IdP publishes it (`kid`, `use: sig`, `alg: RS256`). */
  readonly publicJwk: JsonWebKey & { kid: string; use: string; alg: string };
}

const rsaCache = new Map<string, TestRsaKey>();

/** A 2048-bit RSA key pair named `name` (same name → same key within a test file). */
export function rsaKey(name = "primary", modulusLength = 2048): TestRsaKey {
  const cacheKey = `${name}/${modulusLength}`;
  const cached = rsaCache.get(cacheKey);
  if (cached) return cached;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength });
  const key: TestRsaKey = {
    kid: `test-${name}`,
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    publicJwk: {
      ...publicKey.export({ format: "jwk" }),
      kid: `test-${name}`,
      use: "sig",
      alg: "RS256",
    },
  };
  rsaCache.set(cacheKey, key);
  return key;
}

/** A JWKS document holding the public halves of `keys`. */
export function jwksOf(...keys: TestRsaKey[]): { keys: TestRsaKey["publicJwk"][] } {
  return { keys: keys.map((k) => k.publicJwk) };
}

/** HS256 shared secrets (32+ bytes, as RFC 7518 §3.2 asks). */
export const HS256_SECRET = "test-hs256-secret-0123456789abcdef0123456789";
export const HS256_SECRET_ROTATED = "test-hs256-secret-rotated-fedcba9876543210fedc";
export const HS256_SECRET_WRONG = "test-hs256-secret-wrong-000000000000000000000";

/** Asymmetric key kinds the Lambda authorizers verify with (and Ed448, which they refuse). */
export type KeyKind = "RSA" | "P-256" | "P-384" | "P-521" | "Ed25519" | "Ed448";

/** An asymmetric key pair of any kind, in every form the tests need. */
export interface TestKey {
  readonly kind: KeyKind;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI PEM: what a `public-key` secret holds. */
  readonly publicPem: string;
  /** Public JWK as an IdP publishes it (`kid`, `use: sig`, no `alg` unless a test adds one). */
  readonly publicJwk: JsonWebKey & { kid: string; use: string };
}

const keyCache = new Map<string, TestKey>();

/** A key pair of `kind` named `name` (same kind and name → same key within a test file). */
export function testKey(kind: KeyKind, name = "primary"): TestKey {
  const cacheKey = `${kind}/${name}`;
  const cached = keyCache.get(cacheKey);
  if (cached) return cached;
  const pair =
    kind === "RSA"
      ? { privateKey: rsaKey(name).privateKey, publicKey: rsaKey(name).publicKey }
      : kind === "Ed25519"
        ? generateKeyPairSync("ed25519")
        : kind === "Ed448"
          ? generateKeyPairSync("ed448")
          : generateKeyPairSync("ec", { namedCurve: kind });
  const kid = `test-${kind}-${name}`;
  const key: TestKey = {
    kind,
    kid,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
    publicJwk: { ...pair.publicKey.export({ format: "jwk" }), kid, use: "sig" },
  };
  keyCache.set(cacheKey, key);
  return key;
}
