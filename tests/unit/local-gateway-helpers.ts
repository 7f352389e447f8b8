/**
 * Shared harness for the local gateway tests (local-gateway-{http,rest,jwt}.test.ts): plain JS
 * functions as Lambdas, a raw HTTP client, captured-event fixtures, and a gateway starter that
 * closes every server it started after each test.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as fs from "node:fs";
import * as path from "node:path";
import { createGateway, type ListeningGateway } from "../../local/gateway";
import type { ApiModel, LambdaInvoker, LambdaRef } from "../../local/model";

/** A Lambda as a plain JS function. */
export type Fn = (event: Record<string, unknown>) => unknown;

/** A fake invoker: Lambdas are JS functions by name; a throw becomes `{ok:false}`. */
export function fakeInvoker(fns: Record<string, Fn>) {
  const calls: Record<string, Array<Record<string, unknown>>> = {};
  const invoker: LambdaInvoker = {
    async invoke(fn, event) {
      (calls[fn.name] ??= []).push(event as Record<string, unknown>);
      try {
        return { ok: true, result: await fns[fn.name](event as Record<string, unknown>) };
      } catch (e) {
        return { ok: false, errorMessage: (e as Error).message };
      }
    },
  };
  return { invoker, calls, count: (name: string) => calls[name]?.length ?? 0 };
}

/** A Lambda reference whose bundle is never loaded (the fake invoker goes by name). */
export const lambda = (name: string): LambdaRef => ({
  name,
  bundlePath: `/nonexistent/${name}.js`,
  environment: {},
  timeoutMs: 3000,
});

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request (node:http, so any header can be sent). */
export function send(
  base: string,
  method: string,
  target: string,
  headers: Record<string, string | string[]> = {},
  body?: string | Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${target}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A captured event from tests/fixtures/events, by file name. */
export const fixture = (name: string) =>
  JSON.parse(
    fs.readFileSync(path.join(__dirname, "..", "fixtures", "events", name), "utf8"),
  ) as Record<string, unknown>;

/** Sorted own keys, for comparing event shapes. */
export const keys = (o: unknown) => Object.keys(o as object).sort();

/**
 * Returns `start(model, fns)`: serves `model` on 127.0.0.1 with `defaults` (overridden by `fns`)
 * as Lambdas, collecting log lines. Every server it starts is closed after each test.
 */
export function gatewayStarter(defaults: Record<string, Fn>) {
  let servers: ListeningGateway[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  return async function start(model: ApiModel, fns: Record<string, Fn> = {}) {
    const fake = fakeInvoker({ ...defaults, ...fns });
    const lines: string[] = [];
    const gw = createGateway(model, { invoker: fake.invoker, log: (l) => lines.push(l) });
    const server = await gw.listen(0);
    servers.push(server);
    return { ...fake, url: server.url, lines };
  };
}

/**
 * An HTTP backend on 127.0.0.1 that records the headers of every request and answers `200 ok`,
 * for `http-proxy` integrations. Started before the file's (or describe block's) tests and closed
 * after them; `seen` is emptied before each test, and `url` is set once it listens.
 */
export function recordingBackend(): { url: string; readonly seen: http.IncomingHttpHeaders[] } {
  const state = { url: "", seen: [] as http.IncomingHttpHeaders[] };
  let server: http.Server;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      state.seen.push(req.headers);
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    state.seen.length = 0;
  });
  return state;
}
