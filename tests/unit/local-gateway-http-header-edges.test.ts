/**
 * "Correct on real AWS" (HTTP modes), over real HTTP through the local gateway to a real HTTP
 * backend (the --backend-url shape):
 * - the underscore spelling of an identity header (`X_Customer_ID`) never reaches the backend;
 * - a client's `Connection` header never strips the mapped identity headers;
 * - a CORS preflight on an `OPTIONS` route without a target is not answered (404), while the
 *   documented shape (authorization NONE, with an integration) is.
 * The integration mappings come from the infra code itself (identityRequestParameters,
 * removalRequestParameters), so the test covers what the program deploys.
 */
import type { IdentityConfig } from "../../infra/config";
import {
  identityRequestParameters,
  removalRequestParameters,
} from "../../infra/components/http-api";
import type { ApiModel, IntegrationModel, RouteModel } from "../../local/model";
import { type Fn, gatewayStarter, lambda, recordingBackend, send } from "./local-gateway-helpers";

const IDENTITY: IdentityConfig = {
  customerIdHeader: "X-Customer-ID",
  customerNameHeader: "X-Customer-Name",
  customerIdClaims: ["sub"],
  customerNameClaims: ["name"],
  claimHeaders: [],
  claimQueryParams: [],
};
const MAPPING = identityRequestParameters(IDENTITY, (f) => `$context.authorizer.${f.contextKey}`);

const authorizerFn: Fn = (event) => {
  const token = String((event.identitySource as string[])[0]);
  if (!token.startsWith("good-")) return { isAuthorized: false };
  const id = token.slice("good-".length);
  return { isAuthorized: true, context: { customerId: id, customerName: `Name ${id}` } };
};
const start = gatewayStarter({ authorizer: authorizerFn, backend: () => ({ statusCode: 200 }) });

const backend = recordingBackend();
const seen = backend.seen;

const toBackend = (requestParameters: Record<string, string>): IntegrationModel => ({
  kind: "http-proxy",
  uri: backend.url,
  method: "ANY",
  requestParameters: { ...requestParameters, "overwrite:path": "$request.path" },
});
const authed = (p: string): RouteModel => ({
  method: "ANY",
  path: p,
  authorization: "CUSTOM",
  authorizerId: "auth1",
  integration: toBackend(MAPPING),
});
function model(routes: RouteModel[], extra: Partial<ApiModel> = {}): ApiModel {
  return {
    type: "http",
    apiId: "abc123",
    region: "eu-west-1",
    accountId: "123456789012",
    stageName: "$default",
    routes,
    authorizers: [
      {
        kind: "lambda-request",
        id: "auth1",
        name: "request-authorizer",
        identitySources: ["$request.header.Authorization"],
        resultTtlSeconds: 0,
        payloadFormatVersion: "2.0",
        simpleResponses: true,
        function: lambda("authorizer"),
      },
    ],
    gatewayResponses: [],
    ...extra,
  };
}

describe("identity headers on the way to an HTTP backend", () => {
  test("a client's X_Customer_ID / X_Customer_Name never reach the backend", async () => {
    const gw = await start(model([authed("/{proxy+}")]));
    const res = await send(gw.url, "GET", "/orders", {
      Authorization: "good-alice",
      X_Customer_ID: "victim",
      X_Customer_Name: "Victim",
    });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]["x-customer-id"]).toBe("alice");
    expect(seen[0]["x_customer_id"]).toBeUndefined();
    expect(seen[0]["x_customer_name"]).toBeUndefined();
  });

  test("Connection naming the identity headers does not strip them (nor let a variant through)", async () => {
    const gw = await start(model([authed("/{proxy+}")]));
    const res = await send(gw.url, "GET", "/orders", {
      Authorization: "good-alice",
      Connection: "close, X-Customer-ID, X-Customer-Name",
      X_Customer_ID: "victim",
    });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]["x-customer-id"]).toBe("alice");
    expect(seen[0]["x-customer-name"]).toBe("Name alice");
    expect(seen[0]["x_customer_id"]).toBeUndefined();
  });

  test("Connection still drops the client's own hop-by-hop headers", async () => {
    const gw = await start(model([authed("/{proxy+}")]));
    await send(gw.url, "GET", "/orders", {
      Authorization: "good-alice",
      Connection: "close, X-Hop",
      "X-Hop": "1",
    });
    expect(seen[0]["x-hop"]).toBeUndefined();
    expect(seen[0]["x-customer-id"]).toBe("alice");
  });
});

describe("CORS preflight routes (http-api-cors.html)", () => {
  const cors = {
    allowOrigins: ["https://app.example"],
    allowMethods: ["GET", "POST"],
    allowHeaders: ["authorization"],
    exposeHeaders: [],
  };
  const preflight = { Origin: "https://app.example", "Access-Control-Request-Method": "POST" };
  /** `ANY /{proxy+}` through the authorizer, plus `OPTIONS /{proxy+}` without one, to `integration`. */
  const withOptionsRoute = (integration: RouteModel["integration"]) =>
    start(
      model(
        [
          authed("/{proxy+}"),
          { method: "OPTIONS", path: "/{proxy+}", authorization: "NONE", integration },
        ],
        { cors },
      ),
    );

  test("OPTIONS route with authorization NONE and an integration: answered 204, backend not called", async () => {
    const gw = await withOptionsRoute(toBackend(removalRequestParameters(MAPPING)));
    const res = await send(gw.url, "OPTIONS", "/orders", preflight);
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(gw.count("authorizer")).toBe(0);
    expect(seen).toHaveLength(0);
  });

  test("OPTIONS route without a target (the runner's 404 stand-in): the preflight gets 404", async () => {
    const gw = await withOptionsRoute({
      kind: "mock",
      requestParameters: {},
      statusCode: 404,
      responseBody: '{"message":"Not Found"}',
    });
    const res = await send(gw.url, "OPTIONS", "/orders", preflight);
    expect(res.status).toBe(404);
    expect(res.headers["access-control-allow-methods"]).toBeUndefined();
  });

  test("a plain OPTIONS (not a preflight) through the preflight integration carries no identity", async () => {
    const gw = await withOptionsRoute(toBackend(removalRequestParameters(MAPPING)));
    const res = await send(gw.url, "OPTIONS", "/orders", {
      "X-Customer-ID": "victim",
      X_Customer_ID: "victim",
    });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]["x-customer-id"]).toBeUndefined();
    expect(seen[0]["x_customer_id"]).toBeUndefined();
  });
});
