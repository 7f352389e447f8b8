/**
 * The two documents written from the declarations in `schema.ts`: the `config:` block of
 * `Pulumi.yaml` and the README's configuration table (`npm run config:docs`; `-- --check` fails
 * when either is out of date, and CI runs it). Not part of the Pulumi program: only the script and
 * the tests import it. Both come out unformatted; the script runs Prettier over the whole file,
 * as `npm run lint` would.
 */
import { stringify } from "yaml";

import { CONFIG_KEYS, type ConfigDeclaration } from "./schema";

/** The README lines that open and close the generated table. */
export const README_TABLE_START =
  "<!-- config-table: written by `npm run config:docs` from infra/config/schema.ts -->";
export const README_TABLE_END = "<!-- /config-table -->";

/**
 * Another namespace's key may only carry a value in `Pulumi.yaml` (Pulumi refuses a type or a
 * default there: `Project.Validate` in pulumi/pulumi `sdk/go/common/workspace/project.go`).
 */
const FOREIGN_VALUES = [
  "  # Only a value can be given for another namespace's key (Pulumi refuses a type there).",
  "  aws:region: us-east-1",
];

const WIDTH = 100;

/** A scalar as YAML writes it on one line (plain where that is safe, quoted otherwise). */
function scalar(value: string | number | boolean): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function flowList(values: readonly string[]): string {
  return `[${values.map(scalar).join(", ")}]`;
}

/** `description:` on one line if it fits, else a folded block wrapped at the line width. */
function description(text: string): string[] {
  const line = `    description: ${scalar(text)}`;
  if (line.length <= WIDTH && !line.includes("\n")) return [line];
  const out = ["    description: >-"];
  let cur = "";
  for (const word of text.split(" ")) {
    if (cur !== "" && 6 + cur.length + 1 + word.length > WIDTH) {
      out.push(`      ${cur}`);
      cur = word;
    } else {
      cur = cur === "" ? word : `${cur} ${word}`;
    }
  }
  out.push(`      ${cur}`);
  return out;
}

function declarationLines(key: string, decl: ConfigDeclaration): string[] {
  const lines: string[] = [];
  if (decl.section !== undefined) lines.push("", `  # ${decl.section}`);
  lines.push(`  ${key}:`, `    type: ${decl.type}`);
  if (decl.type === "array") lines.push("    items:", "      type: string");
  lines.push(...description(decl.description));
  if (decl.default !== undefined) {
    const d = decl.default;
    lines.push(`    default: ${Array.isArray(d) ? flowList(d) : scalar(d as string | number)}`);
  }
  return lines;
}

/** The `config:` block of `Pulumi.yaml`, to the end of the file. */
export function pulumiConfigBlock(): string {
  const lines = ["config:", ...FOREIGN_VALUES, ""];
  for (const [key, decl] of Object.entries(CONFIG_KEYS)) {
    lines.push(...declarationLines(key, decl as ConfigDeclaration));
  }
  return lines.join("\n") + "\n";
}

/** `Pulumi.yaml` with its `config:` block written from the schema; what precedes it is kept. */
export function renderPulumiYaml(current: string): string {
  const at = current.search(/^config:/m);
  const head = at === -1 ? current.replace(/\n*$/, "\n") : current.slice(0, at);
  return head + pulumiConfigBlock();
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** The README's configuration table (Markdown, unaligned). */
export function readmeConfigTable(): string {
  const rows = [
    "| key | modes | meaning | default |",
    "| --- | --- | --- | --- |",
    ...Object.entries(CONFIG_KEYS).map(([key, d]) => {
      const decl = d as ConfigDeclaration;
      return `| \`${key}\` | ${decl.modes} | ${cell(decl.meaning)} | ${cell(decl.documentedDefault)} |`;
    }),
  ];
  return rows.join("\n");
}

/**
 * The README with the table between its markers written from the schema.
 * @throws Error when the markers are missing (the table has nowhere to go)
 */
export function renderReadme(current: string): string {
  const start = current.indexOf(README_TABLE_START);
  const end = current.indexOf(README_TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(
      `README.md has no "${README_TABLE_START}" ... "${README_TABLE_END}" pair around the configuration table`,
    );
  }
  return (
    current.slice(0, start + README_TABLE_START.length) +
    "\n\n" +
    readmeConfigTable() +
    "\n\n" +
    current.slice(end)
  );
}
