/**
 * The local gateway serving an HTTP API with a Lambda REQUEST authorizer (payload 2.0, simple
 * responses) over real HTTP on 127.0.0.1, with plain JS functions as Lambdas.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createGateway } from "../../local/gateway";
import type {
  ApiModel,
  IntegrationModel,
  LambdaRequestAuthorizerModel,
  RouteModel,
} from "../../local/model";
import {
  type Fn,
  fakeInvoker,
  fixture,
  gatewayStarter,
  keys,
  lambda,
  send,
} from "./local-gateway-helpers";

// ---- helpers -------------------------------------------------------------------------------

const echoBackend: Fn = (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    customerId: (event.headers as Record<string, string>)["x-customer-id"] ?? null,
    event,
  }),
});

const authorizerModel = (ttl = 300): LambdaRequestAuthorizerModel => ({
  kind: "lambda-request",
  id: "auth1",
  name: "request-authorizer",
  identitySources: ["$request.header.Authorization"],
  resultTtlSeconds: ttl,
  payloadFormatVersion: "2.0",
  simpleResponses: true,
  function: lambda("authorizer"),
});

const proxy = (
  requestParameters: Record<string, string> = {},
  fn = "backend",
): IntegrationModel => ({
  kind: "lambda-proxy",
  function: lambda(fn),
  payloadFormatVersion: "2.0",
  requestParameters,
});

const OVERWRITE = {
  "overwrite:header.X-Customer-ID": "$context.authorizer.customerId",
  "overwrite:header.X-Customer-Name": "${context.authorizer.customerName}",
};

function httpModel(routes: RouteModel[], extra: Partial<ApiModel> = {}): ApiModel {
  return {
    type: "http",
    apiId: "abc123",
    region: "eu-west-1",
    accountId: "123456789012",
    stageName: "$default",
    routes,
    authorizers: [authorizerModel()],
    gatewayResponses: [],
    ...extra,
  };
}

const authed = (method: string, p: string, integration = proxy(OVERWRITE)): RouteModel => ({
  method,
  path: p,
  authorization: "CUSTOM",
  authorizerId: "auth1",
  integration,
});

/** An authorizer: token "good-<id>[.<anything>]" → allowed with customerId <id>; "deny" → false. */
const authorizerFn: Fn = (event) => {
  const token = String((event.identitySource as string[])[0]).replace(/^Bearer /, "");
  if (token === "boom") throw new Error("kaboom");
  if (token === "weird") return { isAuthorized: "yes" };
  if (token === "deny") return { isAuthorized: false };
  const id = token.replace(/^good-/, "").split(".")[0];
  return { isAuthorized: true, context: { customerId: id, customerName: `Name ${id}`, tier: 2 } };
};

const start = gatewayStarter({ authorizer: authorizerFn, backend: echoBackend });

// ---- tests ---------------------------------------------------------------------------------

