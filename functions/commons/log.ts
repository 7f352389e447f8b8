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

/** Writes to stdout (console.* is banned in functions by lint, see eslint.config.mjs). */
export const stdoutWriter: LogWriter = (line) => {
  process.stdout.write(line);
};

/** A decision logger. */
export interface DecisionLogger {
  decision(entry: DecisionLogEntry): void;
}

/** Creates a logger writing one JSON line per call to `write`. */
export function createDecisionLogger(write: LogWriter = stdoutWriter): DecisionLogger {
  return {
    decision(entry) {
      const level =
        entry.reason === "KEY_SOURCE_UNAVAILABLE" || entry.reason === "INTERNAL_ERROR"
          ? "error"
          : "info";
      const line = {
        level,
        message: "authorizer decision",
        decision: entry.decision,
        reason: entry.reason,
        customerId: entry.customerId,
        requestId: entry.requestId,
        route: entry.route,
        latencyMs: Math.round(entry.latencyMs * 1000) / 1000,
        detail: entry.detail,
      };
      write(`${JSON.stringify(line)}\n`);
    },
  };
}
