/**
 * The authorizer core shared by the HTTP API and REST authorizer handlers: token in, decision out.
 * Pure apart from the key source, which is injected (or built from settings with injectable
 * Secrets Manager client, fetch and clock).
 *
 * Hot path: when the key cache is fresh, every step is synchronous node:crypto work and the
 * returned Promise is already resolved, so the decision costs about one signature check.
 */
import {
  AuthError,
  AuthorizerInternalError,
  KeySourceUnavailableError,
  type AuthErrorCode,
} from "./errors";
import { resolveIdentity, type Identity } from "./identity";
import {
  assertAlgorithm,
  decodeJwt,
  validateClaims,
  verifySignature,
  type DecodedJwt,
  type JwtPayload,
  type VerificationKey,
} from "./jwt";
import { createTrustedIssuers, type KeySource, type KeySourceDeps } from "./keys";
import { issuerClaimRules, trustedIssuers, type TrustedIssuer } from "./issuers";
import type { AuthorizerSettings } from "./settings";
import { bearerCandidate } from "./token";

/** The decision for one token. Never a rejected Promise: every failure is a `{ ok: false }`. */
export type AuthResult =
  | { readonly ok: true; readonly claims: JwtPayload; readonly identity: Identity }
  | { readonly ok: false; readonly reason: AuthError };

/** Dependencies of `createAuthorizer`; everything defaults to the real thing. */
export interface AuthorizerDeps extends KeySourceDeps {
  /** Replaces the key source built from settings (tests, custom sources); one issuer only. */
  readonly keySource?: KeySource;
}

/** A ready-to-use authorizer, created once per Lambda container. */
export interface Authorizer {
  /** The settings it was created with (e.g. for role checks in the REST authorizer). */
  readonly settings: AuthorizerSettings;
  /** Verifies a raw JWT (no `Bearer ` prefix) and resolves the identity. Never rejects. */
  authorize(token: string): Promise<AuthResult>;
  /** Same, from an Authorization header value (`Bearer <t>` in any case, or bare). Never rejects. */
  authorizeHeader(value: string | undefined | null): Promise<AuthResult>;
  /**
   * `authorizeHeader` without the Promise when none is needed: the decision itself when the keys
   * are at hand (the warm path), a Promise only while key material is being loaded. Never throws,
   * never rejects. For handlers that answer in the same turn (no `await` of a settled Promise).
   */
  decideHeader(value: string | undefined | null): AuthResult | Promise<AuthResult>;
}

/**
 * Creates the authorizer. Does no I/O: key material is loaded on the first request and cached.
 * @param settings from `readSettings(process.env)`.
 * @param deps injectable Secrets Manager client, fetch, clock or a whole key source.
 */
export function createAuthorizer(
  settings: AuthorizerSettings,
  deps: AuthorizerDeps = {},
): Authorizer {
  // Each trusted issuer has its own key source (and JWKS cache); a token's iss picks one.
  const issuers =
    deps.keySource === undefined
      ? createTrustedIssuers(settings, deps)
      : trustedIssuers([
          {
            claims: { ...settings, ...issuerClaimRules(settings.issuer) },
            keySource: deps.keySource,
          },
        ]);
  const now = deps.now ?? Date.now;

  const finish = (
    jwt: DecodedJwt,
    issuer: TrustedIssuer,
    keys: readonly VerificationKey[],
  ): AuthResult => {
    try {
      verifySignature(jwt, keys);
      validateClaims(jwt.payload, issuer.claims, now());
      return { ok: true, claims: jwt.payload, identity: resolveIdentity(jwt.payload, settings) };
    } catch (err) {
      return failure(err);
    }
  };

  /**
   * The key source is down. A token whose claims are wrong anyway (expired, other issuer or
   * audience, unusable identity) is refused for that reason: the answer does not depend on the
   * key, so it is a plain deny that may be cached. Only a token that could still be valid gets
   * KEY_SOURCE_UNAVAILABLE, which the HTTP handler turns into a Lambda error (never cached as a
   * decision) so the outage does not outlive itself. Only denials come out of here: nothing
   * unverified is ever allowed.
   */
  const unavailable = (jwt: DecodedJwt, issuer: TrustedIssuer, err: unknown): AuthResult => {
    if (!(err instanceof KeySourceUnavailableError)) return failure(err);
    try {
      validateClaims(jwt.payload, issuer.claims, now());
      resolveIdentity(jwt.payload, settings);
    } catch (claimErr) {
      if (claimErr instanceof AuthError) return failure(claimErr);
    }
    return failure(err);
  };

  const decide = (token: string): AuthResult | Promise<AuthResult> => {
    let jwt: DecodedJwt;
    let issuer: TrustedIssuer;
    try {
      jwt = decodeJwt(token);
      // The unverified iss only selects whose keys and rules apply, before any key is used: an
      // unknown iss costs no key lookup and no JWKS request. The verified claims are checked
      // against that issuer's rules after the signature (validateClaims).
      issuer = issuers.select(jwt.payload.iss);
      assertAlgorithm(jwt.header, issuer.keySource.algorithms);
    } catch (err) {
      return failure(err);
    }
    try {
      const keys = issuer.keySource.getKeys(jwt.header.kid);
      if (Array.isArray(keys)) return finish(jwt, issuer, keys);
      // Promise.resolve: a native Promise of this realm whatever the key source returned (another
      // realm's Promise, a thenable), which the handlers tell from a decision with instanceof.
      return Promise.resolve(keys as PromiseLike<readonly VerificationKey[]>).then(
        (k) => finish(jwt, issuer, k),
        (err: unknown) => unavailable(jwt, issuer, err),
      );
    } catch (err) {
      return unavailable(jwt, issuer, err);
    }
  };

  const decideHeader = (value: string | undefined | null): AuthResult | Promise<AuthResult> => {
    let token: string;
    try {
      // Whitespace inside the token is refused by decodeJwt (TOKEN_MALFORMED, as extractBearerToken).
      token = bearerCandidate(value);
    } catch (err) {
      return failure(err);
    }
    return decide(token);
  };

  return {
    settings,
    // Promise.resolve hands a pending Promise back as it is.
    authorize: (token) => Promise.resolve(decide(token)),
    authorizeHeader: (value) => Promise.resolve(decideHeader(value)),
    decideHeader,
  };
}

function failure(err: unknown): AuthResult {
  return {
    ok: false,
    reason:
      err instanceof AuthError
        ? err
        : new AuthorizerInternalError("Unexpected authorizer failure.", { cause: err }),
  };
}

/**
 * A log-safe description of why a request was denied, for failures an operator must act on
 * (key source down, internal error). Names the cause's type, never its content. Token problems
 * return undefined: their code says it all, and their detail is the caller's business.
 */
export function describeFailure(reason: AuthError): string | undefined {
  const actionable: readonly AuthErrorCode[] = ["KEY_SOURCE_UNAVAILABLE", "INTERNAL_ERROR"];
  if (!actionable.includes(reason.code)) return undefined;
  const cause = reason.cause;
  const causeName =
    cause instanceof Error ? cause.name : cause === undefined ? undefined : typeof cause;
  return causeName ? `${reason.message} (${causeName})` : reason.message;
}
