/**
 * Reads a stack's configuration the way the Pulumi CLI hands it to the program: `Pulumi.yaml`
 * project defaults overlaid with `Pulumi.<stack>.yaml`, every key fully qualified
 * (`identity-gateway:authMode`), every value a string (scalars as their YAML text, lists and maps
 * as JSON).
 *
 * Before the program ever runs, the Pulumi CLI checks the stack file against the project's config
 * declarations and refuses the stack on the first problem. `readStackConfig` makes the same checks
 * (reporting every problem at once), so `npm start` refuses what `pulumi preview` refuses. Source:
 * pulumi/pulumi `sdk/go/common/workspace/config.go`: `mergeConfig` applies each declared `default`
 * (or another namespace's `value`) to a key the stack does not set, and refuses the stack when a
 * project key declared without either is unset ("Stack '<stack>' is missing configuration
 * value(s) ..."), before anything else; then `validateStackConfigValue`: "Stack '<stack>' with
 * configuration key '<key>' must be encrypted as it's secret" and "... must be of type '<type>'";
 * and `project.go` (`ValidateConfigValue`: how each declared type is checked).
 *
 * Secure values (`{secure: v1:...}`) can only be decrypted by the Pulumi CLI, so they are not
 * returned: their keys are listed in `secureKeys`. The caller validates with a placeholder of the
 * right shape (`SECURE_PLACEHOLDERS`) and then substitutes development key material (or files
 * given on the command line) for them.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, isScalar, parseDocument } from "yaml";

import { closestKey, editDistance } from "../infra/config";

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

/**
 * Stand-ins for encrypted values while the stack is validated: each has the shape the program
 * checks (a PEM, a secret ARN), so validation judges the rest of the stack as `pulumi preview`
 * would with the decrypted value. `jwtSecret`'s length cannot be known, so its strength check
 * is not made locally.
 */
export const SECURE_PLACEHOLDERS: Readonly<Record<string, string>> = {
  jwtSecret: "<encrypted in the stack file>",
  publicKeyPem:
    "-----BEGIN PUBLIC KEY-----\n(encrypted in the stack file)\n-----END PUBLIC KEY-----\n",
  secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:encrypted-in-the-stack-file",
};

