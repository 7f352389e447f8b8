/**
 * Role check for the REST TOKEN authorizer: a valid token must carry one of the required roles,
 * or the caller gets an explicit Deny (403). Pure: the claims come from an already-verified token.
 */
import type { JwtPayload } from "../commons/jwt";
import { tokenRoles } from "../commons/routes";

/**
 * The role that lets the caller in, or `undefined` for a Deny.
 *
 * The claim at `roleClaim` must be a string or an array of strings (read by `tokenRoles`, the
 * same reader per-route `roles=` rules use). Anything else (a number, an
 * object, `null`, an array holding a non-string) is treated as "no role": the token is signed, so
 * this is the issuer's shape rather than an attack, but guessing at it could grant access the
 * issuer did not mean. Comparison is exact and case-sensitive.
 *
 * The path is read with the core's `getClaim`: an exact top-level key wins (namespaced claims such
 * as `https://example.com/roles`), otherwise dots walk nested objects; only own properties count.
 *
 * When the caller holds several required roles, the one listed first in `requiredRoles` is
 * returned, so the `role` in the authorizer context does not depend on the token's ordering.
 */
export function matchRole(
  claims: JwtPayload,
  roleClaim: string,
  requiredRoles: readonly string[],
): string | undefined {
  const held = tokenRoles(claims, roleClaim);
  return requiredRoles.find((role) => role !== "" && held.includes(role));
}
