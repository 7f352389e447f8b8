/**
 * The HTTP API Lambda REQUEST authorizer, payload 2.0 (aws-semantics.md §2).
 */
import type { LambdaInvoker, LambdaRequestAuthorizerModel } from "../model";
import { TtlCache } from "./cache";
import { executeApiArn, httpAuthorizerEventV2 } from "./events";
import { resolveIdentitySource } from "./expressions";
import { invokeWithTimeout } from "./invoke";
import type { HeaderBag } from "./mapping";
import { evaluatePolicy, MalformedPolicyError } from "./policy";
import { httpErrors } from "./responses";
import type { AuthResult, RequestContext } from "./types";

/** §2 "Configuration": the Lambda authorizer response timeout is 10000 ms (HQ). */
export const HTTP_AUTHORIZER_TIMEOUT_MS = 10_000;

/** What is cached: the simple decision, or the policy (re-evaluated per route ARN). */
type Decision =
  | { kind: "simple"; isAuthorized: boolean; context: Record<string, unknown> | null }
  | {
      kind: "policy";
      policyDocument: unknown;
      principalId?: string;
      context: Record<string, unknown> | null;
    };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses the Lambda's response; undefined when invalid (§2 "Responses"). */
function parseResponse(result: unknown, simple: boolean): Decision | undefined {
  if (!isPlainObject(result)) return undefined;
  const context = result.context === undefined || result.context === null ? null : result.context;
  if (context !== null && !isPlainObject(context)) return undefined;
  if (simple) {
    // A simple response must carry a boolean `isAuthorized` (§2; SAM CLI treats anything else as
    // invalid → 500).
    if (typeof result.isAuthorized !== "boolean") return undefined;
    return { kind: "simple", isAuthorized: result.isAuthorized, context };
  }
  if (!isPlainObject(result.policyDocument)) return undefined;
  return {
    kind: "policy",
    policyDocument: result.policyDocument,
    principalId: typeof result.principalId === "string" ? result.principalId : undefined,
    context,
  };
}

/** Authorizes requests with one HTTP API Lambda REQUEST authorizer. */
export class RequestAuthorizer {
  /** Keyed by the identity-source values; shared by every route using this authorizer (§2). */
  private readonly cache: TtlCache<Decision>;

  constructor(
    private readonly model: LambdaRequestAuthorizerModel,
    private readonly invoker: LambdaInvoker,
    private readonly now: () => number,
  ) {
    this.cache = new TtlCache(now);
  }

  async authorize(ctx: RequestContext, headers: HeaderBag): Promise<AuthResult> {
    const started = this.now();
    // §2 "Identity sources": each must be present, non-null and non-empty; else 401 WITHOUT
    // invoking the Lambda.
    const values: string[] = [];
    for (const source of this.model.identitySources) {
      const v = resolveIdentitySource(ctx, source);
      if (v === undefined) {
        return {
          ok: false,
          error: httpErrors.unauthorized(undefined, `identity source ${source} missing`),
          latencyMs: 0,
          invoked: false,
        };
      }
      values.push(v);
    }
    // §2 "Caching": TTL > 0 and at least one identity source; key = the identity-source values.
    // With `$context.routeKey` among the sources (http-lambda with differing route rules) the
    // route key is part of the key, so a decision is cached per route; without it one decision
    // serves every route ("Add $context.routeKey to the identity sources to cache per route").
    const cacheable = this.model.resultTtlSeconds > 0 && values.length > 0;
    const key = JSON.stringify(values);
    let decision = cacheable ? this.cache.get(key) : undefined;
    const cached = decision !== undefined;
    let invoked = false;
    if (!decision) {
      invoked = true;
      const event = httpAuthorizerEventV2(ctx, headers, values);
      const res = await invokeWithTimeout(
        this.invoker,
        this.model.function,
        event,
        ctx.requestId,
        HTTP_AUTHORIZER_TIMEOUT_MS,
      );
      if (!res.ok) {
        // §2 "Status codes": invocation failure → 500 (reason in `$context.authorizer.error`).
        // Whether an `Unauthorized` error means 401 on HTTP APIs is not documented: 500 too.
        return {
          ok: false,
          error: httpErrors.internal(`authorizer failed: ${res.errorMessage}`),
          latencyMs: this.now() - started,
          invoked,
        };
      }
      decision = parseResponse(res.result, this.model.simpleResponses);
      if (!decision) {
        return {
          ok: false,
          error: httpErrors.internal("authorizer returned an invalid response"),
          latencyMs: this.now() - started,
          invoked,
        };
      }
      // Denials are cached too: "a cached decision allows or denies every request that matches
      // those identity values" (§2).
      if (cacheable) this.cache.set(key, decision, this.model.resultTtlSeconds);
    }
    const latencyMs = cached ? 0 : this.now() - started;
    let allowed: boolean;
    if (decision.kind === "simple") allowed = decision.isAuthorized;
    else {
      try {
        // A cached policy is re-evaluated against this request's route ARN (as REST does, §4).
        allowed = evaluatePolicy(decision.policyDocument, executeApiArn(ctx)) === "allow";
      } catch (e) {
        if (!(e instanceof MalformedPolicyError)) throw e;
        return { ok: false, error: httpErrors.internal(e.message), latencyMs, invoked };
      }
    }
    if (!allowed) {
      // UNDOCUMENTED (§2): 403 {"message":"Forbidden"}, as observed by third parties.
      return { ok: false, error: httpErrors.forbidden("authorizer denied"), latencyMs, invoked };
    }
    return {
      ok: true,
      outcome: {
        context: decision.context,
        principalId: decision.kind === "policy" ? decision.principalId : undefined,
        latencyMs,
        cached,
      },
    };
  }
}
