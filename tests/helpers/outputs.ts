/**
 * The stack-output contract's key names (infra/outputs.ts), written once for every test that
 * checks them: the infra harness, the README test, the component's provider schema. No side
 * effects, unlike tests/infra/mocks.ts, which installs Pulumi's mock runtime when imported.
 */

/**
 * The keys a mode component's outputs have (infra/outputs.ts `GatewayOutputs` without `routes`,
 * which `createGateway` adds from the config for every mode), sorted.
 */
export const MODE_OUTPUT_KEYS = [
  "apiId",
  "apiType",
  "apiUrl",
  "authMode",
  "authorizerFunctionArn",
  "authorizerId",
  "executionArn",
  "identityHeaders",
  "issuer",
  "secretArn",
  "stageName",
];

/** The stack-output contract's keys (infra/outputs.ts `StackOutputs`), sorted: every mode has all of them. */
export const OUTPUT_KEYS = [...MODE_OUTPUT_KEYS, "routes"].sort();
