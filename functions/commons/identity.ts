/**
 * Turns verified claims into the identity handed to the backend as headers.
 *
 * Header values must be safe by construction (design rule 5): only strings and safe integers
 * (booleans too for extra claims), no control characters (CR/LF would split headers), no invisible
 * or bidirectional formatting characters, bounded length, and never `null`, `undefined` or
 * `[object Object]`. Every value that becomes a header (customer id, name, extra context claims,
 * the REST `principalId` from `sub`) goes through `toHeaderValue`, so one rule covers them all.
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

// Characters that change how text is displayed or compared but not what it looks like: the
// bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and marks
// (U+200E, U+200F, U+061C) that "Trojan Source" (CVE-2021-42574) abuses, and the zero-width
// characters (U+200B–U+200D, U+2060, U+FEFF). "acme\u200b" and "acme" are different ids that look
// the same in every log, console and admin screen, and an RLO makes "evil\u202ecod.exe" read as
// another value: an operator could not tell two customers apart. Unicode classes them as format
// characters (Cf), which no identifier needs. This also refuses the ZWJ inside emoji sequences and
// the ZWNJ of Persian text in names: the price of ids and names that mean what they show.
const INVISIBLE_OR_BIDI = /[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/;

/** The verified caller, ready for the authorizer context. */
export interface Identity {
  readonly customerId: string;
  readonly customerName: string;
  /** Extra context entries by context key (from `CONTEXT_CLAIMS`). */
  readonly extra: Readonly<Record<string, string>>;
}

// The configured claim paths, split once instead of on every decision (a handful per deployment;
// bounded anyway, as a caller could pass any path).
const PARTS_MEMO_MAX = 64;
const partsByPath = new Map<string, readonly string[]>();

function pathParts(path: string): readonly string[] {
  let parts = partsByPath.get(path);
  if (parts === undefined) {
    parts = path.split(".");
    if (partsByPath.size >= PARTS_MEMO_MAX) partsByPath.clear();
    partsByPath.set(path, parts);
  }
  return parts;
}

/**
 * Reads a claim by path. An exact top-level key wins (namespaced claims such as
 * `https://example.com/tenant` contain dots); otherwise dots walk nested objects (`metadata.role`).
 * Only own properties are read, so `constructor` or `__proto__` paths find nothing.
 */
export function getClaim(claims: JwtPayload, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let node: unknown = claims;
  for (const part of pathParts(path)) {
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
  else if (typeof value === "number") {
    // A JSON number is parsed to a double, so beyond 2^53 distinct integers round to one value
    // (9007199254740993 and 9007199254740992 both become "9007199254740992": two customers, one
    // X-Customer-ID), and a fraction's text is not the issuer's (1.10 → "1.1", 1e-7 → "1e-7").
    // Only safe integers print back exactly; an issuer with larger or fractional values must send
    // them as strings. The same rule holds for extra claims: a header carrying a rounded number
    // is wrong data whatever the backend does with it.
    if (!Number.isSafeInteger(value)) {
      throw new IdentityClaimInvalidError(
        `Claim "${path}" is a number that is not a safe integer.`,
      );
    }
    text = String(value);
  } else if (allowBoolean && typeof value === "boolean") text = String(value);
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
  if (INVISIBLE_OR_BIDI.test(text)) {
    throw new IdentityClaimInvalidError(
      `Claim "${path}" contains invisible or bidirectional formatting characters.`,
    );
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
