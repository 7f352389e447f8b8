/**
 * The package's entry point (`import { IdentityGateway } from "identity-gateway"`): the component,
 * its arguments, and the error its validation throws.
 */
export { IdentityGateway } from "./identity-gateway";
export * from "./args";
export { IDENTITY_GATEWAY_TYPE, argLabel } from "./args-config";
export { ConfigError, type ConfigProblem } from "../config/parse";
