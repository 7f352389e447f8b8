/**
 * The BUILT REST authorizer, `dist/functions/rest-authorizer/index.js`, exactly as Lambda loads it:
 * a CommonJS file exporting `handler`, configured by the environment only; its Secrets Manager
 * client reads the key from the test's fake endpoint on 127.0.0.1 (AWS_ENDPOINT_URL_SECRETS_MANAGER).
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { authorizerEnv, setAuthorizerEnv } from "../helpers/env";
import { loadEvent } from "../helpers/events";
import { rsaKey } from "../helpers/keys";
import { invokePolicy } from "../helpers/policy";
import {
  getSecretCalls,
  useFakeSecretsManager,
  serviceError,
  setSecretStages,
} from "../helpers/secrets-manager";
import { claims, craftToken, epoch, SIGNING_LIBRARIES, type Signer } from "../helpers/tokens";

const ROOT = join(__dirname, "..", "..");
const BUNDLE = join(ROOT, "dist", "functions", "rest-authorizer", "index.js");

type Handler = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** Newest modification time of the sources the bundle is built from. */
function newestSource(): number {
  let newest = 0;
  for (const dir of ["functions/rest-authorizer", "functions/commons"]) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith(".ts")) {
        newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
      }
    }
  }
  return newest;
}

/**
 * A fresh instance of the bundle (its own module scope, so its own cold start and key cache),
 * evaluated the way Node's CommonJS loader does (with this test's `require` for Node's built-ins).
 */
function loadBundle(): Handler {
  const module = { exports: {} as { handler?: Handler } };
  const wrapper = new Function(
    "exports",
    "require",
    "module",
    "__filename",
    "__dirname",
    readFileSync(BUNDLE, "utf8"),
  );
  wrapper(module.exports, require, module, BUNDLE, join(BUNDLE, ".."));
  if (typeof module.exports.handler !== "function")
    throw new Error("the bundle exports no handler");
  return module.exports.handler;
}

/** The stage-wide Resource for the captured event's methodArn. */
const STAGE_WILDCARD = "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/*/*";
const KEY = rsaKey("primary");
const SIGNER: Signer = { alg: "RS256", privateKey: KEY.privateKey, kid: KEY.kid };
const sm = useFakeSecretsManager();
let handler: Handler;
let restoreEnv: () => void;

function tokenEvent(token: string): APIGatewayTokenAuthorizerEvent {
  const event = loadEvent<APIGatewayTokenAuthorizerEvent>(
    "powertools-ts__apigw-rest__authorizer-token",
  );
  event.authorizationToken = `Bearer ${token}`;
  return event;
}

beforeAll(() => {
  // Prepare: build when the bundle is missing or older than its sources (`npm test` builds first).
  if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < newestSource()) {
    execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs")], { cwd: ROOT });
  }
  restoreEnv = setAuthorizerEnv(
    authorizerEnv("public-key", {
      CONTEXT_CLAIMS: JSON.stringify({ plan: "metadata.plan" }),
      ROLE_CLAIM: "metadata.role",
      REQUIRED_ROLES: JSON.stringify(["admin"]),
    }),
  );
  jest.spyOn(globalThis, "fetch").mockRejectedValue(new Error("network access in a unit test"));
  // The bundle logs decisions to stdout; keep the test output clean.
  jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  setSecretStages(sm, { current: KEY.publicPem });
  handler = loadBundle();
});

afterAll(() => {
  restoreEnv();
  jest.restoreAllMocks();
});

test("the bundle is one CommonJS file exporting a handler function", () => {
  expect(typeof handler).toBe("function");
});

test.each(SIGNING_LIBRARIES)(
  "%s token with the admin role → stage-wide Allow",
  async (_lib, sign) => {
    // Prepare
    const token = await sign(claims({ metadata: { role: "admin", plan: "gold" } }), SIGNER);

    // Act
    const result = await handler(tokenEvent(token));

    // Assess
    expect(result).toEqual({
      principalId: "user-123",
      policyDocument: invokePolicy("Allow", STAGE_WILDCARD),
      context: { customerId: "cust-42", customerName: "Acme Corp", role: "admin", plan: "gold" },
    });
  },
);

