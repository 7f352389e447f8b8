/**
 * Route selection (pure).
 *
 * HTTP APIs: API Gateway picks the most specific match — a literal segment beats a `{param}`
 * segment, which beats a greedy `{proxy+}`; at equal paths an exact method beats `ANY`; the
 * `$default` route catches what nothing else matches (AWS "Working with routes for HTTP APIs").
 * REST resources follow the same precedence (literal resource > `{param}` > `{proxy+}`, method >
 * ANY). These rules are not in aws-semantics.md; they are the documented routing rules of the
 * service. A greedy variable needs at least one segment: `/{proxy+}` does not match `/`.
 */
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

type SegmentKind = 0 | 1 | 2; // 0 literal, 1 {param}, 2 {greedy+}

function splitPath(path: string): string[] {
  // A trailing slash is ignored (`/items/` routes like `/items`), except for the root.
  return path.split("/").filter((s, i, all) => s !== "" || (i > 0 && i < all.length - 1));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Matches one route template; returns parameters and a specificity vector, or undefined. */
function matchTemplate(
  template: string,
  requestSegments: string[],
): { params: Record<string, string>; rank: SegmentKind[] } | undefined {
  const tpl = splitPath(template);
  const params: Record<string, string> = {};
  const rank: SegmentKind[] = [];
  for (let i = 0; i < tpl.length; i++) {
    const t = tpl[i];
    const greedy = /^\{([^}]+)\+\}$/.exec(t);
    if (greedy) {
      if (i !== tpl.length - 1 || requestSegments.length <= i) return undefined;
      params[greedy[1]] = requestSegments.slice(i).map(safeDecode).join("/");
      rank.push(2);
      return { params, rank };
    }
    if (i >= requestSegments.length) return undefined;
    const variable = /^\{([^}]+)\}$/.exec(t);
    if (variable) {
      if (requestSegments[i] === "") return undefined;
      params[variable[1]] = safeDecode(requestSegments[i]);
      rank.push(1);
    } else {
      if (safeDecode(requestSegments[i]) !== t) return undefined;
      rank.push(0);
    }
  }
  return tpl.length === requestSegments.length ? { params, rank } : undefined;
}

/** Negative when `a` is more specific than `b`. */
function compareRank(a: SegmentKind[], b: SegmentKind[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  // Same kinds on the common prefix: the longer template is more specific.
  return b.length - a.length;
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
  const segments = splitPath(path);
  const upper = method.toUpperCase();
  let best: { route: RouteModel; params: Record<string, string>; rank: SegmentKind[] } | undefined;
  let fallback: RouteModel | undefined;
  for (const route of routes) {
    if (route.path === "$default") {
      fallback = route;
      continue;
    }
    const m = route.method.toUpperCase();
    if (m !== upper && m !== "ANY") continue;
    const hit = matchTemplate(route.path, segments);
    if (!hit) continue;
    if (!best) {
      best = { route, ...hit };
      continue;
    }
    const cmp = compareRank(hit.rank, best.rank);
    const exactBeatsAny = cmp === 0 && m !== "ANY" && best.route.method.toUpperCase() === "ANY";
    if (cmp < 0 || exactBeatsAny) best = { route, ...hit };
  }
  if (best)
    return { route: best.route, pathParameters: best.params, routeKey: routeKeyOf(best.route) };
  if (fallback) return { route: fallback, pathParameters: {}, routeKey: "$default" };
  return undefined;
}
