/**
 * Route selection, pure: which line of a route table (or which deployed route/method) API Gateway
 * picks for a request. Shared by the local gateway (local/gateway/routing.ts), the conformance
 * checker and the preview check of rest-token's per-route policies
 * (functions/rest-authorizer/route-policy-check.ts), so the three cannot disagree.
 *
 * Two documented rule sets:
 * - HTTP APIs choose among *routes* (method + path): the most specific path wins, a literal
 *   segment beating a `{param}` beating a greedy `{proxy+}`, and at equal paths an exact method
 *   beats `ANY` ("Working with routes for HTTP APIs", "Routing API requests",
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html).
 * - REST APIs choose a *resource* first, then a method on it. "When a proxy resource has non-proxy
 *   siblings, the sibling resources are excluded from the representation of the proxy resource
 *   ... `/{proxy+}` refers to any resources under the root resource except for the `/parent[/*]`
 *   resources. In other words, a method request against a specific resource takes precedence over
 *   a method request against a generic resource at the same level of the resource hierarchy" ("Set
 *   up a method request in API Gateway", "Use a proxy resource to streamline API setup",
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html).
 *   So a request is never handed back to a less specific resource: when the resource it lands on
 *   has neither its method nor `ANY` (an intermediate resource such as `/admin` under
 *   `/admin/{proxy+}` has no method at all), the answer is 403 `Missing Authentication Token`,
 *   which AWS gives for "a method or resource that does not exist" (AWS Knowledge Center, "How do
 *   I troubleshoot 403 Missing Authentication Token errors from an API Gateway REST API endpoint?",
 *   https://repost.aws/knowledge-center/api-gateway-authentication-token-errors). A resource has
 *   at most one variable child ("only one is allowed", checked at preview), so the walk below
 *   never has to choose between two.
 *
 * A greedy variable needs at least one segment: `/{proxy+}` does not match `/`.
 */

/** 0 literal, 1 `{param}`, 2 `{greedy+}`. */
type SegmentKind = 0 | 1 | 2;

/** Anything with a method and an API Gateway path template. */
export interface MethodAndPath {
  readonly method: string;
  readonly path: string;
}

/** A selected route and its decoded path parameters (`proxy` for `{proxy+}`). */
export interface Selected<T> {
  readonly route: T;
  readonly pathParameters: Record<string, string>;
}

/**
 * The methods `ANY` stands for ("Set up an HTTP method": "DELETE, GET, HEAD, OPTIONS, PATCH,
 * POST, and PUT", api-gateway-method-settings-method-request).
 */
export const ANY_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"] as const;

/** Path segments; a trailing slash is ignored (`/items/` routes like `/items`), the root is `[]`. */
export function splitPath(path: string): string[] {
  return path.split("/").filter((s, i, all) => s !== "" || (i > 0 && i < all.length - 1));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const GREEDY = /^\{([^}]+)\+\}$/;
const VARIABLE = /^\{([^}+]+)\}$/;

/** Matches one template; returns parameters and a specificity vector, or undefined. */
function matchTemplate(
  template: string,
  requestSegments: string[],
): { params: Record<string, string>; rank: SegmentKind[] } | undefined {
  const tpl = splitPath(template);
  const params: Record<string, string> = {};
  const rank: SegmentKind[] = [];
  for (let i = 0; i < tpl.length; i++) {
    const t = tpl[i];
    const greedy = GREEDY.exec(t);
    if (greedy) {
      if (i !== tpl.length - 1 || requestSegments.length <= i) return undefined;
      params[greedy[1]] = requestSegments.slice(i).map(safeDecode).join("/");
      rank.push(2);
      return { params, rank };
    }
    if (i >= requestSegments.length) return undefined;
    const variable = VARIABLE.exec(t);
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
 * HTTP API selection among routes (see the top of this file). `$default` is the caller's business.
 * @returns undefined when no route matches.
 */
export function selectHttpRoute<T extends MethodAndPath>(
  routes: readonly T[],
  method: string,
  path: string,
): Selected<T> | undefined {
  const segments = splitPath(path);
  const upper = method.toUpperCase();
  let best: { route: T; params: Record<string, string>; rank: SegmentKind[] } | undefined;
  for (const route of routes) {
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
  return best && { route: best.route, pathParameters: best.params };
}

/**
 * Every resource a REST API built from these method paths has: each path and each of its
 * prefixes (one resource per path segment, as infra/components/rest-api.ts creates them), and `/`.
 */
export function restResourcePaths(paths: Iterable<string>): string[] {
  const out = new Set<string>(["/"]);
  for (const p of paths) {
    const segs = splitPath(p);
    for (let i = 1; i <= segs.length; i++) out.add(`/${segs.slice(0, i).join("/")}`);
  }
  return [...out];
}

// The tree of a method list, kept while the list lives (the preview check selects many requests).
const treeCache = new WeakMap<readonly MethodAndPath[], Map<string, string[]>>();

/** `children[parent path]`: the child segments (templates) of each resource. */
function childrenOf(resources: readonly string[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const r of resources) {
    const segs = splitPath(r);
    if (segs.length === 0) continue;
    const parent = segs.length === 1 ? "/" : `/${segs.slice(0, -1).join("/")}`;
    const list = children.get(parent) ?? [];
    list.push(segs[segs.length - 1]);
    children.set(parent, list);
  }
  return children;
}

/**
 * REST API selection: the resource first, walking the tree segment by segment (a literal child
 * beats the variable child and is never given up for it), then its exact method, else its `ANY`.
 *
 * @param resourcePaths every resource of the API, methods or not; @default the prefixes of the
 *   methods' paths ({@link restResourcePaths})
 * @returns undefined when no resource matches or the resource has neither method (403 Missing
 *   Authentication Token, before any authorizer).
 */
export function selectRestRoute<T extends MethodAndPath>(
  methods: readonly T[],
  method: string,
  path: string,
  resourcePaths?: readonly string[],
): Selected<T> | undefined {
  let children = resourcePaths === undefined ? treeCache.get(methods) : undefined;
  if (children === undefined) {
    children = childrenOf(resourcePaths ?? restResourcePaths(methods.map((m) => m.path)));
    if (resourcePaths === undefined) treeCache.set(methods, children);
  }
  const segments = splitPath(path);
  const params: Record<string, string> = {};
  let at = "/";
  for (let i = 0; i < segments.length; i++) {
    const kids = children.get(at) ?? [];
    const child = (seg: string) => (at === "/" ? `/${seg}` : `${at}/${seg}`);
    const literal = kids.find((k) => !k.startsWith("{") && k === safeDecode(segments[i]));
    if (literal !== undefined) {
      at = child(literal);
      continue;
    }
    const variable = kids.find((k) => VARIABLE.test(k));
    if (variable !== undefined && segments[i] !== "") {
      params[VARIABLE.exec(variable)![1]] = safeDecode(segments[i]);
      at = child(variable);
      continue;
    }
    const greedy = kids.find((k) => GREEDY.test(k));
    if (greedy === undefined) return undefined;
    params[GREEDY.exec(greedy)![1]] = segments.slice(i).map(safeDecode).join("/");
    at = child(greedy);
    break;
  }
  const upper = method.toUpperCase();
  const onResource = methods.filter((m) => m.path === at);
  const route =
    onResource.find((m) => m.method.toUpperCase() === upper) ??
    onResource.find((m) => m.method.toUpperCase() === "ANY");
  return route && { route, pathParameters: params };
}
