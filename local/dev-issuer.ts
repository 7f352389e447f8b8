/**
 * The built-in development issuer: an RS256 key pair and an HS256 secret, an OIDC discovery
 * document and a JWKS served on loopback, and `mintToken` to sign tokens the local gateway accepts.
 *
 * Keys are generated per run, or persisted in a directory (`.local/`, gitignored) so that
 * `npm run token` in another terminal signs with the keys the running gateway trusts. Nothing
 * here is meant for production: the private key is written to disk in clear.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  createHmac,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** Key material of the development issuer. */
export interface DevKeys {
  /** PKCS#8 PEM of the RS256 signing key. */
  readonly privateKeyPem: string;
  /** SPKI PEM of the RS256 public key (what `verifyWith=public-key` stores in Secrets Manager). */
  readonly publicKeyPem: string;
  /** The JWK thumbprint of the public key, used as `kid`. */
  readonly kid: string;
  /** HS256 shared secret (what `verifyWith=secret` stores in Secrets Manager). */
  readonly hs256Secret: string;
}

export const DEV_KEYS_FILE = "dev-keys.json";

/** Generate fresh development keys. */
export function generateDevKeys(): DevKeys {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  return {
    privateKeyPem,
    publicKeyPem,
    kid: jwkThumbprint(publicKeyPem),
    hs256Secret: randomBytes(48).toString("base64url"),
  };
}

/**
 * The development keys persisted in `dir/dev-keys.json`, created (mode 0600) on first use.
 * Without `dir`, fresh keys for this run only.
 */
export function loadOrCreateDevKeys(dir?: string): DevKeys {
  if (dir === undefined) return generateDevKeys();
  const file = join(dir, DEV_KEYS_FILE);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Partial<DevKeys>;
    if (stored.privateKeyPem && stored.hs256Secret) {
      const publicKeyPem = createPublicKey(createPrivateKey(stored.privateKeyPem))
        .export({ type: "spki", format: "pem" })
        .toString();
      return {
        privateKeyPem: stored.privateKeyPem,
        publicKeyPem,
        kid: jwkThumbprint(publicKeyPem),
        hs256Secret: stored.hs256Secret,
      };
    }
  }
  const keys = generateDevKeys();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys, null, 2) + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return keys;
}

/** RFC 7638 thumbprint of an RSA public key. */
function jwkThumbprint(publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: "jwk" }) as { e: string; n: string };
  const canonical = JSON.stringify({ e: jwk.e, kty: "RSA", n: jwk.n });
  return createHash("sha256").update(canonical).digest("base64url");
}

/** The public JWK of the development key. */
export function publicJwk(keys: DevKeys): Record<string, string> {
  const jwk = createPublicKey(keys.publicKeyPem).export({ format: "jwk" }) as Record<
    string,
    string
  >;
  return { ...jwk, kid: keys.kid, use: "sig", alg: "RS256" };
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

/** What a token must look like for the gateway to accept it. */
export interface TokenProfile {
  /** The `iss` claim. */
  readonly issuer: string;
  /** The `aud` claim; omitted when empty (an explicitly disabled audience check). */
  readonly audience?: string;
  /** HS256 for `verifyWith=secret`, RS256 otherwise. */
  readonly alg: "HS256" | "RS256";
}

export interface MintOptions {
  /** The `sub` claim. @default "dev-customer" */
  readonly sub?: string;
  /** Extra claims; they override the registered ones (`iss`, `aud`, `exp`…) when they collide. */
  readonly claims?: Record<string, unknown>;
  /** Lifetime: seconds, or a duration like `15m`, `1h`, `30s`, `2d`; negative for an expired token. @default "1h" */
  readonly expiresIn?: string | number;
}

/** Seconds in a duration: `90`, `90s`, `15m`, `1h`, `2d`, `-5m`. */
export function parseDuration(value: string | number): number {
  if (typeof value === "number") return Math.trunc(value);
  const m = /^(-?\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!m) throw new Error(`"${value}" is not a duration (e.g. 30s, 15m, 1h, 2d)`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

/** Set `path` (dots make nested objects: `metadata.role`) in `target`. */
export function setClaim(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/**
 * Parse `key=value` claim arguments. Values are strings, except that a value starting with `[`
 * or `{` is read as JSON (`roles=["a","b"]`).
 */
export function parseClaimArgs(args: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new Error(`--claim "${arg}" is not of the form key=value`);
    const key = arg.slice(0, eq);
    const raw = arg.slice(eq + 1);
    let value: unknown = raw;
    if (/^[[{]/.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new Error(`--claim ${key}: "${raw}" is not valid JSON`);
      }
    }
    setClaim(claims, key, value);
  }
  return claims;
}

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

/** Sign a compact JWS. */
export function signJwt(
  payload: Record<string, unknown>,
  keys: DevKeys,
  alg: "HS256" | "RS256",
): string {
  const header = alg === "RS256" ? { alg, typ: "JWT", kid: keys.kid } : { alg, typ: "JWT" };
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature =
    alg === "RS256"
      ? sign("sha256", Buffer.from(input), keys.privateKeyPem)
      : createHmac("sha256", keys.hs256Secret).update(input).digest();
  return `${input}.${signature.toString("base64url")}`;
}

/** A token for `profile`, signed with the development keys. */
export function mintToken(keys: DevKeys, profile: TokenProfile, opts: MintOptions = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const lifetime = parseDuration(opts.expiresIn ?? "1h");
  const payload: Record<string, unknown> = {
    iss: profile.issuer,
    sub: opts.sub ?? "dev-customer",
    iat: lifetime < 0 ? now + lifetime - 60 : now,
    exp: now + lifetime,
  };
  if (profile.audience !== undefined && profile.audience !== "") payload.aud = profile.audience;
  Object.assign(payload, opts.claims ?? {});
  return signJwt(payload, keys, profile.alg);
}

// ---------------------------------------------------------------------------------------------
// The issuer's HTTP endpoints
// ---------------------------------------------------------------------------------------------

/** OIDC discovery and JWKS of the development issuer, served on 127.0.0.1. */
export class DevIssuer {
  private constructor(
    readonly keys: DevKeys,
    /** The issuer URL, `http://127.0.0.1:<port>`: the `iss` of its tokens. */
    readonly url: string,
    private readonly server: Server,
    /** Requests served, by path (tests count JWKS fetches). */
    readonly requests: Readonly<Record<string, number>>,
  ) {}

  /** Serve the issuer on 127.0.0.1 (`port` 0 picks a free one). */
  static async start(keys: DevKeys, port = 0): Promise<DevIssuer> {
    let issuer = "";
    const counts: Record<string, number> = {};
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      counts[path] = (counts[path] ?? 0) + 1;
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, {
          "content-type": "application/json",
          "cache-control": "max-age=300",
        });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "GET") return json(405, { error: "method not allowed" });
      if (path === "/.well-known/openid-configuration") {
        return json(200, {
          issuer,
          jwks_uri: `${issuer}/.well-known/jwks.json`,
          id_token_signing_alg_values_supported: ["RS256"],
          response_types_supported: ["id_token"],
          subject_types_supported: ["public"],
        });
      }
      if (path === "/.well-known/jwks.json") return json(200, { keys: [publicJwk(keys)] });
      return json(404, { error: "not found" });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new DevIssuer(keys, issuer, server, counts);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
