/**
 * One warm measurement in its own process (so each bundle configuration gets its own environment,
 * read at cold start, and its own heap and JIT state). Compiled by bench/run.ts into
 * dist/bench/warm-child.js, started with `node` and driven over the IPC channel, so the parent can
 * interleave rounds of every case and machine noise hits them alike:
 *   parent → {cmd: "warmup", n} | {cmd: "round", n} | {cmd: "finish"}
 *   child  → {type: "ready"} | {type: "done"} | {type: "result", result} | {type: "error", message}
 *
 * For a bundle: starts the Secrets Manager endpoint in this process, points the SDK at it, loads
 * dist/functions/<name>/index.js, answers one cold event, checks that a valid token is allowed and
 * a tampered one refused, then counts every network call (endpoint requests and Node's
 * http/net/undici diagnostics channels) during warm-up and rounds. The handler's own log lines
 * go to this process's stdout, which the parent points at a file (as a Lambda's stdout is a pipe).
 */
import * as crypto from "node:crypto";
import * as dc from "node:diagnostics_channel";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Alg, WarmCase, BundleCase, BaselineCase } from "./lib/cases";
import { SECRET_NAME } from "./lib/cases";
import { isAllow, makeEvent } from "./lib/events";
import { awsEnv, startSecretsEndpoint, type SecretsEndpoint } from "./lib/secrets-endpoint";
import { summarise, timeAsync, timeSync, type Timing } from "./lib/stats";
import { tamper, type BenchMaterial } from "./lib/tokens";

// Run from dist/bench/ (compiled by bench/run.ts), which passes the repository's root.
const ROOT = process.env.BENCH_ROOT ?? path.join(__dirname, "..");

let networkCalls = 0;
for (const channel of ["http.client.request.start", "net.client.socket", "undici:request:create"]) {
  dc.subscribe(channel, () => {
    networkCalls++;
  });
}

export interface WarmResult extends Timing {
  id: string;
  rounds: number;
  /** The lowest of the per-round medians: the figure least disturbed by other load. */
  bestRoundMedianUs: number;
  warmup: number;
  distinctTokens: number;
  /** Secrets Manager endpoint requests during warm-up + rounds (bundles only). */
  secretsManagerCalls?: number;
  /** Outgoing HTTP requests / TCP connects seen during warm-up + rounds (bundles only). */
  networkCalls?: number;
  /** Secrets Manager requests made by the cold (first) call. */
  coldSecretsManagerCalls?: number;
}

export type ParentMessage = { cmd: "warmup" | "round"; n: number } | { cmd: "finish" };
export type ChildMessage =
  | { type: "ready" | "done" }
  | { type: "result"; result: WarmResult }
  | { type: "error"; message: string };

type Handler = (event: unknown, context?: unknown) => Promise<unknown>;

interface Subject {
  /** Runs call number i (cycling through the distinct tokens). */
  call: ((i: number) => unknown) | ((i: number) => Promise<unknown>);
  async: boolean;
  distinctTokens: number;
  endpoint?: SecretsEndpoint;
  coldSecretsManagerCalls?: number;
}

const lambdaContext = {
  functionName: "bench",
  awsRequestId: "00000000-0000-4000-8000-000000000000",
  getRemainingTimeInMillis: () => 3000,
  callbackWaitsForEmptyEventLoop: true,
};

async function outcome(handler: Handler, event: unknown): Promise<"allow" | "deny"> {
  try {
    return isAllow(await handler(event, lambdaContext)) ? "allow" : "deny";
  } catch {
    return "deny"; // REST TOKEN: throw "Unauthorized" → 401
  }
}

/** The tokens of `alg` (every implementation verifies the same ones). */
function tokensOf(alg: Alg, m: BenchMaterial): string[] {
  return { hs256: m.hsTokens, rs256: m.rsTokens, es256: m.esTokens, eddsa: m.edTokens }[alg];
}

