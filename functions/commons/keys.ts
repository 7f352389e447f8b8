/**
 * Key sources: where verification keys come from, prepared once as `KeyObject`s and cached.
 *
 * Contract of `KeySource.getKeys`: while the cache is fresh it returns an array synchronously (the
 * warm path does no I/O and awaits nothing); when a load is needed it returns a Promise. Failures
 * are `AuthError`s (thrown synchronously or as a rejection), never crashes: an unreachable Secrets
 * Manager or JWKS endpoint denies requests (fail closed) and the source retries by itself after a
 * short backoff, so it recovers without a cold start.
 */
import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from "node:crypto";
import {
  secretsManager,
  type GetSecretValueOutput,
  type SecretsManagerClient,
} from "./clients/secrets-manager";
import {
  DEFAULT_TOKEN_ALGORITHMS,
  keyAlgorithms,
  keyTypeOf,
  type AsymmetricAlgorithm,
  type JwtAlgorithm,
} from "./algorithms";
import { AuthError, KeyNotFoundError, KeySourceUnavailableError } from "./errors";
import type { VerificationKey } from "./jwt";
import { issuerClaimRules, trustedIssuers, type TrustedIssuers } from "./issuers";
import type { AuthorizerSettings } from "./settings";

/** Supplies verification keys for a token's `kid`. */
export interface KeySource {
  /**
   * The algorithms a token may name with this source, checked before any key is looked up. Each
   * key is further pinned to the algorithms of its own type (`VerificationKey.alg`).
   */
  readonly algorithms: ReadonlySet<JwtAlgorithm>;
  /**
   * Candidate keys for `kid` (ignored by single-key sources). Synchronous when cached.
   * @throws KeySourceUnavailableError / KeyNotFoundError (sync or as a rejection).
   */
  getKeys(
    kid: string | undefined,
  ): readonly VerificationKey[] | Promise<readonly VerificationKey[]>;
}

/** The part of the Secrets Manager client the key source uses (a fake fits too). */
export type SecretsManagerSend = Pick<SecretsManagerClient, "getSecretValue">;

/** Retry pacing after a failed load: doubles from `minMs` up to `maxMs`. */
export interface Backoff {
  readonly minMs: number;
  readonly maxMs: number;
}

/** Default retry pacing: 1 s, 2 s, 4 s … capped at 10 s. */
export const DEFAULT_BACKOFF: Backoff = { minMs: 1000, maxMs: 10_000 };

/**
 * Minimum time between JWKS fetches caused by a token whose `kid` the cached key set lacks. An
 * unseen `kid` must refetch (the issuer may have rotated: AWS, "Signing keys and troubleshooting
 * JWT authorizers", https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-jwt-authorizer-keys.html,
 * "Key rotation and caching"), but `kid` is the caller's text: without a limit every forged token
 * would cost the IdP a request. AWS does not document how often it refetches. Shared with the local
 * gateway's JWT authorizer (local/gateway/jwt-authorizer.ts), so both behave alike.
 */
export const KID_REFETCH_COOLDOWN_MS = 30_000;

/**
 * Whether a token with a `kid` missing from a fresh key set may refetch the set: only once the
 * cooldown since the last fetch (started at `lastFetchAt`, ms; none yet: undefined) has passed.
 */
export function unknownKidMayRefetch(
  lastFetchAt: number | undefined,
  nowMs: number,
  cooldownMs: number = KID_REFETCH_COOLDOWN_MS,
): boolean {
  return lastFetchAt === undefined || nowMs - lastFetchAt >= cooldownMs;
}

/**
 * Single-flight cache with fail-closed retries, shared by both sources. `value` is only served
 * while fresh; after a failure, callers are denied without I/O until `retryAt`.
 */
class RefreshingCache<T> {
  private value: T | undefined;
  private expiresAt = 0;
  private loading: Promise<T> | undefined;
  private retryAt = 0;
  private failures = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly backoff: Backoff,
    private readonly what: string,
  ) {}

  /** The cached value if fresh, else undefined. */
  fresh(): T | undefined {
    return this.value !== undefined && this.now() < this.expiresAt ? this.value : undefined;
  }

  /** The current value, possibly stale; for decisions that need the last good state. */
  last(): T | undefined {
    return this.value;
  }

  /** Starts (or joins) a load, unless a recent failure is still backing off. */
  refresh(): Promise<T> {
    if (this.loading) return this.loading;
    if (this.now() < this.retryAt) {
      return Promise.reject(
        new KeySourceUnavailableError(`${this.what} unavailable; retrying soon.`),
      );
    }
    this.loading = this.load().then(
      (value) => {
        this.value = value;
        this.expiresAt = this.now() + this.ttlMs;
        this.failures = 0;
        this.retryAt = 0;
        this.loading = undefined;
        return value;
      },
      (cause: unknown) => {
        this.failures++;
        const delay = Math.min(this.backoff.maxMs, this.backoff.minMs * 2 ** (this.failures - 1));
        this.retryAt = this.now() + delay;
        this.loading = undefined;
        throw cause instanceof AuthError
          ? cause
          : new KeySourceUnavailableError(`${this.what} could not be loaded.`, { cause });
      },
    );
    return this.loading;
  }
}

