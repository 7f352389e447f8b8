/**
 * Role check for the REST TOKEN authorizer: a valid token must carry one of the required roles,
 * or the caller gets an explicit Deny (403). Pure: the claims come from an already-verified token.
 */

/** Reads a dot path (`metadata.role`) from verified claims; `undefined` when any step is missing. */
export type ClaimReader = (claims: Readonly<Record<string, unknown>>, path: string) => unknown;

function readDotPath(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = claims;
  for (const segment of path.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * The role that lets the caller in, or `undefined` for a Deny.
 *
 * The claim at `roleClaim` must be a string or an array of strings. Anything else (a number, an
 * object, `null`, an array holding a non-string) is treated as "no role": the token is signed, so
 * this is the issuer's shape rather than an attack, but guessing at it could grant access the
 * issuer did not mean. Comparison is exact and case-sensitive.
 *
 * When the caller holds several required roles, the one listed first in `requiredRoles` is
 * returned, so the `role` in the authorizer context does not depend on the token's ordering.
 */
export function matchRole(
  claims: Readonly<Record<string, unknown>>,
  roleClaim: string,
  requiredRoles: readonly string[],
  readClaim: ClaimReader = readDotPath,
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