async function setupBundle(c: BundleCase, m: BenchMaterial): Promise<Subject> {
  const endpoint = await startSecretsEndpoint([
    { name: SECRET_NAME.hs256, value: m.hsSecret },
    { name: SECRET_NAME.rs256, value: m.rsaPublicPem },
    { name: SECRET_NAME.es256, value: m.esPublicPem },
    { name: SECRET_NAME.eddsa, value: m.edPublicPem },
  ]);
  Object.assign(process.env, awsEnv(endpoint.url), c.env);
  const tokens = tokensOf(c.alg, m);
  const events = tokens.map((t) => makeEvent(c.event, t));

  const bundlePath = path.join(ROOT, "dist", "functions", c.bundle, "index.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(bundlePath) as { handler: Handler };
  if (typeof handler !== "function") throw new Error(`${bundlePath} exports no handler`);

  const first = await handler(events[0], lambdaContext);
  if (!isAllow(first)) {
    throw new Error(`valid token not allowed by ${c.bundle}: ${JSON.stringify(first)}`);
  }
  const coldSecretsManagerCalls = endpoint.requests;
  if ((await outcome(handler, makeEvent(c.event, tamper(tokens[1])))) !== "deny") {
    throw new Error(`${c.bundle} allowed a token with a tampered signature`);
  }
  for (let i = 0; i < events.length; i++) {
    if ((await outcome(handler, events[i])) !== "allow") {
      throw new Error(`${c.bundle} denied valid token #${i}`);
    }
  }
  return {
    call: (i: number) => handler(events[i % events.length], lambdaContext),
    async: true,
    distinctTokens: tokens.length,
    endpoint,
    coldSecretsManagerCalls,
  };
}

function baselineFn(c: BaselineCase, m: BenchMaterial): (token: string) => unknown {
  const opts = { issuer: m.issuer, audience: m.audience };
  if (c.impl === "aws-jwt-verify" && (c.alg === "es256" || c.alg === "eddsa")) {
    // The generic verifier: JwtRsaVerifier is the same class with an RSA-only name, and
    // aws-jwt-verify's README lists ES256 and EdDSA (Ed25519) among its algorithms.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { JwtVerifier } = require("aws-jwt-verify") as typeof import("aws-jwt-verify");
    const verifier = JwtVerifier.create({
      ...opts,
      jwksUri: `${m.issuer}.well-known/jwks.json`,
    });
    verifier.cacheJwks({ keys: [(c.alg === "es256" ? m.esPublicJwk : m.edPublicJwk) as never] });
    return (token) => verifier.verifySync(token);
  }
  if (c.impl === "aws-jwt-verify") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { JwtRsaVerifier } = require("aws-jwt-verify") as typeof import("aws-jwt-verify");
    const verifier = JwtRsaVerifier.create({
      ...opts,
      jwksUri: `${m.issuer}.well-known/jwks.json`,
    });
    verifier.cacheJwks({ keys: [m.rsaPublicJwk as never] });
    return (token) => verifier.verifySync(token);
  }
  if (c.impl === "jsonwebtoken") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jwt = require("jsonwebtoken") as typeof import("jsonwebtoken");
    const key =
      c.alg === "rs256"
        ? crypto.createPublicKey(m.rsaPublicPem)
        : crypto.createSecretKey(Buffer.from(m.hsSecret, "utf8"));
    const algorithms: import("jsonwebtoken").Algorithm[] = [c.alg === "rs256" ? "RS256" : "HS256"];
    return (token) => jwt.verify(token, key, { ...opts, algorithms });
  }
  if (c.alg === "es256" || c.alg === "eddsa") {
    // The floor: the signature alone, with the key prepared once, as ours does.
    const es = c.alg === "es256";
    const key = crypto.createPublicKey(es ? m.esPublicPem : m.edPublicPem);
    const keyInput = es ? { key, dsaEncoding: "ieee-p1363" as const } : key;
    return (token) => {
      const dot = token.lastIndexOf(".");
      const sig = Buffer.from(token.slice(dot + 1), "base64url");
      if (!crypto.verify(es ? "sha256" : null, Buffer.from(token.slice(0, dot)), keyInput, sig)) {
        throw new Error("bad signature");
      }
      return true;
    };
  }
  if (c.alg === "rs256") {
    const key = crypto.createPublicKey(m.rsaPublicPem);
    return (token) => {
      const dot = token.lastIndexOf(".");
      const sig = Buffer.from(token.slice(dot + 1), "base64url");
      if (!crypto.verify("RSA-SHA256", Buffer.from(token.slice(0, dot)), key, sig)) {
        throw new Error("bad signature");
      }
      return true;
    };
  }
  const key = crypto.createSecretKey(Buffer.from(m.hsSecret, "utf8"));
  return (token) => {
    const dot = token.lastIndexOf(".");
    const sig = Buffer.from(token.slice(dot + 1), "base64url");
    const mac = crypto.createHmac("sha256", key).update(token.slice(0, dot)).digest();
    if (sig.length !== mac.length || !crypto.timingSafeEqual(sig, mac)) {
      throw new Error("bad signature");
    }
    return true;
  };
}