// -------------------------------------------------------------------------------------------------
// Secrets Manager: HS256 secret or PEM public key (RSA, EC or Ed25519)
// -------------------------------------------------------------------------------------------------

/** Options of `createSecretsManagerKeySource`. */
export interface SecretsManagerKeySourceOptions {
  /** `secret`: SecretString (or SecretBinary) is the HS256 key. `public-key`: SecretString is a PEM. */
  readonly kind: "secret" | "public-key";
  /**
   * `public-key`: the algorithms tokens may use; the PEM's type narrows them (algorithms.ts).
   * Ignored for `secret`, which is HS256 only. @default DEFAULT_TOKEN_ALGORITHMS
   */
  readonly algorithms?: readonly AsymmetricAlgorithm[];
  /** Secret name or ARN. */
  readonly secretId: string;
  /** Cache lifetime; 0 reads the secret for every request. */
  readonly ttlSeconds: number;
  /** Secrets Manager client (clients/secrets-manager.ts, or a fake). */
  readonly client: SecretsManagerSend;
  /** Clock in ms. @default Date.now */
  readonly now?: () => number;
  /** @default DEFAULT_BACKOFF */
  readonly backoff?: Backoff;
}

/**
 * A key source backed by one Secrets Manager secret. Reads `AWSCURRENT` and `AWSPREVIOUS` so that
 * tokens signed before a rotation keep verifying until they expire; a missing `AWSPREVIOUS`
 * (ResourceNotFoundException: the secret was never rotated) is normal. If only `AWSPREVIOUS`
 * fails for another reason, the last known previous key is kept rather than denying everyone.
 */
export function createSecretsManagerKeySource(opts: SecretsManagerKeySourceOptions): KeySource {
  const allowed = opts.algorithms ?? DEFAULT_TOKEN_ALGORITHMS;
  const algorithms = new Set<JwtAlgorithm>(opts.kind === "secret" ? ["HS256"] : allowed);
  const now = opts.now ?? Date.now;
  let previous: readonly VerificationKey[] | undefined;

  const read = (stage: "AWSCURRENT" | "AWSPREVIOUS"): Promise<GetSecretValueOutput> =>
    opts.client.getSecretValue({ SecretId: opts.secretId, VersionStage: stage });

  const load = async (): Promise<readonly VerificationKey[]> => {
    const [cur, prev] = await Promise.allSettled([read("AWSCURRENT"), read("AWSPREVIOUS")]);
    if (cur.status === "rejected") {
      throw new KeySourceUnavailableError("Secrets Manager read failed.", { cause: cur.reason });
    }
    const current = prepareSecretKey(opts.kind, cur.value, allowed);
    if (prev.status === "fulfilled") {
      // A previous version that cannot be used (another key type, say) must not deny tokens
      // signed with the current one: it is dropped, not an outage.
      try {
        previous = prepareSecretKey(opts.kind, prev.value, allowed);
      } catch {
        previous = undefined;
      }
    } else if (errorName(prev.reason) === "ResourceNotFoundException") {
      previous = undefined;
    }
    return previous && !previous[0].key.equals(current[0].key)
      ? [...current, ...previous]
      : current;
  };

  const cache = new RefreshingCache(
    load,
    opts.ttlSeconds * 1000,
    now,
    opts.backoff ?? DEFAULT_BACKOFF,
    "Secrets Manager key",
  );
  return {
    algorithms,
    getKeys: () => cache.fresh() ?? cache.refresh(),
  };
}

