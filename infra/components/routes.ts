/**
 * The routes both HTTP modes expose: one route per line of the `routes` table (the default table
 * is `ANY /` + `ANY /{proxy+}`), non-public lines through the authorizer to the integration,
 * public lines without an authorizer to the identity-free integration, and, with CORS,
 * unauthenticated `OPTIONS` routes so preflights never meet the authorizer.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { RouteRule, RouteSpec } from "../../functions/commons/routes";

/**
 * Resource-name slugs of the routes the program declared before the `routes` key existed. Stacks
 * hold them in their URNs (`gateway-route-any-proxy`), so they stay exactly these for these route
 * keys: a renamed route would be replaced on every user's stack.
 */
export const LEGACY_ROUTE_SLUGS: Readonly<Record<string, string>> = {
  "ANY /": "any-root",
  "ANY /{proxy+}": "any-proxy",
  "OPTIONS /": "options-root",
  "OPTIONS /{proxy+}": "options-proxy",
};

/** Each code unit outside `[a-z0-9]` as `_` + two hex digits (`_u` + four beyond ASCII). */
function escapeText(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/[a-z0-9]/.test(c)) out += c;
    else {
      const code = text.charCodeAt(i);
      out +=
        code < 0x80
          ? `_${code.toString(16).padStart(2, "0")}`
          : `_u${code.toString(16).padStart(4, "0")}`;
    }
  }
  return out;
}

/**
 * The resource-name slug of a route key: the legacy slug for the four keys of the old program,
 * otherwise an injective encoding that stays readable: `GET /orders/{proxy+}` →
 * `get--orders-_gproxy`, `GET /items/{id}` → `get--items-_pid`, `GET /` → `get--_r`.
 *
 * Why injective rather than the old lossy slug (lower-case, runs of other characters to `-`):
 * `GET /orders/{proxy+}` and `GET /orders/proxy`, or `/a-b` and `/a/b`, or `/Orders` and
 * `/orders` (paths are case-sensitive) are different routes that would share a name, and two
 * resources with one name fail the whole deployment. Here the method (upper-case letters only) is
 * followed by `--`, which nothing later contains; segments are joined by `-`; inside a segment
 * `[a-z0-9]` stand for themselves and every other character is `_` + hex digits, so `_` + `g`,
 * `p`, `r` or `u` are free to mark a greedy variable, a variable, the root and a non-ASCII code
 * unit. The legacy slugs contain no `--`, so they cannot collide with this form either. And the
 * slug depends on the route key alone, never on the other lines: adding a line renames nothing.
 */
export function routeSlug(routeKey: string): string {
  const legacy = LEGACY_ROUTE_SLUGS[routeKey];
  if (legacy !== undefined) return legacy;
  const space = routeKey.indexOf(" ");
  const method = routeKey.slice(0, space).toLowerCase();
  const path = routeKey.slice(space + 1);
  if (path === "/") return `${method}--_r`;
  const segments = path
    .slice(1)
    .split("/")
    .map((s) => {
      const greedy = /^\{(.+)\+\}$/.exec(s);
      if (greedy) return `_g${escapeText(greedy[1])}`;
      const variable = /^\{(.+)\}$/.exec(s);
      if (variable) return `_p${escapeText(variable[1])}`;
      return escapeText(s);
    });
  return `${method}--${segments.join("-")}`;
}

/**
 * The `OPTIONS` routes a CORS-enabled API needs for a table: one per path that has a non-public
 * `ANY` route (an `ANY` route matches a preflight) and no `OPTIONS` line of its own. For the
 * default table that is exactly `OPTIONS /` and `OPTIONS /{proxy+}`, the routes the program has
 * always added.
 *
 * Why per path and not just `OPTIONS /{proxy+}`: API Gateway sends a request to the most specific
 * route ("Create routes for HTTP APIs", "Routing API requests",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html), so a
 * preflight to `/admin/users` goes to `ANY /admin/{proxy+}`, not to `OPTIONS /{proxy+}`; with an
 * authorizer on that route the preflight is authorized, fails (browsers send no Authorization on
 * a preflight) and the browser never sends the real request. `OPTIONS /admin/{proxy+}` is the
 * exact-method match on the same path, so it wins whichever way API Gateway weighs method against
 * path. A user's own `OPTIONS` line is left as written.
 */
export function preflightRouteKeys(table: readonly RouteSpec[]): string[] {
  const keys: string[] = [];
  for (const r of table) {
    if (r.method !== "ANY" || r.rule.kind === "public") continue;
    if (table.some((o) => o.method === "OPTIONS" && o.path === r.path)) continue;
    keys.push(`OPTIONS ${r.path}`);
  }
  return keys;
}