function setupBaseline(c: BaselineCase, m: BenchMaterial): Subject {
  const verify = baselineFn(c, m);
  const tokens = tokensOf(c.alg, m);
  let refused = false;
  try {
    verify(tamper(tokens[1]));
  } catch {
    refused = true;
  }
  if (!refused) throw new Error(`${c.id} accepted a tampered token`);
  for (const t of tokens) verify(t);
  return {
    call: (i: number) => verify(tokens[i % tokens.length]),
    async: false,
    distinctTokens: tokens.length,
  };
}

async function main(): Promise<void> {
  const send = (msg: ChildMessage): void => {
    process.send?.(msg);
  };
  const c = JSON.parse(process.env.BENCH_CASE ?? "null") as WarmCase;
  const m = JSON.parse(fs.readFileSync(process.env.BENCH_MATERIAL ?? "", "utf8")) as BenchMaterial;
  const subject = c.kind === "bundle" ? await setupBundle(c, m) : setupBaseline(c, m);

  const chunks: Float64Array[] = [];
  let wallMs = 0;
  let next = 0;
  let warmup = 0;
  let sm = 0;
  let net = 0;
  const run = async (n: number): Promise<Float64Array> => {
    const samples = new Float64Array(n);
    const sm0 = subject.endpoint?.requests ?? 0;
    networkCalls = 0;
    wallMs += subject.async
      ? await timeAsync(subject.call as (i: number) => Promise<unknown>, next, samples)
      : timeSync(subject.call, next, samples);
    net += networkCalls;
    sm += (subject.endpoint?.requests ?? 0) - sm0;
    next += n;
    return samples;
  };

  process.on("message", (msg: ParentMessage) => {
    void (async () => {
      try {
        if (msg.cmd === "warmup") {
          await run(msg.n);
          warmup += msg.n;
          wallMs = 0;
        } else if (msg.cmd === "round") {
          chunks.push(await run(msg.n));
        } else {
          const all = new Float64Array(chunks.reduce((a, x) => a + x.length, 0));
          let at = 0;
          for (const x of chunks) {
            all.set(x, at);
            at += x.length;
          }
          const result: WarmResult = {
            id: c.id,
            ...summarise(all, wallMs),
            rounds: chunks.length,
            bestRoundMedianUs: Math.min(...chunks.map((x) => summarise(x, 1).medianUs)),
            warmup,
            distinctTokens: subject.distinctTokens,
            ...(subject.endpoint
              ? {
                  secretsManagerCalls: sm,
                  networkCalls: net,
                  coldSecretsManagerCalls: subject.coldSecretsManagerCalls,
                }
              : {}),
          };
          await subject.endpoint?.close();
          send({ type: "result", result });
          process.disconnect();
          return;
        }
        send({ type: "done" });
      } catch (err) {
        send({
          type: "error",
          message: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
      }
    })();
  });
  send({ type: "ready" });
}

main().catch((err: unknown) => {
  process.send?.({
    type: "error",
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  process.exitCode = 1;
  process.disconnect?.();
});
