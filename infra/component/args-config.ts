/**
 * `IdentityGatewayArgs` → `AppConfig`: each argument is put back under its config key, as the
 * text Pulumi would hand the stack program (lists as JSON), and validated by `parseConfig`, the
 * stack program's own validation. Only the labels differ: a problem names the argument
 * (`IdentityGateway "gw": args.cors.allowOrigins (config corsAllowOrigins): …`), the message is
 * the same.
 */
import * as pulumi from "@pulumi/pulumi";

import {
  CONFIG_KEYS,
  ConfigError,
  editDistance,
  isConfigKey,
  parseConfig,
  type AppConfig,
  type ConfigDeclaration,
  type ConfigErrorFormat,
  type ConfigProblem,
  type ParseOptions,
  type RawConfig,
} from "../config";
import { ARG_GROUPS, argPaths } from "./arg-paths";
import type { IdentityGatewayArgs } from "./args";

/** The component's Pulumi type token (`<package>:<module>:<Type>`, module `index` as a component package needs). */
export const IDENTITY_GATEWAY_TYPE = "identity-gateway:index:IdentityGateway";

/** `args.cors.allowOrigins (config corsAllowOrigins)`, or `args.audiences` where the names agree. */
export function argLabel(key: string): string {
  if (!isConfigKey(key)) return `args.${key}`;
  const path = argPaths().find(([k]) => k === key)![1];
  const dotted = path.join(".");
  return dotted === key ? `args.${dotted}` : `args.${dotted} (config ${key})`;
}

