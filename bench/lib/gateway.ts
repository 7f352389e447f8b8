/**
 * Local gateway overhead: the same bounded load (keep-alive, fixed concurrency, 127.0.0.1) through
 * the local gateway (`startLocal` from local/server.ts, what `npm start` serves: the dev stack,
 * HTTP API + Lambda REQUEST authorizer) with a cached authorizer decision, and against the echo
 * backend bundle called directly through a tiny HTTP wrapper. The servers and the load share this
 * process in both cases, so the difference is the gateway's own work (routing, authorizer cache,
 * identity mapping, the worker-thread Lambda invoke of the backend).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import type { Row } from "../run";
import { runLoad, type LoadResult } from "./load";

export interface GatewayOptions {
  root: string;
  total: number;
  concurrency: number;
}

const LOCAL_LABEL =
  "GET through the local gateway (startLocal, dev stack), cached authorizer decision";
const DIRECT_LABEL =
  "GET to the echo backend bundle directly (in-process handler, tiny HTTP wrapper)";

interface LocalGatewayLike {
  url: string;
  stageUrl?: string;
  mintToken(opts?: unknown): string;
  close(): Promise<void>;
  invocations?: { authorizer(): number; backend(): number };
}
type StartLocal = (options: Record<string, unknown>) => Promise<LocalGatewayLike>;

function nullRows(reason: string): Row[] {
  return [
    { id: "gateway.local", label: LOCAL_LABEL, requestsPerSec: null, medianMs: null, reason },
    {
      id: "gateway.direct-echo",
      label: DIRECT_LABEL,
      requestsPerSec: null,
      medianMs: null,
      reason,
    },
  ];
}

async function findStartLocal(root: string): Promise<StartLocal | string> {
  for (const file of ["local/server.ts", "local/cli.ts"]) {
    const full = path.join(root, file);
    if (!fs.existsSync(full)) continue;
    const mod = (await import(full)) as {
      startLocal?: unknown;
      default?: { startLocal?: unknown };
    };
    const fn = mod.startLocal ?? mod.default?.startLocal;
    if (typeof fn === "function") return fn as StartLocal;
  }
  return "no exported startLocal(options) in local/server.ts or local/cli.ts";
}

type EchoHandler = (event: unknown) => Promise<{
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string;
}>;

/** The echo backend bundle behind a minimal HTTP server (payload 2.0 proxy events). */
async function startDirectEcho(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const bundle = path.join(root, "dist", "functions", "echo-backend", "index.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(bundle) as { handler: EchoHandler };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === "string") headers[k] = v;
      }
      const event = {
        version: "2.0",
        routeKey: "ANY /{proxy+}",
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        requestContext: {
          accountId: "123456789012",
          apiId: "direct",
          authorizer: { lambda: { customerId: "cust-1", customerName: "Bench" } },
          domainName: "127.0.0.1",
          http: {
            method: req.method,
            path: url.pathname,
            protocol: "HTTP/1.1",
            sourceIp: "127.0.0.1",
            userAgent: headers["user-agent"] ?? "",
          },
          requestId: "direct",
          routeKey: "ANY /{proxy+}",
          stage: "$default",
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
        },
        isBase64Encoded: false,
      };
      handler(event).then(
        (out) => {
          res.writeHead(out.statusCode ?? 200, out.headers ?? {});
          res.end(out.body ?? "");
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function loadRow(
  id: string,
  label: string,
  r: LoadResult,
  extra: Record<string, unknown> = {},
): Row {
  return { id, label, ...r, ...extra };
}

export async function measureGateway(opts: GatewayOptions): Promise<Row[]> {
  const startLocal = await findStartLocal(opts.root);
  if (typeof startLocal === "string") return nullRows(startLocal);

  const expect200 = (status: number, body: string): void => {
    if (status !== 200) throw new Error(`expected 200, got ${status}: ${body.slice(0, 200)}`);
  };
  let direct: LoadResult;
  const echo = await startDirectEcho(opts.root);
  try {
    direct = await runLoad({
      url: `${echo.url}/bench/echo`,
      total: opts.total,
      concurrency: opts.concurrency,
      check: expect200,
    });
  } finally {
    await echo.close();
  }

  let gw: LocalGatewayLike;
  try {
    gw = await startLocal({ root: opts.root, port: 0 });
  } catch (err) {
    const reason = `startLocal failed: ${(err as Error).message}`;
    return [nullRows(reason)[0], loadRow("gateway.direct-echo", DIRECT_LABEL, direct)];
  }
  try {
    const token = gw.mintToken();
    const base = gw.stageUrl ?? gw.url;
    const headers = { authorization: `Bearer ${token}` };
    // The load's first (untimed) request fills the authorizer cache; every timed one must hit it.
    let authAfterFirst: number | undefined;
    const local = await runLoad({
      url: `${base}/bench/echo`,
      headers,
      total: opts.total,
      concurrency: opts.concurrency,
      check: (status, body) => {
        expect200(status, body);
        if (!/x-customer-id/i.test(body)) throw new Error("the backend got no X-Customer-ID");
        authAfterFirst = gw.invocations?.authorizer();
      },
    });
    // Authorizer invocations during the timed requests (0: every decision came from the cache).
    const authCalls =
      authAfterFirst === undefined ? null : (gw.invocations?.authorizer() ?? 0) - authAfterFirst;
    return [
      loadRow("gateway.local", LOCAL_LABEL, local, {
        authorizerInvocationsWhileTimed: authCalls,
        medianOverheadMs: local.medianMs - direct.medianMs,
      }),
      loadRow("gateway.direct-echo", DIRECT_LABEL, direct),
    ];
  } catch (err) {
    return [
      { ...nullRows(`load through the local gateway failed: ${(err as Error).message}`)[0] },
      loadRow("gateway.direct-echo", DIRECT_LABEL, direct),
    ];
  } finally {
    await gw.close();
  }
}
