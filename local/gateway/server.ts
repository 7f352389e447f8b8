/**
 * node:http transport for the engine (no framework). Reads the request body with the 10 MB limit
 * (§3 "Limits") and writes the engine's response, streaming bodies that are streams.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { MAX_BODY_BYTES, type GatewayHandler } from "./gateway";
import type { GatewayRequest, GatewayResponse } from "./types";

/** A running server. */
export interface ListeningGateway {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void>;
}

function tooLarge(res: http.ServerResponse): void {
  // §3 "Limits": payload over 10 MB → 413.
  res.writeHead(413, { "content-type": "application/json", connection: "close" });
  res.end('{"message":"Request Entity Too Large"}');
}

function readBody(req: http.IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      resolve("too-large");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(over ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function writeResponse(res: http.ServerResponse, response: GatewayResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of response.headers) {
    const existing = headers[k];
    if (existing === undefined) headers[k] = v;
    else headers[k] = Array.isArray(existing) ? [...existing, v] : [existing, v];
  }
  if (Buffer.isBuffer(response.body)) {
    headers["content-length"] = String(response.body.length);
    res.writeHead(response.statusCode, headers);
    res.end(response.body);
    return;
  }
  res.writeHead(response.statusCode, headers);
  const body = response.body as Readable;
  body.on("error", () => res.destroy());
  body.pipe(res);
}

/** Serves `gateway` on `host:port` (port 0 picks a free port). */
export function listen(
  gateway: GatewayHandler,
  port: number,
  host = "127.0.0.1",
): Promise<ListeningGateway> {
  // Node's own header limit is raised above the gateway's 10240 bytes so that the gateway, not
  // Node, answers oversized headers (with its documented status).
  const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        if (body === "too-large") return tooLarge(res);
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          pairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
        }
        const request: GatewayRequest = {
          method: req.method ?? "GET",
          url: req.url ?? "/",
          headers: pairs,
          body,
          sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
          protocol: `HTTP/${req.httpVersion}`,
        };
        writeResponse(res, await gateway.handle(request));
      } catch (e) {
        console.error("local gateway: internal error", e instanceof Error ? e.message : e);
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end('{"message":"Internal Server Error"}');
        } else res.destroy();
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
