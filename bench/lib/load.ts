/** A bounded HTTP load on loopback: `total` requests, `concurrency` at a time, keep-alive. */
import * as http from "node:http";
import { performance } from "node:perf_hooks";
import { percentile } from "./stats";

export interface LoadResult {
  requests: number;
  concurrency: number;
  requestsPerSec: number;
  medianMs: number;
  p99Ms: number;
  statusCounts: Record<string, number>;
  errors: number;
}

export interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  total: number;
  concurrency: number;
  /** Called on the first response, to check the request went where intended. */
  check?: (status: number, body: string) => void;
}

function once(agent: http.Agent, url: URL, opts: LoadOptions): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? "GET", headers: opts.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve([res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8")]));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const url = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  try {
    // One request first (not timed): checks the route and opens a connection.
    const [status, body] = await once(agent, url, opts);
    opts.check?.(status, body);

    const latencies = new Float64Array(opts.total);
    const statusCounts: Record<string, number> = {};
    let next = 0;
    let errors = 0;
    const worker = async (): Promise<void> => {
      while (next < opts.total) {
        const i = next++;
        const t0 = performance.now();
        try {
          const [s] = await once(agent, url, opts);
          statusCounts[s] = (statusCounts[s] ?? 0) + 1;
        } catch {
          errors++;
        }
        latencies[i] = performance.now() - t0;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    const wall = performance.now() - start;
    latencies.sort();
    return {
      requests: opts.total,
      concurrency: opts.concurrency,
      requestsPerSec: opts.total / (wall / 1000),
      medianMs: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      statusCounts,
      errors,
    };
  } finally {
    agent.destroy();
  }
}
