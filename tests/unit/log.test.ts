/**
 * Decision log lines (functions/commons/log.ts): the line's exact JSON, and the default stdout
 * writer, which queues lines and writes them after the current tick, batched, one line per decision.
 */
import {
  createDecisionLogger,
  flushDecisionLogs,
  formatDecisionLine,
  type DecisionLogEntry,
} from "../../functions/commons";

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

/** What the logger wrote before it built lines by hand: JSON.stringify of the whole object. */
function reference(entry: DecisionLogEntry): string {
  const level =
    entry.reason === "KEY_SOURCE_UNAVAILABLE" || entry.reason === "INTERNAL_ERROR"
      ? "error"
      : "info";
  return `${JSON.stringify({
    level,
    message: "authorizer decision",
    decision: entry.decision,
    reason: entry.reason,
    customerId: entry.customerId,
    requestId: entry.requestId,
    route: entry.route,
    latencyMs: Math.round(entry.latencyMs * 1000) / 1000,
    detail: entry.detail,
  })}\n`;
}

test.each<[string, DecisionLogEntry]>([
  [
    "allow",
    { decision: "allow", reason: "ok", customerId: "c-1", route: "GET /x", latencyMs: 1.23456 },
  ],
  [
    "deny, no customer",
    { decision: "deny", reason: "TOKEN_EXPIRED", requestId: "r1", latencyMs: 0.1 },
  ],
  [
    "key source down with detail",
    {
      decision: "deny",
      reason: "KEY_SOURCE_UNAVAILABLE",
      latencyMs: 12,
      detail: "Secrets Manager read failed. (TimeoutError)",
    },
  ],
  [
    "values needing escapes",
    {
      decision: "allow",
      reason: "ok",
      customerId: 'a"b\\c\u2028',
      route: 'arn:aws:execute-api:eu-west-1:123456789012:abc/prod/GET/"x"',
      latencyMs: Number.NaN,
    },
  ],
])("formatDecisionLine(%s) is the same JSON as before", (_name, entry) => {
  const line = formatDecisionLine(entry);

  expect(line).toBe(reference(entry));
  expect(line.endsWith("\n")).toBe(true);
  expect(line.slice(0, -1)).not.toContain("\n");
});

describe("the default stdout writer", () => {
  let written: string[];
  let spy: jest.SpyInstance;

  beforeEach(() => {
    written = [];
    spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => spy.mockRestore());

  test("writes nothing during the decision, then all lines of the tick in one write", async () => {
    // Prepare
    const logger = createDecisionLogger();

    // Act
    for (let i = 0; i < 5; i++) {
      logger.decision({ decision: "allow", reason: "ok", customerId: `c-${i}`, latencyMs: i });
    }
    const beforeTick = written.length;
    await nextTick();

    // Assess
    expect(beforeTick).toBe(0);
    expect(written).toHaveLength(1);
    const lines = written[0].split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(5);
    expect(lines.map((l) => (JSON.parse(l) as { customerId: string }).customerId)).toEqual([
      "c-0",
      "c-1",
      "c-2",
      "c-3",
      "c-4",
    ]);
  });

  test("exactly one line per decision across ticks, and nothing left after a flush", async () => {
    const logger = createDecisionLogger();

    logger.decision({ decision: "deny", reason: "TOKEN_MALFORMED", latencyMs: 0 });
    await nextTick();
    logger.decision({ decision: "deny", reason: "TOKEN_MISSING", latencyMs: 0 });
    flushDecisionLogs();
    await nextTick();

    expect(
      written
        .join("")
        .split("\n")
        .filter((l) => l !== ""),
    ).toHaveLength(2);
  });

  test("a large backlog is written synchronously instead of growing", () => {
    const logger = createDecisionLogger();

    for (let i = 0; i < 1000; i++) {
      logger.decision({ decision: "allow", reason: "ok", customerId: `c-${i}`, latencyMs: 0 });
    }

    expect(written.length).toBeGreaterThan(0);
    flushDecisionLogs();
    expect(
      written
        .join("")
        .split("\n")
        .filter((l) => l !== ""),
    ).toHaveLength(1000);
  });
});