function prepareSecretKey(
  kind: "secret" | "public-key",
  out: GetSecretValueOutput,
  allowed: readonly AsymmetricAlgorithm[],
): VerificationKey[] {
  if (kind === "secret") {
    const bytes =
      out.SecretString !== undefined
        ? Buffer.from(out.SecretString, "utf8")
        : out.SecretBinary !== undefined
          ? Buffer.from(out.SecretBinary)
          : undefined;
    if (!bytes || bytes.length === 0) {
      throw new KeySourceUnavailableError("The secret holds no HS256 key.");
    }
    return [{ alg: "HS256", key: createSecretKey(bytes) }];
  }
  if (!out.SecretString) throw new KeySourceUnavailableError("The secret holds no PEM public key.");
  let key: KeyObject;
  try {
    // createPublicKey accepts an SPKI/PKCS#1 public key, a certificate, or derives it from a private key.
    key = createPublicKey(out.SecretString);
  } catch (cause) {
    throw new KeySourceUnavailableError("The secret is not a PEM public key.", { cause });
  }
  let type;
  try {
    type = keyTypeOf(key);
  } catch (cause) {
    throw new KeySourceUnavailableError(
      `The public key cannot be used: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const algs = keyAlgorithms(type, allowed);
  if (algs.length === 0) {
    // A configuration mistake (an EC key with TOKEN_ALGORITHMS=[RS256]): fail closed, and say so.
    throw new KeySourceUnavailableError(
      `The public key is ${type}, which verifies none of the allowed algorithms (${allowed.join(", ")}).`,
    );
  }
  return algs.map((alg) => ({ alg, key }));
}

function errorName(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "name" in err
    ? String((err as { name: unknown }).name)
    : undefined;
}

// -------------------------------------------------------------------------------------------------
// JWKS: keys from the issuer's key set (kty RSA, EC, OKP)
// -------------------------------------------------------------------------------------------------

/** The subset of the global `fetch` the JWKS source uses (injectable for tests). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Options of `createJwksKeySource`. */
export interface JwksKeySourceOptions {
  /** Issuer; discovery reads `${issuer}/.well-known/openid-configuration` when `jwksUri` is unset. */
  readonly issuer: string;
  /** JWKS URL; skips discovery. */
  readonly jwksUri?: string;
  /** How long a fetched key set is used before it is fetched again. */
  readonly ttlSeconds: number;
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** @default Date.now */
  readonly now?: () => number;
  /** Per-request timeout, like API Gateway's JWT authorizer. @default 1500 */
  readonly timeoutMs?: number;
  /** Largest accepted response body. @default 65536 */
  readonly maxBytes?: number;
  /** Minimum time between fetches triggered by an unknown `kid`. @default KID_REFETCH_COOLDOWN_MS */
  readonly refetchCooldownMs?: number;
  /** The algorithms tokens may use; each key's type narrows them. @default DEFAULT_TOKEN_ALGORITHMS */
  readonly algorithms?: readonly AsymmetricAlgorithm[];
  /** @default DEFAULT_BACKOFF */
  readonly backoff?: Backoff;
}

/**
 * A prepared key set: the entries of each `kid`, every entry (including keys without a `kid`), and
 * how many JWKs they came from (one JWK allowed for two algorithms is two entries).
 */
export interface KeySet {
  readonly byKid: ReadonlyMap<string, readonly VerificationKey[]>;
  readonly all: readonly VerificationKey[];
  readonly keyCount: number;
}

/**
 * A key source backed by the issuer's JWKS. Only signing keys this verifier can pin are kept (see
 * `parseJwks`). An unknown `kid` refetches the set (the issuer may have rotated), at most once per
 * cooldown, so garbage kids cannot hammer the IdP. A token without `kid` is accepted only when the
 * set holds exactly one key (as jose's local JWKS does).
 */
export function createJwksKeySource(opts: JwksKeySourceOptions): KeySource {
  const allowed = opts.algorithms ?? DEFAULT_TOKEN_ALGORITHMS;
  const fetchImpl: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? 1500;
  const maxBytes = opts.maxBytes ?? 65536;
  const cooldownMs = opts.refetchCooldownMs ?? KID_REFETCH_COOLDOWN_MS;
  let jwksUri = opts.jwksUri;
  let lastFetchAt: number | undefined;

  const load = async (): Promise<KeySet> => {
    lastFetchAt = now();
    if (jwksUri === undefined) {
      const url = `${opts.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
      const doc = await fetchJson(fetchImpl, url, timeoutMs, maxBytes);
      const discovered = isObject(doc) ? doc.jwks_uri : undefined;
      if (typeof discovered !== "string" || !/^https?:\/\//.test(discovered)) {
        throw new KeySourceUnavailableError("OIDC discovery document has no valid jwks_uri.");
      }
      jwksUri = discovered;
    }
    return parseJwks(await fetchJson(fetchImpl, jwksUri, timeoutMs, maxBytes), allowed);
  };

  const cache = new RefreshingCache(
    load,
    opts.ttlSeconds * 1000,
    now,
    opts.backoff ?? DEFAULT_BACKOFF,
    "JWKS",
  );

  const select = (set: KeySet, kid: string | undefined): readonly VerificationKey[] | undefined => {
    if (kid === undefined) return set.keyCount === 1 ? set.all : undefined;
    return set.byKid.get(kid);
  };
  const selectOrThrow = (set: KeySet, kid: string | undefined): readonly VerificationKey[] => {
    const keys = select(set, kid);
    if (!keys) {
      throw new KeyNotFoundError(kid === undefined ? "Token has no kid." : "No JWKS key for kid.");
    }
    return keys;
  };

  return {
    algorithms: new Set(allowed),
    getKeys(kid) {
      const set = cache.fresh();
      if (set) {
        const keys = select(set, kid);
        if (keys) return keys;
        if (!unknownKidMayRefetch(lastFetchAt, now(), cooldownMs)) {
          throw new KeyNotFoundError("No JWKS key for kid (refetch cooling down).");
        }
      }
      return cache.refresh().then((fresh) => selectOrThrow(fresh, kid));
    },
  };
}

async function fetchJson(
  fetchImpl: FetchLike,
  url: string,
  timeoutMs: number,
  maxBytes: number,
): Promise<unknown> {
  const res = await fetchImpl(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: "application/json" },
  });
  if (!res.ok) throw new KeySourceUnavailableError(`GET ${url} answered ${res.status}.`);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new KeySourceUnavailableError(`GET ${url}: response too large.`);
  const body = await readLimited(res, maxBytes);
  try {
    return JSON.parse(body) as unknown;
  } catch (cause) {
    throw new KeySourceUnavailableError(`GET ${url}: response is not JSON.`, { cause });
  }
}

