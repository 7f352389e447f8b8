/**
 * Helpers for the end-to-end tests: real HTTP on 127.0.0.1 against `startLocal`.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

import { generateDevKeys, mintToken, type TokenProfile } from "../../local/dev-issuer";

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

export async function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const res = await fetch(url, { ...init, redirect: "manual" });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
});

/** A token with the right claims, issuer and audience, signed with keys nobody trusts. */
export function forgedToken(profile: TokenProfile, sub = "forger"): string {
  return mintToken(generateDevKeys(), profile, { sub, claims: { metadata: { role: "admin" } } });
}

/** What the test backend received: `headers` as node:http joins them, `distinct` line by line. */
export interface BackendRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  distinct: NodeJS.Dict<string[]>;
}

/**
 * The distinct values a backend received under `name` (any spelling). In rest-token every identity
 * header arrives twice, as configured and in lower case, with one value (REST header names are
 * case-sensitive; README "Security"), which node:http joins into "v, v" in `headers`.
 */
export const distinctValues = (r: BackendRequest, name: string): string[] => [
  ...new Set(r.distinct[name.toLowerCase()] ?? []),
];

/** An HTTP backend on loopback that records what it receives and answers 200 JSON. */
export async function startBackend(): Promise<{
  url: string;
  requests: BackendRequest[];
  close: () => Promise<void>;
}> {
  const requests: BackendRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      distinct: req.headersDistinct,
    });
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ backend: "test", customerId: req.headers["x-customer-id"] ?? null }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
