// Builds each Lambda into dist/functions/<name>/index.js: one CommonJS file exporting `handler`.
// The AWS SDK v3 clients are left to the Node.js 22 Lambda runtime, which ships them (the
// authorizers use none: their Secrets Manager client is functions/commons/clients/secrets-manager.ts).
// Used by `npm run build`, `npm test`, `npm start`, `npm run bench`, and by the Pulumi program
// itself (infra/components/bundle.ts) when a bundle is missing or stale.
import { build } from "esbuild";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const FUNCTIONS = readdirSync(join(root, "functions"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "commons")
  .filter((d) => existsSync(join(root, "functions", d.name, "index.ts")))
  .map((d) => d.name);

export async function buildFunctions(names = FUNCTIONS) {
  for (const name of names) {
    await build({
      entryPoints: [join(root, "functions", name, "index.ts")],
      outfile: join(root, "dist", "functions", name, "index.js"),
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      minify: true,
      sourcemap: false,
      legalComments: "none",
      external: ["@aws-sdk/*"],
      // ES modules first: @smithy/signature-v4's CommonJS build requires whole @smithy/core
      // submodules (~140 KB minified); its ES build tree-shakes to ~15 KB (both are sideEffects: false).
      mainFields: ["module", "main"],
      logLevel: "warning",
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildFunctions();
}
