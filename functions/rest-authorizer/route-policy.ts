/**
 * Per-route IAM policies for the REST TOKEN authorizer (the `routes` table, ROUTE_RULES). Pure.
 *
 * API Gateway caches a TOKEN authorizer's policy by token and evaluates that one policy for every
 * method of the API the token calls during the TTL (aws-semantics.md §4, "Cached-policy /
 * methodArn pitfall"; "Configure a REST API Lambda authorizer using the console": a cached policy
 * must apply to all methods). So the policy is computed for the *whole table*, never for the
 * `methodArn` that happened to trigger it: it allows exactly the routes the caller's roles and
 * scopes satisfy.
 *
 * - Uniform table (every non-public line has the same rule, the default table included): today's
 *   exact shapes, one statement on the stage wildcard `…/{stage}/*\/*`, Allow or explicit Deny.
 * - Otherwise: an Allow of the ARN pattern of each allowed route, and an explicit Deny of each
 *   denied route whose requests an Allow pattern could also match (IAM evaluation: an explicit
 *   Deny wins over any Allow; "Policy evaluation logic", IAM User Guide,
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 *   A caller allowed nowhere gets the uniform explicit Deny; one allowed everywhere the stage
 *   wildcard Allow.
 *
 * The ARN of a request is `arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`
 * with the request's own path (the root gives `…/GET/`; aws-semantics.md §4, RIN/RUSE), and `*`
 * may stand anywhere in a policy Resource (ROUT). A route's pattern writes each `{param}` and the
 * greedy segment as `*`. IAM's `*` also matches `/`, so a pattern can match requests API Gateway
 * sends to another route; which tables that makes inexpressible is decided at preview
 * (route-policy-check.ts), where every policy this module can produce is evaluated against sample
 * requests of every route.
 */
import { ANY_METHODS } from "../commons/route-select";
import { ruleAllows, rulesAreUniform, type CallerGrants } from "../commons/routes";
import type { RouteRule, RouteSpec } from "../commons/routes";

/** One non-public route with its policy patterns (ARN suffixes after `…/{stage}/`). */
export interface PlannedRoute {
  /** Index of the line in the table (for messages). */
  readonly index: number;
  readonly spec: RouteSpec;
  /** What an Allow names: one pattern, `*` for the method of an ANY line. */
  readonly allow: string;
  /**
   * What a Deny names: the method of an ANY line enumerated (DELETE … PUT), because a `*` there
   * would also match `GET/x` and deny `/x/admin/y` along with `/admin/y`.
   */
  readonly deny: readonly string[];
}

/** The table, prepared once: what every policy for it is built from. */
export interface RoutePolicyPlan {
  /** The one non-public rule when the table is uniform (today's policy shapes). */
  readonly uniformRule?: RouteRule;
  readonly routes: readonly PlannedRoute[];
  /** `denyWith[d]`: the allowed routes whose Allow pattern overlaps route d's Deny patterns. */
  readonly denyWith: readonly (readonly number[])[];
}

/** The path of a route as an ARN pattern: no leading `/`, variables as `*` (`orders/*`). */
export function pathPattern(path: string): string {
  return path
    .replace(/^\//, "")
    .split("/")
    .map((s) => (s.startsWith("{") ? "*" : s))
    .join("/");
}

/**
 * Whether two `*`-globs share a string (`*` matching any characters, `/` included). Dynamic
 * programming over both patterns; no `?` is ever generated here.
 */
export function globsOverlap(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r = false;
    if (i === a.length && j === b.length) r = true;
    else if (i < a.length && a[i] === "*" && go(i + 1, j)) r = true;
    else if (j < b.length && b[j] === "*" && go(i, j + 1)) r = true;
    else if (i < a.length && j < b.length) {
      if (a[i] === "*" && b[j] !== "*") r = go(i, j + 1);
      else if (b[j] === "*" && a[i] !== "*") r = go(i + 1, j);
      else if (a[i] === b[j]) r = go(i + 1, j + 1);
    }
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** Prepares the policies of a parsed table. */
export function planRoutePolicies(routes: readonly RouteSpec[]): RoutePolicyPlan {
  const planned: PlannedRoute[] = [];
  routes.forEach((spec, index) => {
    if (spec.rule.kind === "public") return;
    const path = pathPattern(spec.path);
    const methods = spec.method === "ANY" ? ANY_METHODS : [spec.method];
    planned.push({
      index,
      spec,
      allow: `${spec.method === "ANY" ? "*" : spec.method}/${path}`,
      deny: methods.map((m) => `${m}/${path}`),
    });
  });
  const denyWith = planned.map((d) =>
    planned
      .map((a, i) => (a !== d && d.deny.some((p) => globsOverlap(a.allow, p)) ? i : -1))
      .filter((i) => i >= 0),
  );
  const uniform = rulesAreUniform(routes);
  return {
    uniformRule: uniform ? planned[0]?.spec.rule : undefined,
    routes: planned,
    denyWith,
  };
}

/** Which planned routes a caller may call (same order as `plan.routes`). */
export function allowedRoutes(plan: RoutePolicyPlan, caller: CallerGrants): boolean[] {
  return plan.routes.map((r) => ruleAllows(r.spec.rule, caller));
}

/** The statements' Resources, as ARN suffixes after `…/{stage}/`. */
export interface PolicyResources {
  readonly effect: "Allow" | "Deny";
  /** Allow: these patterns. Deny (when `allow` is empty): the whole stage. */
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** The stage wildcard suffix, `*\/*` (every method, every path). */
export const STAGE_WILDCARD = "*/*";

/**
 * The policy for a caller who may call the routes flagged in `allowed`: the stage wildcard when
 * that is all or nothing, else the Allow and Deny patterns (see the top of this file).
 */
export function policyResources(
  plan: RoutePolicyPlan,
  allowed: readonly boolean[],
): PolicyResources {
  const n = allowed.filter(Boolean).length;
  if (n === 0) return { effect: "Deny", allow: [], deny: [STAGE_WILDCARD] };
  if (n === plan.routes.length) return { effect: "Allow", allow: [STAGE_WILDCARD], deny: [] };
  const allow = plan.routes.filter((_, i) => allowed[i]).map((r) => r.allow);
  const deny = plan.routes.flatMap((r, i) =>
    !allowed[i] && plan.denyWith[i].some((a) => allowed[a]) ? r.deny : [],
  );
  return { effect: "Allow", allow: [...new Set(allow)], deny: [...new Set(deny)] };
}

/** One statement of a policy this module writes. */
export interface PolicyStatement {
  readonly Action: "execute-api:Invoke";
  readonly Effect: "Allow" | "Deny";
  readonly Resource: string | string[];
}

/** The IAM policy document for `resources` under `stagePrefix` (`arn:…:{api}/{stage}`). */
export function policyDocument(
  stagePrefix: string,
  resources: PolicyResources,
): { Version: "2012-10-17"; Statement: PolicyStatement[] } {
  const arn = (suffix: string) => `${stagePrefix}/${suffix}`;
  const one = (xs: readonly string[]) => (xs.length === 1 ? arn(xs[0]) : xs.map(arn));
  const statements: PolicyStatement[] = [];
  // Deny first: the order does not change IAM's answer, it only reads better.
  if (resources.deny.length > 0) {
    statements.push({
      Action: "execute-api:Invoke",
      Effect: "Deny",
      Resource: one(resources.deny),
    });
  }
  if (resources.allow.length > 0) {
    statements.push({
      Action: "execute-api:Invoke",
      Effect: "Allow",
      Resource: one(resources.allow),
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
