/**
 * "Correct on real AWS" (rest-token), over real HTTP through the local gateway to a real HTTP
 * backend (the `backendUrl` shape):
 * - header names and query parameter names are case-sensitive on a REST API, so a mapping of
 *   `X-Customer-ID` alone leaves a client-sent `x-customer-id` in the request; the program maps
 *   the lower-case spelling too;
 * - CORS on a REST proxy integration is the backend's job: the gateway adds no
 *   `Access-Control-Allow-Origin` to a 200;
 * - the gateway's own answers (401, 403, DEFAULT_4XX, DEFAULT_5XX) carry the CORS headers, and a
 *   401 carries `WWW-Authenticate: Bearer`.
 * The mappings and gateway responses come from the infra code itself (restApiDefinition), so the
 * test covers what the program deploys; each "naive" case builds the shape it replaced.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { parseConfig, type RestTokenConfig } from "../../infra/config";
import { restApiDefinition } from "../../infra/modes/rest-token";
import type { ApiModel, GatewayResponseModel, RouteModel } from "../../local/model";
import { type Fn, gatewayStarter, lambda, send } from "./local-gateway-helpers";

const ORIGIN = "https://app.example.com";

function restConfig(values: Record<string, string> = {}): RestTokenConfig {
  const config = parseConfig({
    stackName: "dev",
    values: {
      authMode: "rest-token",
      verifyWith: "secret",
      issuer: "dev-issuer",
      audiences: JSON.stringify(["my-api"]),
      backendUrl: "https://backend.example.com",
      claimHeaders: JSON.stringify(["X-Customer-Plan=metadata.plan"]),
      claimQueryParams: JSON.stringify(["planId=metadata.plan"]),
      corsAllowOrigins: JSON.stringify([ORIGIN]),
      ...values,
    },
    jwtSecret: "an-hs256-secret-that-is-long-enough-0123456789",
  });
  if (config.authMode !== "rest-token") throw new Error("expected rest-token");
  return config;
}

/** Tokens: `good-<id>` (Allow on the stage), `unauth` (401), `nested` (object context → 500). */
const authorizerFn: Fn = (event) => {
  const token = String(event.authorizationToken);
  if (token === "unauth") throw new Error("Unauthorized");
  const id = token.replace(/^good-/, "");
  const policyDocument = {
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: "*" }],
  };
  if (token === "nested") return { principalId: "u", policyDocument, context: { a: { b: 1 } } };
  return {
    principalId: id,
    policyDocument,
    context: { customerId: id, customerName: `Name ${id}`, metadata_plan: `plan-${id}` },
  };
};
const start = gatewayStarter({ authorizer: authorizerFn });

