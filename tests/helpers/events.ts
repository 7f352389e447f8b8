/**
 * Real API Gateway events from tests/fixtures/events (captured by AWS docs, Powertools, SAM CLI…),
 * loaded as fresh deep copies so tests can modify them freely.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayRequestAuthorizerEventV2 } from "aws-lambda";

/** Directory of the captured events. */
export const EVENTS_DIR = join(__dirname, "..", "fixtures", "events");

/** Loads `tests/fixtures/events/<name>.json` (name without `.json`). */
export function loadEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(EVENTS_DIR, `${name}.json`), "utf8")) as T;
}

/** Captured HTTP API payload 2.0 REQUEST authorizer events. */
export const HTTP_AUTHORIZER_EVENTS = [
  "powertools-ts__apigw-http__authorizer-request",
  "awsdocs__http-api-lambda-authorizer__request-payload-2.0",
] as const;

/**
 * A payload 2.0 authorizer event carrying `authorization` as API Gateway would deliver it: the
 * lower-case header plus `identitySource` (the header value, unstripped). `undefined` removes the
 * header (API Gateway itself would answer 401 then, but the handler must still cope).
 */
export function httpAuthorizerEvent(
  authorization: string | undefined,
  fixture: (typeof HTTP_AUTHORIZER_EVENTS)[number] = HTTP_AUTHORIZER_EVENTS[0],
): APIGatewayRequestAuthorizerEventV2 {
  const event = loadEvent<APIGatewayRequestAuthorizerEventV2>(fixture);
  const headers: Record<string, string | undefined> = { ...(event.headers ?? {}) };
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === "authorization") delete headers[name];
  }
  if (authorization !== undefined) headers.authorization = authorization;
  event.headers = headers;
  event.identitySource = authorization !== undefined ? [authorization] : [];
  return event;
}
