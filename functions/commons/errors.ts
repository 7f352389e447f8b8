/**
 * Typed verification errors. Every reason a token is refused has its own class and a stable `code`
 * (the codes are what logs and tests match on; messages may change). Messages never contain the
 * token or any part of it, so an error can be logged as-is.
 */

/** Base of every error that makes the authorizer deny a request. */
export abstract class AuthError extends Error {
  /** Stable machine-readable reason, e.g. `TOKEN_EXPIRED`. */
  abstract readonly code: AuthErrorCode;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Every `AuthError.code`. */
export type AuthErrorCode =
  | "TOKEN_MISSING"
  | "TOKEN_MALFORMED"
  | "ALG_NOT_ALLOWED"
  | "SIGNATURE_INVALID"
  | "KEY_NOT_FOUND"
  | "TOKEN_EXPIRED"
  | "TOKEN_NOT_YET_VALID"
  | "TOKEN_ISSUED_IN_FUTURE"
  | "ISSUER_MISMATCH"
  | "AUDIENCE_MISMATCH"
  | "TOKEN_USE_INVALID"
  | "IDENTITY_CLAIM_INVALID"
  | "KEY_SOURCE_UNAVAILABLE"
  | "ROUTE_NOT_ALLOWED"
  | "INTERNAL_ERROR";

/** No token: the header is absent, empty, or `Bearer` with nothing after it. */
export class TokenMissingError extends AuthError {
  readonly code = "TOKEN_MISSING" as const;
}

/**
 * Not a compact JWS we accept: wrong shape, bad base64url/JSON, a header or payload that is not
 * valid UTF-8, too large, `crit`, non-object payload, or a time claim (`exp`, `nbf`, `iat`) that is present but not a number.
 */
export class TokenMalformedError extends AuthError {
  readonly code = "TOKEN_MALFORMED" as const;
}

/** `alg` is not the one algorithm pinned for the key source (`none`, HS/RS confusion, anything else). */
export class AlgorithmNotAllowedError extends AuthError {
  readonly code = "ALG_NOT_ALLOWED" as const;
}

/** The signature does not verify with any candidate key. */
export class SignatureInvalidError extends AuthError {
  readonly code = "SIGNATURE_INVALID" as const;
}

/** No key matches the token's `kid` (jwks), even after an allowed refetch. */
export class KeyNotFoundError extends AuthError {
  readonly code = "KEY_NOT_FOUND" as const;
}

/** `exp` is missing or in the past (beyond the clock tolerance): a token without `exp` never validates. */
export class TokenExpiredError extends AuthError {
  readonly code = "TOKEN_EXPIRED" as const;
}

/** `nbf` is in the future (beyond the clock tolerance). */
export class TokenNotYetValidError extends AuthError {
  readonly code = "TOKEN_NOT_YET_VALID" as const;
}

/** `iat` is in the future (beyond the clock tolerance). */
export class TokenIssuedInFutureError extends AuthError {
  readonly code = "TOKEN_ISSUED_IN_FUTURE" as const;
}

/** `iss` is missing or differs from the configured issuer. */
export class IssuerMismatchError extends AuthError {
  readonly code = "ISSUER_MISMATCH" as const;
}

/** `aud` is missing, malformed, or shares no value with the configured audiences. */
export class AudienceMismatchError extends AuthError {
  readonly code = "AUDIENCE_MISMATCH" as const;
}

/**
 * `token_use` is missing or not one the issuer's rules accept (Cognito: `id` or `access`), so a
 * token of another kind the same issuer signs is refused.
 */
export class TokenUseInvalidError extends AuthError {
  readonly code = "TOKEN_USE_INVALID" as const;
}

/** An identity claim is missing or cannot safely become a header value. */
export class IdentityClaimInvalidError extends AuthError {
  readonly code = "IDENTITY_CLAIM_INVALID" as const;
}

/** Key material could not be loaded (Secrets Manager or JWKS unreachable/invalid): fail closed. */
export class KeySourceUnavailableError extends AuthError {
  readonly code = "KEY_SOURCE_UNAVAILABLE" as const;
}

/**
 * The token is valid, but the route's rule (the `routes` table: `roles=`, `scopes=`) refuses the
 * caller, or the route is not in the table at all (fail closed).
 */
export class RouteNotAllowedError extends AuthError {
  readonly code = "ROUTE_NOT_ALLOWED" as const;
}

/** An unexpected failure inside the authorizer (a bug): the request is denied, never allowed. */
export class AuthorizerInternalError extends AuthError {
  readonly code = "INTERNAL_ERROR" as const;
}

/**
 * The Lambda's environment is wrong. Thrown at cold start, never for a request: a misconfigured
 * authorizer must fail loudly (API Gateway answers 500) rather than deny or allow silently.
 */
export class ConfigurationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigurationError";
  }
}

/** True for any `AuthError` subclass. */
export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
