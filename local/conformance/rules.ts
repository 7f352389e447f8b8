/**
 * What the conformance checker adds to the shared route table (functions/commons/routes.ts) and
 * route selection (functions/commons/route-select.ts): the default table of a stack whose outputs
 * carry no `routes`, the selection that matches the stack's API type, and for each line a request
 * (method and concrete path) that API Gateway sends to that line, so the per-route checks (public
 * routes, roles, scopes, cache safety) probe the rule and nothing else.
 */
import { selectHttpRoute, selectRestRoute, splitPath } from "../../functions/commons/route-select";
import { defaultRouteTable, type RouteRule, type RouteSpec } from "../../functions/commons/routes";

/** Which line of a table API Gateway sends `method path` to; undefined when none. */
export type RouteSelector = (
  routes: readonly RouteSpec[],
  method: string,
  path: string,
) => RouteSpec | undefined;

/** HTTP APIs: the most specific route, falling back to a less specific one (`/{proxy+}`). */
export const selectHttp: RouteSelector = (routes, method, path) =>
  selectHttpRoute(routes, method, path)?.route;

/**
 * REST APIs: the resource first, never handed back to `/{proxy+}`; a resource without the method
 * is 403 `Missing Authentication Token` before any authorizer (route-select.ts cites AWS).
 */
export const selectRest: RouteSelector = (routes, method, path) =>
  selectRestRoute(routes, method, path)?.route;

/**
 * The selection of the stack's API type: REST in `rest-token`, HTTP in the other modes. With the
 * mode unknown, a request counts as reaching a line only when both agree, so a probe is never one
 * that either API type would send elsewhere (or answer 403 Missing Authentication Token).
 */
export function selectorFor(mode: string | undefined): RouteSelector {
  if (mode === "rest-token") return selectRest;
  if (mode !== undefined) return selectHttp;
  return (routes, method, path) => {
    const http = selectHttp(routes, method, path);
    return http !== undefined && selectRest(routes, method, path) === http ? http : undefined;
  };
}

/**
 * The table of a stack whose outputs have no `routes` (deployed before the program output it, or
 * `--url` without `--route`): the program's `ANY /` and `ANY /{proxy+}` with the mode's one rule,
 * the stack's `requiredRoles` in rest-token, its `authorizationScopes` in http-jwt, as
 * infra/config/parse.ts builds it when the `routes` key is unset.
 */
export function defaultRoutes(
  mode: string | undefined,
  requiredRoles: readonly string[],
  authorizationScopes: readonly string[] = [],
): RouteSpec[] {
  if (mode === undefined) return [];
  let rule: RouteRule = { kind: "authenticated" };
  if (mode === "rest-token") rule = { kind: "roles", roles: requiredRoles };
  if (mode === "http-jwt" && authorizationScopes.length > 0) {
    rule = { kind: "scopes", scopes: authorizationScopes };
  }
  return defaultRouteTable(rule);
}

/**
 * The word variables are filled with: `conformance`, unless the table has that literal segment
 * (then `conformance-1`, …). A filled variable that equals a literal sibling would be routed to
 * the literal: HTTP APIs prefer it, and REST walks into that resource and, when it lacks the rest
 * of the path or the method, answers 403 Missing Authentication Token for a reason unrelated to
 * the rule under test.
 */
export function probeWord(routes: readonly RouteSpec[]): string {
  const literals = new Set(routes.flatMap((r) => splitPath(r.path)));
  let word = "conformance";
  for (let i = 1; literals.has(word); i++) word = `conformance-${i}`;
  return word;
}

/** A request path that the route's template matches: variables filled with `word`. */
export function concretePath(path: string, word = "conformance"): string {
  return path.replace(/\{[^}/]+\+\}/g, `${word}/probe`).replace(/\{[^}/]+\}/g, word);
}

/**
 * The methods tried for an `ANY` line, in order. Not `OPTIONS`: with CORS on, a preflight is
 * answered without the authorizer (HTTP APIs: "Configure CORS for HTTP APIs", http-api-cors, and
 * this program's preflight routes; REST: the OPTIONS method each resource needs for CORS, "CORS
 * for REST APIs in API Gateway", https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html),
 * so it would test CORS, not the rule. Not `HEAD`: its answer has no body, so a leaked identity
 * header could not be seen.
 */
export const PROBE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** A request that reaches one line of the table. */
export interface Probe {
  readonly method: string;
  readonly path: string;
}

/**
 * A request `select` sends to `route` itself: its path with the variables filled by
 * {@link probeWord}, and its own method or, for `ANY`, the first of `methods` that no line with
 * an exact method on the same resource/route takes (REST picks the exact method over `ANY` on a
 * resource, HTTP an exact-method route over an `ANY` one of the same path).
 * @param methods the methods an `ANY` line may be probed with (the echo checks send only `GET`);
 *   a line with its own method outside them has no probe
 * @returns undefined when no such request exists (the line is shadowed by others).
 */
export function probeFor(
  route: RouteSpec,
  routes: readonly RouteSpec[],
  select: RouteSelector,
  methods: readonly string[] = PROBE_METHODS,
): Probe | undefined {
  const path = concretePath(route.path, probeWord(routes));
  let candidates: readonly string[] = methods;
  if (route.method !== "ANY") {
    candidates = methods === PROBE_METHODS || methods.includes(route.method) ? [route.method] : [];
  }
  for (const method of candidates) {
    if (select(routes, method, path) === route) return { method, path };
  }
  return undefined;
}
