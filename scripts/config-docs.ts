/**
 * `npm run config:docs`: write the `config:` block of Pulumi.yaml, the README's configuration
 * table and the IdentityGateway component's arguments (infra/component/args.ts) from the
 * declarations in infra/config/schema.ts. `npm run config:docs -- --check` writes
 * nothing and fails (exit 1, naming the files) when either is out of date; CI runs it.
 * `--root DIR` works on the files in DIR instead of the repository's (for the tests).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as prettier from "prettier";

import { renderComponentArgs } from "../infra/component/args-docs";
import { renderPulumiYaml, renderReadme } from "../infra/config/docs";

/** The value after `flag` on the command line, if given. */
function option(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** The file as `npm run lint` wants it: Prettier with the project's settings. */
async function formatted(path: string, text: string): Promise<string> {
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...options, filepath: path });
}

/** `a`, `a and b`, `a, b and c`. */
function listing(names: readonly string[]): string {
  return names.length <= 1
    ? names.join("")
    : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** What a run printed and its exit code. */
export interface ConfigDocsRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * One run on the files under `root`: writes them, or with `check` only reports the stale ones.
 * A file it cannot render (a README without the table markers, say) is one line, no stack.
 */
export async function configDocs(root: string, check: boolean): Promise<ConfigDocsRun> {
  try {
    return await render(root, check);
  } catch (err) {
    return {
      status: 1,
      stdout: "",
      stderr: `${err instanceof Error ? err.message : String(err)}\n`,
    };
  }
}

async function render(root: string, check: boolean): Promise<ConfigDocsRun> {
  const stale: string[] = [];
  const files: Array<[string, (current: string) => string]> = [
    ["Pulumi.yaml", renderPulumiYaml],
    ["README.md", renderReadme],
    // Written whole: nothing in it is kept.
    ["infra/component/args.ts", () => renderComponentArgs()],
  ];
  for (const [name, render] of files) {
    const path = join(root, name);
    const current = existsSync(path) ? readFileSync(path, "utf8") : "";
    const next = await formatted(path, render(current));
    if (next === current) continue;
    stale.push(name);
    if (!check) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, next);
    }
  }
  if (check && stale.length > 0) {
    return {
      status: 1,
      stdout: "",
      stderr: `${listing(stale)} ${stale.length === 1 ? "is" : "are"} out of date with infra/config/schema.ts: run npm run config:docs\n`,
    };
  }
  return {
    status: 0,
    stdout: `${stale.length === 0 ? "config docs are up to date" : `wrote ${listing(stale)}`}\n`,
    stderr: "",
  };
}

if (require.main === module) {
  const root = resolve(option("--root") ?? join(__dirname, ".."));
  void configDocs(root, process.argv.includes("--check")).then(({ status, stdout, stderr }) => {
    process.stdout.write(stdout);
    process.stderr.write(stderr);
    process.exit(status);
  });
}
