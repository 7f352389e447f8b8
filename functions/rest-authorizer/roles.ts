/**
 * Role check for the REST TOKEN authorizer: a valid token must carry one of the required roles,
 * or the caller gets an explicit Deny (403). Pure: the claims come from an already-verified token.
 */
import { getClaim } from "../commons/identity";
import type { JwtPayload } from "../commons/jwt";

/** Reads a claim by path from verified claims; `undefined` when absent. */
export type ClaimReader = (claims: JwtPayload, path: string) => unknown;

/**
 * The role that lets the caller in, or `undefined` for a Deny.
 *
 * The claim at `roleClaim` must be a string or an array of strings. Anything else (a number, an
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
  readClaim: ClaimReader = getClaim,
): string | undefined {
  const value = readClaim(claims, roleClaim);
  let held: readonly string[];
  if (typeof value === "string") {
    held = [value];
  } else if (Array.isArray(value) && value.every((v): v is string => typeof v === "string")) {
    held = value;
  } else {
    return undefined;
  }
  return requiredRoles.find((role) => role !== "" && held.includes(role));
}
