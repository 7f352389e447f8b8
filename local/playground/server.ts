/**
 * The playground (`npm start -- --playground`): a page on its own loopback port that mints a token
 * from the development issuer, calls the API with a real cross-origin `fetch`, and shows the
 * request, the preflight, the gateway's response headers and what the backend received.
 *
 * Why its own port rather than a path of the API's origin: an HTTP API stage with `ANY /{proxy+}`
 * (or `$default`) owns every path of its origin, so no path is safely outside the API's routes;
 * and the page must be a different origin from the API for the browser to send a real preflight
 * (Fetch standard, "CORS protocol": a request is cross-origin when scheme, host or port differ).
 * Never deployed: nothing in infra/ refers to it.
 *
 * The browser does not show the preflight to the page, so the gateway reports every exchange to
 * an `ExchangeLog` (`observe`), and the page asks for the ones it made, tagged with a `pg=<nonce>`
 * query parameter. Only tagged exchanges are kept, at most 50, in memory; Authorization values
 * are shortened before they are stored.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { shortToken } from "../conformance/tokens";
import type { GatewayRequest, GatewayResponse } from "../gateway";
import type { LocalGateway } from "../server";
import { PLAYGROUND_PAGE } from "./page";

export const PLAYGROUND_PATH = "/_playground";

/** One request as the playground shows it. */
export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: Array<[string, string]>;
  readonly status: number;
  readonly responseHeaders: Array<[string, string]>;
}

/** The gateway's exchanges that the playground tagged (`pg=<nonce>` in the query). */
export class ExchangeLog {
  private readonly entries: Array<{ tag: string; exchange: Exchange }> = [];

  /** For `LocalOptions.observe`. */
  readonly observe = (req: GatewayRequest, res: GatewayResponse): void => {
    const tag = /[?&]pg=([A-Za-z0-9]+)/.exec(req.url)?.[1];
    if (tag === undefined) return;
    this.entries.push({
      tag,
      exchange: {
        method: req.method,
        url: req.url,
        requestHeaders: req.headers.map(([k, v]) => [
          k,
          k.toLowerCase() === "authorization" ? v.replace(/\S+$/, (t) => shortToken(t)) : v,
        ]),
        status: res.statusCode,
        responseHeaders: res.headers.map(([k, v]) => [k, v]),
      },
    });
    if (this.entries.length > 50) this.entries.splice(0, this.entries.length - 50);
  };

  /** The exchanges tagged `tag`, oldest first. */
  find(tag: string): Exchange[] {
    return this.entries.filter((e) => e.tag === tag).map((e) => e.exchange);
  }
}

export interface Playground {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** The page: `origin` + `/_playground`. */
  readonly url: string;
  /** Serve for this gateway (the page answers 503 until then). */
  attach(gateway: LocalGateway): void;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost"]);

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      if (body.length < 16_384) body += c;
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(body));
      } catch {
        resolve(undefined);
      }
    });
  });
}

/**
 * Start the playground on 127.0.0.1:`port` (0 picks a free one) before the gateway, so that its
 * origin can be added to the gateway's CORS origins; `attach` the gateway once it runs.
 */
export async function startPlayground(port: number, log: ExchangeLog): Promise<Playground> {
  let gateway: LocalGateway | undefined;
  let origin = "";
  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    // DNS rebinding: a page of another site that resolves its name to 127.0.0.1 reaches this
    // server with its own Host; only loopback names are answered. And the token endpoint serves
    // only this origin's page (a cross-site form post carries another Origin).
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    if (!LOOPBACK_HOSTS.has(host)) return json(421, { error: "loopback only" });
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/" || url.pathname === `${PLAYGROUND_PATH}/`) {
      res.writeHead(302, { location: PLAYGROUND_PATH });
      return void res.end();
    }
    if (url.pathname === PLAYGROUND_PATH && req.method === "GET") {
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        // Inline script and style only, nothing from the network.
        "content-security-policy":
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' http://127.0.0.1:*; img-src data:",
      });
      return void res.end(PLAYGROUND_PAGE);
    }
    if (!gateway) return json(503, { error: "the gateway is starting" });
    if (url.pathname === `${PLAYGROUND_PATH}/api/config` && req.method === "GET") {
      const app = gateway.appConfig;
      return json(200, {
        apiUrl: gateway.stageUrl,
        mode: app.authMode,
        issuer: gateway.profile.issuer,
        audience: gateway.profile.audience ?? null,
        alg: gateway.profile.alg,
        identityHeader: app.identity.customerIdHeader,
        roleClaim: app.authMode === "rest-token" ? app.roleClaim : null,
        requiredRoles: app.authMode === "rest-token" ? app.requiredRoles : null,
      });
    }
    if (url.pathname === `${PLAYGROUND_PATH}/api/token` && req.method === "POST") {
      if (req.headers.origin !== undefined && req.headers.origin !== origin) {
        return json(403, { error: "the token endpoint serves the playground page only" });
      }
      const body = (await readJson(req)) as
        { sub?: unknown; claims?: unknown; expiresIn?: unknown } | undefined;
      const claims = body?.claims;
      if (
        claims !== undefined &&
        (typeof claims !== "object" || claims === null || Array.isArray(claims))
      ) {
        return json(400, { error: "claims must be a JSON object" });
      }
      try {
        const token = gateway.mintToken({
          sub: typeof body?.sub === "string" && body.sub !== "" ? body.sub : undefined,
          claims: claims as Record<string, unknown> | undefined,
          expiresIn:
            typeof body?.expiresIn === "string" && body.expiresIn !== ""
              ? body.expiresIn
              : undefined,
        });
        return json(200, { token });
      } catch (err) {
        return json(400, { error: (err as Error).message });
      }
    }
    if (url.pathname === `${PLAYGROUND_PATH}/api/exchanges` && req.method === "GET") {
      return json(200, log.find(url.searchParams.get("tag") ?? ""));
    }
    if (url.pathname === `${PLAYGROUND_PATH}/api/nonce` && req.method === "GET") {
      return json(200, { tag: randomBytes(6).toString("hex") });
    }
    return json(404, { error: "not found" });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}${PLAYGROUND_PATH}`,
    attach: (gw) => {
      gateway = gw;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
