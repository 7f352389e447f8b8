/**
 * `npm run conformance` against `npm start`'s gateway (startLocal, in-process, port 0) in every
 * mode: every applicable check passes, and what is not applicable says why. Through the CLI's
 * `main` where the command line matters (key files, --json, tokens never printed whole).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { runConformance, type Report } from "../../local/conformance/checks";
import { main } from "../../local/conformance/cli";
import { startLocal, type LocalGateway } from "../../local/server";

const ORIGIN = "http://app.test";
const MODES = ["http-lambda", "http-jwt", "rest-token"] as const;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "conformance-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const outcomes = (report: Report, outcome: string): string[] =>
  report.results.filter((r) => r.outcome === outcome).map((r) => r.check);

/** `--route` for every line of the program's `routes` output. */
const routeFlags = (gw: LocalGateway): string[] =>
  (gw.program.outputs.routes as string[]).flatMap((line) => ["--route", line]);

/** Run the CLI, capturing its output. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe.each(MODES)("%s", (mode) => {
  let gw: LocalGateway;
  let keyFile: string;
  beforeAll(async () => {
    gw = await startLocal({
      port: 0,
      mode,
      config: { corsAllowOrigins: JSON.stringify([ORIGIN]) },
    });
    keyFile = join(dir, `${mode}.pem`);
    writeFileSync(keyFile, gw.devIssuer!.keys.privateKeyPem, { mode: 0o600 });
  });
  afterAll(() => gw?.close());

  it("with the issuer's private key: every applicable check passes", async () => {
    const { code, out } = await cli([
      ...["--url", gw.stageUrl, "--mode", mode, "--private-key-file", keyFile],
      ...["--issuer", gw.profile.issuer, "--audience", gw.profile.audience!, "--origin", ORIGIN],
      // The table the program deployed: its `routes` stack output, as --stack would read it.
      ...routeFlags(gw),
      "--json",
    ]);
    const report = JSON.parse(out) as Report;
    expect(outcomes(report, "fail")).toEqual([]);
    expect(code).toBe(0);
    // The default table has one rule and no public route: the per-route checks say so.
    const na = ["public-route", "missing-scope", "cache-safety"];
    if (mode !== "rest-token") na.splice(1, 0, "wrong-role");
    expect(outcomes(report, "n/a")).toEqual(na);
    if (mode === "rest-token") {
      expect(report.results.filter((r) => r.check === "wrong-role").map((r) => r.target)).toEqual([
        "ANY / roles=admin",
        "ANY /{proxy+} roles=admin",
      ]);
    }
    // Never a whole token in the report.
    expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
  });

  it("with only --token: runs what it can, the rest n/a because it needs key material", async () => {
    const report = await runConformance({
      url: gw.stageUrl,
      mode,
      token: gw.mintToken({ sub: `only-token-${mode}` }),
      origin: ORIGIN,
    });
    expect(outcomes(report, "fail")).toEqual([]);
    for (const name of ["expired-token", "alg-confusion"]) {
      const r = report.results.find((x) => x.check === name)!;
      expect(r.outcome).toBe("n/a");
      expect(r.note).toMatch(/needs key material/);
    }
    expect(outcomes(report, "pass")).toEqual(
      expect.arrayContaining(["missing-token", "garbled-token", "valid-token", "alg-none"]),
    );
  });
});

/** The README's example table; http-jwt writes the admin rule as a scope (it cannot read roles). */
const README_TABLE = [
  "GET /health public",
  "POST /webhooks/{proxy+} public",
  "ANY /admin/{proxy+} roles=admin",
  "GET /orders/{proxy+} scopes=orders:read",
  "ANY /{proxy+} authenticated",
];

/** A gateway serving `table` in `mode` (CORS for ORIGIN), with its issuer's key in a file. */
function gatewayWithTable(mode: (typeof MODES)[number], table: readonly string[], label: string) {
  const ctx = {} as { gw: LocalGateway; keyFile: string };
  beforeAll(async () => {
    ctx.gw = await startLocal({
      port: 0,
      mode,
      config: { routes: JSON.stringify(table), corsAllowOrigins: JSON.stringify([ORIGIN]) },
    });
    ctx.keyFile = join(dir, `${label}.pem`);
    writeFileSync(ctx.keyFile, ctx.gw.devIssuer!.keys.privateKeyPem, { mode: 0o600 });
  });
  afterAll(() => ctx.gw?.close());
  return ctx;
}

/** The CLI with the issuer's key and the program's `routes` output as --route, as JSON. */
async function checkRoutes(
  ctx: { gw: LocalGateway; keyFile: string },
  mode: string,
): Promise<{ code: number; out: string; report: Report }> {
  const { gw, keyFile } = ctx;
  const { code, out } = await cli([
    ...["--url", gw.stageUrl, "--mode", mode, "--private-key-file", keyFile],
    ...["--issuer", gw.profile.issuer, "--audience", gw.profile.audience!, "--origin", ORIGIN],
    ...routeFlags(gw),
    "--json",
  ]);
  return { code, out, report: JSON.parse(out) as Report };
}

/** The targets of a check's passed lines. */
const passed = (report: Report, check: string) =>
  report.results.filter((r) => r.check === check && r.outcome === "pass").map((r) => r.target);

