/**
 * Per-route authorization rules (the `routes` config key): one table, parsed once at preview and
 * again by the authorizers from their environment, so the rule a route is deployed with and the
 * rule the authorizer enforces are the same text.
 *
 * A line is `"<METHOD> <path> <rule>"`:
 * - METHOD: an HTTP method or `ANY`;
 * - path: API Gateway's route syntax: `/`, literal segments, `{param}` segments, and one greedy
 *   `{name+}` as the last segment ("Working with routes for HTTP APIs"; REST resources use the same
 *   `{name}` / `{name+}` syntax, "Set up a proxy integration with a proxy resource");
 * - rule: `public` (no authorizer), `authenticated` (any valid token), `roles=a,b` (the role claim
 *   holds at least one of them), `scopes=x,y` (the token's `scope`/`scp` holds at least one).
 *
 * Pure: no Pulumi, no AWS clients. The route key (`GET /orders/{proxy+}`) is the one HTTP API
 * events carry in `routeKey`, which is how the HTTP authorizer finds a request's rule.
 */
import { getClaim } from "./identity";
import type { JwtPayload } from "./jwt";

/** Methods a route may name (HTTP API route keys; REST `httpMethod`). */
export const ROUTE_METHODS = [
  "ANY",
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "OPTIONS",
] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/** What a caller needs to reach a route. */
export type RouteRule =
  | { readonly kind: "public" }
  | { readonly kind: "authenticated" }
  | { readonly kind: "roles"; readonly roles: readonly string[] }
  | { readonly kind: "scopes"; readonly scopes: readonly string[] };

/** One line of the table, normalized. */
export interface RouteSpec {
  readonly method: RouteMethod;
  /** API Gateway path template, e.g. `/orders/{proxy+}`. */
  readonly path: string;
  readonly rule: RouteRule;
  /** `METHOD path`, as HTTP API events carry it in `routeKey`. */
  readonly routeKey: string;
}

/**
 * Largest table accepted. HTTP APIs allow 300 routes per API and REST APIs 300 resources per API
 * ("Quotas for configuring and running an HTTP API", "Amazon API Gateway quotas"); the table also
 * travels to the authorizer in one environment variable (Lambda: 4 KB for all variables), so the
 * practical limit is lower and is checked where the variable is built.
 */
export const MAX_ROUTES = 300;
/** "Scopes per route: 10" (HTTP API quotas); the same cap applies to roles for symmetry. */
export const MAX_RULE_VALUES = 10;

const SEGMENT_LITERAL = /^[A-Za-z0-9._~!$&'()*,;=:@-]+$/;
const SEGMENT_PARAM = /^\{[A-Za-z0-9_]+\}$/;
const SEGMENT_GREEDY = /^\{[A-Za-z0-9_]+\+\}$/;
const RULE_VALUE = /^[A-Za-z0-9._:/~|@*+-]+$/;

/**
 * The table a stack without `routes` deploys: `ANY /` and `ANY /{proxy+}`, both with `rule`, the
 * two routes the program declared before the key existed (so their resources keep their names).
 */
export function defaultRouteTable(rule: RouteRule): RouteSpec[] {
  return ["/", "/{proxy+}"].map((path) => ({
    method: "ANY",
    path,
    rule,
    routeKey: routeKey("ANY", path),
  }));
}

/** A problem with one line of the table (`index` is its position in the list). */
export interface RouteTableProblem {
  readonly index: number;
  readonly message: string;
}

/** The route key of a spec-like value. */
export function routeKey(method: string, path: string): string {
  return `${method} ${path}`;
}

function parsePath(path: string): string | undefined {
  if (!path.startsWith("/")) return `path "${path}" must start with /`;
  if (path === "/") return undefined;
  if (path.endsWith("/")) return `path "${path}" must not end with /`;
  const segments = path.slice(1).split("/");
  const names = new Set<string>();
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s === "") return `path "${path}" has an empty segment`;
    if (SEGMENT_GREEDY.test(s)) {
      if (i !== segments.length - 1) {
        return `path "${path}": the greedy segment ${s} must be the last one`;
      }
    } else if (!SEGMENT_PARAM.test(s) && !SEGMENT_LITERAL.test(s)) {
      return `path "${path}": segment "${s}" is neither a literal, a {param} nor a greedy {name+}`;
    }
    const param = /^\{([A-Za-z0-9_]+)\+?\}$/.exec(s);
    if (param) {
      if (names.has(param[1])) return `path "${path}" names {${param[1]}} twice`;
      names.add(param[1]);
    }
  }
  return undefined;
}

function parseRule(text: string): RouteRule | string {
  if (text === "public") return { kind: "public" };
  if (text === "authenticated") return { kind: "authenticated" };
  const m = /^(roles|scopes)=(.*)$/.exec(text);
  if (!m) {
    return `rule "${text}" is not one of public, authenticated, roles=a,b or scopes=x,y`;
  }
  const values = m[2].split(",").map((v) => v.trim());
  if (values.length === 0 || values.some((v) => v === "")) {
    return `rule "${text}" needs a comma-separated list without empty entries`;
  }
  if (values.length > MAX_RULE_VALUES) {
    return `rule "${text}" lists ${values.length} ${m[1]}; at most ${MAX_RULE_VALUES}`;
  }
  const bad = values.find((v) => !RULE_VALUE.test(v));
  if (bad !== undefined) return `rule "${text}": "${bad}" is not a valid ${m[1].slice(0, -1)}`;
  return m[1] === "roles"
    ? { kind: "roles", roles: [...new Set(values)] }
    : { kind: "scopes", scopes: [...new Set(values)] };
}

