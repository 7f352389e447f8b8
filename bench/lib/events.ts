/** Realistic authorizer events built from the captured AWS shapes in tests/fixtures/events/. */
import * as fs from "node:fs";
import * as path from "node:path";

const FIXTURES = path.join(__dirname, "..", "..", "tests", "fixtures", "events");

export type EventKind = "http-request-v2" | "rest-token";

const FIXTURE_FILE: Record<EventKind, string> = {
  "http-request-v2": "powertools-ts__apigw-http__authorizer-request.json",
  "rest-token": "powertools-ts__apigw-rest__authorizer-token.json",
};

const templates = new Map<EventKind, string>();

function template(kind: EventKind): string {
  let t = templates.get(kind);
  if (t === undefined) {
    t = fs.readFileSync(path.join(FIXTURES, FIXTURE_FILE[kind]), "utf8");
    templates.set(kind, t);
  }
  return t;
}

/** A fresh event carrying `Bearer <token>` where API Gateway puts it for that event type. */
export function makeEvent(kind: EventKind, token: string): Record<string, unknown> {
  const event = JSON.parse(template(kind)) as Record<string, unknown>;
  const bearer = `Bearer ${token}`;
  if (kind === "rest-token") {
    event.authorizationToken = bearer;
  } else {
    (event.headers as Record<string, string>).authorization = bearer;
    event.identitySource = [bearer];
    const ctx = event.requestContext as Record<string, unknown>;
    ctx.timeEpoch = Date.now();
  }
  return event;
}

/** Path of the fixture, for processes that build the event themselves. */
export function fixturePath(kind: EventKind): string {
  return path.join(FIXTURES, FIXTURE_FILE[kind]);
}

/** True when an authorizer answer allows the call (simple response or IAM policy). */
export function isAllow(result: unknown): boolean {
  if (typeof result !== "object" || result === null) return false;
  const r = result as {
    isAuthorized?: unknown;
    policyDocument?: { Statement?: { Effect?: unknown }[] };
  };
  if (typeof r.isAuthorized === "boolean") return r.isAuthorized;
  const statements = r.policyDocument?.Statement;
  return (
    Array.isArray(statements) &&
    statements.length > 0 &&
    statements.every((s) => s.Effect === "Allow")
  );
}
