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

function configDocs(root: string, ...args: string[]) {
  return spawnSync(TSX, ["scripts/config-docs.ts", "--root", root, ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
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
    const run = configDocs(ROOT, "--check");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  // Each run starts tsx and Prettier (about 3 s of CPU), so one stale copy serves every file.
  test("--check names every stale file (README table, Pulumi.yaml block, args.ts) and writes nothing; a run writes them back", () => {
    const dir = copyOfProject();
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    writeFileSync(
      join(dir, "README.md"),
      readme.replace("header carrying the customer id", "header carrying the tenant id"),
    );
    const pulumiYaml = readFileSync(join(dir, "Pulumi.yaml"), "utf8");
    writeFileSync(join(dir, "Pulumi.yaml"), pulumiYaml.replace("default: 600", "default: 60"));
    const args = join(dir, "infra", "component", "args.ts");
    writeFileSync(args, readFileSync(args, "utf8").replace("readonly audiences:", "audiences:"));

    const check = configDocs(dir, "--check");
    expect(check.status).toBe(1);
    expect(check.stderr.trim()).toBe(
      "Pulumi.yaml, README.md and infra/component/args.ts are out of date with infra/config/schema.ts: run npm run config:docs",
    );
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain("tenant id");

    // Written back to exactly the committed files, which the first test shows --check accepts.
    const write = configDocs(dir);
    expect(write.status).toBe(0);
    for (const f of ["README.md", "Pulumi.yaml", "infra/component/args.ts"]) {
      expect([f, readFileSync(join(dir, f), "utf8")]).toEqual([
        f,
        readFileSync(join(ROOT, f), "utf8"),
      ]);
    }
  });

  test("a README without the table markers is one line naming them", () => {
    const dir = copyOfProject();
    writeFileSync(join(dir, "README.md"), "# no table here\n");
    const run = configDocs(dir, "--check");
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain(README_TABLE_START);
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
