/**
 * The HTTP API Lambda REQUEST authorizer handler (payload 2.0, simple responses), driven by the
 * captured AWS events with an Authorization header set, Secrets Manager through the real client
 * against a fake endpoint on 127.0.0.1 (tests/helpers/secrets-manager.ts).
 */
import { createSecretKey } from "node:crypto";
import { inspect } from "node:util";
import { runInNewContext } from "node:vm";

import fc from "fast-check";
import {
  createAuthorizer,
  createDecisionLogger,
  readSettings,
  type Authorizer,
} from "../../functions/commons";
import {
  createHandler,
  handler,
  KEY_SOURCE_DOWN_MESSAGE,
  type HttpAuthorizerResult,
} from "../../functions/http-authorizer";
import { createHandler as createRestHandler } from "../../functions/rest-authorizer";
import { authorizerEnv, setAuthorizerEnv } from "../helpers/env";
import { HTTP_AUTHORIZER_EVENTS, httpAuthorizerEvent } from "../helpers/events";
import { HS256_SECRET, HS256_SECRET_WRONG } from "../helpers/keys";
import { useFakeSecretsManager, serviceError, setSecretStages } from "../helpers/secrets-manager";
import { claims, signWithJose, signWithJsonwebtoken } from "../helpers/tokens";

const sm = useFakeSecretsManager();

