/**
 * `loadConfig()`: the stack's config from the Pulumi engine, as Pulumi hands it over (each unset
 * key holding its `Pulumi.yaml` default, secret keys listed), into `parseConfig`. The only place
 * that touches the engine's config; components receive the `AppConfig` parts they need.
 */
import * as pulumi from "@pulumi/pulumi";

import { parseConfig, type ParseOptions } from "./parse";
import {
  CONFIG_KEYS,
  PROJECT,
  configString,
  declaration,
  isConfigKey,
  type ConfigDeclaration,
  type ConfigValue,
} from "./schema";
import type { AppConfig } from "./types";

/**
 * `values` without the keys whose value equals their declared default, i.e. only what the stack
 * set. Pulumi applies `Pulumi.yaml`'s defaults before the program runs (`mergeConfig`), so an unset
 * `corsMaxAge` arrives as "600" and an unset `customerIdClaims` as "[]"; without this, those would
 * read as choices ("has no effect without corsAllowOrigins", "must name at least one claim").
 * The price, documented in the README: a value written in the stack that equals the default counts
 * as unset too (`customerIdClaims: []` means the mode's default).
 */
export function withoutDeclaredDefaults(
  values: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(values)) {
    const dflt = isConfigKey(key) ? declaration(key) : undefined;
    if (dflt?.default !== undefined && value !== undefined && isDefault(dflt, value)) continue;
    out[key] = value;
  }
  return out;
}

function isDefault(decl: ConfigDeclaration, value: string): boolean {
  if (decl.type !== "array") return value === configString(decl.default as ConfigValue);
  // Lists compared as lists: the CLI's JSON (Go's encoder) need not match JSON.stringify's text.
  try {
    return JSON.stringify(JSON.parse(value)) === JSON.stringify(decl.default);
  } catch {
    return false;
  }
}

/** The keys declared `encrypted` that `values` sets but that are not held as secrets. */
export function plaintextKeys(
  values: Readonly<Record<string, string | undefined>>,
  isSecret: (key: string) => boolean,
): string[] {
  return Object.entries(CONFIG_KEYS)
    .filter(([key, decl]) => "encrypted" in decl && values[key] !== undefined && !isSecret(key))
    .map(([key]) => key);
}

/**
 * Whether the engine holds `fullKey`'s value as a secret (set with `pulumi config set --secret`).
 * `pulumi.runtime.isConfigSecret` does exactly this (it reads the key list the CLI passes in
 * PULUMI_CONFIG_SECRET_KEYS, and the one `setAllConfig(config, secretKeys)` sets under the mock
 * runtime) but is marked @internal in @pulumi/pulumi and so missing from its typings; should a
 * release drop it, the environment variable, with the same meaning, is read instead.
 */
export function isConfigSecret(fullKey: string): boolean {
  const sdk = (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret;
  if (typeof sdk === "function") return (sdk as (k: string) => unknown)(fullKey) === true;
  try {
    const keys: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
    return Array.isArray(keys) && keys.includes(fullKey);
  } catch {
    return false;
  }
}

/**
 * Read the stack's config from the Pulumi engine and validate it. The only place that touches
 * `pulumi.Config`.
 */
export function loadConfig(options: ParseOptions = {}): AppConfig {
  const all: Record<string, string> = {};
  // Every set key of our namespace, so unknown (mistyped) keys are reported too. Read raw (not
  // through pulumi.Config.get, which would warn for secrets).
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    const [ns, key] = fullKey.split(":");
    if (ns === PROJECT && key !== undefined) all[key] = value;
  }
  const values = withoutDeclaredDefaults(all);
  const plaintext = plaintextKeys(values, (key) => isConfigSecret(`${PROJECT}:${key}`));
  const jwtSecret = values.jwtSecret;
  delete values.jwtSecret;
  return parseConfig(
    {
      stackName: pulumi.getStack(),
      values,
      // Kept an Output marked secret, so the value never leaves Pulumi's secret handling.
      jwtSecret: jwtSecret === undefined ? undefined : pulumi.secret(jwtSecret),
      // Reduced to a length at once.
      jwtSecretBytes: secretByteLength(jwtSecret),
      plaintextKeys: plaintext,
    },
    options,
  );
}

function secretByteLength(value: string | undefined): number | undefined {
  return value === undefined || value === "" ? undefined : Buffer.byteLength(value, "utf8");
}
