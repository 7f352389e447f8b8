import fc from "fast-check";
import {
  buildPolicy,
  MAX_RESOURCE_ARN_LENGTH,
  MethodArnError,
  PolicyContextError,
  stageWildcardResource,
} from "../../functions/rest-authorizer/policy";
import { roleSettings } from "../../functions/rest-authorizer/settings";
import { ConfigurationError } from "../../functions/commons/errors";

const PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9";

describe("stageWildcardResource", () => {
  test.each([
    ["POST", "/lambda-token"],
    ["GET", "/"],
    ["DELETE", "/pets/42"],
    ["PUT", "/a/b/c/d/e"],
    ["OPTIONS", "/items/urn:x:1"],
    ["PATCH", "/with%20space/and?query"],
    ["ANY", "/"],
    ["*", "/*"],
  ])("%s %s on stage prod → the prod stage wildcard", (verb, path) => {
    // Prepare
    const methodArn = `${PREFIX}/prod/${verb}${path}`;

    // Act
    const resource = stageWildcardResource(methodArn);

    // Assess
    expect(resource).toBe(`${PREFIX}/prod/*/*`);
  });

  test.each([
    [
      "stage with _ and -",
      "arn:aws:execute-api:us-east-1:111122223333:abc123/dev_2-x/GET/",
      "dev_2-x",
    ],
    ["console test stage *", "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/", "*"],
    [
      "$default-like stage",
      "arn:aws:execute-api:us-east-1:111122223333:abc123/$default/GET/x",
      "$default",
    ],
  ])("%s keeps the stage", (_name, methodArn, stage) => {
    // Act
    const resource = stageWildcardResource(methodArn);

    // Assess
    expect(resource).toBe(`${methodArn.split("/")[0]}/${stage}/*/*`);
  });

  test.each([
    ["aws-cn", "arn:aws-cn:execute-api:cn-north-1:123456789012:abc/prod/GET/x"],
    ["aws-us-gov", "arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:abc/prod/GET/x"],
  ])("keeps the %s partition", (partition, methodArn) => {
    expect(stageWildcardResource(methodArn)).toBe(
      `arn:${partition}:execute-api:${methodArn.split(":")[3]}:123456789012:abc/prod/*/*`,
    );
  });

  test.each([
    ["undefined", undefined],
    ["a number", 42],
    ["empty", ""],
    ["not an ARN", "hello"],
    ["another service", "arn:aws:lambda:us-east-1:123456789012:function:f"],
    ["no stage", "arn:aws:execute-api:us-east-1:123456789012:abc"],
    ["no verb", "arn:aws:execute-api:us-east-1:123456789012:abc/prod"],
    ["empty stage", "arn:aws:execute-api:us-east-1:123456789012:abc//GET/"],
    ["bad account", "arn:aws:execute-api:us-east-1:1234:abc/prod/GET/"],
    ["bad api id", "arn:aws:execute-api:us-east-1:123456789012:a-b/prod/GET/"],
    ["newline", "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/\nx"],
    ["NUL in stage", "arn:aws:execute-api:us-east-1:123456789012:abc/pr\u0000od/GET/"],
    ["space in stage", "arn:aws:execute-api:us-east-1:123456789012:abc/pr od/GET/"],
  ])("malformed methodArn (%s) → MethodArnError", (_name, methodArn) => {
    // Act + Assess
    expect(() => stageWildcardResource(methodArn)).toThrow(MethodArnError);
  });

  test("a Resource over 512 characters is refused", () => {
    // Prepare: a stage long enough that the wildcard Resource exceeds the limit.
    const stage = "s".repeat(MAX_RESOURCE_ARN_LENGTH);
    const methodArn = `${PREFIX}/${stage}/GET/`;

    // Act + Assess
    expect(() => stageWildcardResource(methodArn)).toThrow(MethodArnError);
  });

  test("a long path does not count: only the stage Resource must fit", () => {
    // Prepare: methodArn up to API Gateway's 1600-byte limit.
    const methodArn = `${PREFIX}/prod/GET/${"p/".repeat(700)}`;

    // Act
    const resource = stageWildcardResource(methodArn);

    // Assess
    expect(resource).toBe(`${PREFIX}/prod/*/*`);
    expect(resource.length).toBeLessThanOrEqual(MAX_RESOURCE_ARN_LENGTH);
  });

  test("property: never throws anything but MethodArnError, and any result is a stage wildcard", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (suffix) => {
        for (const arn of [suffix, `${PREFIX}/${suffix}`, `${PREFIX}/prod/${suffix}`]) {
          try {
            const r = stageWildcardResource(arn);
            expect(r).toMatch(
              /^arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9\/[^/]+\/\*\/\*$/,
            );
            expect(r.length).toBeLessThanOrEqual(MAX_RESOURCE_ARN_LENGTH);
          } catch (e) {
            expect(e).toBeInstanceOf(MethodArnError);
          }
        }
      }),
    );
  });
});

