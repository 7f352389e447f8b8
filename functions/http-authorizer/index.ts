/**
 * HTTP API Lambda REQUEST authorizer (payload 2.0, simple responses).
 *
 * Allow: `{ isAuthorized: true, context: { ...extra, customerId, customerName } }` — the stack
 * maps the context keys to backend headers with `overwrite:`. Deny: `{ isAuthorized: false }`.
 * A bad token never throws (a throw would be a 500, see aws-semantics.md §2). Two things do: a
 * broken environment (ConfigurationError at cold start), so a misdeployment is loud, and key
 * material that cannot be read (Secrets Manager or JWKS down) for a token that could be valid.
 *
 * Why the outage throws instead of denying: API Gateway caches a simple response by its identity
 * source for `authorizerResultTtlInSeconds`, "a cached decision allows or denies every request
 * that matches those identity values" (AWS, "Working with AWS Lambda authorizers for HTTP APIs",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html,
 * section "Caching"; aws-semantics.md §2). `{isAuthorized:false}` during a Secrets Manager blip would keep a valid
 * token denied for the whole TTL after the dependency is back. A Lambda error is not a decision:
 * API Gateway answers 500 (same page, "the Lambda function returns an invalid response") and has
 * no result to cache. AWS does not document that an error is never cached; the README says so.
 * The trade-off: during an outage a caller with a possibly valid token sees 500 instead of 403,
 * which is also the honest status (the failure is on our side), and the gateway still fails
 * closed. Tokens that are wrong regardless of the key are still denied (createAuthorizer checks
 * their claims first), so a bad token never gets the 500.
 *
 * Per-route rules (`ROUTE_RULES`): once the token verifies, the rule of the request's `routeKey`
 * must let the caller in (`roles=` through `ROLE_CLAIM`, `scopes=` through `scope`/`scp`), else a
 * deny with `ROUTE_NOT_ALLOWED`. Such a deny is a decision about the token AND the route, so the
 * program adds `$context.routeKey` to the identity sources whenever the rules differ between
 * routes (infra/modes/http-lambda.ts says why): a cached decision then never crosses routes.
 */
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerResult,
  APIGatewaySimpleAuthorizerWithContextResult,
} from "aws-lambda";
import {
  AuthorizerInternalError,
  createAuthorizer,
  createDecisionLogger,
  describeFailure,
  KeySourceUnavailableError,
  readSettings,
  RouteNotAllowedError,
  type AuthResult,
  type Authorizer,
  type DecisionLogger,
} from "../commons";
import { createRouteCheck, type RouteCheck } from "./route-check";

/** The Lambda error message while key material cannot be read (it never holds a secret). */
export const KEY_SOURCE_DOWN_MESSAGE =
  "Key material unavailable: failing the invocation so API Gateway does not cache a deny.";

/** Context handed to API Gateway: flat strings only (REST would reject anything else). */
export type HttpAuthorizerContext = Record<string, string>;

/** The handler's result: allow with context, or a bare deny. */
export type HttpAuthorizerResult =
  | APIGatewaySimpleAuthorizerWithContextResult<HttpAuthorizerContext>
  | APIGatewaySimpleAuthorizerResult;

/** Injection points for tests; the deployed handler uses the defaults. */
export interface HttpAuthorizerOptions {
  /** Returns the authorizer; called per request, so make it memoized. @default from process.env, once */
  readonly getAuthorizer?: () => Authorizer;
  /** @default stdout JSON lines */
  readonly logger?: DecisionLogger;
}

/** Reads the Authorization header; payload 2.0 lower-cases names, but be lenient with hand-made events. */
function authorizationHeader(event: APIGatewayRequestAuthorizerEventV2): string | undefined {
  const headers = event?.headers;
  if (!headers || typeof headers !== "object") return undefined;
  if (typeof headers.authorization === "string") return headers.authorization;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === "authorization" && typeof value === "string") return value;
  }
  return undefined;
}

