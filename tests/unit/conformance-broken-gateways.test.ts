/**
 * The conformance checker against deliberately broken gateways on loopback: a checker that cannot
 * fail proves nothing. Each fault must turn exactly its own check lines to FAIL, and the same tiny
 * gateway without the fault must pass them.
 */
import { parseRouteTable, type RouteSpec } from "../../functions/commons/routes";
import { runConformance, type Report } from "../../local/conformance/checks";
import { selectHttp, selectRest } from "../../local/conformance/rules";
import { startFakeGateway, type Faults, type FakeGateway } from "../helpers/fake-gateway";

const SECRET = "conformance-test-secret-0123456789abcdef";
const ISSUER = "https://issuer.conformance.test";
const AUDIENCE = "conformance-api";

/** A table through the program's parser; a test table it refuses is a mistake in the test. */
function table(lines: string[]): RouteSpec[] {
  const { routes, problems } = parseRouteTable(lines);
  expect(problems).toEqual([]);
  return routes;
}

const ROUTES = table([
  "GET /health public",
  "GET /orders/{proxy+} roles=orders",
  "ANY /admin/{proxy+} roles=admin",
  "GET /reports/{proxy+} scopes=reports:read",
  "ANY /{proxy+} authenticated",
]);

let gateways: FakeGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  gateways = [];
});

async function check(faults: Faults, withRoutes = false): Promise<Report> {
  const gw = await startFakeGateway({
    stage: "dev",
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    rules: withRoutes ? ROUTES : undefined,
    faults,
  });
  gateways.push(gw);
  return runConformance({
    url: gw.url,
    mode: "http-lambda",
    key: { kind: "secret", secret: SECRET },
    issuer: ISSUER,
    audience: AUDIENCE,
    routes: withRoutes ? ROUTES : undefined,
  });
}

const lines = (report: Report, outcome: string): string[] =>
  report.results
    .filter((r) => r.outcome === outcome)
    .map((r) => (r.target !== undefined ? `${r.check} [${r.target}]` : r.check))
    .sort();

const CLIENT_IDENTITY = [
  "client-identity [X-CUSTOMER-ID]",
  "client-identity [X-Customer-ID twice]",
  "client-identity [X-Customer-ID]",
  "client-identity [X_Customer_ID]",
  "client-identity [x-customer-id]",
];

