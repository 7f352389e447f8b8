/**
 * Structured decision logs: one JSON line per authorizer decision.
 *
 * Only fields listed in `DecisionLogEntry` are written, and none of them can carry the token or key
 * material: the reason is an error *code*, and `detail` is set only for key-source failures (the
 * operator needs to know why Secrets Manager or the JWKS endpoint failed). Lines go to stdout,
 * which the Lambda runtime ships to CloudWatch.
 */

/** One authorizer decision. */
export interface DecisionLogEntry {
  readonly decision: "allow" | "deny";
  /** `ok`, or the `AuthError.code` (or `INTERNAL_ERROR`). */
  readonly reason: string;
  readonly customerId?: string;
  /** API Gateway request id. */
  readonly requestId?: string;
  /** Route key or method ARN. */
  readonly route?: string;
  readonly latencyMs: number;
  /** Non-sensitive cause, for key-source and internal failures only. */
  readonly detail?: string;
}

/** Where log lines go; tests inject a collector. */
export type LogWriter = (line: string) => void;

// -------------------------------------------------------------------------------------------------
// Deferred, batched stdout
//
// A synchronous `process.stdout.write` per decision cost more CPU than the RSA check itself on the
// warm path (a pipe write is a syscall). Lines are queued instead and written together in ONE
// `process.stdout.write` from a `setImmediate`, i.e. after the handler's answer has been handed
// back: the decision no longer waits for its log line, and under load many lines share one write.
//
// Trade-off: a queued line is lost only if the process dies before the next turn of the event loop
// (a crash or `process.exit()` in the same tick). The Lambda runtime only freezes the process after
// it has posted the answer, which takes I/O, so the immediate runs first; `beforeExit` flushes too,
// and the queue is written synchronously once it holds 64 KB, so it cannot grow without bound.
// -------------------------------------------------------------------------------------------------

const FLUSH_AT_BYTES = 64 * 1024;
// Captured at load: the flush must not depend on whatever later replaces the global (fake timers).
const schedule: (fn: () => void) => unknown = setImmediate;
let queued = "";
let scheduled = false;
let exitHookInstalled = false;

/** Writes every queued line now, in one write. Called by the scheduled immediate and on exit. */
export function flushDecisionLogs(): void {
  scheduled = false;
  if (queued === "") return;
  const out = queued;
  queued = "";
  process.stdout.write(out);
}

/**
 * Queues a line for stdout (console.* is banned in functions by lint, see eslint.config.mjs); it is
 * written after the current tick, batched with the other lines of that tick.
 */
export const stdoutWriter: LogWriter = (line) => {
  queued += line;
  if (queued.length >= FLUSH_AT_BYTES) {
    flushDecisionLogs();
    return;
  }
  if (!scheduled) {
    scheduled = true;
    schedule(flushDecisionLogs);
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("beforeExit", flushDecisionLogs);
  }
};

/** A decision logger. */
export interface DecisionLogger {
  decision(entry: DecisionLogEntry): void;
}

// `{"level":…,"message":…,"decision":…,"reason":…` for each (decision, reason) pair seen: a handful
// of pairs in practice; bounded in case a caller passes many reasons.
const PREFIX_CACHE_MAX = 64;
const prefixes = new Map<string, string>();

function prefixOf(decision: string, reason: string): string {
  const key = `${decision}\u0000${reason}`;
  let prefix = prefixes.get(key);
  if (prefix === undefined) {
    const level =
      reason === "KEY_SOURCE_UNAVAILABLE" || reason === "INTERNAL_ERROR" ? "error" : "info";
    prefix =
      `{"level":"${level}","message":"authorizer decision","decision":${JSON.stringify(decision)},` +
      `"reason":${JSON.stringify(reason)}`;
    if (prefixes.size >= PREFIX_CACHE_MAX) prefixes.clear();
    prefixes.set(key, prefix);
  }
  return prefix;
}

/**
 * The JSON line for an entry: the same text `JSON.stringify` gives for
 * `{level, message, decision, reason, customerId, requestId, route, latencyMs, detail}` (undefined
 * fields omitted), built by concatenation; string values still go through `JSON.stringify`, so they
 * are escaped exactly as before.
 */
export function formatDecisionLine(entry: DecisionLogEntry): string {
  let line = prefixOf(entry.decision, entry.reason);
  if (entry.customerId !== undefined) line += `,"customerId":${JSON.stringify(entry.customerId)}`;
  if (entry.requestId !== undefined) line += `,"requestId":${JSON.stringify(entry.requestId)}`;
  if (entry.route !== undefined) line += `,"route":${JSON.stringify(entry.route)}`;
  const latency = Math.round(entry.latencyMs * 1000) / 1000;
  line += `,"latencyMs":${Number.isFinite(latency) ? latency : "null"}`;
  if (entry.detail !== undefined) line += `,"detail":${JSON.stringify(entry.detail)}`;
  return `${line}}\n`;
}

/**
 * Creates a logger writing one JSON line per decision to `write` (default: batched stdout, see
 * above; an injected writer is called synchronously).
 */
export function createDecisionLogger(write: LogWriter = stdoutWriter): DecisionLogger {
  return {
    decision(entry) {
      write(formatDecisionLine(entry));
    },
  };
}
