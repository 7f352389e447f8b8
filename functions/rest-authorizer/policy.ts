import type { APIGatewayAuthorizerResult } from "aws-lambda";

/**
 * IAM policies for the REST TOKEN authorizer (aws-semantics.md §4, "Output" and "Cached-policy /
 * methodArn pitfall"). Pure: no AWS clients, no clock, no environment.
 */

/** A context value API Gateway accepts: REST answers 500 for an object or an array. */
export type FlatValue = string | number | boolean;

/** The authorizer context: flat values only (aws-semantics.md §4, "Context restrictions"). */
export type FlatContext = Readonly<Record<string, FlatValue>>;

export type Effect = "Allow" | "Deny";

/** A policy Resource ARN is limited to 512 characters (aws-semantics.md §4, ROUT). */
export const MAX_RESOURCE_ARN_LENGTH = 512;

/** Thrown when a `methodArn` cannot be turned into a stage-wide Resource. */
export class MethodArnError extends Error {
  readonly code = "ERR_METHOD_ARN";

  constructor(message: string) {
    super(message);
    this.name = "MethodArnError";
  }
}

/** Thrown when a policy would carry a context value API Gateway rejects with a 500. */
export class PolicyContextError extends Error {
  readonly code = "ERR_POLICY_CONTEXT";

  constructor(message: string) {
    super(message);
    this.name = "PolicyContextError";
  }
}

// arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{resource...}
// The resource path is the caller's path and may itself hold ':' (only the first five ':' split the
// ARN). The stage is whatever API Gateway sends: a stage name, or `*` from the console's test call.
const METHOD_ARN =
  /^arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):(\d{12}):([A-Za-z0-9]+)\/([^/\s]+)\/([^/\s]+)(?:\/.*)?$/;

// What follows `{apiId}/{stage}` in a methodArn that METHOD_ARN accepts: `/{VERB}` and an optional
// `/{path}`. With a known prefix, prefix + this is exactly METHOD_ARN (the stage holds no '/').
const METHOD_ARN_REST = /^\/[^/\s]+(?:\/.*)?$/;

// Stage-wildcard Resource by `arn:…:{apiId}/{stage}` prefix. Bounded; a pure function of the
// string, so it cannot change an answer.
const RESOURCE_MEMO_MAX = 64;
const resourceByPrefix = new Map<string, string>();

/**
 * The Resource to put in a policy: every method and path of the stage the call was made to,
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/*\/*`.
 *
 * Why not `methodArn` itself: with result caching on (the default, 300 s), API Gateway caches the
 * policy per token and reuses it for EVERY method of the API. A policy scoped to the first
 * `methodArn` would then wrongly deny (403) the same caller's next call to another route. The same
 * holds for a Deny: a cached Deny must cover the whole stage, not only the method first asked about.
 *
 * @throws MethodArnError when `methodArn` is not an execute-api method ARN, or the Resource would
 *   exceed the 512-character limit.
 */
export function stageWildcardResource(methodArn: unknown): string {
  if (typeof methodArn !== "string") throw new MethodArnError("methodArn is not a string");
  // Memoized per `arn:…:{apiId}/{stage}` prefix (a container serves one API, a few stages): a
  // remembered prefix passed the full check below, so only the rest, `/{VERB}/{path}`, is checked.
  const slash = methodArn.indexOf("/");
  const split = slash < 0 ? -1 : methodArn.indexOf("/", slash + 1);
  if (split > 0) {
    const known = resourceByPrefix.get(methodArn.slice(0, split));
    if (known !== undefined) {
      const rest = methodArn.slice(split);
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(rest)) {
        throw new MethodArnError("methodArn holds a control character");
      }
      if (!METHOD_ARN_REST.test(rest)) {
        throw new MethodArnError("methodArn is not an execute-api method ARN");
      }
      return known;
    }
  }
  // Control characters have no place in an ARN; refuse them before matching.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(methodArn)) {
    throw new MethodArnError("methodArn holds a control character");
  }
  const m = METHOD_ARN.exec(methodArn);
  if (!m) throw new MethodArnError("methodArn is not an execute-api method ARN");
  const [, partition, region, account, apiId, stage] = m;
  const resource = `arn:${partition}:execute-api:${region}:${account}:${apiId}/${stage}/*/*`;
  if (resource.length > MAX_RESOURCE_ARN_LENGTH) {
    throw new MethodArnError(`policy Resource would exceed ${MAX_RESOURCE_ARN_LENGTH} characters`);
  }
  if (resourceByPrefix.size >= RESOURCE_MEMO_MAX) resourceByPrefix.clear();
  resourceByPrefix.set(methodArn.slice(0, split), resource);
  return resource;
}

function isFlat(value: unknown): value is FlatValue {
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    // NaN and ±Infinity serialize to null in JSON; refuse them rather than send a null.
    (typeof value === "number" && Number.isFinite(value))
  );
}

/**
 * The authorizer's answer: `principalId`, a one-statement policy, and an optional flat context.
 *
 * The context is checked again here even though callers build it from validated claims: an object
 * or array in it would turn every request into a 500 (`AuthorizerConfigurationException`), so this
 * is the last place to catch one.
 *
 * @throws PolicyContextError when a context value is not a string, finite number or boolean.
 */
export function buildPolicy(
  principalId: string,
  effect: Effect,
  resource: string,
  context?: FlatContext,
): APIGatewayAuthorizerResult {
  return buildPolicyDocument(
    principalId,
    {
      Version: "2012-10-17",
      Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
    },
    context,
  );
}

/**
 * The authorizer's answer with a policy document of several statements (per-route rules,
 * route-policy.ts); the context is checked as in {@link buildPolicy}.
 * @throws PolicyContextError when a context value is not a string, finite number or boolean.
 */
export function buildPolicyDocument(
  principalId: string,
  policyDocument: APIGatewayAuthorizerResult["policyDocument"],
  context?: FlatContext,
): APIGatewayAuthorizerResult {
  const result: APIGatewayAuthorizerResult = { principalId, policyDocument };
  if (context !== undefined) {
    const flat: Record<string, FlatValue> = {};
    // Object.keys, not Object.entries: no [key, value] pair allocated per entry on the warm path.
    for (const key of Object.keys(context)) {
      const value = context[key];
      if (!isFlat(value)) {
        throw new PolicyContextError(`context value "${key}" is not a string, number or boolean`);
      }
      flat[key] = value;
    }
    result.context = flat;
  }
  return result;
}
