/**
 * `npm run conformance` command line: `--stack` through the Pulumi CLI (injected here: this
 * machine has none), a clear line when the CLI is missing, flags that override the stack, usage
 * errors naming the flag, and the report format.
 */
import {
  formatResult,
  main,
  parseConformanceArgs,
  type PulumiRunner,
} from "../../local/conformance/cli";

const OUTPUTS = {
  apiUrl: "https://abc123.execute-api.eu-west-1.amazonaws.com/staging",
  authMode: "rest-token",
  identityHeaders: ["X-Tenant-ID", "X-Customer-Name"],
  issuer: "https://auth.example.com",
};

const fakePulumi =
  (outputs: unknown, seen: string[][] = []): PulumiRunner =>
  (args) => {
    seen.push([...args]);
    return JSON.stringify(outputs);
  };

const missingPulumi: PulumiRunner = () => {
  throw Object.assign(new Error("spawnSync pulumi ENOENT"), { code: "ENOENT" });
};

async function run(argv: string[], pulumi?: PulumiRunner) {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) }, pulumi);
  return { code, out, err };
}

describe("--stack", () => {
  it("reads the outputs with `pulumi stack output --json --stack NAME` and the stack file", () => {
    const seen: string[][] = [];
    const args = parseConformanceArgs(["--stack", "dev"], fakePulumi(OUTPUTS, seen));
    expect(seen).toEqual([["stack", "output", "--json", "--stack", "dev"]]);
    expect(args.options).toMatchObject({
      url: OUTPUTS.apiUrl,
      mode: "rest-token",
      issuer: "https://auth.example.com",
      identityHeader: "X-Tenant-ID",
      // Pulumi.dev.yaml, as the program parses it.
      audience: "identity-gateway-dev",
    });
  });

  it("flags override what the stack says", () => {
    const args = parseConformanceArgs(
      [
        "--stack",
        "dev",
        "--url",
        "http://127.0.0.1:9/dev",
        "--mode",
        "http-jwt",
        "--audience",
        "x",
      ],
      fakePulumi(OUTPUTS),
    );
    expect(args.options).toMatchObject({
      url: "http://127.0.0.1:9/dev",
      mode: "http-jwt",
      audience: "x",
    });
  });

  it("the routes output becomes the rule table, parsed as the program parses it", () => {
    const args = parseConformanceArgs(
      ["--stack", "dev"],
      fakePulumi({ ...OUTPUTS, routes: ["GET /health public", "ANY /{proxy+} roles=admin,ops"] }),
    );
    expect(args.options?.routes).toEqual([
      { method: "GET", path: "/health", rule: { kind: "public" }, routeKey: "GET /health" },
      {
        method: "ANY",
        path: "/{proxy+}",
        rule: { kind: "roles", roles: ["admin", "ops"] },
        routeKey: "ANY /{proxy+}",
      },
    ]);
  });

  it("a routes output the parser refuses is a usage error naming each line, not a crash", async () => {
    const routes = ["GET /health public", "get /x authenticated", "ANY /{proxy+} admins"];
    const { code, err } = await run(["--stack", "dev"], fakePulumi({ ...OUTPUTS, routes }));
    expect(code).toBe(2);
    expect(err.trimEnd().split("\n")).toEqual([
      '--stack dev: its routes output: routes[1]: method "get" is not one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS (upper case)',
      '--stack dev: its routes output: routes[2]: rule "admins" is not one of public, authenticated, roles=a,b or scopes=x,y',
    ]);
  });

  it("without the Pulumi CLI: one line saying what to do, exit 2", async () => {
    const { code, err, out } = await run(["--stack", "prod"], missingPulumi);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err.trimEnd().split("\n")).toEqual([
      "--stack needs the Pulumi CLI (https://www.pulumi.com/docs/install/), which is not on PATH; pass --url <apiUrl> (and --mode, --issuer, --audience) instead",
    ]);
  });

  it("a stack without apiUrl (not deployed) is named", async () => {
    const { code, err } = await run(["--stack", "dev"], fakePulumi({}));
    expect(code).toBe(2);
    expect(err).toBe("--stack dev has no apiUrl output (deployed?); pass --url\n");
  });
});

describe("usage errors name the flag", () => {
  it.each([
    [[], "--url <apiUrl> is required (or --stack NAME)"],
    [["--url", "ftp://x"], '--url expects an http(s) URL, got "ftp://x"'],
    [
      ["--url", "http://127.0.0.1:9", "--mode", "jwt"],
      "--mode expects http-jwt, http-lambda, rest-token",
    ],
    [
      ["--url", "http://127.0.0.1:9", "--secret-file", "/nonexistent/s"],
      "--secret-file: cannot read /nonexistent/s (ENOENT)",
    ],
    [
      ["--url", "http://127.0.0.1:9", "--route", "GET /x admins"],
      '--route "GET /x admins": rule "admins" is not one of public, authenticated, roles=a,b or scopes=x,y',
    ],
    [
      ["--url", "http://127.0.0.1:9", "--route", "GET /x/ public"],
      '--route "GET /x/ public": path "/x/" must not end with /',
    ],
    [
      [
        ...["--url", "http://127.0.0.1:9", "--route", "GET /{id} public"],
        ...["--route", "GET /{key} authenticated"],
      ],
      '--route "GET /{key} authenticated": "GET /{key}" repeats line 0',
    ],
    [["--url", "http://127.0.0.1:9", "--kid", "k"], "--kid goes with --private-key-file"],
    [["--url", "http://127.0.0.1:9", "--bogus"], "Unknown option '--bogus'"],
  ])("%j", async (argv, message) => {
    const { code, err } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});

describe("report lines", () => {
  it("label, name, what was sent and received, and why", () => {
    const text = formatResult({
      check: "client-identity",
      target: "X-Customer-ID",
      outcome: "fail",
      expect: "never reaches the backend",
      sent: ["GET /dev/x (X-Customer-ID: spoofed-1)"],
      received: ["200; echo"],
      note: "leaked",
    });
    expect(text.split("\n")).toEqual([
      "FAIL  client-identity [X-Customer-ID]: never reaches the backend",
      "      sent:     GET /dev/x (X-Customer-ID: spoofed-1)",
      "      received: 200; echo",
      "      why:      leaked",
    ]);
  });

  it("an unreachable stage fails every check that sends, and exits 1", async () => {
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    const { code, out } = await run(["--url", "http://127.0.0.1:9/dev", "--timeout", "2000"]);
    expect(code).toBe(1);
    expect(out).toMatch(
      /^FAIL {2}missing-token: .*\n.*\n {6}received: no answer: connect ECONNREFUSED/m,
    );
    expect(out.trimEnd().split("\n").pop()).toMatch(
      /^\d+ passed, [1-9]\d* failed, \d+ not applicable$/,
    );
  });
});
