/**
 * Turns verified claims into the identity handed to the backend as headers.
 *
 * Header values must be safe by construction (design rule 5): only strings and finite numbers
 * (booleans too for extra claims), no control characters (CR/LF would split headers), bounded
 * length, and never `null`, `undefined` or `[object Object]`.
 *
 * Policy:
 * - A claim that is absent, `null` or `""` is "not present": the next configured path is tried.
 * - The customer id is required: no present claim → deny. A present but invalid one → deny (we do
 *   not silently fall through to another claim, which would change who the caller is).
 * - The customer name falls back to the customer id; a present but invalid name → deny.
 * - Extra context claims are optional: absent → omitted; present but invalid → deny, because a
 *   backend that relies on the header would otherwise see it vanish silently.
 */
import { IdentityClaimInvalidError } from "./errors";
import type { JwtPayload } from "./jwt";
import type { AuthorizerSettings } from "./settings";

/** Longest claim value accepted as a header value. */
export const MAX_CLAIM_VALUE_LENGTH = 256;

// C0 controls, DEL, C1 controls and the Unicode line/paragraph separators. Matching control
// characters is the point here, hence the lint exception.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// A UTF-16 surrogate without its partner (JSON's "\ud800" escape produces one). It is not text:
// UTF-8 has no encoding for it, so on the way to a header it becomes U+FFFD, and two different
// claims ("a\ud800", "a\udc00") would reach the backend as the same identity. With the `u` flag a
// well-formed pair is one code point and does not match.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** The verified caller, ready for the authorizer context. */
export interface Identity {
  readonly customerId: string;
  readonly customerName: string;
  /** Extra context entries by context key (from `CONTEXT_CLAIMS`). */
  readonly extra: Readonly<Record<string, string>>;
}

/**
 * Reads a claim by path. An exact top-level key wins (namespaced claims such as
 * `https://example.com/tenant` contain dots); otherwise dots walk nested objects (`metadata.role`).
 * Only own properties are read, so `constructor` or `__proto__` paths find nothing.
 */
export function getClaim(claims: JwtPayload, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let node: unknown = claims;
  for (const part of path.split(".")) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    if (!Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

/**
 * Converts a present claim value to a header-safe string.
 * @throws IdentityClaimInvalidError naming the claim path (never its value).
 */
export function toHeaderValue(value: unknown, path: string, allowBoolean = false): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
  else if (allowBoolean && typeof value === "boolean") text = String(value);
  else throw new IdentityClaimInvalidError(`Claim "${path}" is not a string or number.`);
  if (text.length > MAX_CLAIM_VALUE_LENGTH) {
    throw new IdentityClaimInvalidError(
      `Claim "${path}" is longer than ${MAX_CLAIM_VALUE_LENGTH}.`,
    );
  }
  if (FORBIDDEN_CHARS.test(text)) {
    throw new IdentityClaimInvalidError(`Claim "${path}" contains control characters.`);
  }
  if (LONE_SURROGATE.test(text)) {
    throw new IdentityClaimInvalidError(`Claim "${path}" is not valid Unicode text.`);
  }
  return text;
}

function firstPresent(
  claims: JwtPayload,
  paths: readonly string[],
): { path: string; value: unknown } | undefined {
  for (const path of paths) {
    const value = getClaim(claims, path);
    if (isPresent(value)) return { path, value };
  }
  return undefined;
}

/**
 * Resolves the caller's identity from verified claims (see the module comment for the policy).
 * @throws IdentityClaimInvalidError
 */
export function resolveIdentity(
  claims: JwtPayload,
  settings: Pick<AuthorizerSettings, "customerIdClaims" | "customerNameClaims" | "contextClaims">,
): Identity {
  const id = firstPresent(claims, settings.customerIdClaims);
  if (!id) {
    throw new IdentityClaimInvalidError(
      `No customer id claim (${settings.customerIdClaims.join(", ")}).`,
    );
  }
  const customerId = toHeaderValue(id.value, id.path);

  const name = firstPresent(claims, settings.customerNameClaims);
  const customerName = name ? toHeaderValue(name.value, name.path) : customerId;

  const extra: Record<string, string> = {};
  for (const [contextKey, path] of Object.entries(settings.contextClaims)) {
    const value = getClaim(claims, path);
    if (isPresent(value)) extra[contextKey] = toHeaderValue(value, path, true);
  }
  return { customerId, customerName, extra };
}
