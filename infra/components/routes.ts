/**
 * The routes both HTTP modes expose: everything (`ANY /`, `ANY /{proxy+}`) through the
 * authorizer to the one integration, and, with CORS, unauthenticated preflight routes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The route keys that carry traffic to the backend. */
export const PROXY_ROUTE_KEYS = ["ANY /", "ANY /{proxy+}"];
/** The preflight route keys added when CORS is configured. */
export const PREFLIGHT_ROUTE_KEYS = ["OPTIONS /", "OPTIONS /{proxy+}"];

export interface RouteAuthorization {
  readonly authorizationType: "CUSTOM" | "JWT";
  readonly authorizerId: pulumi.Input<string>;
  /** JWT only: the token must hold at least one. @default undefined (no scope check) */
  readonly authorizationScopes?: readonly string[];
}

export interface RoutesArgs {
  readonly apiId: pulumi.Input<string>;
  readonly integrationId: pulumi.Input<string>;
  readonly authorization: RouteAuthorization;
  /** Add the `OPTIONS` preflight routes. */
  readonly cors: boolean;
}

/** Slug for a route's resource name: `ANY /{proxy+}` → `any-proxy`. */
function routeSlug(routeKey: string): string {
  return routeKey
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .replace(/^(any|options)$/, "$1-root");
}

/**
 * Create the routes, parented to `parent` and named `<name>-route-<slug>`.
 *
 * Why the preflight routes have no authorizer and no target: a browser sends the CORS preflight
 * (`OPTIONS`) without `Authorization`, so the `ANY` routes' authorizer would answer 401 and the
 * browser would never send the real request (design.md, rule 8). A more specific `OPTIONS` route
 * wins over `ANY`; with `corsConfiguration` on the API, API Gateway answers the preflight from it.
 * Giving these routes no integration means an unauthenticated `OPTIONS` request can never reach
 * the backend (where the identity headers would be unset).
 */
export function createRoutes(
  name: string,
  parent: pulumi.Resource,
  args: RoutesArgs,
): aws.apigatewayv2.Route[] {
  const routes = PROXY_ROUTE_KEYS.map(
    (routeKey) =>
      new aws.apigatewayv2.Route(
        `${name}-route-${routeSlug(routeKey)}`,
        {
          apiId: args.apiId,
          routeKey,
          target: pulumi.interpolate`integrations/${args.integrationId}`,
          authorizationType: args.authorization.authorizationType,
          authorizerId: args.authorization.authorizerId,
          authorizationScopes:
            args.authorization.authorizationScopes &&
            args.authorization.authorizationScopes.length > 0
              ? [...args.authorization.authorizationScopes]
              : undefined,
        },
        { parent },
      ),
  );
  if (args.cors) {
    for (const routeKey of PREFLIGHT_ROUTE_KEYS) {
      routes.push(
        new aws.apigatewayv2.Route(
          `${name}-route-${routeSlug(routeKey)}`,
          { apiId: args.apiId, routeKey, authorizationType: "NONE" },
          { parent },
        ),
      );
    }
  }
  return routes;
}
