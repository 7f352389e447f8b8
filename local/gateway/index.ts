/**
 * The local API Gateway emulator: serves an {@link ApiModel} over real HTTP.
 *
 * ```ts
 * const gw = createGateway(model, { invoker, log: (line) => process.stdout.write(line + "\n") });
 * const { url, close } = await gw.listen(8080);
 * ```
 */
import type { ApiModel } from "../model";
import { createHandler } from "./gateway";
import { listen, type ListeningGateway } from "./server";
import type { GatewayOptions, GatewayRequest, GatewayResponse } from "./types";

export type { GatewayOptions, GatewayRequest, GatewayResponse, FetchLike } from "./types";
export type { ListeningGateway } from "./server";
export { MAX_BODY_BYTES, MAX_HEADER_BYTES } from "./gateway";

/** A gateway for one API model. */
export interface Gateway {
  /** Serves on `host:port` (default host 127.0.0.1; port 0 picks a free one). */
  listen(port: number, host?: string): Promise<ListeningGateway>;
  /** Serves one request without a socket (tests, embedding). */
  handle(req: GatewayRequest): Promise<GatewayResponse>;
}

/**
 * Creates the gateway. Throws at construction when the model is invalid (unknown authorizer,
 * invalid or reserved-header parameter mapping), naming the offending route/header.
 */
export function createGateway(model: ApiModel, options: GatewayOptions): Gateway {
  const handler = createHandler(model, options);
  return {
    handle: (req) => handler.handle(req),
    listen: (port, host = "127.0.0.1") => listen(handler, port, host),
  };
}
