/**
 * Route selection (pure).
 *
 * The pure rules live in functions/commons/route-select.ts (with their AWS sources), shared with
 * the preview check of rest-token's policies. HTTP APIs: the most specific route, exact method over
 * `ANY`, and `$default` for what nothing else matches ("Working with routes for HTTP APIs"). REST
 * APIs: the resource first, then its method; a resource without the method is a 403 Missing
 * Authentication Token, never a fall-back to `/{proxy+}`.
 */
import { selectHttpRoute, selectRestRoute } from "../../functions/commons/route-select";
import type { ApiModel, RouteModel } from "../model";

/** A route matched against a request. */
export interface RouteMatch {
  route: RouteModel;
  /** Decoded path parameters (`proxy` for `{proxy+}`). */
  pathParameters: Record<string, string>;
  /** `GET /items/{id}` or `$default`. */
  routeKey: string;
}

/** The route key AWS shows in events and logs. */
export function routeKeyOf(route: RouteModel): string {
  return route.path === "$default" ? "$default" : `${route.method.toUpperCase()} ${route.path}`;
}

/**
 * Splits the stage prefix off the request path. A `$default` stage (HTTP API) has no prefix;
 * any other stage is served under `/{stage}` and anything else is not found.
 * @returns the path without the stage (`/` at least), or undefined when the stage does not match.
 */
export function stripStage(model: ApiModel, fullPath: string): string | undefined {
  if (model.type === "http" && model.stageName === "$default") return fullPath || "/";
  const prefix = `/${model.stageName}`;
  if (fullPath === prefix) return "/";
  if (fullPath.startsWith(`${prefix}/`)) return fullPath.slice(prefix.length);
  return undefined;
}

/**
 * Selects the route for `method` and `path` (stage already stripped).
 * @returns undefined when nothing matches (HTTP API 404, REST 403 Missing Authentication Token).
 */
export function selectRoute(
  routes: readonly RouteModel[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const hit = selectHttpRoute(
    routes.filter((r) => r.path !== "$default"),
    method,
    path,
  );
  if (hit)
    return {
      route: hit.route,
      pathParameters: hit.pathParameters,
      routeKey: routeKeyOf(hit.route),
    };
  const fallback = routes.find((r) => r.path === "$default");
  if (fallback) return { route: fallback, pathParameters: {}, routeKey: "$default" };
  return undefined;
}

/**
 * Selects the method of a REST API: the resource first, then its method or `ANY`, never handing
 * the request back to a less specific resource (functions/commons/route-select.ts cites AWS).
 * @returns undefined when there is no such method (REST 403 Missing Authentication Token).
 */
export function selectRestMethod(
  model: Pick<ApiModel, "routes" | "resourcePaths">,
  method: string,
  path: string,
): RouteMatch | undefined {
  const hit = selectRestRoute(model.routes, method, path, model.resourcePaths);
  return (
    hit && { route: hit.route, pathParameters: hit.pathParameters, routeKey: routeKeyOf(hit.route) }
  );
}

/** The route `model` serves `method path` with, by the rules of its API type. */
export function selectFor(model: ApiModel, method: string, path: string): RouteMatch | undefined {
  return model.type === "rest"
    ? selectRestMethod(model, method, path)
    : selectRoute(model.routes, method, path);
}