/**
 * Parses the table. Every problem is reported with its line index; valid lines are returned even
 * when others are not, so one preview lists every mistake.
 */
export function parseRouteTable(lines: readonly string[]): {
  readonly routes: RouteSpec[];
  readonly problems: RouteTableProblem[];
} {
  const routes: RouteSpec[] = [];
  const problems: RouteTableProblem[] = [];
  const seen = new Map<string, number>();
  if (lines.length > MAX_ROUTES) {
    problems.push({
      index: MAX_ROUTES,
      message: `${lines.length} routes; API Gateway allows at most ${MAX_ROUTES} per API`,
    });
  }
  lines.forEach((raw, index) => {
    const parts = raw.trim().split(/\s+/);
    if (parts.length !== 3) {
      problems.push({
        index,
        message: `"${raw}" is not "<METHOD> <path> <rule>" (e.g. "GET /health public")`,
      });
      return;
    }
    const [methodText, path, ruleText] = parts;
    const method = methodText.toUpperCase();
    if (!(ROUTE_METHODS as readonly string[]).includes(method) || method !== methodText) {
      problems.push({
        index,
        message: `method "${methodText}" is not one of ${ROUTE_METHODS.join(", ")} (upper case)`,
      });
      return;
    }
    const pathProblem = parsePath(path);
    if (pathProblem !== undefined) {
      problems.push({ index, message: pathProblem });
      return;
    }
    const rule = parseRule(ruleText);
    if (typeof rule === "string") {
      problems.push({ index, message: rule });
      return;
    }
    // Two templates that differ only in parameter names are the same route to API Gateway.
    const shape = `${method} ${path.replace(/\{[A-Za-z0-9_]+\}/g, "{}").replace(/\{[A-Za-z0-9_]+\+\}/g, "{+}")}`;
    const earlier = seen.get(shape);
    if (earlier !== undefined) {
      problems.push({ index, message: `"${method} ${path}" repeats line ${earlier}` });
      return;
    }
    seen.set(shape, index);
    routes.push({ method: method as RouteMethod, path, rule, routeKey: routeKey(method, path) });
  });
  return { routes, problems };
}

/** A rule as the table writes it (`roles=admin,ops`). */
export function formatRule(rule: RouteRule): string {
  switch (rule.kind) {
    case "roles":
      return `roles=${rule.roles.join(",")}`;
    case "scopes":
      return `scopes=${rule.scopes.join(",")}`;
    default:
      return rule.kind;
  }
}

/** A spec as one table line. */
export function formatRoute(route: RouteSpec): string {
  return `${route.routeKey} ${formatRule(route.rule)}`;
}

/**
 * The scopes a token grants, read the way API Gateway's JWT authorizer reads them: the `scope`
 * claim (a space-separated string, RFC 8693 §4.2) or, when it is absent, `scp` (a string or an
 * array of strings, as Okta and Entra ID issue it). "API Gateway ... checks the scope or scp claim"
 * ("Control access to HTTP APIs with JWT authorizers", aws-semantics.md §1).
 */
export function tokenScopes(claims: JwtPayload): readonly string[] {
  const from = (v: unknown): string[] | undefined => {
    if (typeof v === "string") return v.split(" ").filter((s) => s !== "");
    if (Array.isArray(v) && v.every((s): s is string => typeof s === "string")) return v;
    return undefined;
  };
  return from(claims.scope) ?? from(claims.scp) ?? [];
}

/**
 * The roles a token holds at `roleClaim`: a string or an array of strings; anything else is no
 * role (a signed token of another shape is the issuer's choice, not ours to guess at).
 */
export function tokenRoles(claims: JwtPayload, roleClaim: string): readonly string[] {
  const value = getClaim(claims, roleClaim);
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v): v is string => typeof v === "string")) return value;
  return [];
}

/** What a verified caller holds, for rule checks. */
export interface CallerGrants {
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
}

/** Whether a verified caller satisfies a rule (`public` and `authenticated` always do). */
export function ruleAllows(rule: RouteRule, caller: CallerGrants): boolean {
  switch (rule.kind) {
    case "public":
    case "authenticated":
      return true;
    case "roles":
      return rule.roles.some((r) => caller.roles.includes(r));
    case "scopes":
      return rule.scopes.some((s) => caller.scopes.includes(s));
  }
}

/** True when every non-public route has the same rule: one cached decision then fits them all. */
export function rulesAreUniform(routes: readonly RouteSpec[]): boolean {
  const rules = new Set(
    routes.filter((r) => r.rule.kind !== "public").map((r) => formatRule(r.rule)),
  );
  return rules.size <= 1;
}