test("a token without the role → explicit stage-wide Deny", async () => {
  // Prepare
  const token = await SIGNING_LIBRARIES[1][1](claims({ metadata: { role: "viewer" } }), SIGNER);

  // Act
  const result = await handler(tokenEvent(token));

  // Assess
  expect(result.policyDocument.Statement).toEqual(invokePolicy("Deny", STAGE_WILDCARD).Statement);
  expect(result).not.toHaveProperty("context");
});

test.each([
  ["garbage", async () => "garbage"],
  [
    "expired",
    () =>
      SIGNING_LIBRARIES[0][1](claims({ exp: epoch() - 60, metadata: { role: "admin" } }), SIGNER),
  ],
  [
    "wrong key",
    () =>
      SIGNING_LIBRARIES[1][1](claims({ metadata: { role: "admin" } }), {
        alg: "RS256",
        privateKey: rsaKey("attacker").privateKey,
      }),
  ],
])("%s → exactly Error('Unauthorized')", async (_name, mint) => {
  // Prepare
  const event = tokenEvent(await mint());

  // Act
  const err = await handler(event).then(
    () => undefined,
    (e: unknown) => e,
  );

  // Assess
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toBe("Unauthorized");
  expect((err as Error).name).toBe("Error");
  await expect(handler(event)).rejects.toThrow(new Error("Unauthorized"));
});

/** An admin's claims set as JSON text with `from` replaced by `to`. */
const rawAdminClaims = (from: string, to: string) =>
  JSON.stringify(claims({ metadata: { role: "admin" } })).replace(from, to);
const rs256 = (payload: unknown) =>
  craftToken({ alg: "RS256", typ: "JWT" }, payload, { rsaKey: KEY.privateKey });

test.each([
  [
    "a customer id beyond 2^53",
    () => rs256(rawAdminClaims('"cust-42"', "9007199254740993")),
    "IDENTITY_CLAIM_INVALID",
  ],
  [
    "a payload that is not UTF-8",
    () => rs256(Buffer.from(rawAdminClaims("cust-42", "cust-\u00fe"), "latin1")),
    "TOKEN_MALFORMED",
  ],
  [
    "a customer name holding U+2067",
    () => rs256(claims({ customer_name: "\u2067Acme", metadata: { role: "admin" } })),
    "IDENTITY_CLAIM_INVALID",
  ],
  [
    "a fractional extra claim",
    () => rs256(rawAdminClaims('"role":"admin"', '"role":"admin","plan":0.1')),
    "IDENTITY_CLAIM_INVALID",
  ],
])("an admin token with %s → Unauthorized, logging the reason", async (_name, mint, reason) => {
  // Prepare
  const write = process.stdout.write as unknown as jest.Mock;
  write.mockClear();

  // Act
  await expect(handler(tokenEvent(mint()))).rejects.toThrow(new Error("Unauthorized"));
  await new Promise((resolve) => setImmediate(resolve));

  // Assess
  const logged = write.mock.calls.map((c: unknown[]) => String(c[0])).join("");
  expect(logged).toContain(`"reason":"${reason}"`);
});

test("Secrets Manager down (cold container) → Unauthorized", async () => {
  // Prepare: a fresh copy of the bundle, so its key cache is empty.
  sm.reset();
  setSecretStages(sm, { current: serviceError() });
  const fresh = loadBundle();
  const token = await SIGNING_LIBRARIES[1][1](claims({ metadata: { role: "admin" } }), SIGNER);

  // Act + Assess
  await expect(fresh(tokenEvent(token))).rejects.toThrow(new Error("Unauthorized"));
  expect(getSecretCalls(sm, "AWSCURRENT")).toBe(1); // the fake endpoint answered
});
