/**
 * The BUILT http-authorizer bundle (what Lambda and the local gateway run): it loads with only the
 * AWS SDK external, allows and denies real tokens, stays small and does not ship jsonwebtoken.
 */
import { readFileSync, statSync } from "node:fs";
import { authorizerEnv } from "../helpers/env";
import { httpAuthorizerEvent } from "../helpers/events";
import {
  HTTP_AUTHORIZER_BUNDLE,
  loadBuiltHttpAuthorizer,
  type BuiltHttpHandler,
} from "../helpers/http-bundle";
import { HS256_SECRET, HS256_SECRET_WRONG } from "../helpers/keys";
import { useFakeSecretsManager, setSecretStages } from "../helpers/secrets-manager";
import { claims, craftToken, signWithJsonwebtoken } from "../helpers/tokens";

const BUNDLE = HTTP_AUTHORIZER_BUNDLE;

const sm = useFakeSecretsManager();
let restoreEnv: () => void = () => undefined;
let handler: BuiltHttpHandler;

beforeAll(() => {
  setSecretStages(sm, { current: HS256_SECRET });
  ({ handler, restoreEnv } = loadBuiltHttpAuthorizer(authorizerEnv("secret")));
});

afterAll(() => {
  restoreEnv();
});

test("allows a valid token and returns the identity context", async () => {
  const token = signWithJsonwebtoken(claims(), { alg: "HS256", secret: HS256_SECRET });

  const result = await handler(httpAuthorizerEvent(`Bearer ${token}`));

  expect(result).toEqual({
    isAuthorized: true,
    context: { customerId: "cust-42", customerName: "Acme Corp" },
  });
});

test.each([
  ["wrong key", () => signWithJsonwebtoken(claims(), { alg: "HS256", secret: HS256_SECRET_WRONG })],
  [
    "expired",
    () => signWithJsonwebtoken(claims({ exp: 1000 }), { alg: "HS256", secret: HS256_SECRET }),
  ],
  ["garbage", () => "not-a-token"],
])("denies a %s token", async (_name, mint) => {
  const result = await handler(httpAuthorizerEvent(`Bearer ${mint()}`));

  expect(result).toEqual({ isAuthorized: false });
});

/** A valid claims set as JSON text with `from` replaced by `to` (numbers no JS value holds, …). */
const rawClaims = (from: string, to: string) => JSON.stringify(claims()).replace(from, to);
const hs256 = (payload: unknown) =>
  craftToken({ alg: "HS256", typ: "JWT" }, payload, { hmacKey: HS256_SECRET });

test.each([
  // Beyond 2^53 the id would round to 9007199254740992: another customer's X-Customer-ID.
  [
    "a customer id beyond 2^53",
    () => hs256(rawClaims('"cust-42"', "9007199254740993")),
    "IDENTITY_CLAIM_INVALID",
  ],
  // 0xFF is not UTF-8 (the JSON text is ASCII apart from it, so latin1 writes that one byte).
  [
    "a payload that is not UTF-8",
    () => hs256(Buffer.from(rawClaims("cust-42", "cust-\u00ff"), "latin1")),
    "TOKEN_MALFORMED",
  ],
  [
    "a customer id holding U+202E",
    () => hs256(claims({ customer_id: "cust-\u202e24" })),
    "IDENTITY_CLAIM_INVALID",
  ],
  [
    "a customer id holding U+200B",
    () => hs256(claims({ customer_id: "cust-42\u200b" })),
    "IDENTITY_CLAIM_INVALID",
  ],
])("denies %s, logging the reason", async (_name, mint, reason) => {
  // Prepare: the bundle batches its decision lines into one stdout write after the tick.
  const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);

  try {
    // Act
    const result = await handler(httpAuthorizerEvent(`Bearer ${mint()}`));
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(result).toEqual({ isAuthorized: false });
    const logged = write.mock.calls.map((c) => String(c[0])).join("");
    expect(logged).toContain(`"reason":"${reason}"`);
  } finally {
    write.mockRestore();
  }
});

test("is under 100 KB and does not bundle jsonwebtoken or jose", () => {
  const source = readFileSync(BUNDLE, "utf8");

  expect(statSync(BUNDLE).size).toBeLessThan(100 * 1024);
  expect(source).not.toMatch(/jsonwebtoken|jws\/lib|panva/);
  // Nothing from the AWS SDK's clients is required at load time (cold start): Secrets Manager is
  // reached by the bundle's own small client.
  expect(source).not.toMatch(/@aws-sdk\//);
});
