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
