/**
 * The Lambda code assets: `dist/functions/<name>/index.js`, built by `scripts/build.mjs`.
 *
 * `pulumi up` must work straight from a clone, so the program builds a bundle itself when it is
 * missing or older than any source under `functions/` (a stale bundle would silently deploy old
 * authorizer code). The build is synchronous because Pulumi needs the asset path while the
 * program is being evaluated.
 */
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** The functions `scripts/build.mjs` bundles. */
export type FunctionName = "http-authorizer" | "rest-authorizer" | "echo-backend";

/**
 * The package root: the nearest directory above this file holding a `package.json`. From a clone
 * this file runs as `<root>/infra/components/bundle.ts`; installed, it runs compiled as
 * `<root>/lib/infra/components/bundle.js` inside the consumer's `node_modules`. Either way the
 * bundles are the package's own (`<root>/dist/functions/`), never looked up from the caller's
 * working directory, so a program that imports the component from anywhere deploys them.
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

const ROOT = packageRoot();

/** Absolute path of a function's bundle, whether or not it has been built. */
export function bundlePath(name: FunctionName): string {
  return join(ROOT, "dist", "functions", name, "index.js");
}

/** Newest modification time (ms) of any file below `dir`; 0 when there is none. */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/** True when the bundle is missing or older than a source file under `functions/`. */
export function bundleIsStale(name: FunctionName): boolean {
  const path = bundlePath(name);
  if (!existsSync(path)) return true;
  return statSync(path).mtimeMs < newestMtime(join(ROOT, "functions"));
}

/**
 * The code archive of a function for `aws.lambda.Function.code`: `{ "index.js": <bundle> }`.
 * Builds the bundles first (`node scripts/build.mjs`) when this one is missing or stale.
 * @throws Error when the build fails or does not produce the bundle.
 */
export function functionCode(name: FunctionName): pulumi.asset.AssetArchive {
  const path = bundlePath(name);
  if (bundleIsStale(name)) {
    // An installed package ships its bundles (built by `prepare` before packing) and no build
    // script: say so rather than fail on a missing scripts/build.mjs.
    if (!existsSync(join(ROOT, "scripts", "build.mjs"))) {
      throw new Error(
        `${path} is missing from the installed identity-gateway package; reinstall it (its bundles are built when the package is packed)`,
      );
    }
    try {
      execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs")], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(
        `Building the Lambda bundles (node scripts/build.mjs) failed${stderr ? `:\n${stderr}` : ""}`,
        { cause: err },
      );
    }
    if (!existsSync(path)) {
      throw new Error(
        `node scripts/build.mjs did not produce ${path}: is there a functions/${name}/index.ts?`,
      );
    }
  }
  return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(path) });
}
