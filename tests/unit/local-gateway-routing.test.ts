/**
 * Pure parts of the local gateway: route selection, stage prefixes, IAM policy evaluation,
 * mapping validation, claim stringification.
 */
import { selectRoute, stripStage } from "../../local/gateway/routing";
import { evaluatePolicy, MalformedPolicyError } from "../../local/gateway/policy";
import { isReservedHeader, validateHttpRequestParameters } from "../../local/gateway/mapping";
import { stringifyClaim } from "../../local/gateway/expressions";
import type { ApiModel, RouteModel } from "../../local/model";

const mock = { kind: "mock", statusCode: 200, requestParameters: {} } as const;
const route = (method: string, path: string): RouteModel => ({
  method,
  path,
  authorization: "NONE",
  integration: mock,
});

describe("selectRoute", () => {
  const routes = [
    route("ANY", "/{proxy+}"),
    route("GET", "/items/{id}"),
    route("ANY", "/items/{id}"),
    route("GET", "/items/special"),
    route("GET", "/"),
    route("ANY", "/admin/{proxy+}"),
  ];

  test.each([
    ["GET", "/items/special", "GET /items/special", {}],
    ["GET", "/items/42", "GET /items/{id}", { id: "42" }],
    ["DELETE", "/items/42", "ANY /items/{id}", { id: "42" }],
    ["GET", "/", "GET /", {}],
    ["GET", "/a/b/c", "ANY /{proxy+}", { proxy: "a/b/c" }],
    ["POST", "/admin/x/y", "ANY /admin/{proxy+}", { proxy: "x/y" }],
    ["GET", "/items/a%20b", "GET /items/{id}", { id: "a b" }],
    ["GET", "/items/42/", "GET /items/{id}", { id: "42" }],
  ])("%s %s → %s", (method, path, key, params) => {
    const m = selectRoute(routes, method, path);
    expect(m?.routeKey).toBe(key);
    expect(m?.pathParameters).toEqual(params);
  });

  test("a greedy variable needs at least one segment; nothing matches → undefined", () => {
    expect(selectRoute([route("ANY", "/{proxy+}")], "GET", "/")).toBeUndefined();
    expect(selectRoute([route("GET", "/a")], "POST", "/a")).toBeUndefined();
  });

  test("$default catches what nothing else matches", () => {
    const m = selectRoute([route("GET", "/a"), route("ANY", "$default")], "POST", "/zzz");
    expect(m?.routeKey).toBe("$default");
  });
});

describe("stripStage", () => {
  const model = (type: "http" | "rest", stageName: string) => ({ type, stageName }) as ApiModel;
  test("$default HTTP stage has no prefix", () => {
    expect(stripStage(model("http", "$default"), "/items")).toBe("/items");
  });
  test("named stages are served under /{stage}", () => {
    expect(stripStage(model("http", "dev"), "/dev/items")).toBe("/items");
    expect(stripStage(model("rest", "prod"), "/prod")).toBe("/");
    expect(stripStage(model("rest", "prod"), "/items")).toBeUndefined();
    expect(stripStage(model("rest", "prod"), "/production/x")).toBeUndefined();
  });
});

describe("evaluatePolicy", () => {
  const arn = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/items/1";
  const st = (Effect: string, Resource: unknown, Action: unknown = "execute-api:Invoke") => ({
    Effect,
    Action,
    Resource,
  });
  const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });

  test("exact Allow, stage wildcard Allow, ? wildcard", () => {
    expect(evaluatePolicy(doc(st("Allow", arn)), arn)).toBe("allow");
    expect(
      evaluatePolicy(
        doc(st("Allow", "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/*/*")),
        arn,
      ),
    ).toBe("allow");
    expect(evaluatePolicy(doc(st("Allow", arn.replace("items/1", "items/?"))), arn)).toBe("allow");
  });

  test("Allow for another method → implicit deny", () => {
    expect(evaluatePolicy(doc(st("Allow", arn.replace("/GET/", "/POST/"))), arn)).toBe(
      "implicit-deny",
    );
  });

  test("explicit Deny wins over Allow, whatever the order", () => {
    expect(evaluatePolicy(doc(st("Allow", "*"), st("Deny", arn)), arn)).toBe("explicit-deny");
    expect(evaluatePolicy(doc(st("Deny", [arn]), st("Allow", "*")), arn)).toBe("explicit-deny");
  });

  test("Statement as an object; Action execute-api:* and *; other actions ignored", () => {
    expect(evaluatePolicy({ Statement: st("Allow", arn, "execute-api:*") }, arn)).toBe("allow");
    expect(evaluatePolicy({ Statement: st("Allow", arn, ["*"]) }, arn)).toBe("allow");
    expect(evaluatePolicy({ Statement: st("Allow", arn, "s3:GetObject") }, arn)).toBe(
      "implicit-deny",
    );
  });

  test("malformed documents throw", () => {
    expect(() => evaluatePolicy({}, arn)).toThrow(MalformedPolicyError);
    expect(() => evaluatePolicy("nope", arn)).toThrow(MalformedPolicyError);
    expect(() => evaluatePolicy(doc(st("Maybe", arn)), arn)).toThrow(MalformedPolicyError);
    expect(() => evaluatePolicy(doc(st("Allow", 42)), arn)).toThrow(MalformedPolicyError);
  });
});

describe("HTTP API mapping validation", () => {
  test.each([
    "Authorization",
    "x-amz-date",
    "X-Amzn-Trace-Id",
    "Access-Control-Allow-Origin",
    "Via",
    "apigw-x",
  ])("%s is reserved", (h) => expect(isReservedHeader(h)).toBe(true));
  test("X-Customer-ID is not reserved", () =>
    expect(isReservedHeader("X-Customer-ID")).toBe(false));
  test("a reserved header is refused, naming it", () => {
    expect(() =>
      validateHttpRequestParameters({ "overwrite:header.Authorization": "x" }, "route r"),
    ).toThrow(/header "Authorization" is reserved/);
  });
  test("an unknown action is refused, naming the key", () => {
    expect(() => validateHttpRequestParameters({ "replace:header.X": "x" }, "route r")).toThrow(
      /"replace:header.X"/,
    );
  });
});

describe("stringifyClaim", () => {
  test.each([
    ["abc", "abc"],
    [1718722804, "1718722804"],
    [true, "true"],
    [["a", "b", "c"], "[a b c]"],
    [{ b: 1, a: "x" }, "map[a:x b:1]"],
  ])("%j → %s", (v, s) => expect(stringifyClaim(v)).toBe(s));
});
