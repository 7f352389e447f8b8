/**
 * The JWT verifier: compact JWS, HS256 or an asymmetric algorithm (RS*, PS*, ES*, EdDSA; see
 * algorithms.ts for which key verifies which), synchronous `node:crypto` only.
 *
 * Why not `jose.jwtVerify`: it is async (WebCrypto) and ~8x (RS256) to ~50x (HS256) slower than a
 * bare signature check on a warm Lambda, and the authorizer runs on every uncached request. The
 * checks below are the ones API Gateway's own JWT authorizer makes, written out explicitly:
 * algorithm pinned per key source (no `none`, no HS/RS confusion), `kid` selects the key, embedded
 * key headers (`jwk`, `jku`, `x5u`, `x5c`) are ignored, then `exp`/`nbf`/`iat`/`iss`/`aud`.
 * Claims are only examined after the signature verifies.
 */
import {
  constants,
  createHmac,
  timingSafeEqual,
  verify as cryptoVerify,
  type KeyObject,
} from "node:crypto";
import type { JwtAlgorithm } from "./algorithms";
import {
  AlgorithmNotAllowedError,
  AudienceMismatchError,
  IssuerMismatchError,
  KeyNotFoundError,
  SignatureInvalidError,
  TokenExpiredError,
  TokenIssuedInFutureError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenUseInvalidError,
} from "./errors";

export type { JwtAlgorithm } from "./algorithms";

/**
 * A key prepared once (at cold start or refresh) for the hot path. A key allowed for several
 * algorithms (an RSA key for RS256 and PS256) is one entry per algorithm, sharing the KeyObject.
 */
export interface VerificationKey {
  /** The only algorithm this entry verifies (algorithms.ts pins it from the key's type). */
  readonly alg: JwtAlgorithm;
  /** A `secret` KeyObject for HS256, else a `public` KeyObject whose type fits `alg`. */
  readonly key: KeyObject;
  /** JWKS key id, if any. */
  readonly kid?: string;
}

/** Decoded JOSE header. Only `alg`, `kid` and `crit` are ever acted on. */
export interface JwtHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly [name: string]: unknown;
}

/** Decoded JWT claims set (always a JSON object). */
export type JwtPayload = Readonly<Record<string, unknown>>;

/** A structurally valid but NOT yet verified token. */
export interface DecodedJwt {
  readonly header: JwtHeader;
  readonly payload: JwtPayload;
  /** `base64url(header) "." base64url(payload)`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Claim checks configuration. */
export interface ClaimOptions {
  /** Required exact `iss`. */
  readonly issuer: string;
  /** Accepted `aud` values; empty disables the audience check (explicitly configured). */
  readonly audiences: readonly string[];
  /** Allowed clock skew in seconds. */
  readonly clockToleranceSeconds: number;
  /**
   * Read `client_id` as the audience when the token has no `aud` (Cognito access tokens), as API
   * Gateway's JWT authorizer does (issuers.ts, `issuerClaimRules`). @default false
   */
  readonly clientIdAudience?: boolean;
  /** The accepted `token_use` values (Cognito); undefined: not checked. */
  readonly tokenUse?: readonly string[];
}

/**
 * Tokens longer than this are refused before any decoding. API Gateway caps request line plus
 * headers at 10240 bytes, and real ID/access tokens are 1–2 KB.
 */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * Splits and decodes a compact JWS without trusting it.
 * @throws TokenMalformedError on any structural problem.
 */
export function decodeJwt(token: string): DecodedJwt {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) {
    throw new TokenMalformedError("Token is too large.");
  }
  // Three segments; header and payload non-empty, the signature may be empty so `alg: none` is
  // reported as such.
  const dot1 = token.indexOf(".");
  const dot2 = dot1 < 1 ? -1 : token.indexOf(".", dot1 + 1);
  if (dot2 < dot1 + 2 || token.indexOf(".", dot2 + 1) !== -1) {
    throw new TokenMalformedError("Token is not a compact JWS.");
  }
  const header = decodeHeader(token.slice(0, dot1));
  const payload = parseJsonObject(token.slice(dot1 + 1, dot2), "payload");
  return {
    header,
    payload,
    signingInput: token.slice(0, dot2),
    signature: base64urlBytes(token.slice(dot2 + 1), "signature"),
  };
}

