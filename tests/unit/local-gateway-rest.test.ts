/**
 * The local gateway serving a REST API with a Lambda TOKEN authorizer returning IAM policies,
 * over real HTTP on 127.0.0.1, with plain JS functions as Lambdas.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type {
  ApiModel,
  GatewayResponseModel,
  IntegrationModel,
  LambdaProxyIntegrationModel,
  LambdaTokenAuthorizerModel,
  RouteModel,
} from "../../local/model";
import {
  type Fn,
  type Reply,
  fixture,
  gatewayStarter,
  keys,
  lambda,
  send,
} from "./local-gateway-helpers";

const ARN_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:restapi/prod";

/**
 * The TOKEN authorizer under test. Tokens: `allow-<id>` (Allow scoped to the stage),
 * `scoped-<id>` (Allow on the methodArn only — the pitfall), `deny` (explicit Deny),
 * `mixed` (Allow * and Deny methodArn), `other` (Allow on another method only), `unauth`
 * (fails with "Unauthorized"), `boom` (another error), `malformed`, `nested` (object context).
 */
const tokenAuthorizer: Fn = (event) => {
  const token = String(event.authorizationToken).replace(/^Bearer /, "");
  const methodArn = String(event.methodArn);
  const policy = (Effect: string, Resource: string | string[]) => ({
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect, Resource }],
  });
  const [kind, id] = token.split("-");
  const context = { customerId: id ?? "none", tier: 3, admin: false };
  switch (kind) {
    case "allow":
      return {
        principalId: `user-${id}`,
        policyDocument: policy("Allow", `${ARN_PREFIX}/*/*`),
        context,
      };
    case "scoped":
      return { principalId: `user-${id}`, policyDocument: policy("Allow", methodArn), context };
    case "deny":
      return { principalId: "u", policyDocument: policy("Deny", methodArn) };
    case "mixed":
      return {
        principalId: "u",
        policyDocument: {
          Statement: [
            { Action: "*", Effect: "Allow", Resource: "*" },
            { Action: "execute-api:*", Effect: "Deny", Resource: [methodArn] },
          ],
        },
      };
    case "other":
      return { principalId: "u", policyDocument: policy("Allow", `${ARN_PREFIX}/DELETE/*`) };
    case "unauth":
      throw new Error("Unauthorized");
    case "boom":
      throw new Error("jwt malformed");
    case "malformed":
      return { principalId: "u" };
    case "nested":
      return {
        principalId: "u",
        policyDocument: policy("Allow", "*"),
        context: { metadata: { role: "admin" } },
      };
    default:
      throw new Error(`unexpected token ${token}`);
  }
};

const echo: Fn = (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(event),
});

const authorizer = (ttl = 300, validationExpression?: string): LambdaTokenAuthorizerModel => ({
  kind: "lambda-token",
  id: "tok",
  name: "token-authorizer",
  identitySource: "method.request.header.Authorization",
  validationExpression,
  resultTtlSeconds: ttl,
  function: lambda("authorizer"),
});

const MAPPING = {
  "integration.request.header.X-Customer-ID": "context.authorizer.customerId",
  "integration.request.header.X-Principal": "context.authorizer.principalId",
  "integration.request.header.X-Static": "'fixed'",
};

const lambdaProxy: LambdaProxyIntegrationModel = {
  kind: "lambda-proxy",
  function: lambda("backend"),
  payloadFormatVersion: "1.0",
  requestParameters: MAPPING,
};

const method = (m: string, p: string, integration: IntegrationModel = lambdaProxy): RouteModel => ({
  method: m,
  path: p,
  authorization: "CUSTOM",
  authorizerId: "tok",
  integration,
});

function restModel(routes: RouteModel[], extra: Partial<ApiModel> = {}): ApiModel {
  return {
    type: "rest",
    apiId: "restapi",
    region: "eu-west-1",
    accountId: "123456789012",
    stageName: "prod",
    routes,
    authorizers: [authorizer()],
    gatewayResponses: [],
    ...extra,
  };
}

