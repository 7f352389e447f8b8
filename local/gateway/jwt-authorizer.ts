/**
 * The HTTP API native JWT authorizer (aws-semantics.md §1), with real RSA signature checks against
 * the issuer's JWKS found by OIDC discovery.
 *
 * Implemented with node:crypto rather than `jose`: jose 6 is ESM-only and this project's Jest runs
 * CommonJS, and the checks AWS makes are few and explicit (listed below), so owning them keeps every
 * step visible next to its citation.
 */
import { createPublicKey, verify as cryptoVerify, constants, type KeyObject } from "node:crypto";
import { KID_REFETCH_COOLDOWN_MS, unknownKidMayRefetch } from "../../functions/commons/keys";
import type { JwtAuthorizerModel } from "../model";
import { resolveIdentitySource, stringifyClaim } from "./expressions";
import { httpErrors } from "./responses";
import type { AuthResult, FetchLike, RequestContext } from "./types";

/** §1 "JWKS discovery": 1500 ms for discovery and for the JWKS endpoint (HQ). */
export const JWKS_TIMEOUT_MS = 1500;
/** §1: keys cached up to 1 hour (RJK, assumed for HTTP APIs). */
export const JWKS_MAX_AGE_MS = 60 * 60 * 1000;

/** The JWKS could not be fetched or parsed. */
export class JwksUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "JwksUnavailableError";
  }
}

interface Jwk {
  kid?: string;
  kty?: string;
  [k: string]: unknown;
}

/**
 * Per-issuer JWKS cache: fresh for 1 h, refetched early when a token names an unseen `kid` (RJK:
 * "When API Gateway receives a token signed with a key it hasn't seen, it retrieves the key set
 * again", https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-jwt-authorizer-keys.html,
 * "Key rotation and caching"). How often AWS allows that refetch is UNDOCUMENTED. Here an unseen
 * `kid` refetches at most once per `KID_REFETCH_COOLDOWN_MS` per issuer — the Lambda key source's
 * rule and constant (functions/commons/keys.ts) — so tokens with made-up kids cannot make the
 * gateway hammer the issuer. A key published within the cooldown of the last fetch is therefore
 * picked up when the cooldown ends: publish new keys before signing with them, as AWS advises.
 */
export class JwksCache {
  private readonly entries = new Map<string, { keys: Jwk[]; fetchedAt: number }>();
  private readonly inflight = new Map<string, Promise<Jwk[]>>();
  /** When the last download for an issuer started, successful or not (for the kid cooldown). */
  private readonly lastFetchAt = new Map<string, number>();
  /** Number of JWKS downloads (for tests and logs). */
  fetchCount = 0;

  constructor(
    private readonly fetch: FetchLike,
    private readonly now: () => number,
    private readonly kidRefetchCooldownMs: number = KID_REFETCH_COOLDOWN_MS,
  ) {}

  /** The JWK with `kid` for `issuer`, or undefined when the (refreshed) set lacks it. */
  async getKey(issuer: string, kid: string): Promise<Jwk | undefined> {
    const entry = this.entries.get(issuer);
    const fresh = entry && this.now() - entry.fetchedAt < JWKS_MAX_AGE_MS;
    if (fresh) {
      const hit = entry.keys.find((k) => k.kid === kid);
      if (hit) return hit;
      const last = this.lastFetchAt.get(issuer);
      if (!unknownKidMayRefetch(last, this.now(), this.kidRefetchCooldownMs)) return undefined;
    }
    // Stale, never fetched, or an unseen kid past the cooldown: fetch again (failures are not
    // cached, so the authorizer recovers by itself once the issuer is back — design rule 9).
    const keys = await this.refresh(issuer);
    return keys.find((k) => k.kid === kid);
  }

  private refresh(issuer: string): Promise<Jwk[]> {
    let p = this.inflight.get(issuer);
    if (!p) {
      this.lastFetchAt.set(issuer, this.now());
      p = this.download(issuer).finally(() => this.inflight.delete(issuer));
      this.inflight.set(issuer, p);
    }
    return p;
  }

