/**
 * REST API Lambda TOKEN authorizer: a verified JWT gets an IAM policy for the whole route table
 * (ROUTE_RULES; without it, the default table with REQUIRED_ROLES): the whole stage allowed when
 * its rule or rules grant every route, an explicit Deny (403) when they grant none, else exactly the
 * routes they grant (route-policy.ts). Anything else fails with `Unauthorized` (401). See
 * aws-semantics.md §4.
 *
 * - Bad token (and every other per-request failure) → fails with exactly `new Error("Unauthorized")`.
 *   API Gateway maps only that exact message to 401; any other error, or a malformed policy, is a
 *   500 (`AUTHORIZER_CONFIGURATION_ERROR`), which clients and alarms read as an outage.
 * - Only a broken environment (ConfigurationError on the first call) surfaces as itself, so a
 *   misdeployment is loud instead of quietly refusing everyone with 401.
 * - Policies cover the whole table (`…/{stage}/*\/*` or every route's pattern), never `methodArn`:
 *   API Gateway caches the answer per token and reuses it for every method of the API (policy.ts).
 * - The context is flat (strings only here) and identity values are validated by the core.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import {
  AuthorizerInternalError,
  createAuthorizer,
  createDecisionLogger,
  describeFailure,
  readSettings,
  isAuthError,
  toHeaderValue,
  type AuthError,
  type Authorizer,
  type AuthResult,
  type DecisionLogger,
} from "../commons";
import { ruleAllows, tokenRoles, tokenScopes } from "../commons/routes";
import { buildPolicy, buildPolicyDocument, MethodArnError, stageWildcardResource } from "./policy";
import { matchRole } from "./roles";
import {
  allowedRoutes,
  policyDocument,
  policyResources,
  STAGE_WILDCARD,
  type RoutePolicyPlan,
} from "./route-policy";
import { routePlan, roleSettings, type RoleSettings } from "./settings";

/** The only error API Gateway turns into a 401; anything else is a 500. */
export const UNAUTHORIZED = "Unauthorized";

/** Injection points for tests; the deployed handler uses the defaults. */
export interface RestAuthorizerOptions {
  /** Returns the authorizer; called per request, so make it memoized. @default from process.env, once */
  readonly getAuthorizer?: () => Authorizer;
  /** @default stdout JSON lines */
  readonly logger?: DecisionLogger;
}

/** The REST authorizer handler: a policy, or a rejection with exactly `Error("Unauthorized")`. */
export type RestAuthorizerHandler = (
  event: APIGatewayTokenAuthorizerEvent,
) => Promise<APIGatewayAuthorizerResult>;

/** Decision-log reasons this handler adds to the core's `AuthError` codes. */
export const REASON = {
  ok: "ok",
  roleMissing: "ROLE_MISSING",
  /** A per-route table allows this token no route (RouteNotAllowedError's code). */
  routeNotAllowed: "ROUTE_NOT_ALLOWED",
  methodArnInvalid: "METHOD_ARN_INVALID",
} as const;

/**
 * The IAM principal: the token's `sub` when it has one, else the customer id. `principalId` is
 * readable as `context.authorizer.principalId` (and is in the access log), so `sub` passes the same
 * header-safety check as the identity claims.
 * @throws IdentityClaimInvalidError when `sub` is present but not header-safe.
 */
function principalOf(result: Extract<AuthResult, { ok: true }>): string {
  const sub = result.claims.sub;
  if (sub === undefined || sub === null || sub === "") return result.identity.customerId;
  return toHeaderValue(sub, "sub");
}

