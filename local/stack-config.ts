/**
 * Reads a stack's configuration the way the Pulumi CLI hands it to the program: `Pulumi.yaml`
 * project defaults overlaid with `Pulumi.<stack>.yaml`, every key fully qualified
 * (`identity-gateway:authMode`), every value a string (lists and maps as JSON, numbers and
 * booleans as their text).
 *
 * Secure values (`{secure: v1:...}`) can only be decrypted by the Pulumi CLI, so they are not
 * returned: their keys are listed in `secureKeys` and the caller substitutes development key
 * material (or files given on the command line) for them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export interface StackConfig {
  /** The project name from `Pulumi.yaml` (the config namespace of the program's own keys). */
  readonly project: string;
  readonly stack: string;
  /** Fully qualified key → value, as the Pulumi CLI passes it to the program. */
  readonly config: Record<string, string>;
  /** Fully qualified keys whose value is encrypted (`{secure: ...}`) and therefore not in `config`. */
  readonly secureKeys: string[];
  /** Keys declared `secret: true` in `Pulumi.yaml` (fully qualified). */
  readonly declaredSecretKeys: string[];
}

export class StackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackConfigError";
  }
}

/** How Pulumi hands a config value to a program: strings as-is, everything else as JSON. */
export function toConfigString(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readYaml(path: string): unknown {
  try {
    return parse(readFileSync(path, "utf8")) as unknown;
  } catch (err) {
    throw new StackConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * Read `Pulumi.yaml` and `Pulumi.<stack>.yaml` from `root`.
 * @throws StackConfigError when `Pulumi.yaml` or the stack file is missing or does not parse.
 */
export function readStackConfig(root: string, stack: string): StackConfig {
  const projectPath = join(root, "Pulumi.yaml");
  if (!existsSync(projectPath)) throw new StackConfigError(`no Pulumi.yaml in ${root}`);
  const projectDoc = readYaml(projectPath);
  if (!isRecord(projectDoc) || typeof projectDoc.name !== "string") {
    throw new StackConfigError(`${projectPath} has no project name`);
  }
  const project = projectDoc.name;
  const config: Record<string, string> = {};
  const secureKeys = new Set<string>();
  const declaredSecretKeys: string[] = [];

  // Project-level declarations: `key: {type, default, secret}` or a bare default value.
  const declared = isRecord(projectDoc.config) ? projectDoc.config : {};
  for (const [key, decl] of Object.entries(declared)) {
    const full = qualify(project, key);
    if (isRecord(decl)) {
      if (decl.secret === true) declaredSecretKeys.push(full);
      if ("value" in decl && decl.value !== undefined) config[full] = toConfigString(decl.value);
      else if ("default" in decl && decl.default !== undefined) {
        config[full] = toConfigString(decl.default);
      }
    } else if (decl !== null && decl !== undefined) {
      config[full] = toConfigString(decl);
    }
  }

  const stackPath = join(root, `Pulumi.${stack}.yaml`);
  if (existsSync(stackPath)) {
    const stackDoc = readYaml(stackPath);
    const values = isRecord(stackDoc) && isRecord(stackDoc.config) ? stackDoc.config : {};
    for (const [key, value] of Object.entries(values)) {
      const full = qualify(project, key);
      if (isRecord(value) && typeof value.secure === "string" && Object.keys(value).length === 1) {
        delete config[full];
        secureKeys.add(full);
      } else if (value === null || value === undefined) {
        delete config[full];
      } else {
        config[full] = toConfigString(value);
      }
    }
  } else {
    throw new StackConfigError(`no stack file ${stackPath} (is the stack name "${stack}" right?)`);
  }
  return { project, stack, config, secureKeys: [...secureKeys], declaredSecretKeys };
}

/**
 * The program's own keys without the namespace prefix (`authMode` → value), as `parseConfig`
 * takes them in `RawConfig.values`.
 */
export function projectValues(sc: StackConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const prefix = `${sc.project}:`;
  for (const [key, value] of Object.entries(sc.config)) {
    if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  }
  return out;
}