describe("HTTP API Lambda REQUEST authorizer", () => {
  test("allowed: the backend gets X-Customer-ID from the authorizer context", async () => {
    // Prepare
    const gw = await start(httpModel([authed("ANY", "/{proxy+}")]));
    // Act
    const res = await send(gw.url, "GET", "/orders/7?x=1", { Authorization: "Bearer good-c42" });
    // Assess
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.customerId).toBe("c42");
    expect(body.event.headers["x-customer-name"]).toBe("Name c42");
    expect(body.event.requestContext.authorizer).toEqual({
      lambda: { customerId: "c42", customerName: "Name c42", tier: 2 },
    });
    expect(res.headers["apigw-requestid"]).toBeDefined();
  });

  test("missing or empty identity source → 401 without invoking the authorizer", async () => {
    const gw = await start(httpModel([authed("ANY", "/{proxy+}")]));
    const missing = await send(gw.url, "GET", "/a");
    const empty = await send(gw.url, "GET", "/a", { Authorization: "" });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toEqual({ message: "Unauthorized" });
    expect(empty.status).toBe(401);
    expect(gw.count("authorizer")).toBe(0);
    expect(gw.count("backend")).toBe(0);
  });

  test("isAuthorized false → 403 Forbidden", async () => {
    const gw = await start(httpModel([authed("ANY", "/{proxy+}")]));
    const res = await send(gw.url, "GET", "/a", { Authorization: "deny" });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ message: "Forbidden" });
    expect(gw.count("backend")).toBe(0);
  });

  test("non-boolean isAuthorized → 500; authorizer error → 500", async () => {
    const gw = await start(httpModel([authed("ANY", "/{proxy+}")]));
    const weird = await send(gw.url, "GET", "/a", { Authorization: "weird" });
    const boom = await send(gw.url, "GET", "/a", { Authorization: "boom" });
    expect([weird.status, boom.status]).toEqual([500, 500]);
    expect(JSON.parse(boom.body)).toEqual({ message: "Internal Server Error" });
  });

  test("caching: N requests with one token invoke once, shared across routes", async () => {
    const gw = await start(httpModel([authed("GET", "/a"), authed("POST", "/b/{id}")]));
    for (let i = 0; i < 5; i++) {
      expect((await send(gw.url, "GET", "/a", { Authorization: "good-1" })).status).toBe(200);
    }
    expect((await send(gw.url, "POST", "/b/9", { Authorization: "good-1" })).status).toBe(200);
    expect(gw.count("authorizer")).toBe(1);
    // A cached decision carries its context too.
    const res = await send(gw.url, "GET", "/a", { Authorization: "good-1" });
    expect(JSON.parse(res.body).customerId).toBe("1");
    // Another token is another cache key; denials are cached as well.
    await send(gw.url, "GET", "/a", { Authorization: "deny" });
    await send(gw.url, "GET", "/a", { Authorization: "deny" });
    expect(gw.count("authorizer")).toBe(2);
  });

  test("TTL 0: every request invokes the authorizer", async () => {
    const gw = await start(httpModel([authed("GET", "/a")], { authorizers: [authorizerModel(0)] }));
    await send(gw.url, "GET", "/a", { Authorization: "good-1" });
    await send(gw.url, "GET", "/a", { Authorization: "good-1" });
    expect(gw.count("authorizer")).toBe(2);
  });

  test("the authorizer event has the payload 2.0 shape of the fixture", async () => {
    const gw = await start(httpModel([authed("POST", "/lambda")]));
    await send(gw.url, "POST", "/lambda", { Authorization: "Bearer good-1" });
    const event = gw.calls.authorizer[0];
    const ref = fixture("powertools-ts__apigw-http__authorizer-request.json");
    expect(keys(event)).toEqual(keys(ref));
    expect(keys(event.requestContext)).toEqual(keys(ref.requestContext));
    expect(keys((event.requestContext as Record<string, unknown>).http)).toEqual(
      keys((ref.requestContext as Record<string, unknown>).http),
    );
    expect(event.identitySource).toEqual(["Bearer good-1"]);
    expect(event.routeArn).toBe(
      "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/POST/lambda",
    );
    expect(event.routeKey).toBe("POST /lambda");
  });

  test("the proxy event has the 2.0 shape of the fixture; headers lower-cased and joined", async () => {
    const gw = await start(httpModel([authed("POST", "/lambda")]));
    await send(gw.url, "POST", "/lambda?a=1&a=2&b=x", {
      Authorization: "Bearer good-1",
      "X-Multi": ["one", "two"],
      Cookie: "c1=v1; c2=v2",
    });
    const event = gw.calls.backend[0];
    const ref = fixture("powertools-ts__apigw-http__lambda-authorizer-auth.json");
    const expected = [...keys(ref), "cookies", "queryStringParameters"].sort();
    expect(keys(event)).toEqual(expected);
    expect(keys(event.requestContext)).toEqual(keys(ref.requestContext));
    const headers = event.headers as Record<string, string>;
    expect(headers["x-multi"]).toBe("one,two");
    expect(headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(["c1=v1", "c2=v2"]);
    expect(event.queryStringParameters).toEqual({ a: "1,2", b: "x" });
    expect(event.rawQueryString).toBe("a=1&a=2&b=x");
  });
});

