/**
 * Key material and signed tokens for the bench, made with node:crypto only (no project code), so
 * the authorizers and every baseline verify exactly the same bytes.
 */
import * as crypto from "node:crypto";

export const ISSUER = "https://issuer.bench.local/";
export const AUDIENCE = "identity-gateway-bench";
export const KID = "bench-rsa-1";
export const ES_KID = "bench-p256-1";
export const ED_KID = "bench-ed25519-1";
export const ROLE_CLAIM = "metadata.role";
export const REQUIRED_ROLE = "admin";

/** Everything a bench process needs, serialisable to JSON (handed to children through a file). */
export interface BenchMaterial {
  issuer: string;
  audience: string;
  kid: string;
  hsSecret: string;
  rsaPublicPem: string;
  rsaPublicJwk: crypto.JsonWebKey & { kid: string; alg: string; use: string };
  /** Distinct HS256 tokens (different `jti`, `sub`, customer). */
  hsTokens: string[];
  /** Distinct RS256 tokens, `kid` set. */
  rsTokens: string[];
  esPublicPem: string;
  esPublicJwk: crypto.JsonWebKey & { kid: string; alg: string; use: string };
  /** Distinct ES256 tokens (P-256, R||S signatures), `kid` set. */
  esTokens: string[];
  edPublicPem: string;
  edPublicJwk: crypto.JsonWebKey & { kid: string; alg: string; use: string };
  /** Distinct EdDSA (Ed25519) tokens, `kid` set. */
  edTokens: string[];
}

const b64u = (value: Buffer | string): string => Buffer.from(value).toString("base64url");

function claims(i: number, nowS: number): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: `user-${i}`,
    customer_id: `cust-${100000 + i}`,
    customer_name: `Bench Customer ${i}`,
    metadata: { role: REQUIRED_ROLE },
    iat: nowS - 10,
    nbf: nowS - 10,
    exp: nowS + 3600,
    jti: crypto.randomUUID(),
  };
}

export function signHs256(payload: Record<string, unknown>, secret: string): string {
  const input = `${b64u(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64u(JSON.stringify(payload))}`;
  const sig = crypto.createHmac("sha256", secret).update(input).digest();
  return `${input}.${b64u(sig)}`;
}

export function signRs256(payload: Record<string, unknown>, key: crypto.KeyObject): string {
  const header = { alg: "RS256", typ: "JWT", kid: KID };
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const sig = crypto.sign("RSA-SHA256", Buffer.from(input), key);
  return `${input}.${b64u(sig)}`;
}

/** ES256 (RFC 7518 §3.4): ECDSA P-256 over SHA-256, the signature as R || S (not DER). */
export function signEs256(payload: Record<string, unknown>, key: crypto.KeyObject): string {
  const header = { alg: "ES256", typ: "JWT", kid: ES_KID };
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const sig = crypto.sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64u(sig)}`;
}

/** EdDSA with Ed25519 (RFC 8037 §3.1): no pre-hash. */
export function signEdDsa(payload: Record<string, unknown>, key: crypto.KeyObject): string {
  const header = { alg: "EdDSA", typ: "JWT", kid: ED_KID };
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const sig = crypto.sign(null, Buffer.from(input), key);
  return `${input}.${b64u(sig)}`;
}

/**
 * Fresh RSA-2048, EC P-256 and Ed25519 key pairs, an HS256 secret, and `count` distinct tokens of
 * each kind.
 */
export function makeMaterial(count: number): BenchMaterial {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const es = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ed = crypto.generateKeyPairSync("ed25519");
  const esTokens: string[] = [];
  const edTokens: string[] = [];
  const hsSecret = crypto.randomBytes(32).toString("base64url");
  const nowS = Math.floor(Date.now() / 1000);
  const hsTokens: string[] = [];
  const rsTokens: string[] = [];
  for (let i = 0; i < count; i++) {
    hsTokens.push(signHs256(claims(i, nowS), hsSecret));
    rsTokens.push(signRs256(claims(i, nowS), privateKey));
    esTokens.push(signEs256(claims(i, nowS), es.privateKey));
    edTokens.push(signEdDsa(claims(i, nowS), ed.privateKey));
  }
  const pem = (k: crypto.KeyObject) => k.export({ type: "spki", format: "pem" }).toString();
  return {
    issuer: ISSUER,
    audience: AUDIENCE,
    kid: KID,
    hsSecret,
    rsaPublicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    rsaPublicJwk: { ...publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" },
    hsTokens,
    rsTokens,
    esPublicPem: pem(es.publicKey),
    esPublicJwk: {
      ...es.publicKey.export({ format: "jwk" }),
      kid: ES_KID,
      alg: "ES256",
      use: "sig",
    },
    esTokens,
    edPublicPem: pem(ed.publicKey),
    edPublicJwk: {
      ...ed.publicKey.export({ format: "jwk" }),
      kid: ED_KID,
      alg: "EdDSA",
      use: "sig",
    },
    edTokens,
  };
}

/** The same token with one signature character flipped: must be refused. */
export function tamper(token: string): string {
  const last = token.charAt(token.length - 2);
  return token.slice(0, -2) + (last === "A" ? "B" : "A") + token.slice(-1);
}
