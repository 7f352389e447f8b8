/**
 * The BUILT http-authorizer bundle (dist/functions/http-authorizer/index.js), loaded the way Lambda
 * loads it: `npm test` builds it first; a test file run on its own builds it when it is missing.
 * The bundle reads its environment once per module instance, and each Jest test file has its own
 * module registry, so each file that needs another environment loads its own copy.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

import { setAuthorizerEnv } from "./env";

const ROOT = join(__dirname, "..", "..");
export const HTTP_AUTHORIZER_BUNDLE = join(
  ROOT,
  "dist",
  "functions",
  "http-authorizer",
  "index.js",
);

export type BuiltHttpHandler = (
  event: unknown,
) => Promise<{ isAuthorized: boolean; context?: unknown }>;

/**
 * Sets `env` as the authorizer's environment, loads the bundle and returns its handler with a
 * function that restores the environment. Call in `beforeAll`; the fake Secrets Manager endpoint
 * must be set up before the first call (the bundle's client reads it from process.env then).
 */
export function loadBuiltHttpAuthorizer(env: Record<string, string>): {
  handler: BuiltHttpHandler;
  restoreEnv: () => void;
} {
  if (!existsSync(HTTP_AUTHORIZER_BUNDLE)) {
    execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs")], { cwd: ROOT });
  }
  const restoreEnv = setAuthorizerEnv(env);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler = (require(HTTP_AUTHORIZER_BUNDLE) as { handler: BuiltHttpHandler }).handler;
  return { handler, restoreEnv };
}
