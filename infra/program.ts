/**
 * The Pulumi program: one gateway component for the stack's `authMode`. `index.ts` exports its
 * outputs as the stack outputs.
 */
import type * as pulumi from "@pulumi/pulumi";

import { formatRoute } from "../functions/commons/routes";
import type { AppConfig } from "./config";
import { HttpJwtGateway } from "./modes/http-jwt";
import { HttpLambdaGateway } from "./modes/http-lambda";
import { RestTokenGateway } from "./modes/rest-token";
import { withoutTrailingSlash, type GatewayOutputs, type StackOutputs } from "./outputs";

/** Name of the mode component; every resource name derives from it. */
export const GATEWAY_NAME = "gateway";

/**
 * Where the mode component goes. The stack program passes nothing: its mode component stays the
 * top-level resource named `gateway`, so every URN stacks hold is unchanged. `IdentityGateway`
 * (infra/component/) passes its own name and itself as the parent.
 */
export interface CreateGatewayOptions {
  /** Name of the mode component; every child's name derives from it. @default GATEWAY_NAME */
  readonly name?: string;
  /** Options of the mode component (`{ parent }` for the IdentityGateway component). */
  readonly opts?: pulumi.ComponentResourceOptions;
}

/** Instantiate the gateway of `config.authMode` and return the stack-output contract. */
export function createGateway(config: AppConfig, options: CreateGatewayOptions = {}): StackOutputs {
  const outputs = createModeGateway(config, options.name ?? GATEWAY_NAME, options.opts);
  return {
    ...outputs,
    // Every mode's apiUrl without a trailing `/` (see withoutTrailingSlash).
    apiUrl: withoutTrailingSlash(outputs.apiUrl),
    // The table every mode deployed, from the one parsed config (so the same in every mode, and
    // what `npm run conformance -- --stack` reads to know each route's rule).
    routes: config.routes.map(formatRoute),
  };
}

function createModeGateway(
  config: AppConfig,
  name: string,
  opts: pulumi.ComponentResourceOptions | undefined,
): GatewayOutputs {
  switch (config.authMode) {
    case "http-jwt":
      return new HttpJwtGateway(name, { config }, opts).outputs;
    case "http-lambda":
      return new HttpLambdaGateway(name, { config }, opts).outputs;
    case "rest-token":
      return new RestTokenGateway(name, { config }, opts).outputs;
  }
}