describe.each([
  ["http-lambda", README_TABLE],
  ["http-jwt", README_TABLE.map((l) => l.replace("roles=admin", "scopes=admin"))],
  // REST selects the resource first; every probe must still reach its own route's method.
  ["rest-token", README_TABLE],
] as const)("%s with the README's example table", (mode, table) => {
  const ctx = gatewayWithTable(mode, table, `${mode}-routes`);

  it("the route checks run on the routes output and pass", async () => {
    const { code, out, report } = await checkRoutes(ctx, mode);
    expect(outcomes(report, "fail")).toEqual([]);
    expect(code).toBe(0);
    expect(passed(report, "public-route")).toEqual([
      "GET /health public",
      "POST /webhooks/{proxy+} public",
    ]);
    expect(passed(report, "cache-safety")).toHaveLength(1);
    expect(passed(report, "missing-scope")).toHaveLength(mode === "http-jwt" ? 2 : 1);
    expect(passed(report, "wrong-role")).toEqual(
      mode === "http-jwt" ? [] : ["ANY /admin/{proxy+} roles=admin"],
    );
    // No probe met REST's 403 for a resource or method the API does not have.
    expect(out).not.toMatch(/Missing Authentication Token/);
  });
});

describe("rest-token where REST's resource-first selection differs from HTTP's", () => {
  // `/conformance` is a resource without a method (the prefix of /conformance/status): REST
  // answers `GET /conformance` and `GET /conformance/probe` with 403 Missing Authentication Token
  // before any authorizer, where an HTTP API would fall back to `ANY /{proxy+}`.
  const ctx = gatewayWithTable(
    "rest-token",
    README_TABLE.map((l) => l.replace("POST /webhooks/{proxy+}", "GET /conformance/status")),
    "rest-token-prefix",
  );

  it("the local gateway answers the naive probes 403 Missing Authentication Token, even with a valid token", async () => {
    const token = ctx.gw.mintToken({ sub: "someone" });

    for (const path of ["/conformance", "/conformance/probe"]) {
      const naive = await fetch(`${ctx.gw.stageUrl}${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });

      expect(naive.status).toBe(403);
      expect(await naive.json()).toEqual({ message: "Missing Authentication Token" });
    }
  });

  it("the checker probes paths the routes' own resources serve, and every check passes", async () => {
    const { code, out, report } = await checkRoutes(ctx, "rest-token");
    expect(outcomes(report, "fail")).toEqual([]);
    expect(code).toBe(0);
    expect(passed(report, "public-route")).toEqual([
      "GET /health public",
      "GET /conformance/status public",
    ]);
    expect(passed(report, "wrong-role")).toEqual(["ANY /admin/{proxy+} roles=admin"]);
    expect(passed(report, "missing-scope")).toEqual(["GET /orders/{proxy+} scopes=orders:read"]);
    expect(passed(report, "cache-safety")).toHaveLength(1);
    // The token checks went to the catch-all, not to the method-less /conformance resource.
    for (const check of ["missing-token", "valid-token"]) {
      expect(passed(report, check)).toHaveLength(1);
      expect(report.results.find((r) => r.check === check)!.sent[0]).toMatch(
        /^GET \/dev\/conformance-1\/probe /,
      );
    }
    expect(out).not.toMatch(/Missing Authentication Token/);
  });
});

describe("http-lambda with an HS256 secret (--secret-file)", () => {
  let gw: LocalGateway;
  let secretFile: string;
  beforeAll(async () => {
    secretFile = join(dir, "secret");
    writeFileSync(secretFile, "conformance-local-secret-0123456789abcdefghij\n", { mode: 0o600 });
    gw = await startLocal({ port: 0, mode: "http-lambda", secretFile });
  });
  afterAll(() => gw?.close());

  it("passes, with HS/RS confusion tried as an RS256 token carrying its own key", async () => {
    const { code, out } = await cli([
      ...["--url", gw.stageUrl, "--mode", "http-lambda", "--secret-file", secretFile],
      ...["--issuer", gw.profile.issuer, "--audience", gw.profile.audience!],
    ]);
    expect(out).toMatch(
      /^PASS {2}alg-confusion: .*\n.*\n.*\n {6}note: {5}RS256 signed with a key embedded in the header/m,
    );
    expect(out).toMatch(/^N\/A {3}cors-preflight: .*\n {6}note: {5}needs --origin/m);
    expect(out.trimEnd().split("\n").pop()).toBe("11 passed, 0 failed, 7 not applicable");
    expect(code).toBe(0);
  });
});

describe("rest-token with tokens only (--token without the role, --admin-token with it)", () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    gw = await startLocal({ port: 0, mode: "rest-token" });
  });
  afterAll(() => gw?.close());

  it("the wrong-role check uses the given tokens", async () => {
    const report = await runConformance({
      url: gw.stageUrl,
      mode: "rest-token",
      token: gw.mintToken({ sub: "viewer", claims: { metadata: { role: "viewer" } } }),
      adminToken: gw.mintToken({ sub: "boss" }),
    });
    expect(outcomes(report, "fail")).toEqual([]);
    const roles = report.results.filter((r) => r.check === "wrong-role");
    expect(roles.map((r) => r.outcome)).toEqual(["pass", "pass"]);
    expect(roles[0].received[0]).toMatch(/^403/);
    expect(roles[0].received[1]).toMatch(/^200/);
  });
});
