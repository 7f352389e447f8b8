/**
 * Loads `jose` (ESM-only since v6) into Jest's CommonJS module system.
 *
 * Jest on Node 20 cannot `require` an ES module, and the jest config is shared, so instead of a
 * transform we bundle jose once into a CommonJS file with esbuild (already a dev dependency) and
 * require that. The bundle is keyed by jose's version and written atomically, so parallel Jest
 * workers never read a half-written file.
 */
import { buildSync } from "esbuild";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Jose = typeof import("jose");

let loaded: Jose | undefined;

/** The real `jose` library, usable from a Jest test. */
export function loadJose(): Jose {
  if (loaded) return loaded;
  const pkg = readFileSync(require.resolve("jose/package.json"), "utf8");
  const { version } = JSON.parse(pkg) as { version: string };
  const dir = join(tmpdir(), "identity-gateway-tests");
  const file = join(dir, `jose-${version}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    buildSync({
      entryPoints: [require.resolve("jose")],
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      outfile: tmp,
      logLevel: "silent",
    });
    renameSync(tmp, file);
  }
  // A runtime path, so it cannot be a static import.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = require(file) as Jose;
  return loaded;
}
