/**
 * The echo backend with real HTTP API 2.0 and REST proxy events: it reports the identity headers
 * and authorizer context it received, and never echoes credentials.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";
import { handler, type EchoBody } from "../../functions/echo-backend";
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
