/**
 * The Pulumi program: one gateway component for the stack's `authMode`. `index.ts` exports its
 * outputs as the stack outputs.
 */
import { formatRoute } from "../functions/commons/routes";
import type { AppConfig } from "./config";
import { HttpJwtGateway } from "./modes/http-jwt";
import { HttpLambdaGateway } from "./modes/http-lambda";
import { RestTokenGateway } from "./modes/rest-token";
import { withoutTrailingSlash, type GatewayOutputs, type StackOutputs } from "./outputs";

/** Name of the mode component; every resource name derives from it. */
export const GATEWAY_NAME = "gateway";

/** Instantiate the gateway of `config.authMode` and return the stack-output contract. */
export function createGateway(config: AppConfig): StackOutputs {
  const outputs = createModeGateway(config);
  return {
    ...outputs,
    // Every mode's apiUrl without a trailing `/` (see withoutTrailingSlash).
    apiUrl: withoutTrailingSlash(outputs.apiUrl),
    // The table every mode deployed, from the one parsed config (so the same in every mode, and
    // what `npm run conformance -- --stack` reads to know each route's rule).
    routes: config.routes.map(formatRoute),
  };
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