export interface RouteAuthorization {
  readonly authorizationType: "CUSTOM" | "JWT";
  readonly authorizerId: pulumi.Input<string>;
  /**
   * JWT only: enforce `scopes=` rules natively, as the route's `authorizationScopes` (the token
   * must hold at least one). @default false (the Lambda authorizer enforces the rule itself)
   */
  readonly nativeScopes?: boolean;
}

export interface RoutesArgs {
  readonly apiId: pulumi.Input<string>;
  /** The backend integration, with the identity mapping. */
  readonly integrationId: pulumi.Input<string>;
  /** The route table, normalized (`config.routes`: the default table when the key is unset). */
  readonly table: readonly RouteSpec[];
  readonly authorization: RouteAuthorization;
  /**
   * The integration that only removes the identity headers and query parameters
   * (`HttpApiBase.identityFreeIntegration`): the target of public routes and preflight routes.
   * Required when the table has a public route or `cors` is set.
   */
  readonly identityFreeIntegrationId?: pulumi.Input<string>;
  /** CORS is configured on the API: add the preflight routes (`preflightRouteKeys`). */
  readonly cors: boolean;
}

/**
 * Create the routes, parented to `parent` and named `<name>-route-<routeSlug>`.
 *
 * Why public routes go to the identity-free integration: the backend integration maps identity
 * headers with `overwrite:` from the authorizer's result, and a public route has no authorizer,
 * so there the client's own `X-Customer-ID` would stand (design.md, rule 1). The identity-free
 * integration `remove:`s every identity header instead, so a public route can never let a client
 * pose as a customer.
 *
 * Why the `OPTIONS` routes exist, have no authorizer, and DO have an integration: a browser sends
 * the CORS preflight without `Authorization`, so an authorized route would answer it 401 and the
 * browser would never send the real request (design.md, rule 8). AWS documents the fix for an
 * API whose catch-all route has an authorizer: "add an OPTIONS /{proxy+} route to your API that
 * doesn't require authorization and attach an integration to the route"; the more specific
 * `OPTIONS` route wins over the catch-all, and with `corsConfiguration` API Gateway answers the
 * preflight itself ("Configuring CORS for an HTTP API with a $default route and an authorizer",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html). A route
 * without a target is not that documented shape (a request that matches it finds no integration:
 * 404), so the routes target the identity-free integration.
 */
export function createRoutes(
  name: string,
  parent: pulumi.Resource,
  args: RoutesArgs,
): aws.apigatewayv2.Route[] {
  const identityFree = (why: string): pulumi.Input<string> => {
    if (args.identityFreeIntegrationId === undefined) {
      throw new Error(`createRoutes: ${why} needs identityFreeIntegrationId`);
    }
    return args.identityFreeIntegrationId;
  };
  const route = (
    routeKey: string,
    inputs: Omit<aws.apigatewayv2.RouteArgs, "apiId" | "routeKey">,
  ) =>
    new aws.apigatewayv2.Route(
      `${name}-route-${routeSlug(routeKey)}`,
      { apiId: args.apiId, routeKey, ...inputs },
      { parent },
    );

  const routes = args.table.map((spec) => {
    if (spec.rule.kind === "public") {
      return route(spec.routeKey, {
        target: pulumi.interpolate`integrations/${identityFree(`the public route ${spec.routeKey}`)}`,
        authorizationType: "NONE",
      });
    }
    return route(spec.routeKey, {
      target: pulumi.interpolate`integrations/${args.integrationId}`,
      authorizationType: args.authorization.authorizationType,
      authorizerId: args.authorization.authorizerId,
      authorizationScopes: nativeScopes(spec.rule, args.authorization),
    });
  });
  if (args.cors) {
    for (const routeKey of preflightRouteKeys(args.table)) {
      routes.push(
        route(routeKey, {
          target: pulumi.interpolate`integrations/${identityFree("CORS")}`,
          authorizationType: "NONE",
        }),
      );
    }
  }
  return routes;
}

/**
 * The route's `authorizationScopes`: a `scopes=` rule's scopes for a JWT authorizer, which checks
 * that the token's `scope`/`scp` holds at least one ("Control access to HTTP APIs with JWT
 * authorizers", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html;
 * at most 10 per route, HTTP API quotas, checked when the table is parsed). `authenticated`:
 * none, so any valid token passes.
 */
function nativeScopes(rule: RouteRule, authorization: RouteAuthorization): string[] | undefined {
  if (!authorization.nativeScopes) return undefined;
  if (rule.kind === "roles") {
    // parseConfig refuses roles= in http-jwt; never deploy a route that would silently skip it.
    throw new Error(`a JWT authorizer cannot check a roles= rule`);
  }
  return rule.kind === "scopes" && rule.scopes.length > 0 ? [...rule.scopes] : undefined;
}
