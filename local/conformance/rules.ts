/**
 * Route rules as data, so that the per-route checks (public routes, roles, scopes, cache safety)
 * are driven by what the stack declares rather than written per stack. The syntax is issue 11's
 * `routes` key: `"<METHOD> <path> <rule>"`, rule `public`, `authenticated`, `roles=a,b` (any one)
 * or `scopes=x,y` (at least one). Until stacks carry `routes`, the table is derived from today's
 * config: every route `authenticated`, or in `rest-token` every route `roles=<requiredRoles>`.
 */
import { selectRoute } from "../gateway/routing";
import type { RouteModel } from "../model";

export type Rule =
  | { readonly kind: "public" }
  | { readonly kind: "authenticated" }
  | { readonly kind: "roles"; readonly values: readonly string[] }
  | { readonly kind: "scopes"; readonly values: readonly string[] };

export interface RouteRule {
  /** An HTTP method or `ANY`, upper case. */
  readonly method: string;
  /** API Gateway path syntax, without the stage: `/admin/{proxy+}`. */
  readonly path: string;
  readonly rule: Rule;
}

const METHODS = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** `ANY /admin/{proxy+} roles=admin` as it is written. */
export function formatRouteRule(r: RouteRule): string {
  const rule =
    r.rule.kind === "roles" || r.rule.kind === "scopes"
      ? `${r.rule.kind}=${r.rule.values.join(",")}`
      : r.rule.kind;
  return `${r.method} ${r.path} ${rule}`;
}

/** Parse one `"<METHOD> <path> <rule>"` line. @throws Error naming the line */
export function parseRouteRule(line: string): RouteRule {
  const parts = line.trim().split(/\s+/);
  const bad = (why: string) => new Error(`route "${line}": ${why}`);
  if (parts.length !== 3) throw bad(`expected "<METHOD> <path> <rule>"`);
  const [rawMethod, path, rawRule] = parts;
  const method = rawMethod.toUpperCase();
  if (!METHODS.includes(method)) throw bad(`method must be one of ${METHODS.join(", ")}`);
  if (!path.startsWith("/")) throw bad("the path starts with /");
  let rule: Rule;
  if (rawRule === "public" || rawRule === "authenticated") rule = { kind: rawRule };
  else {
    const m = /^(roles|scopes)=(.+)$/.exec(rawRule);
    const values = m?.[2].split(",").filter((v) => v !== "") ?? [];
    if (!m || values.length === 0) {
      throw bad("rule must be public, authenticated, roles=a,b or scopes=x,y");
    }
    rule = { kind: m[1] as "roles" | "scopes", values };
  }
  return { method, path, rule };
}

/**
 * Today's table (no `routes` key): the program's `ANY /` and `ANY /{proxy+}` with one rule, the
 * stack's `requiredRoles` in rest-token, its `authorizationScopes` in http-jwt.
 */
export function defaultRules(
  mode: string | undefined,
  requiredRoles: readonly string[],
  authorizationScopes: readonly string[] = [],
): RouteRule[] {
  if (mode === undefined) return [];
  let rule: Rule = { kind: "authenticated" };
  if (mode === "rest-token") rule = { kind: "roles", values: requiredRoles };
  if (mode === "http-jwt" && authorizationScopes.length > 0) {
    rule = { kind: "scopes", values: authorizationScopes };
  }
  return [
    { method: "ANY", path: "/", rule },
    { method: "ANY", path: "/{proxy+}", rule },
  ];
}

/** A request path that the route's template matches: variables filled with `conformance`. */
export function concretePath(path: string): string {
  return path.replace(/\{[^}/]+\+\}/g, "conformance/probe").replace(/\{[^}/]+\}/g, "conformance");
}

/**
 * The rule API Gateway applies to `method path`: the most specific route wins ("Create routes for
 * HTTP APIs", "Routing API requests": a full match, then a greedy `{proxy+}` match;
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html).
 * The local gateway's `selectRoute` implements exactly that and reads only `method` and `path`.
 */
export function ruleFor(
  rules: readonly RouteRule[],
  method: string,
  path: string,
): RouteRule | undefined {
  const asRoutes = rules.map((r) => ({ method: r.method, path: r.path, rule: r }));
  const hit = selectRoute(asRoutes as unknown as RouteModel[], method, path);
  return (hit?.route as unknown as { rule: RouteRule } | undefined)?.rule;
}
