/**
 * The BUILT http-authorizer bundle (what Lambda and the local gateway run): it loads with only the
 * AWS SDK external, allows and denies real tokens, stays small and does not ship jsonwebtoken.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { authorizerEnv, setAuthorizerEnv } from "../helpers/env";
import { httpAuthorizerEvent } from "../helpers/events";
import { HS256_SECRET, HS256_SECRET_WRONG } from "../helpers/keys";
import { useFakeSecretsManager, setSecretStages } from "../helpers/secrets-manager";
import { claims, signWithJsonwebtoken } from "../helpers/tokens";

const ROOT = join(__dirname, "..", "..");
const BUNDLE = join(ROOT, "dist", "functions", "http-authorizer", "index.js");

type Handler = (event: unknown) => Promise<{ isAuthorized: boolean; context?: unknown }>;

const sm = useFakeSecretsManager();
let restoreEnv: () => void = () => undefined;
let handler: Handler;

beforeAll(() => {
  if (!existsSync(BUNDLE)) {
    execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs")], { cwd: ROOT });
  }
  restoreEnv = setAuthorizerEnv(authorizerEnv("secret"));
  setSecretStages(sm, { current: HS256_SECRET });
  // The bundle's Secrets Manager client reads the fake endpoint from process.env at its first call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = (require(BUNDLE) as { handler: Handler }).handler;
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

test("is under 100 KB and does not bundle jsonwebtoken or jose", () => {
  const source = readFileSync(BUNDLE, "utf8");

  expect(statSync(BUNDLE).size).toBeLessThan(100 * 1024);
  expect(source).not.toMatch(/jsonwebtoken|jws\/lib|panva/);
  // Nothing from the AWS SDK's clients is required at load time (cold start): Secrets Manager is
  // reached by the bundle's own small client.
  expect(source).not.toMatch(/@aws-sdk\//);
});
