/**
 * Token minting for tests, with two independent implementations (`jsonwebtoken` and `jose`) for
 * honest tokens, and `craftToken` for the hostile ones libraries refuse to produce (`alg: none`,
 * HS256 keyed with a PEM, embedded `jwk`, malformed claims).
 */
import { constants, createHmac, sign as cryptoSign, type KeyObject } from "node:crypto";
import type { AsymmetricAlgorithm } from "../../functions/commons/algorithms";
import jwt from "jsonwebtoken";
import { loadJose } from "./jose";

/** The issuer every test environment expects. */
export const TEST_ISSUER = "https://issuer.test.example";
/** The audience every test environment accepts. */
export const TEST_AUDIENCE = "identity-gateway-tests";

/** Seconds since the epoch for `ms` (default: now, honouring Jest fake timers). */
export function epoch(ms: number = Date.now()): number {
  return Math.floor(ms / 1000);
}

/** A valid claims set: issuer, audience, identity, `iat` now and `exp` in 10 minutes. */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = epoch();
  return {
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    sub: "user-123",
    customer_id: "cust-42",
    customer_name: "Acme Corp",
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

/** How to sign: an HS256 secret or an asymmetric private key, plus optional header fields. */
export type Signer =
  | {
      readonly alg: "HS256";
      readonly secret: string | Buffer;
      readonly header?: Record<string, unknown>;
    }
  | {
      readonly alg: AsymmetricAlgorithm;
      readonly privateKey: KeyObject;
      readonly kid?: string;
      readonly header?: Record<string, unknown>;
    };

/** Signs with `jsonwebtoken` (claims are taken verbatim: no `iat` is added or removed). */
export function signWithJsonwebtoken(payload: Record<string, unknown>, signer: Signer): string {
  const key = signer.alg === "HS256" ? signer.secret : signer.privateKey;
  if (signer.alg === "EdDSA") throw new Error("jsonwebtoken does not implement EdDSA");
  const header = {
    alg: signer.alg,
    ...(signer.alg !== "HS256" && signer.kid ? { kid: signer.kid } : {}),
    ...signer.header,
  };
  return jwt.sign(payload, key, {
    algorithm: signer.alg,
    // jsonwebtoken deletes a given iat under noTimestamp, and adds one without it.
    noTimestamp: !("iat" in payload),
    header: header as jwt.JwtHeader,
  });
}

/** Signs with `jose` (claims are taken verbatim). */
export async function signWithJose(
  payload: Record<string, unknown>,
  signer: Signer,
): Promise<string> {
  const jose = loadJose();
  const header = {
    alg: signer.alg,
    ...(signer.alg !== "HS256" && signer.kid ? { kid: signer.kid } : {}),
    ...signer.header,
  };
  const key = signer.alg === "HS256" ? Buffer.from(signer.secret) : signer.privateKey;
  return new jose.SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
}

/** Whether `jsonwebtoken` can sign `alg` (it has no EdDSA). */
export const JSONWEBTOKEN_SIGNS = (alg: string): boolean => alg !== "EdDSA";

/** Both honest implementations, for `test.each` over signers. */
export const SIGNING_LIBRARIES = [
  [
    "jsonwebtoken",
    (p: Record<string, unknown>, s: Signer) => Promise.resolve(signWithJsonwebtoken(p, s)),
  ],
  ["jose", signWithJose],
] as const;

function b64url(value: unknown): string {
  // A Buffer is taken as the segment's exact bytes (e.g. invalid UTF-8), a string as its UTF-8.
  if (Buffer.isBuffer(value)) return value.toString("base64url");
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString(
    "base64url",
  );
}

/**
 * Builds a compact JWS by hand, with any header and payload (not even JSON objects; a Buffer is
 * used byte for byte, so a segment can hold invalid UTF-8) and:
 * `none` (empty signature), an HMAC over the input with any key bytes, an RSA signature, or a
 * literal signature segment.
 */
export function craftToken(
  header: unknown,
  payload: unknown,
  signature:
    | { readonly none: true }
    | { readonly hmacKey: string | Buffer }
    | { readonly rsaKey: KeyObject }
    | {
        /** Any private key with any digest (`null` for EdDSA); the header's `alg` is not consulted. */
        readonly key: KeyObject;
        readonly hash: string | null;
        /** ECDSA only: `der` is OpenSSL's default, which JWS does not use. @default ieee-p1363 */
        readonly dsaEncoding?: "der" | "ieee-p1363";
        /** RSA only: PSS padding with a salt as long as the digest. */
        readonly pss?: boolean;
      }
    | { readonly raw: string },
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  let sig: string;
  if ("none" in signature) sig = "";
  else if ("raw" in signature) sig = signature.raw;
  else if ("hmacKey" in signature)
    sig = createHmac("sha256", signature.hmacKey).update(input).digest("base64url");
  else if ("key" in signature)
    sig = cryptoSign(
      signature.hash,
      Buffer.from(input),
      signature.pss
        ? {
            key: signature.key,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          }
        : { key: signature.key, dsaEncoding: signature.dsaEncoding ?? "ieee-p1363" },
    ).toString("base64url");
  else sig = cryptoSign("RSA-SHA256", Buffer.from(input), signature.rsaKey).toString("base64url");
  return `${input}.${sig}`;
}