interface Seen {
  rawHeaders: string[];
  url: string;
}
let backend: http.Server;
let seen: Seen[] = [];
let backendUrl = "";
/** What the test backend adds to its answers (a backend that sets CORS itself, or not). */
let backendHeaders: Record<string, string> = {};
beforeAll(async () => {
  backend = http.createServer((req, res) => {
    seen.push({ rawHeaders: req.rawHeaders, url: req.url ?? "" });
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain", ...backendHeaders });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => backend.close(r)));
beforeEach(() => {
  seen = [];
  backendHeaders = {};
});

/** Every value the backend received under any spelling of `name`, one per header line. */
function received(name: string): string[] {
  const raw = seen[0].rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() === name.toLowerCase()) out.push(raw[i + 1]);
  }
  return out;
}

/** The local model of the deployed API: its `/{proxy+}` method and gateway responses. */
function model(
  config: RestTokenConfig,
  override: { requestParameters?: Record<string, string>; gatewayResponses?: string[] } = {},
): ApiModel {
  const definition = restApiDefinition(config);
  const proxy = definition.methods.find((m) => m.resource === "proxy" && m.httpMethod === "ANY")!;
  const route: RouteModel = {
    method: "ANY",
    path: "/{proxy+}",
    authorization: "CUSTOM",
    authorizerId: "tok",
    integration: {
      kind: "http-proxy",
      uri: `${backendUrl}/{proxy}`,
      method: "ANY",
      requestParameters: override.requestParameters ?? { ...proxy.integration.requestParameters },
    },
  };
  const gatewayResponses: GatewayResponseModel[] = definition.gatewayResponses
    .filter((g) => !override.gatewayResponses || override.gatewayResponses.includes(g.responseType))
    .map((g) => ({
      type: g.responseType,
      statusCode: g.statusCode !== undefined ? Number(g.statusCode) : undefined,
      responseParameters: { ...g.responseParameters },
      responseTemplates: { ...g.responseTemplates },
    }));
  return {
    type: "rest",
    apiId: "restapi",
    region: "eu-west-1",
    accountId: "123456789012",
    stageName: "prod",
    routes: [route],
    authorizers: [
      {
        kind: "lambda-token",
        id: "tok",
        name: "token-authorizer",
        identitySource: "method.request.header.Authorization",
        resultTtlSeconds: 0,
        function: lambda("authorizer"),
      },
    ],
    gatewayResponses,
  };
}

describe("identity headers and query parameters are case-sensitive on a REST API", () => {
  const spoof = {
    Authorization: "good-alice",
    "x-customer-id": "victim",
    "x-customer-name": "Victim",
    "x-customer-plan": "enterprise",
  };

  test("NAIVE: mapping only X-Customer-ID lets a client's x-customer-id reach the backend", async () => {
    const naive = {
      "integration.request.header.X-Customer-ID": "context.authorizer.customerId",
      "integration.request.path.proxy": "method.request.path.proxy",
    };
    const gw = await start(model(restConfig(), { requestParameters: naive }));

    const res = await send(gw.url, "GET", "/prod/orders", spoof);

    expect(res.status).toBe(200);
    expect(received("X-Customer-ID")).toEqual(["victim", "alice"]);
  });

  test("the program's mapping sets both spellings from the context: no client value gets through", async () => {
    const gw = await start(model(restConfig()));

    const res = await send(gw.url, "GET", "/prod/orders", spoof);

    expect(res.status).toBe(200);
    expect(seen[0].rawHeaders.join("\n")).not.toMatch(/victim|enterprise/i);
    expect(received("X-Customer-ID")).toEqual(["alice", "alice"]);
    expect(received("X-Customer-Name")).toEqual(["Name alice", "Name alice"]);
    expect(received("X-Customer-Plan")).toEqual(["plan-alice", "plan-alice"]);
  });

  test("an exact-case client header is replaced as before", async () => {
    const gw = await start(model(restConfig()));

    await send(gw.url, "GET", "/prod/orders", {
      Authorization: "good-alice",
      "X-Customer-ID": "victim",
    });

    expect(received("X-Customer-ID")).toEqual(["alice", "alice"]);
  });

  test("query parameters: the lower-case spelling of a mapped name is set too (NAIVE shape first)", async () => {
    const naive = {
      "integration.request.querystring.planId": "context.authorizer.metadata_plan",
      "integration.request.path.proxy": "method.request.path.proxy",
    };
    const gwNaive = await start(model(restConfig(), { requestParameters: naive }));
    await send(gwNaive.url, "GET", "/prod/orders?planid=forged", { Authorization: "good-bob" });
    expect(new URL(seen[0].url, "http://x").searchParams.get("planid")).toBe("forged");

    seen = [];
    const gw = await start(model(restConfig()));
    await send(gw.url, "GET", "/prod/orders?planid=forged&planId=forged", {
      Authorization: "good-bob",
    });
    const query = new URL(seen[0].url, "http://x").searchParams;
    expect(query.getAll("planid")).toEqual(["plan-bob"]);
    expect(query.getAll("planId")).toEqual(["plan-bob"]);
  });
});

describe("REST CORS on a proxy integration: the backend sends Access-Control-Allow-Origin", () => {
  test("NAIVE backend: a 200 without Access-Control-Allow-Origin (a browser cannot read it)", async () => {
    const gw = await start(model(restConfig()));

    const res = await send(gw.url, "GET", "/prod/orders", {
      Authorization: "good-alice",
      Origin: ORIGIN,
    });

    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  test("a backend that sets it: the gateway passes it through unchanged", async () => {
    backendHeaders = { "Access-Control-Allow-Origin": ORIGIN, Vary: "Origin" };
    const gw = await start(model(restConfig()));

    const res = await send(gw.url, "GET", "/prod/orders", {
      Authorization: "good-alice",
      Origin: ORIGIN,
    });

    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(res.headers.vary).toBe("Origin");
  });
});

describe("gateway responses: CORS on every 4XX/5XX, WWW-Authenticate on 401", () => {
  test("401 carries WWW-Authenticate: Bearer and Access-Control-Allow-Origin", async () => {
    const gw = await start(model(restConfig()));

    const missing = await send(gw.url, "GET", "/prod/orders", { Origin: ORIGIN });
    const refused = await send(gw.url, "GET", "/prod/orders", {
      Authorization: "unauth",
      Origin: ORIGIN,
    });

    for (const res of [missing, refused]) {
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ message: "Unauthorized" });
      expect(res.headers["www-authenticate"]).toBe("Bearer");
      expect(res.headers["access-control-allow-origin"]).toBe(ORIGIN);
    }
  });

  test("NAIVE: an UNAUTHORIZED response without the mapping sends no WWW-Authenticate", async () => {
    const config = restConfig();
    const m = model(config);
    for (const g of m.gatewayResponses) {
      delete g.responseParameters["gatewayresponse.header.WWW-Authenticate"];
    }
    const gw = await start(m);

    const res = await send(gw.url, "GET", "/prod/orders");

    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBeUndefined();
  });

  test("a 4XX of another type (wrong stage: 403 Missing Authentication Token) carries CORS via DEFAULT_4XX", async () => {
    const gw = await start(model(restConfig()));
    const naive = await start(
      model(restConfig(), { gatewayResponses: ["UNAUTHORIZED", "ACCESS_DENIED", "DEFAULT_5XX"] }),
    );

    const res = await send(gw.url, "GET", "/staging/orders", { Origin: ORIGIN });
    const before = await send(naive.url, "GET", "/staging/orders", { Origin: ORIGIN });

    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ message: "Missing Authentication Token" });
    expect(res.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(before.status).toBe(403);
    expect(before.headers["access-control-allow-origin"]).toBeUndefined();
  });

  test("a 5XX (authorizer configuration error) carries CORS via DEFAULT_5XX", async () => {
    const gw = await start(model(restConfig()));

    const res = await send(gw.url, "GET", "/prod/orders", {
      Authorization: "nested",
      Origin: ORIGIN,
    });

    expect(res.status).toBe(500);
    expect(res.headers["access-control-allow-origin"]).toBe(ORIGIN);
  });

  test("several origins: gateway responses reflect the request's Origin, with Vary: Origin", async () => {
    const config = restConfig({
      corsAllowOrigins: JSON.stringify([ORIGIN, "https://admin.example.com"]),
    });
    const gw = await start(model(config));

    const withOrigin = await send(gw.url, "GET", "/staging/x", {
      Origin: "https://admin.example.com",
    });
    const without = await send(gw.url, "GET", "/prod/orders");

    expect(withOrigin.headers["access-control-allow-origin"]).toBe("https://admin.example.com");
    expect(withOrigin.headers.vary).toBe("Origin");
    expect(without.status).toBe(401);
    expect(without.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("HTTP API CORS: backend CORS headers are ignored", () => {
  test("a backend's Access-Control-Allow-Origin: * never reaches a caller from an origin the API does not allow", async () => {
    backendHeaders = { "Access-Control-Allow-Origin": "*" };
    const httpModel: ApiModel = {
      type: "http",
      apiId: "httpapi",
      region: "eu-west-1",
      accountId: "123456789012",
      stageName: "$default",
      routes: [
        {
          method: "ANY",
          path: "/{proxy+}",
          authorization: "NONE",
          integration: {
            kind: "http-proxy",
            uri: backendUrl,
            method: "ANY",
            requestParameters: { "overwrite:path": "$request.path" },
          },
        },
      ],
      authorizers: [],
      cors: {
        allowOrigins: [ORIGIN],
        allowMethods: ["GET"],
        allowHeaders: ["authorization"],
        exposeHeaders: [],
      },
      gatewayResponses: [],
    };
    const gw = await start(httpModel);

    const other = await send(gw.url, "GET", "/x", { Origin: "https://evil.example" });
    const allowed = await send(gw.url, "GET", "/x", { Origin: ORIGIN });

    expect(other.status).toBe(200);
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    expect(allowed.headers["access-control-allow-origin"]).toBe(ORIGIN);
  });
});
