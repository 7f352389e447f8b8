/**
 * The echo backend with real HTTP API 2.0 and REST proxy events: it reports the identity headers
 * and authorizer context it received, and never echoes credentials.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";
import { corsFromEnv, handler, type EchoBody } from "../../functions/echo-backend";
import { loadEvent } from "../helpers/events";
import { HS256_SECRET } from "../helpers/keys";
import { claims, signWithJsonwebtoken } from "../helpers/tokens";

const token = signWithJsonwebtoken(claims(), { alg: "HS256", secret: HS256_SECRET });

async function call(event: APIGatewayProxyEvent | APIGatewayProxyEventV2) {
  const result = await handler(event);
  return { result, body: JSON.parse(result.body ?? "") as EchoBody };
}

function v2Event(): APIGatewayProxyEventV2 {
  const event = loadEvent<APIGatewayProxyEventV2>(
    "aws-lambda-go__apigw-v2-request-lambda-authorizer",
  );
  event.headers = {
    ...event.headers,
    authorization: `Bearer ${token}`,
    cookie: "session=abc",
    "x-customer-id": "cust-42",
    "X-Customer-Name": "Acme Corp",
    "x-plan": "pro",
  };
  (event.requestContext as unknown as { authorizer: unknown }).authorizer = {
    lambda: { customerId: "cust-42", customerName: "Acme Corp" },
  };
  return event;
}

function v1Event(): APIGatewayProxyEvent {
  const event = loadEvent<APIGatewayProxyEvent>(
    "awsdocs__set-up-lambda-proxy-integrations__rest-proxy-event",
  );
  event.headers = {
    ...event.headers,
    Authorization: token,
    "X-Customer-ID": "cust-7",
    "x-customer-name": "Globex",
  };
  event.requestContext.authorizer = {
    principalId: "cust-7",
    customerId: "cust-7",
    integrationLatency: 0,
  };
  return event;
}

test("HTTP API 2.0: identity, headers, authorizer context, method, path and query", async () => {
  // Act
  const { result, body } = await call(v2Event());

  // Assess
  expect(result.statusCode).toBe(200);
  expect(result.headers).toMatchObject({ "content-type": "application/json" });
  expect(body).toEqual({
    message: expect.any(String),
    identity: { customerId: "cust-42", customerName: "Acme Corp" },
    identitySource: "headers",
    headers: {
      header1: "value1",
      header2: "value2",
      "x-customer-id": "cust-42",
      "x-customer-name": "Acme Corp",
      "x-plan": "pro",
    },
    authorizer: { lambda: { customerId: "cust-42", customerName: "Acme Corp" } },
    method: "GET",
    path: "/my/path",
    query: { parameter1: "value1,value2", parameter2: "value" },
  });
});

test("REST (v1) Lambda proxy: identity from the authorizer context, client X-Customer-* dropped", async () => {
  // Prepare: no mapping runs for AWS_PROXY, so these headers are the client's own (forged) ones.
  const event = v1Event();
  event.headers["X-Customer-ID"] = "someone-else";
  event.headers["x-customer-name"] = "Forged Inc";
  event.headers["X-Customer-Plan"] = "enterprise";

  // Act
  const { result, body } = await call(event);

  // Assess
  expect(result.body).not.toMatch(/someone-else|Forged Inc|enterprise/);
  expect(body).toMatchObject({
    identity: { customerId: "cust-7", customerName: "cust-7" },
    identitySource: "authorizer-context",
    authorizer: { principalId: "cust-7", customerId: "cust-7", integrationLatency: 0 },
    method: "GET",
    path: "/my/path",
    query: { parameter1: "value1", parameter2: "value" },
  });
});

test("REST (v1) public method (no authorizer): no identity, client X-Customer-* dropped", async () => {
  // Prepare: a method with authorization NONE (a public route) has no authorizer context at all.
  const event = v1Event();
  delete (event.requestContext as { authorizer?: unknown }).authorizer;
  event.headers["X-Customer-ID"] = "someone-else";

  // Act
  const { result, body } = await call(event);

  // Assess
  expect(result.body).not.toMatch(/someone-else|Globex/);
  expect(body.identity).toEqual({ customerId: null, customerName: null });
  expect(body.identitySource).toBeNull();
});

test("no identity headers → null identity, never 'undefined'", async () => {
  const event = loadEvent<APIGatewayProxyEventV2>("aws-lambda-go__apigw-v2-request-no-authorizer");

  const { body } = await call(event);

  expect(body.identity).toEqual({ customerId: null, customerName: null });
  expect(body.identitySource).toBeNull();
  expect(body.authorizer).toBeNull();
});

test.each([
  ["HTTP API 2.0", v2Event],
  ["REST", v1Event],
])("%s: never echoes the Authorization header, cookies or any token", async (_name, make) => {
  // Prepare: the token also hides in another header, the query string and the context.
  const event = make() as APIGatewayProxyEvent & APIGatewayProxyEventV2;
  event.headers["x-forwarded-token"] = `Bearer ${token}`;
  event.queryStringParameters = { access_token: "opaque-secret", q: token };

  // Act
  const { result, body } = await call(event);

  // Assess
  expect(result.body).not.toContain(token.split(".")[1]);
  expect(result.body).not.toContain("opaque-secret");
  expect(result.body).not.toContain("session=abc");
  expect(Object.keys(body.headers)).not.toContain("authorization");
  expect(Object.keys(body.headers)).not.toContain("cookie");
  expect(body.headers["x-forwarded-token"]).toBe("Bearer [redacted]");
});

describe("CORS headers (rest-token: a proxy integration's response is the backend's to decorate)", () => {
  const APP = "https://app.example.com";
  const ADMIN = "https://admin.example.com";

  /** The handler as loaded at a cold start with `env` in the function's environment. */
  async function coldStart(env: Record<string, string>): Promise<typeof handler> {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      let loaded: typeof handler | undefined;
      await jest.isolateModulesAsync(async () => {
        loaded = (await import("../../functions/echo-backend")).handler;
      });
      return loaded!;
    } finally {
      process.env = saved;
    }
  }

  function restEvent(origin?: string, name = "Origin"): APIGatewayProxyEvent {
    const event = v1Event();
    if (origin !== undefined) event.headers[name] = origin;
    return event;
  }

  const env = (origins: string[]) => ({
    CORS_ALLOW_ORIGINS: JSON.stringify(origins),
    CORS_ALLOW_HEADERS: JSON.stringify(["authorization", "content-type"]),
    CORS_ALLOW_METHODS: JSON.stringify(["GET", "POST"]),
  });

  test("without a CORS environment: no CORS headers (the HTTP modes, where API Gateway adds them)", async () => {
    const result = await handler(restEvent(APP));

    expect(
      Object.keys(result.headers ?? {}).filter((h) => /^access-control-|^vary$/i.test(h)),
    ).toEqual([]);
  });

  test("one origin: that origin, with the allowed headers and methods", async () => {
    const result = await (await coldStart(env([APP])))(restEvent(APP));

    expect(result.headers).toMatchObject({
      "access-control-allow-origin": APP,
      "access-control-allow-headers": "authorization,content-type",
      "access-control-allow-methods": "GET,POST",
    });
    expect(result.headers).not.toHaveProperty("vary");
  });

  test("'*' in the list: Access-Control-Allow-Origin *", async () => {
    const result = await (await coldStart(env([APP, "*"])))(restEvent("https://anyone.example"));

    expect(result.headers).toMatchObject({ "access-control-allow-origin": "*" });
  });

  test.each([
    ["Origin", ADMIN],
    ["origin", APP],
  ])(
    "several origins: a listed Origin (header %s) is reflected, with Vary: Origin",
    async (name, origin) => {
      const result = await (await coldStart(env([APP, ADMIN])))(restEvent(origin, name));

      expect(result.headers).toMatchObject({
        "access-control-allow-origin": origin,
        vary: "Origin",
      });
    },
  );

  test.each([["https://evil.example"], [`${APP}.evil.example`], [undefined]])(
    "several origins: %s gets no Access-Control-Allow-Origin, still Vary: Origin",
    async (origin) => {
      const result = await (await coldStart(env([APP, ADMIN])))(restEvent(origin));

      expect(result.headers).not.toHaveProperty("access-control-allow-origin");
      expect(result.headers).not.toHaveProperty("access-control-allow-headers");
      expect(result.headers).toMatchObject({ vary: "Origin" });
    },
  );

  test("a malformed CORS variable fails the cold start naming it", () => {
    expect(() => corsFromEnv({ CORS_ALLOW_ORIGINS: "https://app.example.com" })).toThrow(
      "CORS_ALLOW_ORIGINS must be a JSON array of strings",
    );
    expect(() =>
      corsFromEnv({ CORS_ALLOW_ORIGINS: '["https://a"]', CORS_ALLOW_METHODS: "[1]" }),
    ).toThrow("CORS_ALLOW_METHODS");
  });
});
