/**
 * Lambda entry point of the REST API TOKEN authorizer (`dist/functions/rest-authorizer/index.js`).
 * The behaviour lives in authorizer.ts; the policy and role rules in policy.ts and roles.ts.
 */
import { createHandler } from "./authorizer";

export { createHandler, REASON, UNAUTHORIZED } from "./authorizer";
export type { RestAuthorizerHandler, RestAuthorizerOptions } from "./authorizer";

/** The handler Lambda runs: settings and the authorizer are built on the first call, once. */
export const handler = createHandler();
