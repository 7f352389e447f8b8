/**
 * The environment variables an authorizer Lambda reads at cold start. Shared by the Pulumi program
 * (infra/components/authorizer-function.ts, which sets them) and the handlers (which read them), so
 * the two cannot drift. Lists and maps are JSON.
 */
export const ENV = {
  /** `secret` (HS256), `public-key` (a PEM public key) or `jwks` (keys from the issuer's JWKS). */
  VERIFY_WITH: "VERIFY_WITH",
  /** ARN of the Secrets Manager secret whose SecretString is the HS256 secret or the PEM public key. */
  SECRET_ID: "SECRET_ID",
  /**
   * `public-key` and `jwks`: JSON array of the algorithms tokens may use (RS256 … EdDSA, see
   * algorithms.ts); each key verifies only those of its own type. Unset: one per key type
   * (RSA → RS256, P-256 → ES256, P-384 → ES384, P-521 → ES512, Ed25519 → EdDSA).
   */
  TOKEN_ALGORITHMS: "TOKEN_ALGORITHMS",
  /** Seconds the key material is cached before it is read again (a rotation reaches the Lambda). */
  SECRET_CACHE_TTL_SECONDS: "SECRET_CACHE_TTL_SECONDS",
  /** Expected `iss`; with `jwks` also the base for OIDC discovery. */
  ISSUER: "ISSUER",
  /** JSON array of accepted `aud` values; `[]` turns the audience check off explicitly. */
  AUDIENCES: "AUDIENCES",
  /**
   * `jwks` with several issuers: JSON array of `{issuer, audiences, jwksUri?, algorithms?}`, the
   * single issuer (ISSUER) first. A token's `iss` picks its entry before any key is used; each
   * entry has its own JWKS cache. Unset: the one issuer of ISSUER/AUDIENCES/JWKS_URI.
   */
  ISSUERS: "ISSUERS",
  /** Optional JWKS URL; when unset, discovered from `${ISSUER}/.well-known/openid-configuration`. */
  JWKS_URI: "JWKS_URI",
  /** Allowed clock skew in seconds for exp, nbf and iat. */
  CLOCK_TOLERANCE_SECONDS: "CLOCK_TOLERANCE_SECONDS",
  /** JSON array of claim paths tried in order for the customer id. */
  CUSTOMER_ID_CLAIMS: "CUSTOMER_ID_CLAIMS",
  /** JSON array of claim paths tried in order for the customer name (falls back to the id). */
  CUSTOMER_NAME_CLAIMS: "CUSTOMER_NAME_CLAIMS",
  /** JSON object {contextKey: claimPath} of extra claims put in the authorizer context. */
  CONTEXT_CLAIMS: "CONTEXT_CLAIMS",
  /** Claim path holding the role(s) (rest-token; http-lambda when a route rule names roles). */
  ROLE_CLAIM: "ROLE_CLAIM",
  /**
   * JSON array of the route table's normalized lines (`"GET /orders/{proxy+} scopes=orders:read"`,
   * functions/commons/routes.ts), the default table included. The authorizer enforces the rule of
   * the route a request was matched to.
   */
  ROUTE_RULES: "ROUTE_RULES",
  /** rest-authorizer: JSON array of roles, any one of which allows the call. */
  REQUIRED_ROLES: "REQUIRED_ROLES",
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/**
 * The environment the echo backend reads at cold start (set by infra/components/echo-backend.ts).
 * All optional: without `CORS_ALLOW_ORIGINS` the echo sends no CORS headers.
 */
export const ECHO_ENV = {
  /** JSON array of allowed origins; `*` in it allows any origin. Unset: no CORS headers. */
  CORS_ALLOW_ORIGINS: "CORS_ALLOW_ORIGINS",
  /** JSON array of allowed request headers (`Access-Control-Allow-Headers`). */
  CORS_ALLOW_HEADERS: "CORS_ALLOW_HEADERS",
  /** JSON array of allowed methods (`Access-Control-Allow-Methods`). */
  CORS_ALLOW_METHODS: "CORS_ALLOW_METHODS",
} as const;