/**
 * The bytes of a base64url segment, which must be their canonical spelling: the unpadded
 * base64url alphabet (RFC 7515 §2, RFC 4648 §5), and zero bits after the last whole byte
 * (RFC 4648 §3.5). Decoders ignore those bits, so without this one signature would verify under up
 * to four spellings of the same segment: a token would not be one string, and API Gateway, which
 * caches by the header's text, would see four callers. Node's decoder also skips characters
 * outside the alphabet and accepts `+`, `/` and `=`. One rule covers all of it: the segment must
 * be exactly what encoding its bytes gives back (every JOSE library writes that form). Cheaper
 * than a regular expression over the whole token, and the bytes are needed anyway.
 */
function base64urlBytes(segment: string, what: string): Buffer {
  const bytes = Buffer.from(segment, "base64url");
  if (bytes.toString("base64url") !== segment) {
    throw new TokenMalformedError(`Token ${what} is not canonical base64url.`);
  }
  return bytes;
}

// An issuer signs every token with the same few headers, so the decoded header is memoized by its
// exact base64url text (pure function of the string, so caching cannot change a decision). Bounded,
// so attacker-chosen headers cannot grow memory: when full, it is simply cleared.
const HEADER_CACHE_MAX = 32;
const headerCache = new Map<string, JwtHeader>();

function decodeHeader(segment: string): JwtHeader {
  const cached = headerCache.get(segment);
  if (cached) return cached;
  const header = parseJsonObject(segment, "header");
  if (typeof header.alg !== "string") throw new TokenMalformedError("Token header has no alg.");
  if (header.kid !== undefined && typeof header.kid !== "string") {
    throw new TokenMalformedError("Token header kid is not a string.");
  }
  // RFC 7515 §4.1.11: a recipient must reject extensions it does not understand; we understand none.
  if (header.crit !== undefined) throw new TokenMalformedError("Token header has crit.");
  if (headerCache.size >= HEADER_CACHE_MAX) headerCache.clear();
  // Frozen: the same object is shared by every token with this header.
  const frozen = Object.freeze(header) as JwtHeader;
  headerCache.set(segment, frozen);
  return frozen;
}