/** How Pulumi hands a config value to a program: strings as-is, everything else as JSON. */
export function toConfigString(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** One line, never a stack trace: the YAML error's first line names the line and column. */
function readYaml(path: string, name: string): ReturnType<typeof parseDocument> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new StackConfigError(`cannot read ${name}: ${(err as Error).message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new StackConfigError(
      `${name} is not valid YAML: ${doc.errors[0].message.split("\n")[0]}`,
    );
  }
  return doc;
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

interface Declaration {
  readonly type?: string;
  readonly items?: { readonly type?: string; readonly items?: unknown };
  readonly secret?: boolean;
}

/** A value as Pulumi's `config.Value` holds it: a scalar's text, or an object (list or map). */
type StackValue =
  | { readonly kind: "scalar"; readonly text: string }
  | { readonly kind: "object"; readonly value: unknown }
  | { readonly kind: "secure" };

/** Go's `strconv.Atoi` syntax (what Pulumi uses to accept an integer written as text). */
const GO_INT = /^[+-]?\d+$/;

/** Pulumi's `ValidateConfigValue` for one item of a list (items are JSON values). */
function itemHasType(type: string | undefined, item: unknown): boolean {
  switch (type) {
    case "string":
      return typeof item === "string";
    case "integer":
      return (
        (typeof item === "number" && Number.isInteger(item)) ||
        (typeof item === "string" && GO_INT.test(item))
      );
    case "boolean":
      return typeof item === "boolean" || item === "true" || item === "false";
    default:
      return false;
  }
}

/** Pulumi's `ValidateConfigValue` for a stack value of a declared type. */
function hasDeclaredType(decl: Declaration, value: StackValue): boolean {
  if (value.kind === "secure") return true; // checked by Pulumi after decryption; not knowable here
  switch (decl.type) {
    case "string":
      return value.kind === "scalar";
    case "integer":
      return value.kind === "scalar" && GO_INT.test(value.text);
    case "boolean":
      return value.kind === "scalar" && (value.text === "true" || value.text === "false");
    case "array":
      return (
        value.kind === "object" &&
        Array.isArray(value.value) &&
        value.value.every((item) => itemHasType(decl.items?.type, item))
      );
    default:
      return true; // an undeclared type: Pulumi does not check it
  }
}

function typeName(decl: Declaration): string {
  return decl.type === "array" ? `array<${decl.items?.type ?? "?"}>` : String(decl.type);
}

/** Namespaces other than the project's that a stack may legitimately use. */
const KNOWN_NAMESPACES = new Set(["aws", "pulumi"]);

/** `identitygateway`, `identity_gateway`, `Identity-Gateway`: the project name, misspelled. */
function isMisspelledNamespace(ns: string, project: string): boolean {
  if (ns === project || KNOWN_NAMESPACES.has(ns)) return false;
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  return squash(ns) === squash(project) || editDistance(ns.toLowerCase(), project) <= 2;
}

/**
 * Read `Pulumi.yaml` and `Pulumi.<stack>.yaml` from `root` and check the stack file as the Pulumi
 * CLI does before it runs the program.
 * @throws StackConfigError with one line when a file is missing or is not YAML, or with one line
 *   per problem (each naming `<namespace>:<key>` and the fix) when the Pulumi CLI would refuse
 *   the stack or a key's namespace is misspelled.
 */
export function readStackConfig(root: string, stack: string): StackConfig {
  const projectPath = join(root, "Pulumi.yaml");
  if (!existsSync(projectPath)) throw new StackConfigError(`no Pulumi.yaml in ${root}`);
  const projectDoc = readYaml(projectPath, "Pulumi.yaml").toJS() as unknown;
  if (!isRecord(projectDoc) || typeof projectDoc.name !== "string") {
    throw new StackConfigError(`Pulumi.yaml has no project name`);
  }
  const project = projectDoc.name;
  const config: Record<string, string> = {};
  const secureKeys = new Set<string>();
  const declaredSecretKeys: string[] = [];
  const declarations = new Map<string, Declaration>();
  const required = new Set<string>();
  // Keys holding their Pulumi.yaml default (or value) until the stack sets them.
  const defaulted = new Set<string>();

  // Project-level declarations: `key: {type, default, secret}` or a bare default value.
  const declared = isRecord(projectDoc.config) ? projectDoc.config : {};
  for (const [key, decl] of Object.entries(declared)) {
    const full = qualify(project, key);
    if (isRecord(decl)) {
      declarations.set(full, decl as Declaration);
      if (decl.secret === true) declaredSecretKeys.push(full);
      if ("value" in decl && decl.value !== undefined && decl.value !== null) {
        config[full] = toConfigString(decl.value);
        defaulted.add(full);
      } else if ("default" in decl && decl.default !== undefined && decl.default !== null) {
        config[full] = toConfigString(decl.default);
        defaulted.add(full);
      } else if (full.startsWith(`${project}:`)) {
        required.add(full);
      }
    } else if (decl !== null && decl !== undefined) {
      config[full] = toConfigString(decl);
    }
  }

  const fileName = `Pulumi.${stack}.yaml`;
  const stackPath = join(root, fileName);
  if (!existsSync(stackPath)) {
    const stacks = readdirSync(root)
      .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
      .sort();
    throw new StackConfigError(
      `no stack file ${fileName} in ${root}; stacks here: ${stacks.join(", ") || "none"} (--stack NAME picks one)`,
    );
  }
  const stackDoc = readYaml(stackPath, fileName);
  const configNode = isMap(stackDoc.contents) ? stackDoc.contents.get("config", true) : undefined;
  if (configNode !== undefined && configNode !== null && !isMap(configNode)) {
    throw new StackConfigError(`${fileName}: "config" must be a map of key: value`);
  }
  const problems: string[] = [];
  const pulumiRefuses = (pulumiMessage: string): string =>
    `Pulumi refuses the stack ("${pulumiMessage}")`;
  for (const pair of isMap(configNode) ? configNode.items : []) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const full = qualify(project, key);
    const node = pair.value;
    const raw: unknown =
      node && typeof (node as { toJSON?: unknown }).toJSON === "function"
        ? (node as { toJSON: () => unknown }).toJSON()
        : null;
    let value: StackValue;
    if (isRecord(raw) && typeof raw.secure === "string" && Object.keys(raw).length === 1) {
      value = { kind: "secure" };
    } else if (raw === null || raw === undefined) {
      // `key:` with no value: set, but empty (the program treats a blank value as unset).
      required.delete(full);
      delete config[full];
      continue;
    } else if (isScalar(node)) {
      value = { kind: "scalar", text: node.source ?? toConfigString(raw) };
    } else {
      value = { kind: "object", value: raw };
    }

    const [ns, name] = full.split(":");
    if (isMisspelledNamespace(ns, project)) {
      const close = closestKey(name);
      problems.push(
        `${key}: this program reads only the "${project}" namespace (did you mean ${project}:${close ?? name}?)`,
      );
      continue;
    }
    const decl = declarations.get(full);
    const declName = full.startsWith(`${project}:`) ? name : full;
    if (decl?.secret === true && value.kind !== "secure") {
      problems.push(
        `${full}: ${pulumiRefuses(`Stack '${stack}' with configuration key '${declName}' must be encrypted as it's secret`)}; store it encrypted: pulumi config set --secret ${declName} <value>`,
      );
    } else if (decl?.type !== undefined && !hasDeclaredType(decl, value)) {
      const hint =
        decl.type === "array"
          ? `write a YAML list of ${decl.items?.type ?? "values"} (pulumi config set --path '${declName}[0]' <value>)`
          : decl.type === "integer"
            ? "write a whole number"
            : decl.type === "boolean"
              ? "write true or false"
              : "write a single value, not a list or map";
      problems.push(
        `${full}: ${pulumiRefuses(`Stack '${stack}' with configuration key '${declName}' must be of type '${typeName(decl)}'`)}; ${hint}`,
      );
    }
    required.delete(full);
    defaulted.delete(full);
    if (value.kind === "secure") {
      delete config[full];
      secureKeys.add(full);
    } else {
      config[full] = value.kind === "scalar" ? value.text : JSON.stringify(value.value);
    }
  }
  // Pulumi stops here first, with one message for every missing key (`mergeConfig`).
  if (required.size > 0) throw missingKeysError(project, stack, declarations, [...required]);
  // Pulumi then checks the merged values, defaults included, and a default is never encrypted:
  // a `secret: true` key with a default is refused in every stack that does not set it.
  for (const full of defaulted) {
    if (declarations.get(full)?.secret !== true) continue;
    const name = full.slice(project.length + 1);
    problems.push(
      `${full}: ${pulumiRefuses(`Stack '${stack}' with configuration key '${name}' must be encrypted as it's secret`)} (its Pulumi.yaml default is not encrypted); set it: pulumi config set --secret ${name} <value>`,
    );
  }
  if (problems.length > 0) {
    throw new StackConfigError(
      `${fileName} is refused:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  return {
    project,
    stack,
    config,
    secureKeys: [...secureKeys],
    declaredSecretKeys,
  };
}

/**
 * Pulumi's refusal of a stack that leaves keys declared without a default unset, in its words
 * (`missingStackConfigurationKeysError` and `formatMissingKeys` in config.go: the keys as
 * `Pulumi.yaml` spells them, sorted, "'a', 'b' and 'c'"), on one line with the fix for each.
 */
function missingKeysError(
  project: string,
  stack: string,
  declarations: Map<string, Declaration>,
  fullKeys: string[],
): StackConfigError {
  const keys = fullKeys.map((k) => k.slice(project.length + 1)).sort();
  const quoted = keys.map((k) => `'${k}'`);
  const list =
    quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
  const fixes = keys.map((k) =>
    declarations.get(`${project}:${k}`)?.type === "array"
      ? `pulumi config set --path '${k}[0]' <value>`
      : `pulumi config set ${k} <value>`,
  );
  return new StackConfigError(
    `Pulumi.${stack}.yaml is refused: Pulumi refuses the stack ("Stack '${stack}' is missing configuration ${keys.length === 1 ? "value" : "values"} ${list}"); set ${keys.length === 1 ? "it" : "them"}: ${fixes.join("; ")}`,
  );
}

/**
 * The program's own keys without the namespace prefix (`authMode` → value), as `parseConfig`
 * takes them in `RawConfig.values`.
 */
export function projectValues(sc: Pick<StackConfig, "project" | "config">): Record<string, string> {
  const out: Record<string, string> = {};
  const prefix = `${sc.project}:`;
  for (const [key, value] of Object.entries(sc.config)) {
    if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  }
  return out;
}