/** Reads a body but stops (and fails) past `maxBytes`, whatever Content-Length claimed. */
async function readLimited(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new KeySourceUnavailableError("Response too large.");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Prepares the usable keys of a JWKS document, each pinned to the algorithms of its type that
 * `allowed` lists and, when the JWK has an `alg` member, to exactly that one (RFC 7517 §4.4: "the
 * algorithm intended for use with the key"). Kept: `kty` RSA (≥ 2048 bits), EC on P-256, P-384 or
 * P-521, OKP Ed25519; `use` absent or `sig`. Unusable entries are skipped individually (an IdP may
 * publish encryption keys, Ed448 keys or keys for algorithms the stack does not allow next to its
 * signing keys); an empty result is an error.
 */
export function parseJwks(
  doc: unknown,
  allowed: readonly AsymmetricAlgorithm[] = DEFAULT_TOKEN_ALGORITHMS,
): KeySet {
  const entries = isObject(doc) && Array.isArray(doc.keys) ? doc.keys : undefined;
  if (!entries) throw new KeySourceUnavailableError("JWKS has no keys array.");
  const byKid = new Map<string, readonly VerificationKey[]>();
  const all: VerificationKey[] = [];
  let keyCount = 0;
  for (const jwk of entries) {
    if (!isObject(jwk)) continue;
    if (jwk.use !== undefined && jwk.use !== "sig") continue;
    if (jwk.kid !== undefined && typeof jwk.kid !== "string") continue;
    if (jwk.kid !== undefined && byKid.has(jwk.kid)) continue;
    const material = publicMaterial(jwk);
    if (!material) continue;
    let prepared: VerificationKey[];
    try {
      const key = createPublicKey({ key: material, format: "jwk" });
      const algs = keyAlgorithms(keyTypeOf(key), allowed, jwk.alg);
      prepared = algs.map((alg) => ({ alg, key, kid: jwk.kid as string | undefined }));
    } catch {
      continue;
    }
    if (prepared.length === 0) continue;
    if (jwk.kid !== undefined) byKid.set(jwk.kid, prepared);
    all.push(...prepared);
    keyCount++;
  }
  if (all.length === 0) {
    throw new KeySourceUnavailableError(
      `JWKS has no usable signing keys for ${allowed.join(", ")}.`,
    );
  }
  return { byKid, all, keyCount };
}

/**
 * The public members of a JWK for its `kty`, and nothing else: no private member (`d`) can make
 * a private key, and no other member can influence the key (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2).
 * Ed448 and X25519/X448 (`OKP` with another `crv`) are not signature keys this verifier pins.
 */
function publicMaterial(jwk: Record<string, unknown>): JsonWebKey | undefined {
  const str = (v: unknown): v is string => typeof v === "string";
  if (jwk.kty === "RSA" && str(jwk.n) && str(jwk.e)) return { kty: "RSA", n: jwk.n, e: jwk.e };
  if (jwk.kty === "EC" && str(jwk.crv) && str(jwk.x) && str(jwk.y)) {
    return { kty: "EC", crv: jwk.crv, x: jwk.x, y: jwk.y };
  }
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519" && str(jwk.x)) {
    return { kty: "OKP", crv: "Ed25519", x: jwk.x };
  }
  return undefined;
}

// -------------------------------------------------------------------------------------------------
// Static keys
// -------------------------------------------------------------------------------------------------

/**
 * A key source over fixed, already prepared keys (tests, benchmarks, embedding). Keys with a `kid`
 * are selected by the token's `kid`; keys without one are always candidates. `algorithms` is what
 * a token may name; each key still verifies only its own `alg`.
 */
export function createStaticKeySource(
  algorithms: JwtAlgorithm | readonly JwtAlgorithm[],
  keys: readonly VerificationKey[],
): KeySource {
  const anyKid = keys.filter((k) => k.kid === undefined);
  // Candidate lists are computed once, so the hot path allocates nothing.
  const byKid = new Map<string, readonly VerificationKey[]>();
  for (const k of keys) {
    if (k.kid !== undefined && !byKid.has(k.kid)) {
      byKid.set(k.kid, [...keys.filter((x) => x.kid === k.kid), ...anyKid]);
    }
  }
  return {
    algorithms: new Set(typeof algorithms === "string" ? [algorithms] : algorithms),
    getKeys(kid) {
      const candidates = (kid === undefined ? undefined : byKid.get(kid)) ?? anyKid;
      if (candidates.length === 0) throw new KeyNotFoundError("No key for kid.");
      return candidates;
    },
  };
}

// -------------------------------------------------------------------------------------------------
// Factory
// -------------------------------------------------------------------------------------------------

/** Injectable dependencies of `createKeySource`. */
export interface KeySourceDeps {
  /** Secrets Manager client. @default the module-scope client in clients/secrets-manager.ts */
  readonly secretsManager?: SecretsManagerSend;
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Clock in ms. @default Date.now */
  readonly now?: () => number;
}

/** Builds the key source `settings.verifyWith` asks for. Does no I/O itself. */
export function createKeySource(settings: AuthorizerSettings, deps: KeySourceDeps = {}): KeySource {
  if (settings.verifyWith === "jwks") {
    return createJwksKeySource({
      issuer: settings.issuer,
      jwksUri: settings.jwksUri,
      ttlSeconds: settings.secretCacheTtlSeconds,
      algorithms: settings.tokenAlgorithms,
      fetch: deps.fetch,
      now: deps.now,
    });
  }
  return createSecretsManagerKeySource({
    kind: settings.verifyWith,
    secretId: settings.secretId ?? "",
    ttlSeconds: settings.secretCacheTtlSeconds,
    algorithms: settings.tokenAlgorithms,
    client: deps.secretsManager ?? secretsManager,
    now: deps.now,
  });
}

/**
 * The issuers `settings` trusts, each with its own key source: with `jwks`, one JWKS source per
 * issuer (its own cache, backoff and kid-refetch cooldown, so one issuer's unknown kids never
 * delay another's refetch); with `secret`/`public-key`, the one issuer and its secret. Does no I/O.
 */
export function createTrustedIssuers(
  settings: AuthorizerSettings,
  deps: KeySourceDeps = {},
): TrustedIssuers {
  const list = settings.issuers ?? [
    { issuer: settings.issuer, audiences: settings.audiences, jwksUri: settings.jwksUri },
  ];
  return trustedIssuers(
    list.map((spec) => ({
      claims: {
        issuer: spec.issuer,
        audiences: spec.audiences,
        clockToleranceSeconds: settings.clockToleranceSeconds,
        ...issuerClaimRules(spec.issuer),
      },
      keySource:
        settings.verifyWith === "jwks"
          ? createJwksKeySource({
              issuer: spec.issuer,
              jwksUri: spec.jwksUri,
              ttlSeconds: settings.secretCacheTtlSeconds,
              algorithms: spec.algorithms ?? settings.tokenAlgorithms,
              fetch: deps.fetch,
              now: deps.now,
            })
          : createKeySource(settings, deps),
    })),
  );
}
