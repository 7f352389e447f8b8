/**
 * The runner builds the model from the Pulumi program itself: what the program declares is what
 * the local gateway serves.
 */
import { existsSync } from "node:fs";

import { runProgram } from "../../local/runner";
import { readStackConfig } from "../../local/stack-config";
import { ROOT } from "../../local/server";

/** A stack-stored HS256 secret of the strength config requires (32 bytes or more). */
const LOCAL_SECRET = "local-secret-0123456789abcdef-0123456789";

const base = (): Record<string, string> => {
  const config = { ...readStackConfig(ROOT, "dev").config };
  config["identity-gateway:issuer"] = "http://127.0.0.1:9";
  return config;
};

describe("runProgram", () => {
  it("http-lambda: REQUEST authorizer with the deployed bundle and env, overwrite: mappings", async () => {
    const run = await runProgram({
      stack: "dev",
      config: { ...base(), "identity-gateway:claimHeaders": '["X-Customer-Plan=plan"]' },
      parseOptions: { allowLoopbackHttpIssuer: true },
    });
    const { model } = run;
    expect(model.type).toBe("http");
    expect(model.stageName).toBe("dev");
    const [authorizer] = model.authorizers;
    expect(authorizer).toMatchObject({
      kind: "lambda-request",
      identitySources: ["$request.header.Authorization"],
      simpleResponses: true,
      payloadFormatVersion: "2.0",
    });
    if (authorizer.kind !== "lambda-request") throw new Error("unreachable");
    expect(authorizer.function.bundlePath).toMatch(/dist\/functions\/http-authorizer\/index\.js$/);
    expect(existsSync(authorizer.function.bundlePath)).toBe(true);
    expect(authorizer.function.environment).toMatchObject({
      VERIFY_WITH: "jwks",
      ISSUER: "http://127.0.0.1:9",
      CONTEXT_CLAIMS: JSON.stringify({ plan: "plan" }),
    });
    const proxy = model.routes.find((r) => r.path === "/{proxy+}");
    expect(proxy).toMatchObject({
      method: "ANY",
      authorization: "CUSTOM",
      authorizerId: authorizer.id,
    });
    expect(proxy?.integration.requestParameters).toEqual({
      "overwrite:header.X-Customer-ID": "$context.authorizer.customerId",
      "overwrite:header.X-Customer-Name": "$context.authorizer.customerName",
      "overwrite:header.X-Customer-Plan": "$context.authorizer.plan",
      "remove:header.X_Customer_ID": "",
      "remove:header.X_Customer_Name": "",
      "remove:header.X_Customer_Plan": "",
    });
    expect(run.outputs.authMode).toBe("http-lambda");
  });

  it("refuses a loopback http issuer unless the local allowance is given (pulumi up stays strict)", async () => {
    await expect(runProgram({ stack: "dev", config: base() })).rejects.toThrow(/https/);
  });

  it("rest-token: TOKEN authorizer (TTL, validation expression), gateway responses, secret from SecretVersion", async () => {
    const run = await runProgram({
      stack: "dev",
      config: {
        ...base(),
        "identity-gateway:authMode": "rest-token",
        "identity-gateway:verifyWith": "secret",
        "identity-gateway:jwtSecret": LOCAL_SECRET,
      },
      secretKeys: ["identity-gateway:jwtSecret"],
      parseOptions: { allowLoopbackHttpIssuer: true },
    });
    const { model, secrets } = run;
    expect(model.type).toBe("rest");
    expect(model.authorizers[0]).toMatchObject({
      kind: "lambda-token",
      identitySource: "method.request.header.Authorization",
      resultTtlSeconds: 300,
      validationExpression: expect.any(String),
    });
    expect(model.gatewayResponses.map((g) => g.type).sort()).toEqual([
      "ACCESS_DENIED",
      "DEFAULT_4XX",
      "DEFAULT_5XX",
      "UNAUTHORIZED",
    ]);
    expect(secrets).toEqual([
      expect.objectContaining({
        secretString: LOCAL_SECRET,
        arn: expect.stringMatching(/^arn:aws:secretsmanager:/),
      }),
    ]);
    expect(model.routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      "ANY /",
      "ANY /{proxy+}",
    ]);
  });
});
