/**
 * `npm run config:docs`: Pulumi.yaml's config block and the README's configuration table are
 * written from infra/config/schema.ts, and `--check` fails when either is out of date.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

import {
  README_TABLE_END,
  README_TABLE_START,
  pulumiConfigBlock,
  readmeConfigTable,
  renderPulumiYaml,
  renderReadme,
} from "../../infra/config/docs";
import { CONFIG_KEYS } from "../../infra/config";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

function configDocsCli(root: string, ...args: string[]) {
  return spawnSync(TSX, ["scripts/config-docs.ts", "--root", root, ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Several runs, in order, in one child process: each start of tsx and Prettier costs about 3 s of
 * CPU, and Prettier cannot be loaded inside Jest (it imports ES modules dynamically). The command
 * line itself is run by the first test.
 */
function configDocsRuns(runs: Array<{ root: string; check: boolean }>): Run[] {
  const driver = `
    const { configDocs } = require("./scripts/config-docs");
    (async () => {
      const out = [];
      for (const r of ${JSON.stringify(runs)}) {
        out.push(await configDocs(r.root, r.check));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const child = spawnSync(TSX, ["-e", driver], { cwd: ROOT, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`driver failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

/** A copy of the files the script reads and writes, with Prettier's settings. */
function copyOfProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "config-docs-"));
  mkdirSync(join(dir, "infra", "component"), { recursive: true });
  for (const f of ["Pulumi.yaml", "README.md", ".prettierrc", "infra/component/args.ts"]) {
    copyFileSync(join(ROOT, f), join(dir, f));
  }
  return dir;
}

describe("npm run config:docs", () => {
  test("the committed Pulumi.yaml and README are what it writes (--check passes)", () => {
    const run = configDocsCli(ROOT, "--check");
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("config docs are up to date\n");
    expect(run.status).toBe(0);
  });

  let stale: string;
  let noMarkers: string;
  let runs: { check: Run; write: Run; noMarkers: Run };
  beforeAll(() => {
    // One stale copy serves every file.
    stale = copyOfProject();
    const readme = readFileSync(join(stale, "README.md"), "utf8");
    writeFileSync(
      join(stale, "README.md"),
      readme.replace("header carrying the customer id", "header carrying the tenant id"),
    );
    const pulumiYaml = readFileSync(join(stale, "Pulumi.yaml"), "utf8");
    writeFileSync(join(stale, "Pulumi.yaml"), pulumiYaml.replace("default: 600", "default: 60"));
    const args = join(stale, "infra", "component", "args.ts");
    writeFileSync(args, readFileSync(args, "utf8").replace("readonly audiences:", "audiences:"));
    noMarkers = copyOfProject();
    writeFileSync(join(noMarkers, "README.md"), "# no table here\n");
    const [check, afterCheck, write, markers] = configDocsRuns([
      { root: stale, check: true },
      { root: stale, check: true },
      { root: stale, check: false },
      { root: noMarkers, check: true },
    ]);
    expect(afterCheck).toEqual(check); // --check wrote nothing
    runs = { check, write, noMarkers: markers };
  }, 60_000);

  test("--check names every stale file (README table, Pulumi.yaml block, args.ts) and writes nothing; a run writes them back", () => {
    expect(runs.check.status).toBe(1);
    expect(runs.check.stderr.trim()).toBe(
      "Pulumi.yaml, README.md and infra/component/args.ts are out of date with infra/config/schema.ts: run npm run config:docs",
    );
    // Written back to exactly the committed files, which the first test shows --check accepts.
    expect(runs.write.status).toBe(0);
    expect(runs.write.stdout).toBe("wrote Pulumi.yaml, README.md and infra/component/args.ts\n");
    for (const f of ["README.md", "Pulumi.yaml", "infra/component/args.ts"]) {
      expect([f, readFileSync(join(stale, f), "utf8")]).toEqual([
        f,
        readFileSync(join(ROOT, f), "utf8"),
      ]);
    }
  });

  test("a README without the table markers is one line naming them", () => {
    expect(runs.noMarkers.status).toBe(1);
    expect(runs.noMarkers.stderr.trim().split("\n")).toHaveLength(1);
    expect(runs.noMarkers.stderr).toContain(README_TABLE_START);
    expect(readFileSync(join(noMarkers, "README.md"), "utf8")).toBe("# no table here\n");
  });
});

describe("what it writes", () => {
  test("Pulumi.yaml: the header is kept, the config block is the schema's", () => {
    const out = renderPulumiYaml("# a header\nname: x\nconfig:\n  stale: {}\n");
    expect(out.startsWith("# a header\nname: x\nconfig:\n")).toBe(true);
    expect(out).not.toContain("stale");
    const config = parseYaml(pulumiConfigBlock()).config as Record<string, Record<string, unknown>>;
    expect(config["aws:region"]).toBe("us-east-1");
    for (const [key, decl] of Object.entries(CONFIG_KEYS)) {
      const expected: Record<string, unknown> = {
        type: decl.type,
        description: decl.description,
      };
      if (decl.type === "array") expected.items = { type: "string" };
      if ("default" in decl) expected.default = decl.default;
      expect([key, config[key]]).toEqual([key, expected]);
    }
  });

  test("README: one row per key, in schema order, between the markers", () => {
    const rows = readmeConfigTable()
      .split("\n")
      .slice(2)
      .map((row) => /^\| `(\w+)` \|/.exec(row)?.[1]);
    expect(rows).toEqual(Object.keys(CONFIG_KEYS));
    const out = renderReadme(`intro\n${README_TABLE_START}\nold\n${README_TABLE_END}\nrest\n`);
    expect(out).toBe(
      `intro\n${README_TABLE_START}\n\n${readmeConfigTable()}\n\n${README_TABLE_END}\nrest\n`,
    );
  });
});
