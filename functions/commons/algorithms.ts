/**
 * Which JWS algorithm a key may verify: the pinning table of the Lambda authorizers.
 *
 * Why a table and not "the header says": a verifier that takes the hash from the token's `alg` and
 * the key from `kid` verifies an ES256 header against a P-384 key (ECDSA over SHA-256 on the wrong
 * curve), a PS256 header against a key only ever used for RS256, or HS256 keyed with a public key.
 * Here every key is pinned when it is prepared (cold start or key refresh) to the algorithms its
 * type can mean (RFC 7518 §3.1 and RFC 8037 §3.1), narrowed by the stack's allowed list and, for a
 * JWKS key, by the JWK's own `alg` member (RFC 7517 §4.4). A token is verified only by a key pinned
 * to its exact `alg`; nothing in the token can widen that.
 *
 * Pure (node:crypto KeyObjects in, names out), so the Pulumi program checks a configured PEM with
 * the same rules at preview (infra/config.ts) as the Lambda applies at runtime. A later list of
 * issuers can give each issuer its own allowed list and reuse the key sources unchanged.
 */
import type { KeyObject } from "node:crypto";

/** The asymmetric algorithms the Lambda authorizers verify (RFC 7518 §3.1, RFC 8037 §3.1). */
export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;

/** An asymmetric JWS algorithm this verifier implements. */
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** Every algorithm this verifier implements; HS256 only with a shared secret. */
export type JwtAlgorithm = "HS256" | AsymmetricAlgorithm;

/**
 * The allowed list when the stack sets none: one algorithm per key type (RSA → RS256, each curve
 * its ES algorithm, Ed25519 → EdDSA), so a key verifies exactly one algorithm unless the stack
 * asks for more (an RSA key for PS256 too, say).
 */
export const DEFAULT_TOKEN_ALGORITHMS: readonly AsymmetricAlgorithm[] = [
  "RS256",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];

/** Smallest RSA modulus accepted, as in RFC 7518 §3.3 (and §3.5 for PS*). */
export const MIN_RSA_MODULUS_BITS = 2048;

/** The key types a public key may have. */
export type KeyType = "RSA" | "EC P-256" | "EC P-384" | "EC P-521" | "Ed25519";

/**
 * What each key type can verify. ES algorithms name their curve (RFC 7518 §3.4: ES256 is P-256
 * with SHA-256, ES384 P-384 with SHA-384, ES512 P-521 with SHA-512), so a curve has exactly one.
 * EdDSA here is Ed25519 only (RFC 8037 §3.1 allows Ed448 too; it is refused, see `keyTypeOf`).
 */
export const ALGORITHMS_BY_KEY_TYPE: Readonly<Record<KeyType, readonly AsymmetricAlgorithm[]>> = {
  RSA: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
  "EC P-256": ["ES256"],
  "EC P-384": ["ES384"],
  "EC P-521": ["ES512"],
  Ed25519: ["EdDSA"],
};

/** The supported key types, as a sentence for error messages. */
export const SUPPORTED_KEY_TYPES = "RSA (at least 2048 bits), EC P-256, P-384 or P-521, or Ed25519";

// node:crypto's names for the NIST curves (OpenSSL short names).
const EC_CURVES: Readonly<Record<string, KeyType>> = {
  prime256v1: "EC P-256",
  secp384r1: "EC P-384",
  secp521r1: "EC P-521",
};

/** A public key this verifier cannot use; the message says what it is and what is supported. */
export class UnsupportedKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedKeyError";
  }
}

/**
 * The type of a public key, or why it cannot be used: RSA under 2048 bits, other curves
 * (secp256k1, brainpool), Ed448, X25519/X448 (key agreement, not signatures), DSA, and `rsa-pss`
 * keys (an RSA key restricted to PSS parameters in its SPKI; publish it as a plain RSA key).
 * Ed448 is refused on purpose: nothing in this project's issuers uses it, and every supported
 * algorithm is one that is tested here.
 * @throws UnsupportedKeyError
 */
export function keyTypeOf(key: KeyObject): KeyType {
  const type = key.asymmetricKeyType;
  if (type === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_MODULUS_BITS) {
      throw new UnsupportedKeyError(
        `RSA keys must be at least ${MIN_RSA_MODULUS_BITS} bits; this one has ${bits}.`,
      );
    }
    return "RSA";
  }
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? "unknown";
    const ec = Object.hasOwn(EC_CURVES, curve) ? EC_CURVES[curve] : undefined;
    if (!ec) {
      throw new UnsupportedKeyError(
        `EC curve ${curve} is not supported; supported: ${SUPPORTED_KEY_TYPES}.`,
      );
    }
    return ec;
  }
  if (type === "ed25519") return "Ed25519";
  throw new UnsupportedKeyError(
    `${type ?? "this"} keys are not supported; supported: ${SUPPORTED_KEY_TYPES}.`,
  );
}

/** True for the name of an asymmetric algorithm this verifier implements. */
export function isAsymmetricAlgorithm(value: unknown): value is AsymmetricAlgorithm {
  return (ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(value);
}

/**
 * The algorithms a key of `type` verifies: those its type can mean, that `allowed` lists, and, when
 * the key came with an `alg` (a JWK's `alg` member), exactly that one. Empty when they disagree
 * (an EC key whose JWK says RS256, a P-384 key where only ES256 is allowed): such a key verifies
 * nothing.
 */
export function keyAlgorithms(
  type: KeyType,
  allowed: readonly AsymmetricAlgorithm[],
  keyAlg?: unknown,
): AsymmetricAlgorithm[] {
  return ALGORITHMS_BY_KEY_TYPE[type].filter(
    (alg) => allowed.includes(alg) && (keyAlg === undefined || keyAlg === alg),
  );
}
