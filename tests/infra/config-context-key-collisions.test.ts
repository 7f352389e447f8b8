/**
 * Review: claim mappings whose claims share one authorizer context key. The authorizer puts a
 * claim in its context under `contextKeyForClaim(claim)` (`a.b` → `a_b`), and each mapping reads
 * that key, so `X-A=a.b` with `X-B=a_b` handed BOTH headers the value of one claim: a header
 * carrying another claim than the one configured. parseConfig must refuse it, naming the key.
 */
import { authorizerEnvironment } from "../../infra/components/authorizer-function";
import { ConfigError, parseConfig, type HttpLambdaConfig } from "../../infra/config";

const BASE = {
  authMode: "http-lambda",
  verifyWith: "jwks",
  issuer: "https://auth.example.com",
  audiences: JSON.stringify(["api"]),
};

function problems(values: Record<string, string>): Array<{ key: string; message: string }> {
  try {
    parseConfig({ stackName: "dev", values });
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

test.each<[string, Record<string, string>, string]>([
  ["two headers", { claimHeaders: JSON.stringify(["X-A=a.b", "X-B=a_b"]) }, "claimHeaders"],
  ["a:b and a/b", { claimHeaders: JSON.stringify(["X-A=a:b", "X-B=a/b"]) }, "claimHeaders"],
  [
    "a header and a query parameter",
    {
      claimHeaders: JSON.stringify(["X-A=org.id"]),
      claimQueryParams: JSON.stringify(["o=org_id"]),
    },
    "claimQueryParams",
  ],
])("%s mapping different claims to one context key → refused", (_what, extra, key) => {
  const found = problems({ ...BASE, ...extra });

  expect(found).toHaveLength(1);
  expect(found[0].key).toBe(key);
  expect(found[0].message).toMatch(/would share the authorizer context key "(a_b|org_id)"/);
});

test("the same claim under two headers is fine (both get its value)", () => {
  const config = parseConfig({
    stackName: "dev",
    values: { ...BASE, claimHeaders: JSON.stringify(["X-Plan=plan", "X-Tier=plan"]) },
  }) as HttpLambdaConfig;

  const env = authorizerEnvironment(config.lambda, config.identity);

  expect(JSON.parse(env.CONTEXT_CLAIMS as string)).toEqual({ plan: "plan" });
});

test("a claim named __proto__ is refused: no JavaScript object can carry that context key", () => {
  const found = problems({ ...BASE, claimHeaders: JSON.stringify(["X-P=__proto__"]) });

  expect(found).toEqual([
    {
      key: "claimHeaders",
      message: 'claim "__proto__" cannot be mapped: "__proto__" is not a usable context key.',
    },
  ]);
});