describe("HTTP API Lambda authorizer with IAM policy responses (simpleResponses false)", () => {
  const policyAuthorizer: Fn = (event) => {
    const token = String((event.identitySource as string[])[0]);
    const Effect = token === "deny" ? "Deny" : "Allow";
    return {
      principalId: "p1",
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Action: "execute-api:Invoke", Effect, Resource: event.routeArn }],
      },
      context: { customerId: "c1" },
    };
  };

  test("Allow on the routeArn → 200; Deny → 403; the cached policy is re-evaluated per route", async () => {
    const gw = await start(
      httpModel([authed("GET", "/a"), authed("GET", "/b")], {
        authorizers: [{ ...authorizerModel(), simpleResponses: false }],
      }),
      { authorizer: policyAuthorizer },
    );
    const a = await send(gw.url, "GET", "/a", { Authorization: "t1" });
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body).customerId).toBe("c1");
    expect((await send(gw.url, "GET", "/b", { Authorization: "t1" })).status).toBe(403);
    expect(gw.count("authorizer")).toBe(1);
    expect((await send(gw.url, "GET", "/a", { Authorization: "deny" })).status).toBe(403);
  });
});

describe("HTTP API parameter mapping", () => {
  test("overwrite: REPLACES a client-sent X-Customer-ID", async () => {
    const gw = await start(httpModel([authed("GET", "/a")]));
    const res = await send(gw.url, "GET", "/a", {
      Authorization: "good-real",
      "X-Customer-ID": "forged",
    });
    expect(JSON.parse(res.body).customerId).toBe("real");
  });

  test("append: KEEPS the client-sent value (the known hole, reproduced)", async () => {
    const gw = await start(
      httpModel([
        authed(
          "GET",
          "/a",
          proxy({ "append:header.X-Customer-ID": "$context.authorizer.customerId" }),
        ),
      ]),
    );
    const res = await send(gw.url, "GET", "/a", {
      Authorization: "good-real",
      "X-Customer-ID": "forged",
    });
    expect(JSON.parse(res.body).customerId).toBe("forged,real");
  });

  test("a mapped value that resolves to empty drops the header, client value included", async () => {
    const gw = await start(
      httpModel([
        authed(
          "GET",
          "/a",
          proxy({ "overwrite:header.X-Customer-ID": "$context.authorizer.nope" }),
        ),
      ]),
    );
    const res = await send(gw.url, "GET", "/a", {
      Authorization: "good-1",
      "X-Customer-ID": "forged",
    });
    expect(JSON.parse(res.body).customerId).toBeNull();
  });

  test("remove:, querystring, static and request values", async () => {
    const gw = await start(
      httpModel([
        authed(
          "GET",
          "/a/{id}",
          proxy({
            "remove:header.X-Remove-Me": "''",
            "overwrite:header.X-Static": "static-value",
            "overwrite:header.X-Combined": "${request.path.id}-${context.authorizer.customerId}",
            "overwrite:header.X-Request-Id": "$context.requestId",
            "append:querystring.tenant": "$context.authorizer.customerId",
          }),
        ),
      ]),
    );
    const res = await send(gw.url, "GET", "/a/77?tenant=t0", {
      Authorization: "good-9",
      "X-Remove-Me": "x",
    });
    const event = JSON.parse(res.body).event;
    expect(event.headers["x-remove-me"]).toBeUndefined();
    expect(event.headers["x-static"]).toBe("static-value");
    expect(event.headers["x-combined"]).toBe("77-9");
    expect(event.headers["x-request-id"]).toBe(event.requestContext.requestId);
    expect(event.queryStringParameters).toEqual({ tenant: "t0,9" });
  });

  test("mapping a reserved header is refused at construction, naming the header", () => {
    const model = httpModel([
      authed("GET", "/a", proxy({ "overwrite:header.Authorization": "$context.authorizer.x" })),
    ]);
    expect(() => createGateway(model, { invoker: fakeInvoker({}).invoker })).toThrow(
      /"Authorization" is reserved/,
    );
  });
});

