/**
 * Lambda allows 4 KB for all of a function's environment variables together; the route table and
 * the issuer list travel to the authorizer in its environment, so a large table must stop
 * `pulumi preview` (here: the program under the mock runtime) instead of failing CreateFunction
 * at `pulumi up` after the API and the secret exist.
 */
import { mocks, settle } from "./mocks";

jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());

import {
  LAMBDA_ENVIRONMENT_MAX_BYTES,
  checkEnvironmentSize,
} from "../../infra/components/authorizer-function";
import { parseConfig } from "../../infra/config";
import { createGateway } from "../../infra/program";

const BASE = {
  verifyWith: "jwks",
  issuer: "https://auth.example.com",
  audiences: JSON.stringify(["api"]),
};

/** `n` distinct route lines of about 45 bytes each, all valid, one rule (so REST keeps its one stage-wide policy). */
const table = (n: number) =>
  JSON.stringify([
    ...Array.from({ length: n }, (_, i) => `GET /orders/region-${i}/items/{proxy+} authenticated`),
    "ANY /{proxy+} authenticated",
  ]);

beforeEach(() => mocks.reset());

test.each(["http-lambda", "rest-token"] as const)(
  "%s: a route table that would overflow the authorizer's environment stops the program, naming routes",
  async (mode) => {
    // Prepare: valid at preview as far as the table's own rules go.
    const config = parseConfig({
      stackName: "dev",
      values: { authMode: mode, ...BASE, routes: table(120) },
    });

    // Act + Assess
    expect(() => createGateway(config)).toThrow(
      /^identity-gateway:routes: the authorizer's environment would be \d+ bytes, and Lambda allows 4096/,
    );
    await settle();
  },
);

test("a table that fits deploys (the check does not refuse ordinary tables)", async () => {
  const config = parseConfig({
    stackName: "dev",
    values: { authMode: "http-lambda", ...BASE, routes: table(20) },
  });
  expect(() => createGateway(config)).not.toThrow();
  await settle();
  const fn = mocks
    .all()
    .find((r) => r.type === "aws:lambda/function:Function" && r.name.includes("authz"));
  const vars = fn?.inputs.environment.variables as Record<string, string>;
  const bytes = Object.entries(vars).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
    0,
  );
  expect(bytes).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_MAX_BYTES);
});

test("checkEnvironmentSize counts names and values as UTF-8, and an unknown value at its longest", () => {
  const justFits = { A: "x".repeat(LAMBDA_ENVIRONMENT_MAX_BYTES - 1) };
  expect(() => checkEnvironmentSize(justFits)).not.toThrow();
  expect(() => checkEnvironmentSize({ A: `${"x".repeat(4094)}é` })).toThrow(/4097 bytes/);
  // A secret ARN the stack has not created yet is not a string at preview.
  const unknown = { SECRET_ID: Promise.resolve("arn") as unknown as string, B: "x".repeat(3500) };
  expect(() => checkEnvironmentSize(unknown)).toThrow(/identity-gateway:/);
});