describe("conformance against broken gateways", () => {
  it("the fault-free tiny gateway passes every applicable check (so FAILs below are the faults')", async () => {
    const report = await check({});
    expect(lines(report, "fail")).toEqual([]);
    expect(lines(report, "pass")).toEqual(
      expect.arrayContaining([
        "missing-token",
        "garbled-token",
        "expired-token",
        "valid-token",
        "alg-none",
        "alg-confusion",
        ...CLIENT_IDENTITY,
      ]),
    );
  });

  it("leaking a client's X-Customer-ID fails every client-identity line and nothing else", async () => {
    const report = await check({ leakClientIdentity: true });
    expect(lines(report, "fail")).toEqual(CLIENT_IDENTITY);
    const leak = report.results.find((r) => r.target === "X-Customer-ID")!;
    expect(leak.note).toMatch(/the client's value reached the backend/);
    expect(report.failed).toBe(5);
  });

  it("a 500 for a bad token fails the bad-token lines and nothing else", async () => {
    const report = await check({ crashOnBadToken: true });
    expect(lines(report, "fail")).toEqual([
      "alg-confusion",
      "alg-none",
      "expired-token",
      "garbled-token",
    ]);
    for (const r of report.results.filter((x) => x.outcome === "fail")) {
      expect(r.note).toMatch(/500: a bad token must get 401 or 403, never a 5xx/);
    }
  });

  it("caching across routes fails cache-safety and nothing else", async () => {
    const report = await check({ cacheAcrossRoutes: true }, true);
    expect(lines(report, "fail")).toEqual([
      "cache-safety [ANY /admin/{proxy+} roles=admin → GET /orders/{proxy+} roles=orders]",
    ]);
    const cache = report.results.find((r) => r.check === "cache-safety")!;
    expect(cache.note).toMatch(/the request reached the backend/);
    expect(cache.sent).toHaveLength(2);
  });

  it("with per-route rules and no fault, public, role and cache-safety lines pass", async () => {
    const report = await check({}, true);
    expect(lines(report, "fail")).toEqual([]);
    expect(lines(report, "pass")).toEqual(
      expect.arrayContaining([
        "public-route [GET /health public]",
        "wrong-role [GET /orders/{proxy+} roles=orders]",
        "wrong-role [ANY /admin/{proxy+} roles=admin]",
        "missing-scope [GET /reports/{proxy+} scopes=reports:read]",
        "cache-safety [ANY /admin/{proxy+} roles=admin → GET /orders/{proxy+} roles=orders]",
      ]),
    );
  });

  it("without route rules the route checks are not applicable, never passed", async () => {
    const report = await check({});
    for (const name of ["public-route", "wrong-role", "missing-scope", "cache-safety"]) {
      const r = report.results.filter((x) => x.check === name);
      expect(r.map((x) => x.outcome)).toEqual(["n/a"]);
    }
    expect(report.results.find((r) => r.check === "cache-safety")!.note).toMatch(
      /needs two routes with different rules/,
    );
  });
});

describe("route probes follow the stack's API type", () => {
  // `/conformance` is a REST resource here (the prefix of /conformance/status) without a method
  // of its own, so `GET /conformance/probe` never reaches `ANY /{proxy+}` in REST.
  const REST_ROUTES = [
    "GET /health public",
    "GET /conformance/status public",
    "ANY /admin/{proxy+} roles=admin",
    "GET /orders/{proxy+} scopes=orders:read",
    "ANY /{proxy+} roles=member",
  ];

  async function restGateway(): Promise<FakeGateway> {
    const gw = await startFakeGateway({
      stage: "dev",
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      rules: table(REST_ROUTES),
      api: "rest",
    });
    gateways.push(gw);
    return gw;
  }
  const restOptions = (gw: FakeGateway) => ({
    url: gw.url,
    mode: "rest-token" as const,
    key: { kind: "secret" as const, secret: SECRET },
    issuer: ISSUER,
    audience: AUDIENCE,
    routes: table(REST_ROUTES),
  });

  it("rest-token: every route check passes where REST selects the resource first", async () => {
    const gw = await restGateway();

    const report = await runConformance(restOptions(gw));

    expect(lines(report, "fail")).toEqual([]);
    expect(lines(report, "pass")).toEqual(
      expect.arrayContaining([
        "public-route [GET /health public]",
        "public-route [GET /conformance/status public]",
        "wrong-role [ANY /admin/{proxy+} roles=admin]",
        "wrong-role [ANY /{proxy+} roles=member]",
        "missing-scope [GET /orders/{proxy+} scopes=orders:read]",
        "cache-safety [GET /orders/{proxy+} scopes=orders:read → ANY /admin/{proxy+} roles=admin]",
        "missing-token",
        "valid-token",
      ]),
    );
    const sent = report.results.flatMap((r) => r.sent).join("\n");
    expect(sent).not.toMatch(/ \/dev\/conformance\/probe /);
    const received = report.results.flatMap((r) => r.received).join("\n");
    expect(received).not.toMatch(/Missing Authentication Token/);
  });

  it("the naive probe (HTTP selection, the word `conformance`) meets REST's 403 Missing Authentication Token", async () => {
    const gw = await restGateway();
    const routes = table(REST_ROUTES);
    const catchAll = routes[4];

    // HTTP selection calls GET /conformance/probe a request for ANY /{proxy+}; REST does not.
    expect(selectHttp(routes, "GET", "/conformance/probe")).toBe(catchAll);
    expect(selectRest(routes, "GET", "/conformance/probe")).toBeUndefined();
    // And the REST gateway refuses it even with a token the rule lets in: a wrong-role check
    // sent there would fail for a reason unrelated to the rule.
    const withEchoAt = await runConformance({ ...restOptions(gw), echoPath: "/conformance" });
    const missing = withEchoAt.results.find((r) => r.check === "missing-token")!;
    expect(missing.outcome).toBe("fail");
    expect(missing.received[0]).toMatch(/^403; .*Missing Authentication Token/);
  });

  it("an ANY line beside an exact-method line on the same path is probed with another method", async () => {
    const routes = table(["GET /{proxy+} scopes=read", "ANY /{proxy+} authenticated"]);
    const gw = await startFakeGateway({
      stage: "dev",
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      rules: routes,
    });
    gateways.push(gw);

    const report = await runConformance({
      url: gw.url,
      mode: "http-lambda",
      key: { kind: "secret", secret: SECRET },
      issuer: ISSUER,
      audience: AUDIENCE,
      routes,
    });

    expect(lines(report, "fail")).toEqual([]);
    const cache = report.results.find((r) => r.check === "cache-safety")!;
    expect(cache.outcome).toBe("pass");
    expect(cache.target).toBe("ANY /{proxy+} authenticated → GET /{proxy+} scopes=read");
    expect(cache.sent[0]).toMatch(/^POST \/dev\/conformance\/probe /);
    expect(cache.sent[1]).toMatch(/^GET \/dev\/conformance\/probe /);
  });
});