describe("HTTP API CORS", () => {
  const cors = {
    allowOrigins: ["https://app.example"],
    allowMethods: ["GET", "POST"],
    allowHeaders: ["authorization", "content-type"],
    exposeHeaders: ["x-request-id"],
    maxAge: 600,
  };
  const preflight = {
    Origin: "https://app.example",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization",
  };

  test("a preflight matching an OPTIONS route without authorization is answered 204 without the authorizer", async () => {
    const gw = await start(
      httpModel(
        [
          authed("ANY", "/{proxy+}"),
          { method: "OPTIONS", path: "/{proxy+}", authorization: "NONE", integration: proxy() },
        ],
        { cors },
      ),
    );
    const res = await send(gw.url, "OPTIONS", "/orders", preflight);
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(res.headers["access-control-allow-methods"]).toBe("GET,POST");
    expect(res.headers["access-control-max-age"]).toBe("600");
    expect(gw.count("authorizer")).toBe(0);
    expect(gw.count("backend")).toBe(0);
  });

  test("a preflight matching no route is answered 204 too", async () => {
    const gw = await start(httpModel([authed("GET", "/only")], { cors }));
    expect((await send(gw.url, "OPTIONS", "/elsewhere", preflight)).status).toBe(204);
  });

  test("a preflight hitting an authorized ANY route goes to the authorizer (the ANY-route pitfall)", async () => {
    const gw = await start(httpModel([authed("ANY", "/{proxy+}")], { cors }));
    const res = await send(gw.url, "OPTIONS", "/orders", preflight);
    expect(res.status).toBe(401);
  });

  test("actual responses carry the CORS headers for an allowed origin only", async () => {
    const gw = await start(httpModel([authed("GET", "/a")], { cors }));
    const ok = await send(gw.url, "GET", "/a", {
      Authorization: "good-1",
      Origin: "https://app.example",
    });
    expect(ok.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(ok.headers["access-control-expose-headers"]).toBe("x-request-id");
    const other = await send(gw.url, "GET", "/a", {
      Authorization: "good-1",
      Origin: "https://evil.example",
    });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("HTTP API routing, integrations and limits", () => {
  test("no route → 404 Not Found; a named stage prefixes the path", async () => {
    const gw = await start(httpModel([authed("GET", "/a")], { stageName: "dev" }));
    expect((await send(gw.url, "GET", "/a")).status).toBe(404);
    expect(JSON.parse((await send(gw.url, "GET", "/dev/zzz")).body)).toEqual({
      message: "Not Found",
    });
    const ok = await send(gw.url, "GET", "/dev/a", { Authorization: "good-1" });
    expect(ok.status).toBe(200);
    const event = JSON.parse(ok.body).event;
    expect(event.rawPath).toBe("/dev/a");
    expect(event.requestContext.stage).toBe("dev");
    expect(gw.calls.authorizer[0].routeArn).toBe(
      "arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/GET/a",
    );
  });

  test("a bare JSON value from a 2.0 Lambda → 200 JSON; a function error → 500", async () => {
    const gw = await start(
      httpModel([
        {
          method: "GET",
          path: "/bare",
          authorization: "NONE",
          integration: proxy({}, "bare"),
        },
        {
          method: "GET",
          path: "/fail",
          authorization: "NONE",
          integration: proxy({}, "fail"),
        },
      ]),
      {
        bare: () => ({ hello: "world" }),
        fail: () => {
          throw new Error("backend broke");
        },
      },
    );
    const bare = await send(gw.url, "GET", "/bare");
    expect(bare.status).toBe(200);
    expect(bare.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(bare.body)).toEqual({ hello: "world" });
    const fail = await send(gw.url, "GET", "/fail");
    expect(fail.status).toBe(500);
    expect(JSON.parse(fail.body)).toEqual({ message: "Internal Server Error" });
  });

  test("status, headers, cookies and base64 bodies from a 2.0 Lambda response", async () => {
    const gw = await start(
      httpModel([
        {
          method: "GET",
          path: "/r",
          authorization: "NONE",
          integration: proxy({}, "r"),
        },
      ]),
      {
        r: () => ({
          statusCode: 201,
          headers: { "content-type": "text/plain", "x-n": 5 },
          cookies: ["a=1", "b=2"],
          body: Buffer.from("binary!").toString("base64"),
          isBase64Encoded: true,
        }),
      },
    );
    const res = await send(gw.url, "GET", "/r");
    expect(res.status).toBe(201);
    expect(res.body).toBe("binary!");
    expect(res.headers["x-n"]).toBe("5");
    expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
  });

  test("http-proxy forwards path, query and mapped headers, drops hop-by-hop and forged identity", async () => {
    let seen: { url?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    const backend = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen = { url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() };
        res.writeHead(202, { "x-backend": "yes", "content-type": "text/plain" });
        res.end("streamed");
      });
    });
    await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
    const port = (backend.address() as AddressInfo).port;
    try {
      const gw = await start(
        httpModel([
          authed("ANY", "/{proxy+}", {
            kind: "http-proxy",
            uri: `http://127.0.0.1:${port}/base/{proxy}`,
            method: "ANY",
            requestParameters: OVERWRITE,
          }),
        ]),
      );
      const res = await send(
        gw.url,
        "POST",
        "/x/y?q=1",
        {
          Authorization: "good-5",
          "X-Customer-ID": "forged",
          "Keep-Alive": "timeout=5",
          "Content-Type": "text/plain",
        },
        "payload",
      );
      expect(res.status).toBe(202);
      expect(res.body).toBe("streamed");
      expect(res.headers["x-backend"]).toBe("yes");
      expect(seen.url).toBe("/base/x/y?q=1");
      expect(seen.headers?.["x-customer-id"]).toBe("5");
      expect(seen.headers?.["keep-alive"]).toBeUndefined();
      expect(seen.body).toBe("payload");
    } finally {
      await new Promise((r) => backend.close(r));
    }
  });

  test("http-proxy to an unreachable backend → 503", async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const gw = await start(
      httpModel([
        {
          method: "GET",
          path: "/down",
          authorization: "NONE",
          integration: {
            kind: "http-proxy",
            uri: `http://127.0.0.1:${port}/`,
            method: "GET",
            requestParameters: {},
          },
        },
      ]),
    );
    const res = await send(gw.url, "GET", "/down");
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ message: "Service Unavailable" });
  });

  test("headers over 10240 bytes → 431; body over 10 MB → 413", async () => {
    const gw = await start(httpModel([authed("ANY", "/{proxy+}")]));
    const big = await send(gw.url, "GET", "/a", { "X-Big": "x".repeat(11_000) });
    expect(big.status).toBe(431);
    const huge = await send(
      gw.url,
      "POST",
      "/a",
      { Authorization: "good-1" },
      Buffer.alloc(10 * 1024 * 1024 + 1),
    );
    expect(huge.status).toBe(413);
    expect(gw.count("authorizer")).toBe(0);
  });

  test("the access log has one JSON line per request and never the token", async () => {
    const gw = await start(httpModel([authed("GET", "/a")]));
    const secret = "good-cust7.SECRET-TOKEN";
    await send(gw.url, "GET", `/a?token=${secret}`, { Authorization: `Bearer ${secret}` });
    await send(gw.url, "GET", "/a", { Authorization: "deny" });
    await send(gw.url, "GET", "/a");
    expect(gw.lines).toHaveLength(3);
    for (const line of gw.lines) expect(line).not.toContain("SECRET");
    const first = JSON.parse(gw.lines[0]);
    expect(first).toMatchObject({
      routeKey: "GET /a",
      status: 200,
      authorizerStatus: 200,
      customerId: "cust7",
    });
    expect(JSON.parse(gw.lines[1])).toMatchObject({ status: 403, authorizerStatus: 403 });
    expect(JSON.parse(gw.lines[2])).toMatchObject({ status: 401, authorizerStatus: 401 });
    expect(typeof first.integrationLatency).toBe("number");
    expect(typeof first.requestId).toBe("string");
  });
});