const DEFAULT_ROUTES = [
  method("GET", "/"),
  method("GET", "/items"),
  method("POST", "/items"),
  method("ANY", "/{proxy+}"),
];

const start = gatewayStarter({ authorizer: tokenAuthorizer, backend: echo });

const body = (r: Reply) => JSON.parse(r.body);

describe("REST TOKEN authorizer", () => {
  test("Allow → 200; the proxy event carries the STRINGIFIED context, principalId and integrationLatency", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    const res = await send(gw.url, "GET", "/prod/items?x=1&x=2", {
      Authorization: "Bearer allow-c9",
    });
    expect(res.status).toBe(200);
    expect(res.headers["x-amzn-requestid"]).toBeDefined();
    const event = body(res);
    expect(event.requestContext.authorizer).toEqual({
      customerId: "c9",
      tier: "3",
      admin: "false",
      principalId: "user-c9",
      integrationLatency: expect.any(Number),
    });
    expect(event.multiValueQueryStringParameters).toEqual({ x: ["1", "2"] });
    expect(event.queryStringParameters).toEqual({ x: "2" });
    expect(event.path).toBe("/items");
    expect(event.requestContext.path).toBe("/prod/items");
    expect(event.resource).toBe("/items");
  });

  test("event shapes match the fixtures (TOKEN event, REST proxy event)", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    await send(gw.url, "POST", "/prod/items", { Authorization: "Bearer allow-1" });
    const tokenEvent = gw.calls.authorizer[0];
    expect(keys(tokenEvent)).toEqual(
      keys(fixture("powertools-ts__apigw-rest__authorizer-token.json")),
    );
    expect(tokenEvent).toEqual({
      type: "TOKEN",
      methodArn: `${ARN_PREFIX}/POST/items`,
      authorizationToken: "Bearer allow-1",
    });
    const ref = fixture("powertools-ts__apigw-rest__lambda-authorizer-auth.json");
    const proxyEvent = gw.calls.backend[0];
    expect(keys(proxyEvent)).toEqual(keys(ref));
    expect(keys(proxyEvent.requestContext)).toEqual(keys(ref.requestContext));
    expect(keys((proxyEvent.requestContext as Record<string, unknown>).identity)).toEqual(
      keys((ref.requestContext as Record<string, unknown>).identity),
    );
  });

  test("the root methodArn ends in /", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    await send(gw.url, "GET", "/prod/", { Authorization: "allow-1" });
    expect(gw.calls.authorizer[0].methodArn).toBe(`${ARN_PREFIX}/GET/`);
  });

  test("missing token → 401 without invoking; validation expression mismatch → 401 without invoking", async () => {
    const gw = await start(
      restModel(DEFAULT_ROUTES, { authorizers: [authorizer(300, "^Bearer [-0-9a-zA-Z\\._]+$")] }),
    );
    const missing = await send(gw.url, "GET", "/prod/items");
    const mismatch = await send(gw.url, "GET", "/prod/items", { Authorization: "Basic abc" });
    expect([missing.status, mismatch.status]).toEqual([401, 401]);
    expect(body(missing)).toEqual({ message: "Unauthorized" });
    expect(missing.headers["x-amzn-errortype"]).toBe("UnauthorizedException");
    expect(gw.count("authorizer")).toBe(0);
    expect(
      (await send(gw.url, "GET", "/prod/items", { Authorization: "Bearer allow-1" })).status,
    ).toBe(200);
  });

  test('a Lambda failing with exactly "Unauthorized" → 401', async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    const res = await send(gw.url, "GET", "/prod/items", { Authorization: "unauth" });
    expect(res.status).toBe(401);
    expect(body(res)).toEqual({ message: "Unauthorized" });
  });

  test.each([
    ["any other error", "boom"],
    ["a response without policyDocument", "malformed"],
    ["an object in the context", "nested"],
  ])("%s → 500 AuthorizerConfigurationException", async (_n, token) => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    const res = await send(gw.url, "GET", "/prod/items", { Authorization: token });
    expect(res.status).toBe(500);
    expect(body(res)).toEqual({ message: null });
    expect(res.headers["x-amzn-errortype"]).toBe("AuthorizerConfigurationException");
    expect(gw.count("backend")).toBe(0);
  });

  test("explicit Deny → 403 with the explicit-deny message; Deny wins over Allow", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    for (const token of ["deny", "mixed"]) {
      const res = await send(gw.url, "GET", "/prod/items", { Authorization: token });
      expect(res.status).toBe(403);
      expect(body(res)).toEqual({
        message: "User is not authorized to access this resource with an explicit deny",
      });
    }
  });

  test("no matching Allow → 403 implicit deny", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    const res = await send(gw.url, "GET", "/prod/items", { Authorization: "other" });
    expect(res.status).toBe(403);
    expect(body(res)).toEqual({ message: "User is not authorized to access this resource" });
  });

  test("PITFALL: a cached methodArn-scoped policy denies a second method (403), one invocation", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    const first = await send(gw.url, "GET", "/prod/items", { Authorization: "scoped-1" });
    const second = await send(gw.url, "POST", "/prod/items", { Authorization: "scoped-1" });
    expect(first.status).toBe(200);
    expect(second.status).toBe(403);
    expect(body(second)).toEqual({ message: "User is not authorized to access this resource" });
    expect(gw.count("authorizer")).toBe(1);
  });

  test("a stage-wide policy (…/prod/*/*) serves every method from one cached invocation", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    const statuses = [];
    for (const [m, p] of [
      ["GET", "/prod/items"],
      ["POST", "/prod/items"],
      ["DELETE", "/prod/x/y"],
      ["GET", "/prod/"],
    ]) {
      statuses.push((await send(gw.url, m, p, { Authorization: "allow-1" })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(gw.count("authorizer")).toBe(1);
  });

  test("TTL 0: the methodArn-scoped policy works because every call is authorized afresh", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES, { authorizers: [authorizer(0)] }));
    expect((await send(gw.url, "GET", "/prod/items", { Authorization: "scoped-1" })).status).toBe(
      200,
    );
    expect((await send(gw.url, "POST", "/prod/items", { Authorization: "scoped-1" })).status).toBe(
      200,
    );
    expect(gw.count("authorizer")).toBe(2);
  });
});

