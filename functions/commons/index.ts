/**
 * The authorizer core, shared by `http-authorizer` and `rest-authorizer`.
 *
 * Typical handler:
 * ```ts
 * let authorizer: Authorizer | undefined;
 * export const handler = async (event) => {
 *   authorizer ??= createAuthorizer(readSettings(process.env)); // cold start
 *   const result = await authorizer.authorizeHeader(event.authorizationToken);
 *   // result.ok ? result.identity : result.reason.code
 * };
 * ```
 */
export * from "./errors";
export * from "./settings";
export * from "./token";
export * from "./algorithms";
export * from "./jwt";
export * from "./keys";
export * from "./issuers";
export * from "./identity";
export * from "./log";
export * from "./authorize";
export { ENV, type EnvName } from "./env-contract";