  private async getJson(url: string): Promise<unknown> {
    let res: Awaited<ReturnType<FetchLike>>;
    try {
      res = await this.fetch(url, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
    } catch (cause) {
      throw new JwksUnavailableError(`GET ${url} failed`, { cause });
    }
    if (!res.ok) throw new JwksUnavailableError(`GET ${url} returned ${res.status}`);
    try {
      return await res.json();
    } catch (cause) {
      throw new JwksUnavailableError(`GET ${url} did not return JSON`, { cause });
    }
  }

  private async download(issuer: string): Promise<Jwk[]> {
    const discovery = (await this.getJson(
      `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`,
    )) as { jwks_uri?: unknown } | null;
    const jwksUri = discovery?.jwks_uri;
    if (typeof jwksUri !== "string") throw new JwksUnavailableError("discovery has no jwks_uri");
    const jwks = (await this.getJson(jwksUri)) as { keys?: unknown } | null;
    if (!Array.isArray(jwks?.keys)) throw new JwksUnavailableError("JWKS has no keys array");
    this.fetchCount++;
    const keys = jwks.keys.filter((k): k is Jwk => typeof k === "object" && k !== null);
    this.entries.set(issuer, { keys, fetchedAt: this.now() });
    return keys;
  }
}

/** A token-validation failure; `description` goes into `www-authenticate`. */
class InvalidTokenError extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = "InvalidTokenError";
  }
}

/**
 * §1 step 3: only RSA algorithms; `none`, HS*, ES* and EdDSA are rejected, whatever key the
 * issuer publishes. AWS, "Control access to HTTP APIs with JWT authorizers in API Gateway"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html),
 * "Authorizing API requests with a JWT authorizer", step 3: "Currently, only RSA-based algorithms
 * are supported." (The newer REST API JWT authorizer, rest-api-jwt-authorizer, accepts ES*; it is
 * not the authorizer http-jwt deploys.) The Lambda modes verify ES* and EdDSA instead.
 */
const RSA_ALGS: Record<string, { hash: string; pss: boolean }> = {
  RS256: { hash: "sha256", pss: false },
  RS384: { hash: "sha384", pss: false },
  RS512: { hash: "sha512", pss: false },
  PS256: { hash: "sha256", pss: true },
  PS384: { hash: "sha384", pss: true },
  PS512: { hash: "sha512", pss: true },
};

function decodePart(part: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new InvalidTokenError("the token is malformed");
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw new InvalidTokenError("the token is malformed");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidTokenError("the token is malformed");
  }
  return value as Record<string, unknown>;
}

/** The token's scopes from `scope` (space-separated) or `scp` (array or string), or null. */
export function tokenScopes(payload: Record<string, unknown>): string[] | null {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === "string") return raw.split(" ").filter((s) => s !== "");
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === "string");
  return null;
}

/**
 * Verifies a JWT like the HTTP API JWT authorizer (§1 "Validation, in order").
 * @returns the payload.
 * @throws InvalidTokenError / JwksUnavailableError.
 */
export async function verifyJwt(
  token: string,
  config: { issuer: string; audiences: string[] },
  keys: JwksCache,
  nowMs: number,
): Promise<Record<string, unknown>> {
  // Step 2: decode.
  const parts = token.split(".");
  if (parts.length !== 3) throw new InvalidTokenError("the token is malformed");
  const header = decodePart(parts[0]);
  const payload = decodePart(parts[1]);
  // Step 3: algorithm, then the key named by `kid` (embedded jwk/jku/x5u headers are ignored).
  const alg = typeof header.alg === "string" ? header.alg : "";
  const spec = Object.hasOwn(RSA_ALGS, alg) ? RSA_ALGS[alg] : undefined;
  if (!spec) throw new InvalidTokenError(`signing method ${printableAlg(alg)} is invalid`);
  if (typeof header.kid !== "string") throw new InvalidTokenError("the token has no kid");
  const jwk = await keys.getKey(config.issuer, header.kid);
  if (!jwk) throw new InvalidTokenError("the signing key for the token was not found");
  if (jwk.kty !== "RSA") throw new InvalidTokenError("the signing key is not an RSA key");
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as never, format: "jwk" });
  } catch {
    throw new InvalidTokenError("the signing key is not usable");
  }
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], "base64url");
  const ok = cryptoVerify(
    spec.hash,
    signed,
    spec.pss
      ? {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }
      : key,
    signature,
  );
  if (!ok) throw new InvalidTokenError("the token signature is invalid");
  // Step 4: claims.
  if (payload.iss !== config.issuer) {
    throw new InvalidTokenError("the token does not have a valid issuer");
  }
  // `client_id` only when `aud` is absent; with both, only `aud` counts (HJT current).
  const aud = payload.aud;
  const candidates =
    aud !== undefined
      ? (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === "string")
      : typeof payload.client_id === "string"
        ? [payload.client_id]
        : [];
  if (!candidates.some((a) => config.audiences.includes(a))) {
    // The one documented description (HJT).
    throw new InvalidTokenError("the token does not have a valid audience");
  }
  const nowSec = nowMs / 1000;
  // `exp` must be after now. A token WITHOUT `exp` is rejected too: the AWS page lists the check
  // without saying what happens when the claim is absent; we fail closed.
  if (typeof payload.exp !== "number" || !(payload.exp > nowSec)) {
    throw new InvalidTokenError("the token has expired");
  }
  // `nbf` and `iat` must be before now when present. No clock skew (none documented).
  if (payload.nbf !== undefined && !(typeof payload.nbf === "number" && payload.nbf <= nowSec)) {
    throw new InvalidTokenError("the token is not valid yet");
  }
  if (payload.iat !== undefined && !(typeof payload.iat === "number" && payload.iat <= nowSec)) {
    throw new InvalidTokenError("the token was issued in the future");
  }
  return payload;
}

