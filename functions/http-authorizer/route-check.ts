/**
 * The per-route rule check of the HTTP API authorizer: which rule of the `routes` table applies to
 * a request, and whether a verified caller satisfies it.
 *
 * The rule is found by the event's `routeKey` (`GET /orders/{proxy+}`): payload 2.0 carries the
 * key of the route API Gateway matched ("Working with AWS Lambda authorizers for HTTP APIs",
 * "Format of the payload", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html;
 * aws-semantics.md §2), and the program deploys one route per table line with that very key, so
 * the lookup is exact; no path matching happens here.
 */
import type { JwtPayload } from "../commons/jwt";
import {
  formatRule,
  ruleAllows,
  tokenRoles,
  tokenScopes,
  type RouteRule,
  type RouteSpec,
} from "../commons/routes";

/** Why a route refuses a verified caller (a log detail), or undefined when it lets the caller in. */
export type RouteCheck = (routeKey: unknown, claims: JwtPayload) => string | undefined;

/** The log detail for a route key the table does not hold. */
export const UNKNOWN_ROUTE_DETAIL = "route key not in ROUTE_RULES (fail closed)";

/**
 * Builds the check once, at cold start: a Map from route key to rule, and each refusal's log
 * detail already formatted, so the warm path is one Map lookup and a claim read.
 * @param routes the table (`settings.routeRules`); undefined (an older deployment without
 *   `ROUTE_RULES`) gives undefined: no rule check, every route needs just a valid token, as before.
 * @param roleClaim where the caller's roles are (`settings.roleClaim`); readSettings refuses a
 *   table with a `roles=` rule without it.
 */
export function createRouteCheck(
  routes: readonly RouteSpec[] | undefined,
  roleClaim: string | undefined,
): RouteCheck | undefined {
  if (routes === undefined) return undefined;
  const byKey = new Map<string, { rule: RouteRule; refused: string }>();
  for (const r of routes) {
    byKey.set(r.routeKey, { rule: r.rule, refused: `the route needs ${formatRule(r.rule)}` });
  }
  return (routeKey, claims) => {
    const entry = typeof routeKey === "string" ? byKey.get(routeKey) : undefined;
    // A route the table does not name (a route added by hand in the console, a stale bundle):
    // deny rather than guess which rule was meant.
    if (entry === undefined) return UNKNOWN_ROUTE_DETAIL;
    const { rule } = entry;
    if (rule.kind === "public" || rule.kind === "authenticated") return undefined;
    const allowed = ruleAllows(rule, {
      roles: rule.kind === "roles" ? tokenRoles(claims, roleClaim ?? "") : [],
      scopes: rule.kind === "scopes" ? tokenScopes(claims) : [],
    });
    return allowed ? undefined : entry.refused;
  };
}
