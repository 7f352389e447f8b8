/**
 * The conformance checker's HTTP client: node:http(s) with header lines sent exactly as given
 * (name case, order, repeats). `fetch` cannot do that: it lower-cases names and joins repeats,
 * and the checks need `X-CUSTOMER-ID` and two `X-Customer-ID` lines to reach the gateway as such
 * (REST header names are case-sensitive: "Amazon API Gateway important notes", REST APIs,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
 */
import * as http from "node:http";
import * as https from "node:https";

/** One exchange as the checks see it. */
export interface Exchange {
  readonly status: number;
  /** Response headers, names lower-cased (node:http joins repeats with ", "). */
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined. */
  readonly json: unknown;
}

export interface SendOptions {
  readonly method?: string;
  /** Header lines in order, names as written. `Host` is added first. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly timeoutMs?: number;
}

/** The most a check reads of a body: an echo answer is a few KB. */
const MAX_BODY = 256 * 1024;

/** Send one request. Rejects only for transport failures (refused, timeout, TLS). */
export function send(url: string, opts: SendOptions = {}): Promise<Exchange> {
  const u = new URL(url);
  const client = u.protocol === "https:" ? https : http;
  // A raw header array switches off node's automatic Host header; HTTP/1.1 requires one.
  const raw: string[] = ["Host", u.host];
  for (const [k, v] of opts.headers ?? []) raw.push(k, v);
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        protocol: u.protocol,
        hostname: u.hostname.replace(/^\[|\]$/g, ""),
        port: u.port || undefined,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? "GET",
        headers: raw as unknown as http.OutgoingHttpHeaders,
        timeout: opts.timeoutMs ?? 10_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY) chunks.push(c);
        });
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () =>
      req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)),
    );
    req.on("error", reject);
    req.end();
  });
}