describe("buildPolicy", () => {
  const resource = `${PREFIX}/prod/*/*`;

  test.each(["Allow", "Deny"] as const)("%s: one execute-api:Invoke statement", (effect) => {
    // Act
    const result = buildPolicy("user-1", effect, resource, { customerId: "c1", n: 1, b: true });

    // Assess
    expect(result).toEqual({
      principalId: "user-1",
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
      },
      context: { customerId: "c1", n: 1, b: true },
    });
  });

  test("no context when none is given", () => {
    expect(buildPolicy("u", "Deny", resource)).not.toHaveProperty("context");
  });

  test.each([
    ["an object", { a: 1 }],
    ["an array", ["admin"]],
    ["null", null],
    ["undefined", undefined],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a bigint", BigInt(1)],
  ])("a context value that is %s is refused", (_name, value) => {
    // Prepare
    const context = { ok: "x", bad: value } as unknown as Record<string, string>;

    // Act + Assess
    expect(() => buildPolicy("u", "Allow", resource, context)).toThrow(PolicyContextError);
  });
});

describe("roleSettings", () => {
  test("defaults: metadata.role, [admin]", () => {
    expect(roleSettings({})).toEqual({ roleClaim: "metadata.role", requiredRoles: ["admin"] });
  });

  test("explicit values are kept", () => {
    expect(roleSettings({ roleClaim: "realm_access.roles", requiredRoles: ["a", "b"] })).toEqual({
      roleClaim: "realm_access.roles",
      requiredRoles: ["a", "b"],
    });
  });

  test.each([
    ["a bad claim path", { roleClaim: "metadata..role" }],
    ["a claim path with a space", { roleClaim: "meta data" }],
    ["no roles", { requiredRoles: [] }],
    ["an empty role", { requiredRoles: ["admin", ""] }],
  ])("%s → ConfigurationError", (_name, settings) => {
    expect(() => roleSettings(settings)).toThrow(ConfigurationError);
  });
});

describe("stageWildcardResource memo (per apiId/stage prefix)", () => {
  const PREFIX_ARN = "arn:aws:execute-api:eu-west-1:123456789012:memoApi1/prod";

  test("a remembered prefix still checks the rest of each methodArn", () => {
    // Prepare: the prefix is remembered after one valid methodArn.
    const resource = stageWildcardResource(`${PREFIX_ARN}/GET/items/1`);
    expect(resource).toBe(`${PREFIX_ARN}/*/*`);

    // Act + Assess: the same answer for another method and path, refusals for a bad rest.
    expect(stageWildcardResource(`${PREFIX_ARN}/POST/other/path`)).toBe(resource);
    expect(stageWildcardResource(`${PREFIX_ARN}/GET`)).toBe(resource);
    for (const rest of ["", "/", "//x", "/GE T/x", "/GET/a\u0000b", "/GET/a\u2028b", "/\u007f"]) {
      expect(() => stageWildcardResource(`${PREFIX_ARN}${rest}`)).toThrow(MethodArnError);
    }
  });
});
