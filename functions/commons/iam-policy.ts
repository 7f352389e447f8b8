/**
 * IAM policy evaluation for Lambda authorizers that return a policy (pure). Used by the local
 * gateway (local/gateway/policy.ts re-exports it) and by the preview check of rest-token's
 * per-route policies (functions/rest-authorizer/route-policy-check.ts): the policies the program
 * is refused or accepted for are judged by the same evaluation the local gateway applies.
 *
 * aws-semantics.md §4 (ROUT): the policy is `{Version, Statement:[{Action, Effect, Resource}]}`,
 * `*` wildcards are allowed in Resource. We also accept `?` (single character) as IAM does, a
 * Statement given as one object, and Action/Resource given as a string or an array. IAM rules
 * (not §4's SAM shortcut, which ignores Deny — §5): an explicit Deny that matches wins, else an
 * Allow that matches allows, else the request is implicitly denied.
 * Statements using `NotAction`/`NotResource`/`Condition` are not emulated: such a statement never
 * matches (so it can neither allow nor deny) — documented limitation of the emulator.
 */

/** The decision for one method ARN. */
export type PolicyDecision = "allow" | "explicit-deny" | "implicit-deny";

/** Thrown for a policy document API Gateway would reject (→ 500). */
export class MalformedPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedPolicyError";
  }
}

// Compiled patterns, bounded: the preview check evaluates the same few patterns many times.
const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string, flags = ""): RegExp {
  const key = `${flags}:${glob}`;
  const known = compiled.get(key);
  if (known) return known;
  if (compiled.size >= 1024) compiled.clear();
  const re = compileGlob(glob, flags);
  compiled.set(key, re);
  return re;
}

function compileGlob(glob: string, flags: string): RegExp {
  const body = glob
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, flags);
}

function asList(value: unknown, what: string): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  throw new MalformedPolicyError(`${what} must be a string or an array of strings`);
}

const INVOKE = "execute-api:invoke";

/**
 * Evaluates `policyDocument` for `methodArn`.
 * @throws MalformedPolicyError when the document is not a policy.
 */
export function evaluatePolicy(policyDocument: unknown, methodArn: string): PolicyDecision {
  if (typeof policyDocument !== "object" || policyDocument === null) {
    throw new MalformedPolicyError("policyDocument must be an object");
  }
  const raw = (policyDocument as { Statement?: unknown }).Statement;
  if (raw === undefined || raw === null) throw new MalformedPolicyError("Statement is missing");
  const statements = Array.isArray(raw) ? raw : [raw];
  let allowed = false;
  for (const s of statements) {
    if (typeof s !== "object" || s === null) throw new MalformedPolicyError("bad Statement");
    const st = s as Record<string, unknown>;
    if (st.Effect !== "Allow" && st.Effect !== "Deny") {
      throw new MalformedPolicyError("Effect must be Allow or Deny");
    }
    if (st.Action === undefined || st.Resource === undefined || st.Condition !== undefined)
      continue;
    // Action names are case-insensitive in IAM.
    const actionMatches = asList(st.Action, "Action").some((a) =>
      globToRegExp(a, "i").test(INVOKE),
    );
    if (!actionMatches) continue;
    const resourceMatches = asList(st.Resource, "Resource").some((r) =>
      globToRegExp(r).test(methodArn),
    );
    if (!resourceMatches) continue;
    if (st.Effect === "Deny") return "explicit-deny";
    allowed = true;
  }
  return allowed ? "allow" : "implicit-deny";
}
