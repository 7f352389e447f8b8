/**
 * The routes both HTTP modes expose: everything (`ANY /`, `ANY /{proxy+}`) through the
 * authorizer to the one integration, and, with CORS, unauthenticated `OPTIONS` routes with their
 * own integration.
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
  /**
   * With CORS: the integration of the `OPTIONS` routes (`HttpApiBase.preflightIntegration`, which
   * removes the identity). Without: no `OPTIONS` routes.
   */
  readonly preflightIntegrationId?: pulumi.Input<string>;
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
 * Why the `OPTIONS` routes exist, have no authorizer, and DO have an integration: a browser sends
 * the CORS preflight without `Authorization`, so the `ANY` routes' authorizer would answer 401
 * and the browser would never send the real request (design.md, rule 8). AWS documents the fix
 * for an API whose catch-all route has an authorizer: "add an OPTIONS /{proxy+} route to your API
 * that doesn't require authorization and attach an integration to the route"; the more specific
 * `OPTIONS` route wins over the catch-all, and with `corsConfiguration` API Gateway answers the
 * preflight itself ("Configuring CORS for an HTTP API with a $default route and an authorizer",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html). A route
 * without a target is not that documented shape (a request that matches it finds no integration:
 * 404), so the routes target the preflight integration, which strips every identity header.
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
  const preflightIntegrationId = args.preflightIntegrationId;
  if (preflightIntegrationId !== undefined) {
    for (const routeKey of PREFLIGHT_ROUTE_KEYS) {
      routes.push(
        new aws.apigatewayv2.Route(
          `${name}-route-${routeSlug(routeKey)}`,
          {
            apiId: args.apiId,
            routeKey,
            target: pulumi.interpolate`integrations/${preflightIntegrationId}`,
            authorizationType: "NONE",
          },
          { parent },
        ),
      );
    }
  }
  return routes;
}