function harness(env = authorizerEnv("secret")) {
  const lines: string[] = [];
  const authorizer: Authorizer = createAuthorizer(readSettings(env));
  const handler = createHandler({
    getAuthorizer: () => authorizer,
    logger: createDecisionLogger((line) => lines.push(line)),
  });
  return { handler, lines, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

const hs = (overrides: Record<string, unknown> = {}, secret = HS256_SECRET) =>
  signWithJsonwebtoken(claims(overrides), { alg: "HS256", secret });

beforeEach(() => {
  sm.reset();
  setSecretStages(sm, { current: HS256_SECRET });
});

describe.each(HTTP_AUTHORIZER_EVENTS)("event %s", (fixture) => {
  test("a valid token is authorized with the identity in the context", async () => {
    // Prepare
    const { handler } = harness();
    const event = httpAuthorizerEvent(`Bearer ${hs()}`, fixture);

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual({
      isAuthorized: true,
      context: { customerId: "cust-42", customerName: "Acme Corp" },
    });
  });

  test.each<[string, string | undefined]>([
    ["no Authorization header", undefined],
    ["an empty header", ""],
    ["a garbled header", "Bearer !!!not-a-jwt!!!"],
    ["a Basic header", "Basic dXNlcjpwYXNz"],
    ["an expired token", `Bearer ${hs({ exp: Math.floor(Date.now() / 1000) - 3600 })}`],
    ["a token signed with the wrong secret", `Bearer ${hs({}, HS256_SECRET_WRONG)}`],
    ["a token with a CR/LF identity claim", `Bearer ${hs({ customer_id: "c\r\nx-admin: 1" })}`],
  ])("%s is denied with a bare isAuthorized:false", async (_name, header) => {
    const { handler } = harness();

    const result = await handler(httpAuthorizerEvent(header, fixture));

    expect(result).toEqual({ isAuthorized: false });
  });
});

test("warm, the answer is settled when the handler returns (no await of a settled Promise); cold, it waits for the key", async () => {
  const { handler } = harness();
  const event = httpAuthorizerEvent(`Bearer ${hs()}`);
  const state = (p: Promise<unknown>) => (inspect(p).includes("<pending>") ? "pending" : "settled");

  const cold = handler(event); // reads the secret from Secrets Manager
  expect(state(cold)).toBe("pending");
  expect(await cold).toMatchObject({ isAuthorized: true });

  const warm = handler(event);
  expect(state(warm)).toBe("settled");
  expect(await warm).toMatchObject({ isAuthorized: true });
  const denied = handler(httpAuthorizerEvent("Bearer not-a-jwt"));
  expect(state(denied)).toBe("settled");
  expect(await denied).toEqual({ isAuthorized: false });
});

describe("a key source that answers with another realm's Promise (or a thenable)", () => {
  // A custom KeySource, or a fetch from another realm, hands back a Promise that is not this
  // realm's: the handlers must still wait for it rather than take it for a decision.
  const keys = [{ alg: "HS256" as const, key: createSecretKey(Buffer.from(HS256_SECRET)) }];
  const foreign = () => runInNewContext("(v) => Promise.resolve(v)")(keys) as Promise<typeof keys>;
  const thenable = () => ({ then: (ok: (k: typeof keys) => void) => ok(keys) });

  test.each([
    ["another realm's Promise", foreign],
    ["a thenable", thenable],
  ])("%s: the HTTP and REST handlers allow a valid token", async (_name, answer) => {
    const settings = readSettings(authorizerEnv("secret"));
    const keySource = {
      algorithms: new Set(["HS256" as const]),
      getKeys: () => answer() as unknown as Promise<typeof keys>,
    };
    const authorizer = createAuthorizer(settings, { keySource });
    const quiet = createDecisionLogger(() => undefined);
    const http = createHandler({ getAuthorizer: () => authorizer, logger: quiet });
    expect(await http(httpAuthorizerEvent(`Bearer ${hs()}`))).toMatchObject({
      isAuthorized: true,
    });
    const rest = createRestHandler({ getAuthorizer: () => authorizer, logger: quiet });
    const policy = await rest({
      type: "TOKEN",
      methodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/items",
      authorizationToken: `Bearer ${hs({ metadata: { role: "admin" } })}`,
    });
    expect(policy.policyDocument.Statement[0]).toMatchObject({ Effect: "Allow" });
  });
});

test.each(["Bearer", "bearer", "BEARER", "bEArer"])("the %s scheme is accepted", async (scheme) => {
  const { handler } = harness();

  const result = await handler(httpAuthorizerEvent(`${scheme} ${hs()}`));

  expect(result.isAuthorized).toBe(true);
});

test("a bare token (no scheme) is accepted", async () => {
  const { handler } = harness();

  expect((await handler(httpAuthorizerEvent(hs()))).isAuthorized).toBe(true);
});

test("a jose-signed token is accepted", async () => {
  const { handler } = harness();
  const token = await signWithJose(claims(), { alg: "HS256", secret: HS256_SECRET });

  expect((await handler(httpAuthorizerEvent(`Bearer ${token}`))).isAuthorized).toBe(true);
});

test("a mixed-case Authorization header name in a hand-made event is still read", async () => {
  const { handler } = harness();
  const event = httpAuthorizerEvent(undefined);
  event.headers = { ...event.headers, Authorization: `Bearer ${hs()}` };

  expect((await handler(event)).isAuthorized).toBe(true);
});

test("extra context claims are added, and can never shadow the identity", async () => {
  // Prepare
  const { handler } = harness(
    authorizerEnv("secret", {
      CONTEXT_CLAIMS: JSON.stringify({ plan: "metadata.plan", email: "email" }),
    }),
  );
  const token = hs({ metadata: { plan: "pro" } });

  // Act
  const result = (await handler(httpAuthorizerEvent(`Bearer ${token}`))) as HttpAuthorizerResult & {
    context: Record<string, unknown>;
  };

  // Assess: flat strings only; the absent optional claim is omitted.
  expect(result.context).toEqual({ customerId: "cust-42", customerName: "Acme Corp", plan: "pro" });
  expect(Object.values(result.context).every((v) => typeof v === "string")).toBe(true);
});

describe("Secrets Manager down", () => {
  test("a token that could be valid: the invocation fails (500, never a cached deny), logged without secrets", async () => {
    // Prepare
    setSecretStages(sm, { current: serviceError() });
    const { handler, logs, lines } = harness();
    const token = hs();

    // Act
    const outcome = handler(httpAuthorizerEvent(`Bearer ${token}`));

    // Assess: a Lambda error, not `{isAuthorized:false}` (which API Gateway would cache for the TTL).
    await expect(outcome).rejects.toMatchObject({
      name: "KeySourceUnavailableError",
      message: KEY_SOURCE_DOWN_MESSAGE,
    });
    await expect(outcome).rejects.not.toHaveProperty("cause");
    expect(logs()).toEqual([
      expect.objectContaining({
        level: "error",
        decision: "deny",
        reason: "KEY_SOURCE_UNAVAILABLE",
        detail: expect.stringContaining("InternalServiceError"),
      }),
    ]);
    expect(lines.join("")).not.toContain(token);
    expect(lines.join("")).not.toContain(HS256_SECRET);
  });

  test.each<[string, () => string, string]>([
    ["expired", () => hs({ exp: Math.floor(Date.now() / 1000) - 3600 }), "TOKEN_EXPIRED"],
    ["another issuer", () => hs({ iss: "https://evil.example" }), "ISSUER_MISMATCH"],
    ["another audience", () => hs({ aud: "other-api" }), "AUDIENCE_MISMATCH"],
    [
      "no usable customer id",
      () => hs({ sub: { id: 1 }, customer_id: undefined }),
      "IDENTITY_CLAIM_INVALID",
    ],
    ["garbled", () => "not.a.jwt", "TOKEN_MALFORMED"],
    ["alg none", () => `${b64({ alg: "none" })}.${b64(claims())}.`, "ALG_NOT_ALLOWED"],
  ])(
    "a token that is %s is still a plain deny (it is wrong whatever the key says)",
    async (_name, token, reason) => {
      setSecretStages(sm, { current: serviceError() });
      const { handler, logs } = harness();

      const result = await handler(httpAuthorizerEvent(`Bearer ${token()}`));

      expect(result).toEqual({ isAuthorized: false });
      expect(logs()).toEqual([expect.objectContaining({ decision: "deny", reason })]);
    },
  );

  test("recovers by itself: the same token is allowed once Secrets Manager answers again", async () => {
    setSecretStages(sm, { current: serviceError() });
    let t = 1_000_000;
    const authorizer = createAuthorizer(readSettings(authorizerEnv("secret")), {
      now: () => t,
    });
    const handler = createHandler({
      getAuthorizer: () => authorizer,
      logger: createDecisionLogger(() => undefined),
    });
    const token = hs({ iat: 1000, exp: 4_000 });

    await expect(handler(httpAuthorizerEvent(`Bearer ${token}`))).rejects.toThrow(
      KEY_SOURCE_DOWN_MESSAGE,
    );
    setSecretStages(sm, { current: HS256_SECRET });
    t += 1_001; // past the first backoff step (DEFAULT_BACKOFF.minMs)

    expect(await handler(httpAuthorizerEvent(`Bearer ${token}`))).toMatchObject({
      isAuthorized: true,
    });
  });
});

describe("decision logs", () => {
  test("one JSON line per decision, with the documented fields", async () => {
    const { handler, lines, logs } = harness();

    await handler(httpAuthorizerEvent(`Bearer ${hs()}`));
    await handler(httpAuthorizerEvent("Bearer nope"));

    expect(lines.every((l) => l.endsWith("\n") && l.indexOf("\n") === l.length - 1)).toBe(true);
    expect(logs()).toEqual([
      {
        level: "info",
        message: "authorizer decision",
        decision: "allow",
        reason: "ok",
        customerId: "cust-42",
        requestId: "ZhNHJhhLjoEEPiw=",
        route: "POST /lambda",
        latencyMs: expect.any(Number),
      },
      {
        level: "info",
        message: "authorizer decision",
        decision: "deny",
        reason: "TOKEN_MALFORMED",
        requestId: "ZhNHJhhLjoEEPiw=",
        route: "POST /lambda",
        latencyMs: expect.any(Number),
      },
    ]);
  });

  test.each<[string, () => string]>([
    ["valid", () => hs()],
    ["expired", () => hs({ exp: 1 })],
    ["wrong key", () => hs({}, HS256_SECRET_WRONG)],
    ["bad identity", () => hs({ customer_id: "a\nb" })],
  ])("never contain the token or any of its segments (%s)", async (_name, mint) => {
    const { handler, lines } = harness();
    const token = mint();

    await handler(httpAuthorizerEvent(`Bearer ${token}`));

    const output = lines.join("");
    expect(output).not.toContain(token);
    for (const segment of token.split(".")) expect(output).not.toContain(segment);
    expect(output).not.toContain(HS256_SECRET);
  });
});

describe("the deployed `handler` export", () => {
  // One module instance: the handler memoizes its authorizer, so these tests run in order.
  let restoreEnv: () => void = () => undefined;
  afterEach(() => restoreEnv());

  test("a broken environment surfaces as a ConfigurationError (API Gateway 500), loudly", async () => {
    restoreEnv = setAuthorizerEnv(authorizerEnv("secret", { ISSUER: undefined }));

    await expect(handler(httpAuthorizerEvent(`Bearer ${hs()}`))).rejects.toMatchObject({
      name: "ConfigurationError",
      message: expect.stringContaining("ISSUER"),
    });
  });

  test("builds itself from process.env and writes one log line per decision to stdout", async () => {
    // Prepare
    restoreEnv = setAuthorizerEnv(authorizerEnv("secret"));
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const token = hs();

    // Act
    const results = [
      await handler(httpAuthorizerEvent(`Bearer ${token}`)),
      await handler(httpAuthorizerEvent("Bearer x.y.z")),
    ];
    const writtenBeforeTick = written.length;
    // Lines are written after the answer, batched, in the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    spy.mockRestore();

    // Assess
    expect(results).toEqual([
      { isAuthorized: true, context: { customerId: "cust-42", customerName: "Acme Corp" } },
      { isAuthorized: false },
    ]);
    expect(writtenBeforeTick).toBe(0);
    const lines = written
      .join("")
      .split("\n")
      .filter((l) => l !== "");
    expect(lines.map((l) => (JSON.parse(l) as { decision: string }).decision)).toEqual([
      "allow",
      "deny",
    ]);
    expect(written.join("")).not.toContain(token.split(".")[2]);
    expect(written.join("")).not.toContain(token.split(".")[1]);
  });
});

describe("property: arbitrary Authorization headers", () => {
  const { handler: fresh } = harness();
  const valid = hs();

  test("never throw and never authorize", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: "binary" }),
          fc.string().map((s) => `Bearer ${s}`),
          fc
            .tuple(fc.base64String(), fc.base64String(), fc.base64String())
            .map(([a, b, c]) => `Bearer ${a}.${b}.${c}`),
          // A valid token with one character changed: must never verify.
          fc
            .tuple(fc.nat(valid.length - 1), fc.constantFrom(..."AaZz09-_.+/= "))
            .filter(([i, ch]) => valid[i] !== ch)
            .map(([i, ch]) => `Bearer ${valid.slice(0, i)}${ch}${valid.slice(i + 1)}`),
        ),
        async (header) => {
          const result = await fresh(httpAuthorizerEvent(header));
          expect(result).toEqual({ isAuthorized: false });
        },
      ),
      { numRuns: 500 },
    );
  });
});
