/**
 * The Pulumi program: one gateway component for the stack's `authMode`. `index.ts` exports its
 * outputs as the stack outputs.
 */
import type { AppConfig } from "./config";
import { HttpJwtGateway } from "./modes/http-jwt";
import { HttpLambdaGateway } from "./modes/http-lambda";
import { RestTokenGateway } from "./modes/rest-token";
import { withoutTrailingSlash, type GatewayOutputs } from "./outputs";

/** Name of the mode component; every resource name derives from it. */
export const GATEWAY_NAME = "gateway";

/** Instantiate the gateway of `config.authMode` and return the stack-output contract. */
export function createGateway(config: AppConfig): GatewayOutputs {
  const outputs = createModeGateway(config);
  // Every mode's apiUrl without a trailing `/` (see withoutTrailingSlash).
  return { ...outputs, apiUrl: withoutTrailingSlash(outputs.apiUrl) };
}

function createModeGateway(config: AppConfig): GatewayOutputs {
  switch (config.authMode) {
    case "http-jwt":
      return new HttpJwtGateway(GATEWAY_NAME, { config }).outputs;
    case "http-lambda":
      return new HttpLambdaGateway(GATEWAY_NAME, { config }).outputs;
    case "rest-token":
      return new RestTokenGateway(GATEWAY_NAME, { config }).outputs;
  }
}
