/**
 * Smoke test of `npm run bench`: runs it in quick mode into a temporary file (the committed
 * bench/results.json is left alone) and checks that every row is there with numbers. It asserts
 * no speed: timings on a shared CI machine are not a test.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

const WARM_IDS = [
  "warm.http-authorizer.hs256",
  "warm.http-authorizer.rs256",
  "warm.rest-authorizer.rs256",
  "baseline.aws-jwt-verify.rs256",
  "baseline.jsonwebtoken.rs256",
  "baseline.jsonwebtoken.hs256",
  "baseline.crypto.rs256",
  "baseline.crypto.hs256",
  "warm.http-authorizer.es256",
  "warm.rest-authorizer.es256",
  "warm.http-authorizer.eddsa",
  "warm.rest-authorizer.eddsa",
  "baseline.aws-jwt-verify.es256",
  "baseline.aws-jwt-verify.eddsa",
  "baseline.crypto.es256",
  "baseline.crypto.eddsa",
];
const AUTHORIZERS = ["http-authorizer", "rest-authorizer"];
const COLD_IDS = [
  ...AUTHORIZERS.map((n) => `cold.${n}`),
  "cold.naive-jsonwebtoken",
  "cold.sdk-floor",
  "cold.empty-node",
];

interface Row {
  id: string;
  reason?: string;
  [field: string]: unknown;
}
interface Results {
  machine: { cpu: string; cores: number; node: string; platform: string };
  date: string;
  rows: Row[];
  targets: { id: string; met: boolean | null }[];
}

const isNum = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);

describe("npm run bench -- --quick", () => {
  let dir: string;
  let results: Results;
  let stdout: string;
  const row = (id: string): Row => {
    const r = results.rows.find((x) => x.id === id);
    if (!r) throw new Error(`row ${id} is missing`);
    return r;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-smoke-"));
    const out = path.join(dir, "results.json");
    // `npm test` has just built dist/functions; build here only when run on a fresh clone, as
    // rebuilding under other test files that load the bundles could race with them.
    const bundles = ["http-authorizer", "rest-authorizer", "echo-backend"];
    if (bundles.some((b) => !fs.existsSync(path.join(ROOT, "dist/functions", b, "index.js")))) {
      execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "ignore" });
    }
    stdout = execFileSync(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", "--quick", "--out", out],
      { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 110_000 },
    );
    results = JSON.parse(fs.readFileSync(out, "utf8")) as Results;
  }, 120_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("describes the machine and the date", () => {
    expect(typeof results.machine.cpu).toBe("string");
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(Number.isNaN(Date.parse(results.date))).toBe(false);
  });

  it.each(WARM_IDS)("%s has median, p99 and calls/s", (id) => {
    const r = row(id);
    expect(r.reason).toBeUndefined();
    for (const f of ["medianUs", "p99Us", "callsPerSec", "iterations"])
      expect(isNum(r[f])).toBe(true);
  });

  it("every baseline carries its ratio to ours", () => {
    for (const id of WARM_IDS.filter((i) => i.startsWith("baseline."))) {
      const ratios = Object.values(row(id).oursOverThis as Record<string, unknown>);
      expect(ratios.length).toBeGreaterThan(0);
      for (const v of ratios) expect(isNum(v)).toBe(true);
    }
  });

  it("counts Secrets Manager and network calls on the warm path", () => {
    const r = row("warm.secrets-manager-calls");
    expect(isNum(r.count)).toBe(true);
    expect(isNum(r.networkCalls)).toBe(true);
  });

  it.each(AUTHORIZERS)("bundle.%s.bytes is a byte count", (name) => {
    expect(isNum(row(`bundle.${name}.bytes`).bytes)).toBe(true);
  });

  it.each(COLD_IDS)("%s has a median cold time", (id) => {
    const r = row(id);
    expect(r.reason).toBeUndefined();
    for (const f of ["medianMs", "medianSinceProcessStartMs", "runs"])
      expect(isNum(r[f])).toBe(true);
  });

  it("has the gateway rows (null only with a reason, when the local gateway is absent)", () => {
    const localPresent = ["local/server.ts", "local/cli.ts"].some((f) =>
      fs.existsSync(path.join(ROOT, f)),
    );
    for (const id of ["gateway.local", "gateway.direct-echo"]) {
      const r = row(id);
      if (r.requestsPerSec === null) {
        expect(localPresent).toBe(false);
        expect(typeof r.reason).toBe("string");
      } else {
        for (const f of ["requestsPerSec", "medianMs", "p99Ms"]) expect(isNum(r[f])).toBe(true);
        expect(r.errors).toBe(0);
      }
    }
    const local = row("gateway.local");
    if (local.requestsPerSec !== null) {
      // "Cached authorizer decision": no authorizer call once the first request filled the cache.
      expect(local.authorizerInvocationsWhileTimed).toBe(0);
    }
  });

  it.each(["es256", "eddsa"])("%s has the RS256 targets: floor and aws-jwt-verify", (alg) => {
    for (const name of AUTHORIZERS) {
      for (const vs of ["vs-crypto", "vs-aws-jwt-verify"]) {
        const t = results.targets.find((x) => x.id === `target.warm.${name}.${alg}.${vs}`);
        expect(typeof t?.met).toBe("boolean");
      }
    }
    expect(stdout).toContain(`warm.http-authorizer.${alg}`);
  });

  it("judges every target and prints a table", () => {
    expect(results.targets.length).toBeGreaterThanOrEqual(19);
    for (const t of results.targets) expect(typeof t.met).toBe("boolean");
    expect(stdout).toContain("targets");
    expect(stdout).toContain("warm.http-authorizer.rs256");
  });
});