// RFC 7519 §7.2 (validating a JWT): the decoded header and payload must be "completely valid JSON
// conforming to RFC 8259", whose §8.1 requires UTF-8. Buffer#toString("utf8") would turn every
// invalid byte into U+FFFD, so two differently signed payloads ("cust-\xff", "cust-\xfe") would
// decode to the same customer id. A fatal decoder throws instead. `ignoreBOM: true` keeps a
// leading BOM in the text, where JSON.parse refuses it (RFC 8259 §8.1: no BOM). One decoder for
// the module: creating it per token is the only part that would cost anything measurable.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function parseJsonObject(segment: string, what: string): Record<string, unknown> {
  const bytes = base64urlBytes(segment, what);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (cause) {
    throw new TokenMalformedError(`Token ${what} is not valid UTF-8.`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TokenMalformedError(`Token ${what} is not JSON.`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TokenMalformedError(`Token ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/**
 * Pins the algorithm: the header's `alg` must be one the key source allows, before any key is
 * looked up (so `none`, or HS256 against a public-key source, costs no I/O).
 * @throws AlgorithmNotAllowedError otherwise (`none`, `HS256` against an RSA key, …).
 */
export function assertAlgorithm(
  header: JwtHeader,
  expected: JwtAlgorithm | ReadonlySet<JwtAlgorithm>,
): void {
  const ok =
    typeof expected === "string"
      ? header.alg === expected
      : expected.has(header.alg as JwtAlgorithm);
  if (!ok) {
    const list = typeof expected === "string" ? expected : [...expected].join(", ");
    // The token's own alg is not echoed: messages never hold token content.
    throw new AlgorithmNotAllowedError(`Algorithm not allowed; expected ${list}.`);
  }
}

/**
 * Verifies the signature against the candidate keys (several during a secret rotation). Keys
 * pinned to another algorithm than the header's are skipped, so a confused token never reaches
 * them: an ES256 token meets no RSA key, an ES256 token no P-384 key.
 * @throws KeyNotFoundError when there is no candidate key at all.
 * @throws AlgorithmNotAllowedError when candidates exist but none is pinned to the token's `alg`
 *   (the key's type or its JWK `alg` says otherwise).
 * @throws SignatureInvalidError when no candidate verifies.
 */
export function verifySignature(jwt: DecodedJwt, keys: readonly VerificationKey[]): void {
  const alg = jwt.header.alg;
  let tried = 0;
  for (const k of keys) {
    if (k.alg !== alg) continue;
    tried++;
    if (verifyWith(k.alg, jwt, k.key)) return;
  }
  if (keys.length === 0) throw new KeyNotFoundError("No key for this token.");
  if (tried === 0) {
    throw new AlgorithmNotAllowedError("The token's key is not pinned to its algorithm.");
  }
  throw new SignatureInvalidError("Signature does not verify.");
}

// How each algorithm is checked. RFC 7518 §3.3 (RS*: RSASSA-PKCS1-v1_5), §3.5 (PS*: RSASSA-PSS,
// MGF1 with the same hash, salt as long as the hash: RSA_PSS_SALTLEN_DIGEST makes OpenSSL require
// exactly that), §3.4 (ES*: the JWS signature is R || S, each coordinate-sized, NOT the DER
// SEQUENCE OpenSSL produces by default, hence `dsaEncoding: "ieee-p1363"` and the exact length
// check), RFC 8037 §3.1 (EdDSA: the 64-byte Ed25519 signature, no pre-hash, so no digest name).
type Check =
  | { readonly kind: "hmac" }
  | { readonly kind: "pkcs1"; readonly hash: string }
  | { readonly kind: "pss"; readonly hash: string }
  | { readonly kind: "ecdsa"; readonly hash: string; readonly bytes: number }
  | { readonly kind: "eddsa"; readonly bytes: number };

const CHECKS: Readonly<Record<JwtAlgorithm, Check>> = {
  HS256: { kind: "hmac" },
  RS256: { kind: "pkcs1", hash: "sha256" },
  RS384: { kind: "pkcs1", hash: "sha384" },
  RS512: { kind: "pkcs1", hash: "sha512" },
  PS256: { kind: "pss", hash: "sha256" },
  PS384: { kind: "pss", hash: "sha384" },
  PS512: { kind: "pss", hash: "sha512" },
  ES256: { kind: "ecdsa", hash: "sha256", bytes: 64 },
  ES384: { kind: "ecdsa", hash: "sha384", bytes: 96 },
  ES512: { kind: "ecdsa", hash: "sha512", bytes: 132 },
  EdDSA: { kind: "eddsa", bytes: 64 },
};

function verifyWith(alg: JwtAlgorithm, jwt: DecodedJwt, key: KeyObject): boolean {
  const check = CHECKS[alg];
  const sig = jwt.signature;
  if (check.kind === "hmac") return verifyHs256(jwt, key);
  if (sig.length === 0) return false;
  // A DER-encoded ECDSA signature (or any other length) is refused before OpenSSL sees it.
  if ((check.kind === "ecdsa" || check.kind === "eddsa") && sig.length !== check.bytes) {
    return false;
  }
  const data = Buffer.from(jwt.signingInput, "latin1");
  try {
    switch (check.kind) {
      case "pkcs1":
        return cryptoVerify(check.hash, data, key, sig);
      case "pss":
        return cryptoVerify(
          check.hash,
          data,
          {
            key,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          },
          sig,
        );
      case "ecdsa":
        return cryptoVerify(check.hash, data, { key, dsaEncoding: "ieee-p1363" }, sig);
      case "eddsa":
        return cryptoVerify(null, data, key, sig);
    }
  } catch {
    // A key/signature mismatch throws in some OpenSSL versions; it is simply not valid.
    return false;
  }
}

function verifyHs256(jwt: DecodedJwt, key: KeyObject): boolean {
  const mac = createHmac("sha256", key).update(jwt.signingInput, "latin1").digest();
  // timingSafeEqual throws on a length mismatch; the length of a MAC is not secret.
  return jwt.signature.length === mac.length && timingSafeEqual(jwt.signature, mac);
}

/**
 * Validates the registered claims of a verified token at `nowMs`.
 * `exp` is required; `nbf` and `iat` are checked when present; all are compared with the tolerance.
 * @throws the matching AuthError subclass.
 */
export function validateClaims(payload: JwtPayload, options: ClaimOptions, nowMs: number): void {
  const now = nowMs / 1000;
  const tol = options.clockToleranceSeconds;

  const exp = payload.exp;
  if (exp === undefined) throw new TokenExpiredError("Token has no exp claim.");
  if (!isNumericDate(exp)) throw new TokenMalformedError("Token exp is not a number.");
  if (exp <= now - tol) throw new TokenExpiredError("Token has expired.");

  const nbf = payload.nbf;
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw new TokenMalformedError("Token nbf is not a number.");
    if (nbf > now + tol) throw new TokenNotYetValidError("Token is not valid yet.");
  }

  const iat = payload.iat;
  if (iat !== undefined) {
    if (!isNumericDate(iat)) throw new TokenMalformedError("Token iat is not a number.");
    if (iat > now + tol) throw new TokenIssuedInFutureError("Token was issued in the future.");
  }

  if (typeof payload.iss !== "string" || payload.iss !== options.issuer) {
    throw new IssuerMismatchError("Token issuer is not the expected issuer.");
  }

  if (options.audiences.length > 0) {
    // `client_id` stands in only when `aud` is absent: a token with an aud is judged by its aud
    // alone, so a wrong aud cannot be rescued by a client_id (aws-semantics.md §1, HJT).
    const aud =
      options.clientIdAudience === true && payload.aud === undefined
        ? payload.client_id
        : payload.aud;
    if (!audienceMatches(aud, options.audiences)) {
      throw new AudienceMismatchError("Token audience is not accepted.");
    }
  }

  if (
    options.tokenUse !== undefined &&
    (typeof payload.token_use !== "string" || !options.tokenUse.includes(payload.token_use))
  ) {
    throw new TokenUseInvalidError(`Token token_use is not ${options.tokenUse.join(" or ")}.`);
  }
}

function isNumericDate(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === "string") return accepted.includes(aud);
  if (Array.isArray(aud)) return aud.some((a) => typeof a === "string" && accepted.includes(a));
  return false;
}

/** Options for the all-in-one synchronous `verifyJwt`. */
export interface VerifyOptions extends ClaimOptions {
  /** The pinned algorithm, or the allowed set. */
  readonly algorithm: JwtAlgorithm | ReadonlySet<JwtAlgorithm>;
}

/**
 * Decodes, pins the algorithm, verifies the signature with `keys` and validates claims, all
 * synchronously. For a key source that selects keys by `kid`, use `createAuthorizer` instead.
 * @returns the verified claims.
 * @throws AuthError subclasses.
 */
export function verifyJwt(
  token: string,
  keys: readonly VerificationKey[],
  options: VerifyOptions,
  nowMs: number = Date.now(),
): JwtPayload {
  const jwt = decodeJwt(token);
  assertAlgorithm(jwt.header, options.algorithm);
  verifySignature(jwt, keys);
  validateClaims(jwt.payload, options, nowMs);
  return jwt.payload;
}
