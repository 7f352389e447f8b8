/**
 * The conformance checker against deliberately broken gateways on loopback: a checker that cannot
 * fail proves nothing. Each fault must turn exactly its own check lines to FAIL, and the same tiny
 * gateway without the fault must pass them.
 */
import { runConformance, type Report } from "../../local/conformance/checks";
import { parseRouteRule } from "../../local/conformance/rules";
import { startFakeGateway, type Faults, type FakeGateway } from "../helpers/fake-gateway";

const SECRET = "conformance-test-secret-0123456789abcdef";
const ISSUER = "https://issuer.conformance.test";
const AUDIENCE = "conformance-api";

const ROUTES = [
  "GET /health public",
  "GET /orders/{proxy+} roles=orders",
  "ANY /admin/{proxy+} roles=admin",
  "GET /reports/{proxy+} scopes=reports:read",
  "ANY /{proxy+} authenticated",
].map(parseRouteRule);

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
