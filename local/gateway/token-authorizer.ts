/**
 * The REST API Lambda TOKEN authorizer (aws-semantics.md §4).
 */
import type { LambdaInvoker, LambdaTokenAuthorizerModel } from "../model";
import { TtlCache } from "./cache";
import { executeApiArn, restTokenEvent } from "./events";
import { resolveIdentitySource } from "./expressions";
import { invokeWithTimeout } from "./invoke";
import { evaluatePolicy, MalformedPolicyError } from "./policy";
import { restErrors } from "./responses";
import type { AuthResult, RequestContext } from "./types";

/**
 * The REST authorizer timeout. Not in aws-semantics.md; REST's documented Lambda authorizer
 * limit is the same 10 s as HTTP APIs' (HQ), used here.
 */
export const REST_AUTHORIZER_TIMEOUT_MS = 10_000;

/** The cached authorizer output. The POLICY is cached, not the decision (§4 pitfall). */
interface CachedPolicy {
  principalId: string;
  policyDocument: unknown;
  context: Record<string, string | number | boolean | null>;
}

type Parsed = { ok: true; value: CachedPolicy } | { ok: false; reason: string };

function parseOutput(result: unknown): Parsed {
  if (typeof result !== "object" || result === null || Array.isArray(result)) {
    return { ok: false, reason: "authorizer output is not an object" };
  }
  const r = result as Record<string, unknown>;
  // §4 "Output" (ROUT): principalId and policyDocument are required.
  if (r.principalId === undefined || r.principalId === null) {
    return { ok: false, reason: "principalId is missing" };
  }
  if (typeof r.policyDocument !== "object" || r.policyDocument === null) {
    return { ok: false, reason: "policyDocument is missing" };
  }
  // §4 "Context restrictions": string, number or boolean only (captured nulls pass through);
  // an object or array → 500 AuthorizerConfigurationException (3P serverless-offline #1376).
  const context: CachedPolicy["context"] = {};
  if (r.context !== undefined && r.context !== null) {
    if (typeof r.context !== "object" || Array.isArray(r.context)) {
      return { ok: false, reason: "context is not an object" };
    }
    for (const [k, v] of Object.entries(r.context as Record<string, unknown>)) {
      if (v !== null && typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
        return { ok: false, reason: `context value "${k}" is not a string, number or boolean` };
      }
      context[k] = v;
    }
  }
  return {
    ok: true,
    value: { principalId: String(r.principalId), policyDocument: r.policyDocument, context },
  };
}

/** Authorizes requests with one REST TOKEN authorizer. */
export class TokenAuthorizer {
  /** Keyed by the token (§4 "Caching"), shared by every method using this authorizer. */
  private readonly cache: TtlCache<CachedPolicy>;
  private readonly validation?: RegExp;

  constructor(
    private readonly model: LambdaTokenAuthorizerModel,
    private readonly invoker: LambdaInvoker,
    private readonly now: () => number,
  ) {
    this.cache = new TtlCache(now);
    // The expression must match the whole token. AWS does not say whether it is anchored; a
    // full match is what Java's `matches()` (the service's runtime) does — chosen.
    if (model.validationExpression)
      this.validation = new RegExp(`^(?:${model.validationExpression})$`);
  }

  async authorize(ctx: RequestContext): Promise<AuthResult> {
    const started = this.now();
    // §4: a missing token → 401 without an invocation (RCALL, KC401).
    const token = resolveIdentitySource(ctx, this.model.identitySource);
    if (token === undefined) {
      return {
        ok: false,
        error: restErrors.unauthorized("token missing"),
        latencyMs: 0,
        invoked: false,
      };
    }
    // §4: identityValidationExpression mismatch → 401 without an invocation (V1API, KC401).
    if (this.validation && !this.validation.test(token)) {
      return {
        ok: false,
        error: restErrors.unauthorized("token does not match identityValidationExpression"),
        latencyMs: 0,
        invoked: false,
      };
    }
    let policy = this.cache.get(token);
    const cached = policy !== undefined;
    let invoked = false;
    if (!policy) {
      invoked = true;
      const res = await invokeWithTimeout(
        this.invoker,
        this.model.function,
        restTokenEvent(ctx, token),
        ctx.requestId,
        REST_AUTHORIZER_TIMEOUT_MS,
      );
      const latencyMs = this.now() - started;
      if (!res.ok) {
        // §4: exactly `Unauthorized` → 401; any other error → 500.
        if (res.errorMessage === "Unauthorized") {
          return {
            ok: false,
            error: restErrors.unauthorized("authorizer said Unauthorized"),
            latencyMs,
            invoked,
          };
        }
        return {
          ok: false,
          error: restErrors.authorizerConfiguration(`authorizer failed: ${res.errorMessage}`),
          latencyMs,
          invoked,
        };
      }
      const parsed = parseOutput(res.result);
      if (!parsed.ok) {
        return {
          ok: false,
          error: restErrors.authorizerConfiguration(parsed.reason),
          latencyMs,
          invoked,
        };
      }
      policy = parsed.value;
      this.cache.set(token, policy, this.model.resultTtlSeconds);
    }
    const latencyMs = cached ? 0 : this.now() - started;
    // §4 pitfall: the (possibly cached) policy is evaluated against THIS request's methodArn, so a
    // policy scoped to the first call's methodArn denies a second method with the same token.
    let decision;
    try {
      decision = evaluatePolicy(policy.policyDocument, executeApiArn(ctx));
    } catch (e) {
      if (!(e instanceof MalformedPolicyError)) throw e;
      return {
        ok: false,
        error: restErrors.authorizerConfiguration(e.message),
        latencyMs,
        invoked,
      };
    }
    const outcome = { principalId: policy.principalId, context: policy.context, latencyMs, cached };
    if (decision === "explicit-deny") {
      return {
        ok: false,
        error: restErrors.explicitDeny(),
        latencyMs,
        invoked,
        principalId: policy.principalId,
      };
    }
    if (decision === "implicit-deny") {
      return {
        ok: false,
        error: restErrors.implicitDeny(),
        latencyMs,
        invoked,
        principalId: policy.principalId,
      };
    }
    return { ok: true, outcome };
  }
}
