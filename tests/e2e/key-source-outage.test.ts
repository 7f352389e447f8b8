/**
 * An outage of the key source must not outlive itself through API Gateway's authorizer cache
 * (issue: cached decisions). API Gateway caches an HTTP API simple response by the identity
 * source for `authorizerResultTtlInSeconds`, denials included (aws-semantics.md §2 "Caching",
 * from AWS "Working with AWS Lambda authorizers for HTTP APIs"). So:
 *
 * - the naive shape, an authorizer that answers `{isAuthorized:false}` while Secrets Manager is
 *   down, keeps a valid token denied for the whole TTL after the dependency is back (built here
 *   with a plain function, to show the gateway would catch it);
 * - the shipped http-authorizer bundle fails the invocation instead (API Gateway: 500, no
 *   decision to cache), so the same token is allowed as soon as Secrets Manager answers again,
 *   with the default 300 s TTL on.
 */
import { createGateway, type ListeningGateway } from "../../local/gateway";
import type { ApiModel } from "../../local/model";
import { startLocal, type LocalGateway } from "../../local/server";
import { fakeInvoker, lambda, send } from "../unit/local-gateway-helpers";
import { bearer, request } from "./helpers";

describe("naive shape: a deny during an outage is cached by the gateway", () => {
  let server: ListeningGateway | undefined;
  afterEach(async () => server?.close());

  it("keeps the valid token denied after recovery, until the TTL ends", async () => {
    // Prepare: an authorizer that denies while its key source is "down".
    let down = true;
    const fake = fakeInvoker({
      authorizer: () => (down ? { isAuthorized: false } : { isAuthorized: true, context: {} }),
      backend: () => ({ statusCode: 200, body: "ok" }),
    });
    const model: ApiModel = {
      type: "http",
      apiId: "abc123",
      region: "eu-west-1",
      accountId: "123456789012",
      stageName: "$default",
      authorizers: [
        {
          kind: "lambda-request",
          id: "auth",
          name: "authorizer",
          identitySources: ["$request.header.Authorization"],
          resultTtlSeconds: 300,
          payloadFormatVersion: "2.0",
          simpleResponses: true,
          function: lambda("authorizer"),
        },
      ],
      routes: [
        {
          method: "ANY",
          path: "/{proxy+}",
          authorization: "CUSTOM",
          authorizerId: "auth",
          integration: {
            kind: "lambda-proxy",
            function: lambda("backend"),
            payloadFormatVersion: "2.0",
            requestParameters: {},
          },
        },
      ],
      gatewayResponses: [],
    };
    server = await createGateway(model, { invoker: fake.invoker, log: () => undefined }).listen(0);

    // Act
    const during = await send(server.url, "GET", "/x", { Authorization: "Bearer t" });
    down = false;
    const after = await send(server.url, "GET", "/x", { Authorization: "Bearer t" });

    // Assess: the recovery lags by the TTL: the authorizer is not even asked again.
    expect(during.status).toBe(403);
    expect(after.status).toBe(403);
    expect(fake.count("authorizer")).toBe(1);
  });
});

describe("http-lambda bundle: an outage is never a cached deny", () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    gw = await startLocal({
      port: 0,
      mode: "http-lambda",
      // The default authorizerCacheTtl (300 s) stays on: that is the point.
      config: { verifyWith: "secret", authorizerCacheTtl: undefined },
    });
  });
  afterAll(() => gw?.close());

  it("500 while Secrets Manager is down, then the same token is allowed once it is back", async () => {
    // Prepare
    expect(gw.appConfig.authMode === "http-lambda" && gw.appConfig.lambda.authorizerCacheTtl).toBe(
      300,
    );
    const token = gw.mintToken({ sub: "outage-customer" });
    const expired = gw.mintToken({ sub: "outage-customer", expiresIn: "-5m" });
    gw.secrets.available = false;

    // Act + Assess: during the outage
    const during = await request(`${gw.stageUrl}/x`, { headers: bearer(token) });
    expect(during.status).toBe(500);
    expect(during.json).toEqual({ message: "Internal Server Error" });
    expect(gw.invocations.backend()).toBe(0);
    // A token that is wrong whatever the key says is still a plain 403, even now.
    expect((await request(`${gw.stageUrl}/x`, { headers: bearer(expired) })).status).toBe(403);

    // Act + Assess: recovery, with the same token and the cache TTL still running. The authorizer
    // backs off 1 s after a failed read (DEFAULT_BACKOFF), so allow a few seconds.
    gw.secrets.available = true;
    const deadline = Date.now() + 10_000;
    let after = await request(`${gw.stageUrl}/x`, { headers: bearer(token) });
    while (after.status !== 200 && Date.now() < deadline) {
      expect(after.status).toBe(500); // never a (cacheable) 403 for this token
      await new Promise((r) => setTimeout(r, 250));
      after = await request(`${gw.stageUrl}/x`, { headers: bearer(token) });
    }
    expect(after.status).toBe(200);
    expect(after.json.identity.customerId).toBe("outage-customer");
  });
});