/**
 * The token's `alg` as it may appear in a failure description. The header is the caller's text, and
 * the description becomes a `www-authenticate` value and the access log's `error`: anything but a
 * short run of printable ASCII (CR/LF, other controls, non-Latin-1 characters, which node:http
 * refuses in a header and so turned a bad token into a 500) is not echoed.
 */
function printableAlg(alg: string): string {
  if (alg === "") return "none";
  return /^[\x21-\x7e]{1,32}$/.test(alg) ? alg : "(unprintable)";
}

function wwwAuthenticate(description: string): Array<[string, string]> {
  // §1 "Failure response" (HJT). Quotes, backslashes and anything outside printable ASCII are
  // dropped, so the value is always a valid header value whatever the description holds.
  const d = description.replace(/["\\]|[^\x20-\x7e]/g, "");
  return [["www-authenticate", `Bearer scope="" error="invalid_token" error_description="${d}"`]];
}

/** Authorizes a request for a route using a JWT authorizer. */
export class JwtAuthorizer {
  constructor(
    private readonly model: JwtAuthorizerModel,
    private readonly keys: JwksCache,
    private readonly now: () => number,
  ) {}

  async authorize(ctx: RequestContext, routeScopes: string[] | undefined): Promise<AuthResult> {
    const started = this.now();
    // §1 step 1: the single identity source; missing → 401 without any work.
    const raw = resolveIdentitySource(ctx, this.model.identitySource);
    if (raw === undefined) {
      return {
        ok: false,
        error: httpErrors.unauthorized(undefined, "identity source missing"),
        latencyMs: 0,
        invoked: false,
      };
    }
    // The value may be the bare token or `Bearer <token>`.
    const token = raw.replace(/^bearer\s+/i, "").trim();
    let payload: Record<string, unknown>;
    try {
      payload = await verifyJwt(token, this.model, this.keys, this.now());
    } catch (e) {
      const latencyMs = this.now() - started;
      if (e instanceof InvalidTokenError) {
        return {
          ok: false,
          error: httpErrors.unauthorized(wwwAuthenticate(e.description), e.description),
          latencyMs,
          invoked: true,
        };
      }
      // JWKS unreachable: fail closed (design rule 9) with 401. What AWS answers here is
      // UNDOCUMENTED; a deny that names the cause is the safe choice.
      const description = "unable to retrieve the signing keys";
      return {
        ok: false,
        error: httpErrors.unauthorized(
          wwwAuthenticate(description),
          `${description}: ${(e as Error).message}`,
        ),
        latencyMs,
        invoked: true,
      };
    }
    const scopes = tokenScopes(payload);
    // §1 scopes: at least one route scope must be in the token. Missing scope → 403 Forbidden
    // (UNDOCUMENTED; observed, 3P floci #2011).
    if (routeScopes && routeScopes.length > 0 && !routeScopes.some((s) => scopes?.includes(s))) {
      return {
        ok: false,
        error: httpErrors.forbidden("missing required scope"),
        latencyMs: this.now() - started,
        invoked: true,
      };
    }
    const claims: Record<string, string> = {};
    for (const [k, v] of Object.entries(payload)) claims[k] = stringifyClaim(v);
    return {
      ok: true,
      outcome: { claims, scopes, latencyMs: this.now() - started, cached: false },
    };
  }
}
