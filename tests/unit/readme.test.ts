/**
 * The README is part of the contract: every config key the program reads and every stack output
 * must be documented there. This test keeps the tables from drifting when a key is added.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_KEYS } from "../../infra/config";
import { OUTPUT_KEYS } from "../helpers/outputs";

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");

describe("README", () => {
  test.each(Object.keys(CONFIG_KEYS))(
    "documents config key %s in the configuration table",
    (key) => {
      expect(readme).toMatch(new RegExp(`^\\| \`${key}\` +\\|`, "m"));
    },
  );

  test.each(OUTPUT_KEYS)("documents output %s in the outputs table", (key) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${key}\` +\\|`, "m"));
  });

  test("index.ts exports exactly the documented outputs", () => {
    const index = readFileSync(join(__dirname, "..", "..", "index.ts"), "utf8");
    const exported = [...index.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
    expect(exported.sort()).toEqual(OUTPUT_KEYS);
  });

  test("gives the two set-up commands", () => {
    expect(readme).toContain("npm install");
    expect(readme).toContain("npm start");
    expect(readme).toContain("npm test");
  });
});
