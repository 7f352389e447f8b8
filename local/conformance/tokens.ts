/**
 * Tokens for the conformance checks: honest ones signed with the stack's key material, and the
 * hostile ones every mode must refuse (RFC 8725 §2.1 `alg: none`, §3.1 HS/RS confusion; design
 * rule 6). Nothing here ever prints a token: `shortToken` is what a report shows.
 */
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from "node:crypto";

/** What the checker can sign with: the stack's HS256 secret or its RS256 private key. */
export type KeyMaterial =
  | { readonly kind: "secret"; readonly secret: string }
  | {
      readonly kind: "private-key";
      readonly privateKey: KeyObject;
      /** SPKI PEM of the public half (the HS/RS confusion check signs with it). */
      readonly publicKeyPem: string;
      /** The `kid` to put in the header (a JWKS issuer selects its key by it). */
      readonly kid: string;
    };

/** The claims an honest token needs besides its identity. */
export interface TokenProfile {
  readonly issuer: string;
  /** Omitted from tokens when undefined or empty (a stack with the audience check off). */
  readonly audience?: string;
}

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

/** RFC 7638 thumbprint: the `kid` the built-in development issuer uses, a sensible default. */
export function thumbprint(publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: "jwk" }) as { e: string; n: string };
  return createHash("sha256")
    .update(JSON.stringify({ e: jwk.e, kty: "RSA", n: jwk.n }))
    .digest("base64url");
}

/** Key material from a PEM private key (PKCS#1 or PKCS#8). @throws Error for a non-RSA key */
export function privateKeyMaterial(pem: string, kid?: string): KeyMaterial {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== "rsa") {
    throw new Error(`the private key is ${privateKey.asymmetricKeyType}, RS256 needs an RSA key`);
  }
  const publicKeyPem = createPublicKey(privateKey)
    .export({ type: "spki", format: "pem" })
    .toString();
  return { kind: "private-key", privateKey, publicKeyPem, kid: kid ?? thumbprint(publicKeyPem) };
}

/** Sign `payload` with the stack's key (HS256 or RS256). */
export function signToken(payload: Record<string, unknown>, key: KeyMaterial): string {
  if (key.kind === "secret") {
    const input = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(payload)}`;
    return `${input}.${createHmac("sha256", key.secret).update(input).digest("base64url")}`;
  }
  const input = `${b64url({ alg: "RS256", typ: "JWT", kid: key.kid })}.${b64url(payload)}`;
  return `${input}.${sign("sha256", Buffer.from(input), key.privateKey).toString("base64url")}`;
}

/** Claims of a token valid for `lifetimeSeconds` (negative: expired that long ago). */
export function claimsFor(
  profile: TokenProfile,
  sub: string,
  extra: Record<string, unknown> = {},
  lifetimeSeconds = 300,
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: profile.issuer,
    sub,
    // An expired token was also issued before it expired (an iat in the future is its own error).
    iat: lifetimeSeconds < 0 ? now + lifetimeSeconds - 60 : now,
    exp: now + lifetimeSeconds,
    jti: randomBytes(8).toString("hex"),
  };
  if (profile.audience) claims.aud = profile.audience;
  return { ...claims, ...extra };
}

/** The payload of a compact JWS, unverified (for `--token`: what its claims say). */
export function decodePayload(token: string): Record<string, unknown> | undefined {
  const part = token.split(".")[1];
  if (part === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `alg: none` with an empty signature (RFC 7519 §6.1 "Unsecured JWTs"). */
export function unsecuredToken(payload: Record<string, unknown>): string {
  return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(payload)}.`;
}

/**
 * The algorithm-confusion tokens for `key` (RFC 8725 §2.1, §3.1):
 * - an RS256 stack: HS256 tokens keyed with the public key's PEM text (with and without its
 *   final newline), which a verifier that lets the token choose the algorithm accepts;
 * - an HS256 stack: an RS256 token signed with a fresh key that travels in the header (`jwk`),
 *   which a verifier that trusts embedded keys accepts.
 */
export function confusionTokens(
  payload: Record<string, unknown>,
  key: KeyMaterial,
): Array<{ readonly what: string; readonly token: string }> {
  if (key.kind === "private-key") {
    const pem = key.publicKeyPem;
    return [pem, pem.trimEnd()].map((hmacKey, i) => {
      const input = `${b64url({ alg: "HS256", typ: "JWT", kid: key.kid })}.${b64url(payload)}`;
      const sig = createHmac("sha256", hmacKey).update(input).digest("base64url");
      return {
        what: `HS256 keyed with the RS256 public key PEM${i === 1 ? " (no final newline)" : ""}`,
        token: `${input}.${sig}`,
      };
    });
  }
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" });
  const input = `${b64url({ alg: "RS256", typ: "JWT", jwk })}.${b64url(payload)}`;
  const sig = sign("sha256", Buffer.from(input), privateKey).toString("base64url");
  return [
    { what: "RS256 signed with a key embedded in the header (jwk)", token: `${input}.${sig}` },
  ];
}

/** A token whose signature no longer matches (last characters of the signature changed). */
export function garble(token: string): string {
  const dot = token.lastIndexOf(".");
  const sig = token.slice(dot + 1);
  if (sig.length < 4) return `${token}AAAA`;
  const flipped = [...sig.slice(-4)].map((c) => (c === "A" ? "B" : "A")).join("");
  return `${token.slice(0, dot + 1)}${sig.slice(0, -4)}${flipped}`;
}

/** How a report shows a token: never whole (the first 12 characters and its length). */
export function shortToken(token: string): string {
  return token.length <= 16 ? "<token>" : `${token.slice(0, 12)}…(${token.length} chars)`;
}