/** How a ConfigError of the component `name` reads. */
export function argsErrorFormat(name: string): ConfigErrorFormat {
  return {
    heading: `Invalid arguments of IdentityGateway "${name}":`,
    label: (key) => `IdentityGateway "${name}": ${argLabel(key)}`,
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !pulumi.Output.isInstance(v);
}

/** The declared type of a value, as Pulumi would hold it as text; a problem when it is not. */
function configText(decl: ConfigDeclaration, value: unknown): string | { problem: string } {
  const got = Array.isArray(value)
    ? "a list"
    : pulumi.Output.isInstance(value)
      ? "an Output"
      : typeof value;
  switch (decl.type) {
    case "string":
      return typeof value === "string" ? value : { problem: `expected a string, got ${got}.` };
    case "integer":
      return typeof value === "number" && Number.isInteger(value)
        ? String(value)
        : { problem: `expected a whole number, got ${typeof value === "number" ? value : got}.` };
    case "boolean":
      return typeof value === "boolean"
        ? String(value)
        : { problem: `expected true or false, got ${got}.` };
    case "array":
      return Array.isArray(value) && value.every((x) => typeof x === "string")
        ? JSON.stringify(value)
        : { problem: `expected a list of strings, got ${got}.` };
  }
}

/** The argument names a mistyped one most likely meant (case or up to two edits away). */
function closestArg(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const best = known
    .map((k) => ({ k, d: editDistance(lower, k.toLowerCase()) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d)[0];
  return best?.k;
}

/**
 * The raw config the arguments stand for, and the problems of shape (an unknown argument, a value
 * of the wrong type) that `parseConfig` never sees because Pulumi hands it only text.
 */
export function rawConfigFromArgs(args: IdentityGatewayArgs): {
  raw: RawConfig;
  problems: ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const values: Record<string, string> = {};
  let jwtSecret: pulumi.Input<string> | undefined;
  let jwtSecretBytes: number | undefined;
  const given = (args ?? {}) as unknown as Record<string, unknown>;

  // Unknown names, at the top level and inside each group, reported like an unknown config key.
  const paths = argPaths();
  const topLevel = [...new Set(paths.map(([, p]) => p[0]))];
  const unknown = (where: string, name: string, known: readonly string[]): void => {
    const close = closestArg(name, known);
    problems.push({
      key: where === "" ? name : `${where}.${name}`,
      message: `is not an argument of IdentityGateway${close ? ` (did you mean ${where === "" ? "" : `${where}.`}${close}?)` : ""}; see the README's configuration table.`,
    });
  };
  for (const name of Object.keys(given)) {
    if (given[name] !== undefined && !topLevel.includes(name)) unknown("", name, topLevel);
  }
  for (const [group, g] of Object.entries(ARG_GROUPS)) {
    const v = given[group];
    if (v === undefined || v === null) continue;
    if (!isPlainObject(v)) {
      problems.push({ key: group, message: `expected an object (${g.typeName}).` });
      continue;
    }
    const known = Object.values(g.keys) as string[];
    for (const name of Object.keys(v)) {
      if (v[name] !== undefined && !known.includes(name)) unknown(group, name, known);
    }
  }

  for (const [key, path] of paths) {
    const holder = path.length === 1 ? given : given[path[0]];
    if (!isPlainObject(holder)) continue;
    const value = holder[path[path.length - 1]];
    if (value === undefined || value === null) continue;
    const decl = CONFIG_KEYS[key] as ConfigDeclaration;
    if ("encrypted" in decl && decl.encrypted) {
      // jwtSecret: an Output stays one (its value never leaves Pulumi's secret handling); a plain
      // string is made a secret here, so it never reaches the state in plain text.
      if (typeof value === "string") {
        if (value === "") continue;
        jwtSecretBytes = Buffer.byteLength(value, "utf8");
        jwtSecret = pulumi.secret(value);
      } else if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        jwtSecret = value as pulumi.Input<string>;
      } else {
        problems.push({ key, message: "expected a string or a secret Output." });
      }
      continue;
    }
    const text = configText(decl, value);
    if (typeof text === "string") values[key] = text;
    else problems.push({ key, message: text.problem });
  }
  return {
    raw: { stackName: pulumi.getStack(), values, jwtSecret, jwtSecretBytes },
    problems,
  };
}

/**
 * Set by the local gateway (`npm start -- --program`) while it runs a user's program under mocks:
 * given the validated raw config of an IdentityGateway, the config to run it with locally (the
 * development issuer and keys in place of the real ones) and the local parse options. A global
 * symbol, so that it reaches the component whichever copy of this module the program loaded.
 */
export const LOCAL_RUN_HOOK = Symbol.for("identity-gateway.local-run");
export type LocalRunHook = (
  name: string,
  raw: RawConfig,
) => { raw: RawConfig; options: ParseOptions };

/** A problem list that names the component's arguments. */
function argsError(name: string, error: ConfigError): ConfigError {
  return new ConfigError(error.problems, argsErrorFormat(name));
}

/**
 * Validate the arguments of the IdentityGateway `name` into the config the mode components take.
 * Every problem is reported at once, each naming its argument.
 * @throws ConfigError
 */
export function configFromArgs(name: string, args: IdentityGatewayArgs): AppConfig {
  const { raw: given, problems } = rawConfigFromArgs(args);
  let config: AppConfig;
  try {
    config = parseConfig(given);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw argsError(name, new ConfigError([...problems, ...err.problems]));
  }
  if (problems.length > 0) throw argsError(name, new ConfigError(problems));
  // Under the local gateway, the arguments passed the deployed rules above; only then does it put
  // its development issuer and keys in place, as it does for a stack.
  const hook = (globalThis as Record<symbol, LocalRunHook | undefined>)[LOCAL_RUN_HOOK];
  let raw = given;
  let options: ParseOptions = {};
  if (hook !== undefined) {
    ({ raw, options } = hook(name, given));
    try {
      config = parseConfig(raw, options);
    } catch (err) {
      if (err instanceof ConfigError) throw argsError(name, err);
      throw err;
    }
  }
  const secret = raw.jwtSecret;
  if (secret === undefined || raw.jwtSecretBytes !== undefined) return config;
  // A jwtSecret given as an Output: its strength is only known once it resolves (at preview, for
  // a config secret), so the same rule runs then, and a weak secret fails the deployment with the
  // same message naming the argument.
  const checked = pulumi.output(secret).apply((value) => checkJwtSecret(name, raw, value, options));
  return withJwtSecret(config, pulumi.secret(checked));
}

/**
 * `value` when the jwtSecret of the IdentityGateway `name` is strong enough, by parseConfig's rule.
 * @throws ConfigError naming args.jwtSecret
 */
export function checkJwtSecret(
  name: string,
  raw: RawConfig,
  value: string,
  options: ParseOptions = {},
): string {
  try {
    parseConfig({ ...raw, jwtSecretBytes: Buffer.byteLength(value, "utf8") }, options);
  } catch (err) {
    if (err instanceof ConfigError) throw argsError(name, err);
    throw err;
  }
  return value;
}

function withJwtSecret(config: AppConfig, jwtSecret: pulumi.Output<string>): AppConfig {
  if (config.authMode === "http-jwt" || config.lambda.keySource.kind !== "secret") return config;
  return {
    ...config,
    lambda: { ...config.lambda, keySource: { ...config.lambda.keySource, jwtSecret } },
  };
}
