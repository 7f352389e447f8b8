import { TokenMalformedError, TokenMissingError } from "./errors";

const BEARER = /^bearer(?:\s+|$)/i;

/**
 * Extracts the token from an Authorization header value.
 *
 * Accepts `Bearer <token>` with the scheme in any case (RFC 7235 schemes are case-insensitive) or a
 * bare token (what many clients and the REST TOKEN authorizer's `authorizationToken` carry).
 * Anything with more than one word after the scheme (`Basic x y`, `Bearer a b`) is malformed.
 *
 * @throws TokenMissingError when the value is absent, blank or just `Bearer`.
 * @throws TokenMalformedError when it is not a single token.
 */
export function extractBearerToken(value: string | undefined | null): string {
  const token = bearerCandidate(value);
  if (/\s/.test(token)) {
    throw new TokenMalformedError("Authorization header is not a single token.");
  }
  return token;
}

/**
 * `extractBearerToken` without its final whitespace scan, for callers that hand the result straight
 * to `decodeJwt`: its compact-JWS check refuses any whitespace with the same code,
 * `TOKEN_MALFORMED`, so the second scan of the whole token is skipped on the hot path.
 * @throws TokenMissingError when the value is absent, blank or just `Bearer`.
 */
export function bearerCandidate(value: string | undefined | null): string {
  if (typeof value !== "string") throw new TokenMissingError("No Authorization header.");
  let token = value.trim();
  if (token === "") throw new TokenMissingError("Empty Authorization header.");
  const scheme = BEARER.exec(token);
  if (scheme) token = token.slice(scheme[0].length);
  if (token === "") throw new TokenMissingError("Bearer scheme without a token.");
  return token;
}
