import { ENV } from "../commons/env-contract";
import { ConfigurationError } from "../commons/errors";
import { defaultRouteTable, type RouteSpec } from "../commons/routes";
import type { AuthorizerSettings } from "../commons/settings";
import { planRoutePolicies, type RoutePolicyPlan } from "./route-policy";

/** The role check's settings, with defaults applied. */
export interface RoleSettings {
  /** Dot path of the claim holding the caller's role(s). @default "metadata.role" */
  readonly roleClaim: string;
  /** Roles, any one of which allows the call. @default ["admin"] */
  readonly requiredRoles: readonly string[];
}

export const DEFAULT_ROLE_CLAIM = "metadata.role";
export const DEFAULT_REQUIRED_ROLES: readonly string[] = ["admin"];

/** Same rule as infra/config.ts: segments of letters, digits, `_ : / -` joined by dots. */
const CLAIM_PATH = /^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/;

/**
 * The role settings from the shared settings (`ROLE_CLAIM`, `REQUIRED_ROLES`, read and
 * JSON-validated by `readSettings`). The defaults match the Pulumi config defaults, so a Lambda
 * deployed by this program never relies on them.
 *
 * @throws ConfigurationError naming the variable: a wrong environment must fail loudly (500), not
 *   silently deny or allow every caller.
 */
export function roleSettings(
  settings: Pick<AuthorizerSettings, "roleClaim" | "requiredRoles">,
): RoleSettings {
  const roleClaim = settings.roleClaim ?? DEFAULT_ROLE_CLAIM;
  if (!CLAIM_PATH.test(roleClaim)) {
    throw new ConfigurationError(`${ENV.ROLE_CLAIM} "${roleClaim}" is not a claim path.`);
  }
  const requiredRoles = settings.requiredRoles ?? DEFAULT_REQUIRED_ROLES;
  if (requiredRoles.length === 0 || requiredRoles.some((r) => r === "")) {
    throw new ConfigurationError(`${ENV.REQUIRED_ROLES} must list at least one non-empty role.`);
  }
  return { roleClaim, requiredRoles };
}

/**
 * The route table the policies are built from: `ROUTE_RULES` when set (already parsed and checked
 * by `readSettings`, which refuses a line the program would not have written), else (a deployment
 * from before per-route rules) the default table `ANY /` + `ANY /{proxy+}` with `REQUIRED_ROLES`,
 * the rule those deployments enforce.
 *
 * @throws ConfigurationError naming `ROUTE_RULES` when no route needs the authorizer.
 */
export function routePlan(
  settings: Pick<AuthorizerSettings, "routeRules">,
  roles: RoleSettings,
): RoutePolicyPlan {
  let routes: readonly RouteSpec[];
  if (settings.routeRules === undefined) {
    routes = defaultRouteTable({ kind: "roles", roles: roles.requiredRoles });
  } else {
    routes = settings.routeRules;
  }
  if (routes.every((r) => r.rule.kind === "public")) {
    throw new ConfigurationError(`${ENV.ROUTE_RULES} has no route that needs the authorizer.`);
  }
  return planRoutePolicies(routes);
}
