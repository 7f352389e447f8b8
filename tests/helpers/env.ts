/**
 * Authorizer environments for tests, built from the real env contract so a renamed variable breaks
 * the tests rather than silently testing defaults.
 */
import { ENV } from "../../functions/commons/env-contract";
import { TEST_AUDIENCE, TEST_ISSUER } from "./tokens";

/** Secret ARN used by Secrets Manager tests. */
export const TEST_SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-key-AbCdEf";

/** A complete authorizer environment for `verifyWith`, with overrides (undefined deletes). */
export function authorizerEnv(
  verifyWith: "secret" | "public-key" | "jwks",
  overrides: Partial<Record<keyof typeof ENV, string | undefined>> = {},
): Record<string, string> {
  const env: Record<string, string | undefined> = {
    [ENV.VERIFY_WITH]: verifyWith,
    [ENV.SECRET_ID]: verifyWith === "jwks" ? undefined : TEST_SECRET_ID,
    [ENV.SECRET_CACHE_TTL_SECONDS]: "300",
    [ENV.ISSUER]: TEST_ISSUER,
    [ENV.AUDIENCES]: JSON.stringify([TEST_AUDIENCE]),
    [ENV.CLOCK_TOLERANCE_SECONDS]: "5",
    [ENV.CUSTOMER_ID_CLAIMS]: JSON.stringify(["customer_id", "tenant_id", "sub"]),
    [ENV.CUSTOMER_NAME_CLAIMS]: JSON.stringify(["customer_name", "name"]),
    [ENV.CONTEXT_CLAIMS]: JSON.stringify({}),
  };
  for (const [key, value] of Object.entries(overrides)) env[ENV[key as keyof typeof ENV]] = value;
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

/**
 * Replaces `process.env` entries for the authorizer contract (all contract variables not in `env`
 * are removed) and returns a function that restores the previous values.
 */
export function setAuthorizerEnv(env: Record<string, string>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const name of Object.values(ENV)) {
    saved.set(name, process.env[name]);
    delete process.env[name];
  }
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
