/**
 * Local gateway overhead: the same bounded load through the local gateway (`npm start`'s server,
 * `startLocal` from local/) with a cached authorizer decision, and against the echo backend
 * called directly through a tiny HTTP wrapper of its bundle. Both servers run in this process, as
 * does the load, so the difference is the gateway's own work.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Row } from "../run";

export interface GatewayOptions {
  root: string;
  total: number;
  concurrency: number;
}

const LOCAL_LABEL = "through the local gateway (startLocal), cached authorizer decision";
const DIRECT_LABEL = "echo backend bundle called directly (tiny HTTP wrapper)";

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

export async function measureGateway(opts: GatewayOptions): Promise<Row[]> {
  const candidates = ["local/cli.ts", "local/server.ts"].map((f) => path.join(opts.root, f));
  const found = candidates.filter((f) => fs.existsSync(f));
  if (found.length === 0) {
    return nullRows(
      "the local gateway (local/cli.ts or local/server.ts with startLocal) is absent",
    );
  }
  return nullRows("not wired yet");
}