/** Builds a handler; `handler` below is the deployed one. */
export function createHandler(options: RestAuthorizerOptions = {}): RestAuthorizerHandler {
  let authorizer: Authorizer | undefined;
  // Lazily at the first invocation (still once per container) so importing needs no env.
  const getAuthorizer =
    options.getAuthorizer ?? (() => (authorizer ??= createAuthorizer(readSettings(process.env))));
  const logger = options.logger ?? createDecisionLogger();
  let roles: { from: Authorizer; rule: Rule } | undefined;

  /**
   * The policy for a verified token; throws for everything that must be `Unauthorized`. Synchronous,
   * and sets `outcome` for the log line.
   */
  const decide = (
    auth: Authorizer,
    rule: Rule,
    resource: string,
    result: AuthResult,
    outcome: Outcome,
  ): APIGatewayAuthorizerResult => {
    if (!result.ok) throw result.reason;

    const principalId = principalOf(result);
    const { customerId, customerName, extra } = result.identity;
    outcome.customerId = customerId;
    const plan = rule.plan;
    const uniform = plan.uniformRule;
    let role: string | undefined;
    let policyOf: (context: Record<string, string>) => APIGatewayAuthorizerResult;
    if (uniform !== undefined) {
      // Every non-public route has this one rule (the default table included): today's shapes,
      // the whole stage allowed or explicitly denied.
      if (uniform.kind === "roles") {
        role = matchRole(result.claims, rule.roleClaim, uniform.roles);
        if (role === undefined) {
          outcome.reason = REASON.roleMissing;
          // Explicit Deny over the whole stage: cached for this token, it must deny every method.
          return buildPolicy(principalId, "Deny", resource);
        }
      } else if (!ruleAllows(uniform, callerOf(result, rule))) {
        outcome.reason = REASON.routeNotAllowed;
        return buildPolicy(principalId, "Deny", resource);
      }
      policyOf = (context) => buildPolicy(principalId, "Allow", resource, context);
    } else {
      // Rules differ: one cached policy must still be right for every route (route-policy.ts).
      const allowed = allowedRoutes(plan, callerOf(result, rule));
      const resources = policyResources(plan, allowed);
      if (resources.effect === "Deny") {
        outcome.reason = REASON.routeNotAllowed;
        return buildPolicy(principalId, "Deny", resource);
      }
      const document =
        resources.deny.length === 0 && resources.allow[0] === STAGE_WILDCARD
          ? undefined
          : policyDocument(resource.slice(0, -(STAGE_WILDCARD.length + 1)), resources);
      policyOf = (context) =>
        document === undefined
          ? buildPolicy(principalId, "Allow", resource, context)
          : buildPolicyDocument(principalId, document, context);
    }

    // Every configured context key is present on Allow ("" when the claim is absent): the stack
    // maps each one to a backend header, and a mapped key missing from the context maps to
    // nothing. Identity last, so an extra claim can never shadow customerId/customerName/role.
    // Own properties only: a context key such as `constructor` or `toString` must not pick up
    // Object.prototype's function when the claim is absent (a non-flat context: every caller 401).
    const context: Record<string, string> = {};
    for (const key of rule.contextKeys) context[key] = Object.hasOwn(extra, key) ? extra[key] : "";
    context.customerId = customerId;
    context.customerName = customerName;
    // The role that let the caller in; with a table, the first of its roles the caller holds.
    context.role = role ?? matchRole(result.claims, rule.roleClaim, rule.tableRoles) ?? "";
    const policy = policyOf(context);
    outcome.decision = "allow";
    outcome.reason = REASON.ok;
    return policy;
  };

  /**
   * Every per-request failure ends here and fails closed with exactly `Unauthorized`. That
   * includes an unreachable key source (Secrets Manager or JWKS down), on purpose:
   * - not a 500: a dependency blip must not look like a broken API to clients and alarms, and
   *   design rule 2 forbids a 500 caused by a request we cannot verify;
   * - not an explicit Deny: a Deny is a policy, which API Gateway caches for the token for up
   *   to the TTL (300 s by default), so it would keep refusing a valid caller after the
   *   dependency is back; the key source itself retries with a short backoff.
   * The log line names the failing dependency (describeFailure), never the token.
   */
  const unauthorized = (err: unknown, methodArn: unknown, started: number): Error => {
    const route = typeof methodArn === "string" ? methodArn : undefined;
    if (err instanceof MethodArnError) {
      logger.decision({
        decision: "deny",
        reason: REASON.methodArnInvalid,
        route,
        latencyMs: performance.now() - started,
      });
    } else {
      const reason: AuthError = isAuthError(err)
        ? err
        : new AuthorizerInternalError("Unexpected failure.", { cause: err });
      logger.decision({
        decision: "deny",
        reason: reason.code,
        detail: describeFailure(reason),
        route,
        latencyMs: performance.now() - started,
      });
    }
    // Exactly `new Error("Unauthorized")`, deliberately without `cause`: the reason is in the
    // log line above, and nothing about the failure belongs in the payload API Gateway reads.
    return new Error(UNAUTHORIZED);
  };

  /** The policy and its log line for a decision of the core; throws `Unauthorized` otherwise. */
  const respond = (
    auth: Authorizer,
    rule: Rule,
    resource: string,
    result: AuthResult,
    methodArn: unknown,
    started: number,
  ): APIGatewayAuthorizerResult => {
    const outcome: Outcome = { decision: "deny", reason: REASON.methodArnInvalid };
    try {
      const policy = decide(auth, rule, resource, result, outcome);
      logger.decision({
        decision: outcome.decision,
        reason: outcome.reason,
        customerId: outcome.customerId,
        route: methodArn as string,
        latencyMs: performance.now() - started,
      });
      return policy;
    } catch (err) {
      throw unauthorized(err, methodArn, started);
    }
  };

  // Not an `async` function: on the warm path the policy is built in this turn and handed back in
  // a settled Promise, without the extra hops an `await` of a settled Promise costs. The Lambda
  // runtime awaits the Promise a handler returns (functions/http-authorizer/index.ts cites AWS);
  // every failure is a rejected Promise, never a synchronous throw.
  return (event) => {
    const started = performance.now();
    let auth: Authorizer;
    try {
      // A ConfigurationError from either line is deliberate: fail loudly (500), see the module doc.
      auth = getAuthorizer();
      if (roles?.from !== auth) {
        const roleRule = roleSettings(auth.settings);
        const plan = routePlan(auth.settings, roleRule);
        const rule = {
          ...roleRule,
          contextKeys: Object.keys(auth.settings.contextClaims),
          plan,
          tableRoles: [
            ...new Set(
              plan.routes.flatMap((r) => (r.spec.rule.kind === "roles" ? r.spec.rule.roles : [])),
            ),
          ],
        };
        roles = { from: auth, rule };
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const rule = roles.rule;

    const methodArn: unknown = event?.methodArn;
    let resource: string;
    let decided: AuthResult | Promise<AuthResult>;
    try {
      // Before the token: a malformed methodArn is not the caller's doing, but answering it with a
      // policy would be guessing which API to allow. @throws MethodArnError
      resource = stageWildcardResource(methodArn);
      // The core never throws or rejects: a bad token, a missing or unsafe identity claim and an
      // unreachable key source (Secrets Manager or JWKS down) all come back as `{ ok: false }`.
      // On the warm path it is the decision itself, not a Promise.
      decided = auth.decideHeader(event?.authorizationToken);
    } catch (err) {
      return Promise.reject(unauthorized(err, methodArn, started));
    }
    if (decided instanceof Promise) {
      return decided.then(
        (result) => respond(auth, rule, resource, result, methodArn, started),
        (err: unknown) => {
          throw unauthorized(err, methodArn, started);
        },
      );
    }
    try {
      return Promise.resolve(respond(auth, rule, resource, decided, methodArn, started));
    } catch (err) {
      return Promise.reject(err);
    }
  };
}

/** The role check's settings, the route table and the context keys, once per authorizer. */
interface Rule extends RoleSettings {
  readonly contextKeys: readonly string[];
  readonly plan: RoutePolicyPlan;
  /** Every role the table names, in table order (for the context's `role`). */
  readonly tableRoles: readonly string[];
}

/** What a verified caller holds for rule checks: roles at `roleClaim`, scopes as AWS reads them. */
function callerOf(result: Extract<AuthResult, { ok: true }>, rule: Rule) {
  return { roles: tokenRoles(result.claims, rule.roleClaim), scopes: tokenScopes(result.claims) };
}

/** What the log line says about a decision that produced a policy. */
interface Outcome {
  decision: "allow" | "deny";
  reason: string;
  customerId?: string;
}