/** Builds a handler; `handler` below is the deployed one. */
export function createHandler(options: HttpAuthorizerOptions = {}) {
  let authorizer: Authorizer | undefined;
  // Lazily at the first invocation (still once per container) so importing needs no env.
  const getAuthorizer =
    options.getAuthorizer ?? (() => (authorizer ??= createAuthorizer(readSettings(process.env))));
  const logger = options.logger ?? createDecisionLogger();
  // Built once per authorizer (so once per container), next to it: the Map of route rules.
  let routeCheck: { readonly for: Authorizer; readonly check: RouteCheck | undefined } | undefined;

  /** The answer for a decision: the route rule, the log line, the result (or the outage's throw). */
  const respond = (
    event: APIGatewayRequestAuthorizerEventV2,
    auth: Authorizer,
    decided: AuthResult,
    started: number,
  ): HttpAuthorizerResult => {
    let result = decided;
    const route = event?.routeKey;
    let detail: string | undefined;
    if (result.ok) {
      if (routeCheck?.for !== auth) {
        routeCheck = {
          for: auth,
          check: createRouteCheck(auth.settings.routeRules, auth.settings.roleClaim),
        };
      }
      const refused = routeCheck.check?.(route, result.claims);
      if (refused !== undefined) {
        detail = refused;
        result = { ok: false, reason: new RouteNotAllowedError("Route rule not satisfied.") };
      }
    }
    const latencyMs = performance.now() - started;
    const requestId = event?.requestContext?.requestId;
    if (!result.ok) {
      logger.decision({
        decision: "deny",
        reason: result.reason.code,
        requestId,
        route,
        latencyMs,
        detail: detail ?? describeFailure(result.reason),
      });
      // See the file comment: an outage must not become a cached deny. A fresh error without the
      // cause, so the Lambda runtime's error record names the failure and nothing else.
      if (result.reason.code === "KEY_SOURCE_UNAVAILABLE") {
        throw new KeySourceUnavailableError(KEY_SOURCE_DOWN_MESSAGE);
      }
      return { isAuthorized: false };
    }
    const { customerId, customerName, extra } = result.identity;
    logger.decision({ decision: "allow", reason: "ok", customerId, requestId, route, latencyMs });
    // Identity last: an extra claim can never shadow customerId/customerName. Copied key by key:
    // `{ ...extra, customerId, customerName }` measured about 1.5 µs per decision on Node 20, a
    // third of all the handler adds to the signature check; this copy, 0.03 µs. The keys are
    // CONTEXT_CLAIMS' names (letters, digits, "_" and ".", checked by readSettings).
    const context: HttpAuthorizerContext = {};
    for (const key of Object.keys(extra)) context[key] = extra[key];
    context.customerId = customerId;
    context.customerName = customerName;
    return { isAuthorized: true, context };
  };

  /** decideHeader never throws; this is belt and braces so a bug denies instead of 500. */
  const internal = (cause: unknown): AuthResult => ({
    ok: false,
    reason: new AuthorizerInternalError("Unexpected failure.", { cause }),
  });

  // Not an `async` function: on the warm path the decision is made in this turn and handed back
  // in a settled Promise, without the extra hops an `await` of a settled Promise costs. The Lambda
  // runtime awaits the Promise a handler returns (AWS, "Define Lambda function handler in Node.js",
  // https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html; from the Node.js 24 runtime
  // on, an async or Promise-returning handler is the only kind, callback handlers being removed).
  // Every failure below is a rejected Promise, never a synchronous throw.
  return (event: APIGatewayRequestAuthorizerEventV2): Promise<HttpAuthorizerResult> => {
    const started = performance.now();
    try {
      const auth = getAuthorizer(); // a ConfigurationError here is deliberate: fail loudly
      let decided: AuthResult | Promise<AuthResult>;
      try {
        decided = auth.decideHeader(authorizationHeader(event));
      } catch (cause) {
        decided = internal(cause);
      }
      if (decided instanceof Promise) {
        return decided.then(
          (r) => respond(event, auth, r, started),
          (cause: unknown) => respond(event, auth, internal(cause), started),
        );
      }
      return Promise.resolve(respond(event, auth, decided, started));
    } catch (err) {
      return Promise.reject(err);
    }
  };
}

/** The Lambda entry point. */
export const handler = createHandler();