describe("REST routing, gateway responses, mapping and integrations", () => {
  test("unknown resource or missing stage → 403 Missing Authentication Token", async () => {
    const gw = await start(restModel([method("GET", "/items")]));
    for (const p of ["/prod/nothing", "/items", "/"]) {
      const res = await send(gw.url, "GET", p);
      expect(res.status).toBe(403);
      expect(body(res)).toEqual({ message: "Missing Authentication Token" });
    }
  });

  test("gateway responses: a specific type wins, DEFAULT_4XX covers the rest, headers from 'static' values", async () => {
    const responses: GatewayResponseModel[] = [
      {
        type: "UNAUTHORIZED",
        statusCode: 401,
        responseParameters: { "gatewayresponse.header.WWW-Authenticate": "'Bearer realm=\"api\"'" },
        responseTemplates: {
          "application/json": '{"error":"unauthorized","detail":$context.error.messageString}',
        },
      },
      {
        type: "DEFAULT_4XX",
        responseParameters: { "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" },
        responseTemplates: {
          "application/json": '{"message":$context.error.messageString,"type":"4xx"}',
        },
      },
    ];
    const gw = await start(restModel(DEFAULT_ROUTES, { gatewayResponses: responses }));
    const unauth = await send(gw.url, "GET", "/prod/items");
    expect(unauth.status).toBe(401);
    expect(body(unauth)).toEqual({ error: "unauthorized", detail: "Unauthorized" });
    expect(unauth.headers["www-authenticate"]).toBe('Bearer realm="api"');
    const denied = await send(gw.url, "GET", "/prod/items", { Authorization: "deny" });
    expect(denied.status).toBe(403);
    expect(body(denied)).toEqual({
      message: "User is not authorized to access this resource with an explicit deny",
      type: "4xx",
    });
    expect(denied.headers["access-control-allow-origin"]).toBe("*");
  });

  test("REST mapping on an HTTP proxy replaces a client-sent X-Customer-ID with the context value", async () => {
    let seen: http.IncomingHttpHeaders = {};
    let seenUrl = "";
    const backend = http.createServer((req, res) => {
      seen = req.headers;
      seenUrl = req.url ?? "";
      res.end("ok");
    });
    await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
    const port = (backend.address() as AddressInfo).port;
    try {
      const integration: IntegrationModel = {
        kind: "http-proxy",
        uri: `http://127.0.0.1:${port}/{proxy}`,
        method: "ANY",
        requestParameters: {
          ...MAPPING,
          "integration.request.path.proxy": "method.request.path.proxy",
        },
      };
      const gw = await start(restModel([method("ANY", "/{proxy+}", integration)]));
      const res = await send(gw.url, "PUT", "/prod/a/b", {
        Authorization: "allow-real",
        "X-Customer-ID": "forged",
      });
      expect(res.status).toBe(200);
      expect(seenUrl).toBe("/a/b");
      expect(seen["x-customer-id"]).toBe("real");
      expect(seen["x-principal"]).toBe("user-real");
      expect(seen["x-static"]).toBe("fixed");
    } finally {
      await new Promise((r) => backend.close(r));
    }
  });

  test("REST Lambda proxy: the event is the METHOD request, so integration mappings do not reach event.headers", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    const res = await send(gw.url, "GET", "/prod/items", {
      Authorization: "allow-real",
      "X-Customer-ID": "forged",
    });
    const event = body(res);
    // The identity to trust is requestContext.authorizer; the header is whatever the client sent.
    expect(event.headers["X-Customer-ID"]).toBe("forged");
    expect(event.headers["X-Static"]).toBeUndefined();
    expect(event.requestContext.authorizer.customerId).toBe("real");
  });

  test("a MOCK OPTIONS method answers with its response parameters and no authorizer", async () => {
    const gw = await start(
      restModel([
        ...DEFAULT_ROUTES,
        {
          method: "OPTIONS",
          path: "/items",
          authorization: "NONE",
          integration: {
            kind: "mock",
            statusCode: 200,
            requestParameters: {},
            responseParameters: {
              "method.response.header.Access-Control-Allow-Origin": "'https://app.example'",
              "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
            },
          },
        },
      ]),
    );
    const res = await send(gw.url, "OPTIONS", "/prod/items", { Origin: "https://app.example" });
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(res.headers["access-control-allow-methods"]).toBe("GET,POST,OPTIONS");
    expect(gw.count("authorizer")).toBe(0);
  });

  test("a failing or malformed backend Lambda → 502 Internal server error", async () => {
    const gw = await start(
      restModel([
        method("GET", "/fail", { ...lambdaProxy, function: lambda("fail") }),
        method("GET", "/bad", { ...lambdaProxy, function: lambda("bad") }),
      ]),
      {
        fail: () => {
          throw new Error("nope");
        },
        bad: () => ({ body: { not: "a string" } }),
      },
    );
    for (const p of ["/prod/fail", "/prod/bad"]) {
      const res = await send(gw.url, "GET", p, { Authorization: "allow-1" });
      expect(res.status).toBe(502);
      expect(body(res)).toEqual({ message: "Internal server error" });
    }
  });

  test("access log: principalId and customerId, never the token", async () => {
    const gw = await start(restModel(DEFAULT_ROUTES));
    await send(gw.url, "GET", "/prod/items", { Authorization: "Bearer allow-c5" });
    await send(gw.url, "GET", "/prod/items", { Authorization: "deny" });
    const [ok, denied] = gw.lines.map((l) => JSON.parse(l));
    expect(ok).toMatchObject({
      status: 200,
      principalId: "user-c5",
      customerId: "c5",
      routeKey: "GET /items",
    });
    expect(denied).toMatchObject({ status: 403, authorizerStatus: 403, principalId: "u" });
    for (const l of gw.lines) expect(l).not.toMatch(/allow-c5|Bearer/);
  });
});
