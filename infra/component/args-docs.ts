/**
 * Writes `infra/component/args.ts`, the `IdentityGatewayArgs` interface, from the config
 * declarations (`schema.ts`) and the grouping (`arg-paths.ts`): `npm run config:docs` writes it
 * beside `Pulumi.yaml` and the README's table, and `-- --check` fails when it is out of date. So a
 * key added to the schema becomes an argument, typed and documented, without a hand edit.
 *
 * Generated TypeScript rather than a mapped type over `CONFIG_KEYS`: Pulumi's component schema
 * inference (`componentProviderHost`, @pulumi/pulumi `provider/experimental/analyzer.ts`) needs a
 * declared interface whose properties carry doc comments, and it reads a closed set of strings
 * only as an `as const` object with a type of the same name (an "enum").
 */
import { CONFIG_KEYS, type ConfigDeclaration, type ConfigKey } from "../config/schema";
import { ARG_GROUPS, argPath } from "./arg-paths";

const WIDTH = 100;

/** `http-jwt` → `HttpJwt`, `public-key` → `PublicKey`. */
function pascal(value: string): string {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/** The enum type of a key with declared choices (`authMode` → `AuthMode`). */
export function enumTypeName(key: ConfigKey): string {
  return pascal(key);
}

function choicesOf(decl: ConfigDeclaration): readonly string[] | undefined {
  return decl.type === "string" ? decl.oneOf?.values : undefined;
}

/** A `/** … *\/` comment wrapped at the line width, indented by `indent`. */
function docComment(text: string, indent: string): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = "";
  const room = WIDTH - indent.length - 3;
  for (const word of words) {
    if (cur !== "" && cur.length + 1 + word.length > room) {
      lines.push(cur);
      cur = word;
    } else {
      cur = cur === "" ? word : `${cur} ${word}`;
    }
  }
  if (cur !== "") lines.push(cur);
  if (lines.length === 1 && indent.length + 7 + lines[0].length <= WIDTH) {
    return [`${indent}/** ${lines[0]} */`];
  }
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`), `${indent} */`];
}

function tsType(key: ConfigKey, decl: ConfigDeclaration): string {
  if (choicesOf(decl) !== undefined) return enumTypeName(key);
  // An encrypted key (jwtSecret) is usually a secret Output (config.requireSecret): an Input.
  if ("encrypted" in decl && decl.encrypted) return "pulumi.Input<string>";
  switch (decl.type) {
    case "string":
      return "string";
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      // A mutable array: the schema inference reads `Array`, not `ReadonlyArray`.
      return "string[]";
  }
}

function argLines(key: ConfigKey, name: string, indent: string): string[] {
  const decl = CONFIG_KEYS[key] as ConfigDeclaration;
  // Keys every stack must set (no Pulumi.yaml default) are required arguments too.
  const optional = decl.default === undefined ? "" : "?";
  return [
    ...docComment(`${decl.description} (Config key: ${key}.)`, indent),
    `${indent}readonly ${name}${optional}: ${tsType(key, decl)};`,
  ];
}

/** The whole of `infra/component/args.ts` (unformatted; the script runs Prettier over it). */
export function renderComponentArgs(): string {
  const out: string[] = [
    "// Written by `npm run config:docs` from infra/config/schema.ts and infra/component/arg-paths.ts",
    "// (CI checks it is up to date): edit those, not this file.",
    'import type * as pulumi from "@pulumi/pulumi";',
    "",
  ];
  for (const [key, d] of Object.entries(CONFIG_KEYS) as Array<[ConfigKey, ConfigDeclaration]>) {
    const choices = choicesOf(d);
    if (choices === undefined) continue;
    const name = enumTypeName(key);
    out.push(...docComment(`The values of ${key}: ${d.description}`, ""));
    out.push(`export const ${name} = {`);
    for (const v of choices) out.push(`  ${pascal(v)}: ${JSON.stringify(v)},`);
    out.push("} as const;", `export type ${name} = (typeof ${name})[keyof typeof ${name}];`, "");
  }
  for (const group of Object.values(ARG_GROUPS)) {
    out.push(...docComment(group.description, ""), `export interface ${group.typeName} {`);
    for (const [key, name] of Object.entries(group.keys) as Array<[ConfigKey, string]>) {
      out.push(...argLines(key, name, "  "));
    }
    out.push("}", "");
  }
  out.push(
    ...docComment(
      "The settings of one IdentityGateway: the stack configuration's keys (README, Configuration) as camelCase arguments, some grouped in objects. Each argument is one config key, validated by the same rules with the same messages, which name the argument. Plain values, not Outputs (except jwtSecret): they decide which resources exist, and are checked before any is created.",
      "",
    ),
    "export interface IdentityGatewayArgs {",
  );
  const emitted = new Set<string>();
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const path = argPath(key);
    if (path.length === 1) {
      out.push(...argLines(key, key, "  "));
      continue;
    }
    const [groupName] = path;
    if (emitted.has(groupName)) continue;
    emitted.add(groupName);
    const group = ARG_GROUPS[groupName];
    out.push(...docComment(group.description, "  "));
    out.push(`  readonly ${groupName}?: ${group.typeName};`);
  }
  out.push("}", "");
  return out.join("\n");
}
