import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { WorkerLambdaRuntime } from "../../local/lambda-runtime";
import type { LambdaRef } from "../../local/model";
import { SecretsEndpoint } from "../../local/secrets-endpoint";

const dir = mkdtempSync(join(tmpdir(), "lambda-runtime-"));
function bundle(name: string, code: string): string {
  const path = join(dir, `${name}.js`);
  writeFileSync(path, code);
  return path;
}
const fn = (
  name: string,
  code: string,
  environment: Record<string, string> = {},
  timeoutMs = 3000,
): LambdaRef => ({
  name,
  bundlePath: bundle(name, code),
  environment,
  timeoutMs,
});

const SDK = JSON.stringify(require.resolve("@aws-sdk/client-secrets-manager"));

describe("WorkerLambdaRuntime", () => {
  const lines: string[] = [];
  const runtime = new WorkerLambdaRuntime({ log: (name, line) => lines.push(`${name}: ${line}`) });
  afterAll(() => runtime.close());

  it("runs a handler with its own environment and a Lambda context, warm between invocations", async () => {
    const code = `let n = 0;
      exports.handler = async (event, context) => ({
        n: ++n, greeting: process.env.GREETING ?? null, other: process.env.OTHER ?? null, event,
        requestId: context.awsRequestId, functionName: context.functionName,
        remaining: context.getRemainingTimeInMillis(), region: process.env.AWS_REGION,
      });`;
    const a = fn("fn-a", code, { GREETING: "hello" });
    const b = fn("fn-b", code, { OTHER: "x" });
    const first = await runtime.invoke(a, { x: 1 }, { requestId: "req-1" });
    expect(first).toEqual({
      ok: true,
      result: expect.objectContaining({
        n: 1,
        greeting: "hello",
        other: null,
        event: { x: 1 },
        requestId: "req-1",
        functionName: "fn-a",
        region: "us-east-1",
      }),
    });
    expect((first as { result: { remaining: number } }).result.remaining).toBeGreaterThan(2000);
    expect(await runtime.invoke(a, {})).toMatchObject({ ok: true, result: { n: 2 } });
    expect(await runtime.invoke(b, {})).toMatchObject({
      ok: true,
      result: { n: 1, greeting: null, other: "x" },
    });
    expect(runtime.count("fn-a")).toBe(2);
    expect(runtime.coldStarts("fn-a")).toBe(1);
  });

  it("reports thrown errors, rejections and callback errors as { ok: false }", async () => {
    const thrower = fn(
      "thrower",
      `exports.handler = async () => { throw new Error("Unauthorized"); };`,
    );
    expect(await runtime.invoke(thrower, {})).toEqual({
      ok: false,
      errorMessage: "Unauthorized",
      errorType: "Error",
    });
    const cb = fn(
      "cb",
      `exports.handler = (event, context, callback) => { setTimeout(() => callback("Unauthorized"), 5); };`,
    );
    expect(await runtime.invoke(cb, {})).toMatchObject({ ok: false, errorMessage: "Unauthorized" });
    const cbOk = fn(
      "cb-ok",
      `exports.handler = (event, context, callback) => callback(null, { fine: true });`,
    );
    expect(await runtime.invoke(cbOk, {})).toEqual({ ok: true, result: { fine: true } });
    const broken = fn("broken", `throw new Error("cannot load");`);
    expect(await runtime.invoke(broken, {})).toMatchObject({
      ok: false,
      errorType: "Runtime.ImportModuleError",
    });
  });

  it("stops a handler at the function's timeout, then starts a fresh environment", async () => {
    const slow = fn(
      "slow",
      `let n = 0; exports.handler = async (e) => { n++; if (e.hang) await new Promise(() => setInterval(() => {}, 1000)); return n; };`,
      {},
      300,
    );
    const started = Date.now();
    expect(await runtime.invoke(slow, { hang: true })).toMatchObject({
      ok: false,
      errorType: "Sandbox.Timedout",
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await runtime.invoke(slow, {})).toEqual({ ok: true, result: 1 });
    expect(runtime.coldStarts("slow")).toBe(2);
  });

  it("passes console output to the log sink", async () => {
    const loud = fn(
      "loud",
      `exports.handler = async () => { console.log("hi there"); return 1; };`,
    );
    await runtime.invoke(loud, {});
    await new Promise((r) => setTimeout(r, 50));
    expect(lines).toContain("loud: hi there");
  });

  it("points the AWS SDK at the local Secrets Manager endpoint through the environment only", async () => {
    const endpoint = await SecretsEndpoint.start();
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf";
    endpoint.putSecret(arn, "value-from-endpoint");
    const rt = new WorkerLambdaRuntime({
      baseEnvironment: { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url },
      log: () => undefined,
    });
    try {
      const reader = fn(
        "reader",
        `const { SecretsManagerClient, GetSecretValueCommand } = require(${SDK});
         const client = new SecretsManagerClient({});
         exports.handler = async () => (await client.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ID }))).SecretString;`,
        { SECRET_ID: arn },
      );
      expect(await rt.invoke(reader, {})).toEqual({ ok: true, result: "value-from-endpoint" });
      expect(endpoint.getSecretValueCount(arn)).toBe(1);
    } finally {
      await rt.close();
      await endpoint.close();
    }
  });
});
