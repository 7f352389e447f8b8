/**
 * `startLocal`: everything `npm start` runs, in-process — the development issuer, the Secrets
 * Manager endpoint, the Pulumi program under mocks (`runner.ts`), the worker-thread Lambda
 * runtime, and the engine (`gateway/`) serving the resulting model on 127.0.0.1.
 *
 * First the stack is checked as `pulumi preview` checks it (`readStackConfig`: Pulumi's own rules;
 * `validateStack`: the program's `parseConfig` with the deployed rules), so a stack the deployment
 * would refuse never starts locally. Then its config becomes a local one (`localConfig`, one note
 * per substitution):
 * - `--mode` overrides `authMode`; `--backend-url` sets `backendUrl`.
 * - `--issuer`/`--audience`: tokens come from that OIDC issuer (keys through its discovery
 *   document), so the Lambda modes verify with `jwks` and no key material is involved.
 * - `--secret-file` / `--public-key-file`: `verifyWith` secret / public-key with that key.
 * - Otherwise the built-in issuer stands in for the real one: its loopback URL becomes the
 *   issuer for `jwks` and `http-jwt`, its HS256 secret replaces an encrypted `jwtSecret` (or a
 *   `secretArn` nobody can read here), its public key replaces `publicKeyPem`.
 * The program then runs with that config exactly as `pulumi up` would run it, except that
 * `parseConfig` accepts http issuers on loopback (`allowLoopbackHttpIssuer`).
 */
import { existsSync, readFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";

import * as pulumi from "@pulumi/pulumi";
import { join, resolve } from "node:path";

import {
  AUTH_MODES,
  CONFIG_KEYS,
  PROJECT,
  configString,
  PRESET_KEYS,
  PRESETS,
  parseConfig,
  plaintextKeys,
  withoutDeclaredDefaults,
  type AppConfig,
  type AuthMode,
  type RawConfig,
} from "../infra/config";
import {
  DevIssuer,
  loadOrCreateDevKeys,
  mintToken as mintWith,
  setClaim,
  type DevKeys,
  type MintOptions,
  type TokenProfile,
} from "./dev-issuer";
import { createGateway, type GatewayOptions } from "./gateway";
import { WorkerLambdaRuntime, type InvocationRecord } from "./lambda-runtime";
import type { ApiModel } from "./model";
import { runProgram, type ProgramRun } from "./runner";
import { SecretsEndpoint } from "./secrets-endpoint";
import {
  projectValues,
  readStackConfig,
  SECURE_PLACEHOLDERS,
  StackConfigError,
  type StackConfig,
} from "./stack-config";

export const ROOT = resolve(__dirname, "..");

/**
 * The session of the gateway on `port`: one file per port, so that two gateways sharing a state
 * directory each keep their own issuer URL and profile, and stopping one leaves the other's alone.
 */
export function sessionFileName(port: number): string {
  return `session-${port}.json`;
}

/**
 * Where `npm start` keeps the development keys and its session, and where `npm run token` reads
 * them: `.local/` (gitignored), or `$IDENTITY_GATEWAY_LOCAL_DIR`.
 */
export function stateDirectory(): string {
  return process.env.IDENTITY_GATEWAY_LOCAL_DIR || join(ROOT, ".local");
}

export interface LocalOptions {
  /** Repository root holding `Pulumi.yaml`. @default the repository of this file */
  readonly root?: string;
  /** Stack whose config is served. @default "dev" */
  readonly stack?: string;
  /** Overrides `authMode`. */
  readonly mode?: string;
  /** Port on 127.0.0.1; 0 picks a free one. @default 8080 */
  readonly port?: number;
  /** An external OIDC issuer instead of the built-in one (http only on loopback). */
  readonly issuer?: string;
  /** The audience tokens of `issuer` carry. */
  readonly audience?: string;
  /** HS256 secret file: `verifyWith=secret` with this secret. */
  readonly secretFile?: string;
  /** PEM public key file: `verifyWith=public-key` with this key. */
  readonly publicKeyFile?: string;
  /** Forward to this backend instead of the echo Lambda. */
  readonly backendUrl?: string;
  /**
   * Serve the IdentityGateway a user's Pulumi program creates (`--program`) instead of this
   * repository's stack: its arguments take the place of the stack config (checked by the same
   * rules), and the options above replace issuer, keys, mode and backend as they do for a stack.
   */
  readonly program?: string;
  /**
   * The playground's origin (`npm start -- --playground`): added to `corsAllowOrigins` for this
   * run, so the browser's cross-origin calls from the page pass the real preflight.
   */
  readonly playgroundOrigin?: string;
  /** Sees each request and the gateway's answer (the playground). @default none */
  readonly observe?: GatewayOptions["observe"];
  /**
   * More config overrides, unqualified keys (`claimHeaders`), values as Pulumi hands them to
   * programs (lists as JSON); `undefined` unsets a key. Applied before the options above.
   */
  readonly config?: Readonly<Record<string, string | undefined>>;
  /**
   * Directory for the development keys and the session file `npm run token` reads (`.local/`).
   * @default undefined (keys for this run only, no session file)
   */
  readonly stateDir?: string;
  /** Access-log lines. @default discarded */
  readonly accessLog?: (line: string) => void;
  /** Lambda output lines. @default discarded */
  readonly functionLog?: (functionName: string, line: string) => void;
}

/** What `npm run token` needs to sign tokens the running gateway accepts. */
export interface Session {
  /** The process serving it (a session whose process is gone is stale). */
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly stageUrl: string;
  readonly profile: TokenProfile;
  readonly defaultClaims: Record<string, unknown>;
  /** Where the HS256 secret comes from when it is not the development one. */
  readonly secretFile?: string;
  /** Why tokens cannot be minted locally, when they cannot. */
  readonly mintUnavailable?: string;
}

export interface LocalGateway {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The URL of the stage: `url` plus `/<stage>` (or `url` for `$default`). */
  readonly stageUrl: string;
  readonly model: ApiModel;
  readonly appConfig: AppConfig;
  readonly program: ProgramRun;
  /** `--program`: the user's program served. */
  readonly programPath?: string;
  /** How tokens must look; signed with the development keys or `--secret-file`. */
  readonly profile: TokenProfile;
  /** A token the gateway accepts (claims default to a role the stack requires). */
  mintToken(opts?: MintOptions): string;
  /** Lambda invocations so far, and counts by function name or role. */
  readonly invocations: {
    readonly records: readonly InvocationRecord[];
    count(functionName?: string): number;
    /** Invocations of the authorizer function(s). */
    authorizer(): number;
    /** Invocations of the backend function(s). */
    backend(): number;
  };
  readonly secrets: SecretsEndpoint;
  /** The built-in issuer; undefined with `issuer`. */
  readonly devIssuer?: DevIssuer;
  /** One line per value the local run put in place of the stack's (key material, issuer). */
  readonly substitutions: readonly string[];
  /** Problems that do not stop the local run (an unreachable `--issuer`, …). */
  readonly warnings: readonly string[];
  close(): Promise<void>;
}

/** A bad command-line option of `npm start`; the message names the flag. */
export class LocalOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalOptionError";
  }
}

/** `http://` on a loopback host, or `https://`: what `--issuer` may be. */
function issuerUrlOk(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === "https:" ||
      (u.protocol === "http:" && ["127.0.0.1", "[::1]", "localhost"].includes(u.hostname))
    );
  } catch {
    return false;
  }
}

/**
 * Check the options that are not stack config, so their errors name the flag rather than an
 * `identity-gateway:` key. @throws LocalOptionError
 */
export function checkLocalOptions(options: LocalOptions): void {
  if (options.mode !== undefined && !(AUTH_MODES as readonly string[]).includes(options.mode)) {
    throw new LocalOptionError(`--mode expects ${AUTH_MODES.join(", ")}, got "${options.mode}"`);
  }
  if (options.issuer !== undefined && !issuerUrlOk(options.issuer)) {
    throw new LocalOptionError(
      `--issuer must be an https URL (http only on 127.0.0.1, [::1] or localhost), got "${options.issuer}"`,
    );
  }
  if (options.backendUrl !== undefined) {
    let ok: boolean;
    try {
      const u = new URL(options.backendUrl);
      ok = (u.protocol === "http:" || u.protocol === "https:") && u.search === "" && u.hash === "";
    } catch {
      ok = false;
    }
    if (!ok || /[?#]/.test(options.backendUrl)) {
      throw new LocalOptionError(
        `--backend-url expects http(s)://host[:port][/base-path] (no query string), got "${options.backendUrl}"`,
      );
    }
  }
}

/** The contents of a file named by a flag. @throws LocalOptionError naming the flag */
function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LocalOptionError(`${flag}: cannot read ${path} (${e.code ?? e.message})`);
  }
}

/**
 * Validate the stack exactly as `pulumi preview` would run the program on it, before anything
 * local replaces its issuer or key material: `parseConfig` with the strict (deployed) rules. `--mode`
 * and `--backend-url` count as `pulumi config set` on the stack. Encrypted values are stood in for
 * by placeholders of the right shape (`SECURE_PLACEHOLDERS`).
 * @throws ConfigError (the program's own refusal), StackConfigError for encrypted values the local
 *   run cannot stand in for
 */
export function validateStack(
  sc: StackConfig,
  options: Pick<LocalOptions, "mode" | "backendUrl"> = {},
): AppConfig {
  // What the stack itself set: Pulumi.yaml's defaults come back out, as loadConfig takes them out.
  const values = withoutDeclaredDefaults(projectValues(sc));
  if (options.mode !== undefined) values.authMode = options.mode;
  if (options.backendUrl !== undefined) {
    values.backendUrl = options.backendUrl;
    for (const k of ["vpcLinkListenerArn", "vpcLinkSubnetIds", "vpcLinkSecurityGroupIds"]) {
      delete values[k];
    }
  }
  // Encrypted values are in secureKeys, not among these: whatever an encrypted key has here is
  // plain text, which loadConfig refuses.
  const plaintext = plaintextKeys(values, () => false);
  // loadConfig hands jwtSecret over as a secret Output, never among the plain values.
  let jwtSecret = values.jwtSecret;
  delete values.jwtSecret;
  const jwtSecretBytes =
    jwtSecret === undefined || jwtSecret === "" ? undefined : Buffer.byteLength(jwtSecret, "utf8");
  for (const full of sc.secureKeys) {
    if (!full.startsWith(`${sc.project}:`)) continue;
    const key = full.slice(sc.project.length + 1);
    const placeholder = SECURE_PLACEHOLDERS[key];
    if (placeholder === undefined) {
      throw new StackConfigError(
        `${full} is encrypted in Pulumi.${sc.stack}.yaml; only the Pulumi CLI can decrypt it and the local gateway needs its value: store it in plain text (pulumi config set ${key} <value>), it is not a secret of this program`,
      );
    }
    if (key === "jwtSecret") jwtSecret = placeholder;
    else values[key] = placeholder;
  }
  return parseConfig({
    stackName: sc.stack,
    values,
    jwtSecret,
    jwtSecretBytes,
    plaintextKeys: plaintext,
  });
}

/**
 * Read the issuer's OIDC discovery document the way API Gateway finds its keys (aws-semantics.md
 * §1: the JWT authorizer uses `/.well-known/openid-configuration`, with a 1500 ms timeout, HTTP
 * API quotas). A warning when it cannot be read; undefined when it can.
 */
export async function checkDiscovery(
  issuer: string,
  timeoutMs = 1500,
): Promise<string | undefined> {
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    if (res.status !== 200) return `--issuer ${issuer}: ${url} answered ${res.status}`;
    const doc = (await res.json()) as { jwks_uri?: unknown };
    if (typeof doc.jwks_uri !== "string") return `--issuer ${issuer}: ${url} has no jwks_uri`;
    return undefined;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why =
      e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return `--issuer ${issuer}: cannot read ${url} (${why})`;
  }
}

/** `sc.config` without the project keys whose value is their declared default. */
function withoutProjectDefaults(sc: StackConfig): Record<string, string> {
  const prefix = `${sc.project}:`;
  const own = withoutDeclaredDefaults(projectValues(sc));
  const out: Record<string, string> = {};
  for (const [full, value] of Object.entries(sc.config)) {
    if (!full.startsWith(prefix) || own[full.slice(prefix.length)] !== undefined) out[full] = value;
  }
  return out;
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

// secretKmsKeyArn belongs to secretArn: replacing the secret drops its key too (parseConfig refuses
// one without the other).
const KEY_SETTINGS = ["jwtSecret", "publicKeyPem", "secretArn", "secretKmsKeyArn", "jwksUri"];

interface LocalConfig {
  config: Record<string, string>;
  secretKeys: string[];
  /** The HS256 secret to sign with when it is not the development one. */
  hs256Secret?: string;
  mintUnavailable?: string;
  needsDevIssuer: boolean;
  /** One line per substitution, `<key>: <what is used instead>; <flag> to choose`. */
  notes: string[];
}

/**
 * The config the program runs with locally (see the file comment), once the stack has passed
 * `validateStack`. `devIssuerUrl` is the built-in issuer's URL.
 * @throws LocalOptionError when a file named by a flag cannot be read
 */
export function localConfig(
  sc: StackConfig,
  options: LocalOptions,
  devKeys: DevKeys,
  devIssuerUrl: string,
): LocalConfig {
  const project = sc.project;
  // Only what the stack set, so "unset" reads as unset below; Pulumi.yaml's defaults go back in
  // at the end, as Pulumi applies them to whatever the stack leaves unset.
  const config = withoutProjectDefaults(sc);
  const get = (k: string): string | undefined => config[qualify(project, k)];
  const set = (k: string, v: string | undefined): void => {
    if (v === undefined) delete config[qualify(project, k)];
    else config[qualify(project, k)] = v;
  };
  const secure = new Set(
    sc.secureKeys.filter((k) => options.config?.[k.split(":")[1]] === undefined),
  );
  for (const [k, v] of Object.entries(options.config ?? {})) set(k, v);
  if (options.mode !== undefined) set("authMode", options.mode);
  if (options.backendUrl !== undefined) {
    set("backendUrl", options.backendUrl);
    set("vpcLinkListenerArn", undefined);
    set("vpcLinkSubnetIds", undefined);
    set("vpcLinkSecurityGroupIds", undefined);
  }
  const mode = get("authMode") as AuthMode | undefined;
  const lambdaMode = mode === "http-lambda" || mode === "rest-token";
  const notes: string[] = [];
  const result: LocalConfig = { config, secretKeys: [], needsDevIssuer: false, notes };
  if (options.playgroundOrigin !== undefined) {
    const origins = JSON.parse(get("corsAllowOrigins") ?? "[]") as string[];
    if (!origins.includes("*") && !origins.includes(options.playgroundOrigin)) {
      set("corsAllowOrigins", JSON.stringify([...origins, options.playgroundOrigin]));
      notes.push(
        `corsAllowOrigins: adding ${options.playgroundOrigin} (the playground) for this local run`,
      );
    }
  }
  const clearKeys = (): void => {
    for (const k of KEY_SETTINGS) set(k, undefined);
    for (const k of KEY_SETTINGS) secure.delete(qualify(project, k));
  };
  // What the stack names as its issuer, for the note that replaces it.
  const stackIssuer = (): string => {
    const presetKey = PRESET_KEYS.find((k) => get(k) !== undefined);
    if (presetKey !== undefined)
      return `${PRESETS[presetKey].provider} (${presetKey} ${get(presetKey)})`;
    const extra = get("issuers") === undefined ? "" : " and the issuers list";
    return `${get("issuer") ?? "none"}${extra}`;
  };
  // The presets and issuers stand for real issuers whose keys are not here: the local run trusts
  // only the issuer it replaces them with.
  const clearIssuers = (): void => {
    for (const k of PRESET_KEYS) set(k, undefined);
    set("issuers", undefined);
  };
  const useDevIssuer = (): void => {
    notes.push(
      `issuer: using the built-in development issuer ${devIssuerUrl} instead of ${stackIssuer()}; --issuer to choose`,
    );
    clearIssuers();
    set("issuer", devIssuerUrl);
    result.needsDevIssuer = true;
  };

  if (options.issuer !== undefined) {
    notes.push(`issuer: ${options.issuer} (--issuer), keys from its discovery document`);
    set("issuer", options.issuer);
    if (options.audience !== undefined) set("audiences", JSON.stringify([options.audience]));
    clearIssuers();
    if (lambdaMode) {
      clearKeys();
      set("verifyWith", "jwks");
    }
    result.mintUnavailable = `tokens come from ${options.issuer}; ask it for one`;
  } else if (lambdaMode && options.secretFile !== undefined) {
    clearKeys();
    set("verifyWith", "secret");
    result.hs256Secret = readFlagFile("--secret-file", options.secretFile).trim();
    set("jwtSecret", result.hs256Secret);
    notes.push(`jwtSecret: using the secret in ${options.secretFile} (--secret-file)`);
  } else if (lambdaMode && options.publicKeyFile !== undefined) {
    const pem = readFlagFile("--public-key-file", options.publicKeyFile);
    clearKeys();
    set("verifyWith", "public-key");
    set("publicKeyPem", pem);
    notes.push(`publicKeyPem: using the key in ${options.publicKeyFile} (--public-key-file)`);
    result.mintUnavailable = `tokens must be signed with the private key of ${options.publicKeyFile}`;
  } else if (lambdaMode) {
    const verifyWith = get("verifyWith") ?? "jwks";
    set("verifyWith", verifyWith);
    const arn =
      get("secretArn") ?? (secure.has(qualify(project, "secretArn")) ? "(encrypted)" : undefined);
    if (verifyWith === "secret") {
      const plain = get("jwtSecret");
      if (plain !== undefined && arn === undefined) {
        result.hs256Secret = plain;
      } else {
        clearKeys();
        set("jwtSecret", devKeys.hs256Secret);
        notes.push(
          arn !== undefined
            ? `secretArn: ${arn} cannot be read here; using a generated development secret; --secret-file to choose`
            : "jwtSecret: using a generated development secret; --secret-file to choose",
        );
      }
    } else if (verifyWith === "public-key") {
      clearKeys();
      set("publicKeyPem", devKeys.publicKeyPem);
      notes.push(
        `${arn !== undefined ? `secretArn: ${arn} cannot be read here` : "publicKeyPem"}: using the development issuer's public key; --public-key-file to choose`,
      );
    } else {
      const jwksUri = get("jwksUri");
      clearKeys();
      if (jwksUri !== undefined)
        notes.push(`jwksUri: ${jwksUri} replaced by the development issuer's JWKS`);
      useDevIssuer();
    }
    const named = get("issuer") ?? get("issuers") ?? PRESET_KEYS.find((k) => get(k) !== undefined);
    if (named === undefined) set("issuer", devIssuerUrl);
  } else if (mode === "http-jwt") {
    useDevIssuer();
  }
  if (mode === "http-jwt" && (get("audiences") ?? "[]") === "[]") {
    set("audiences", JSON.stringify(["identity-gateway-local"]));
    notes.push("audiences: identity-gateway-local (none given); --audience to choose");
  }
  if (get("jwtSecret") !== undefined) result.secretKeys.push(qualify(project, "jwtSecret"));
  for (const [key, decl] of Object.entries(CONFIG_KEYS)) {
    if ("default" in decl && get(key) === undefined) set(key, configString(decl.default));
  }
  // Encrypted values the mode does not read (validateStack accepted them as pulumi preview does)
  // are left out: nobody here can decrypt them, and the program ignores them.
  return result;
}

/**
 * An IdentityGateway's raw config as a stack's: its arguments as the stack's values, a jwtSecret
 * (held as a secret Output) as an encrypted value, which the local run replaces by its own.
 */
function argsStackConfig(sc: StackConfig, raw: RawConfig): StackConfig {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.values)) {
    if (v !== undefined) config[`${sc.project}:${k}`] = v;
  }
  const secureKeys = raw.jwtSecret === undefined ? [] : [`${sc.project}:jwtSecret`];
  return { ...sc, config, secureKeys };
}

/** The raw config `localConfig`'s result stands for, as `loadConfig` would hand it over. */
function rawFromLocalConfig(sc: StackConfig, local: LocalConfig): RawConfig {
  const values = withoutDeclaredDefaults(
    projectValues({ project: sc.project, config: local.config }),
  );
  const jwtSecret = values.jwtSecret;
  delete values.jwtSecret;
  return {
    stackName: sc.stack,
    values,
    jwtSecret: jwtSecret === undefined ? undefined : pulumi.secret(jwtSecret),
    jwtSecretBytes: jwtSecret === undefined ? undefined : Buffer.byteLength(jwtSecret, "utf8"),
  };
}

/** The claims a default token carries so that the stack's rules accept it. */
export function defaultClaims(app: AppConfig): Record<string, unknown> {
  const claims: Record<string, unknown> = { name: "Dev Customer" };
  if (app.authMode === "rest-token") setClaim(claims, app.roleClaim, app.requiredRoles[0]);
  return claims;
}

function mergeClaims(
  base: Record<string, unknown>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const b = out[k];
    const isObj = (x: unknown): x is Record<string, unknown> =>
      typeof x === "object" && x !== null && !Array.isArray(x);
    out[k] = isObj(b) && isObj(v) ? mergeClaims(b, v) : v;
  }
  return out;
}

/** The token profile of a running configuration. */
export function tokenProfile(app: AppConfig): TokenProfile {
  if (app.authMode === "http-jwt") {
    return { issuer: app.issuer, audience: app.audiences[0], alg: "RS256" };
  }
  return {
    issuer: app.lambda.issuer,
    audience: app.lambda.audiences[0],
    alg: app.lambda.keySource.kind === "secret" ? "HS256" : "RS256",
  };
}

/** Mint with a session's profile and keys (also used by `npm run token`). */
export function mintForSession(
  keys: DevKeys,
  session: Pick<Session, "profile" | "defaultClaims" | "mintUnavailable">,
  opts: MintOptions = {},
): string {
  if (session.mintUnavailable) throw new Error(`Cannot mint a token: ${session.mintUnavailable}.`);
  return mintWith(keys, session.profile, {
    ...opts,
    claims: mergeClaims(session.defaultClaims, opts.claims ?? {}),
  });
}

/** Start the local gateway. */
export async function startLocal(options: LocalOptions = {}): Promise<LocalGateway> {
  const root = options.root ?? ROOT;
  const stack = options.stack ?? "dev";
  checkLocalOptions(options);
  let sc: StackConfig;
  if (options.program === undefined) {
    sc = readStackConfig(root, stack);
    // The stack as pulumi preview would judge it, before any local substitution.
    validateStack(sc, options);
  } else {
    if (!existsSync(options.program)) {
      throw new LocalOptionError(`--program: ${options.program} does not exist`);
    }
    // The component checks its arguments by the deployed rules before the local hook runs.
    sc = { project: PROJECT, stack, config: {}, secureKeys: [], declaredSecretKeys: [] };
  }
  const warnings: string[] = [];
  if (options.issuer !== undefined) {
    // Keep serving: the issuer may come up later, and every request is denied until it does.
    const problem = await checkDiscovery(options.issuer);
    if (problem !== undefined) {
      warnings.push(`${problem}; every request is denied until it answers (serving anyway)`);
    }
  }
  const devKeys = loadOrCreateDevKeys(options.stateDir);
  // Stopped in reverse order of starting: the server first, the issuer last.
  const cleanup: Array<() => Promise<void>> = [];
  let closing: Promise<void> | undefined;
  const closeAll = (): Promise<void> =>
    (closing ??= (async () => {
      for (const fn of [...cleanup].reverse()) await fn().catch(() => undefined);
    })());
  try {
    const devIssuer = options.issuer === undefined ? await DevIssuer.start(devKeys) : undefined;
    if (devIssuer) cleanup.push(() => devIssuer.close());
    const issuerUrl = devIssuer?.url ?? "http://127.0.0.1";
    let local: LocalConfig | undefined =
      options.program === undefined ? localConfig(sc, options, devKeys, issuerUrl) : undefined;
    const program = await runProgram({
      stack,
      project: sc.project,
      config: local?.config ?? {},
      secretKeys: local?.secretKeys ?? [],
      parseOptions: { allowLoopbackHttpIssuer: true },
      program: options.program === undefined ? undefined : resolve(options.program),
      // A program's IdentityGateway: its arguments read as a stack's config, substituted alike.
      argsHook: (_name, raw) => {
        local = localConfig(argsStackConfig(sc, raw), options, devKeys, issuerUrl);
        return {
          raw: rawFromLocalConfig(sc, local),
          options: { allowLoopbackHttpIssuer: true },
        };
      },
    });
    if (local === undefined) throw new Error("the program's IdentityGateway was never configured");
    const signingKeys: DevKeys =
      local.hs256Secret !== undefined ? { ...devKeys, hs256Secret: local.hs256Secret } : devKeys;

    const secrets = await SecretsEndpoint.start();
    cleanup.push(() => secrets.close());
    for (const s of program.secrets) secrets.putSecret(s.arn, s.secretString, s.name);

    const runtime = new WorkerLambdaRuntime({
      baseEnvironment: { AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url },
      region: program.model.region,
      accountId: program.model.accountId,
      log: options.functionLog ?? (() => undefined),
    });
    cleanup.push(() => runtime.close());

    const gateway = createGateway(program.model, {
      invoker: runtime,
      // A stage without access-log settings (accessLogging: false) writes no access log on AWS;
      // neither does the local gateway.
      log: program.model.accessLogFormat !== undefined ? options.accessLog : undefined,
      observe: options.observe,
    });
    const listening = await gateway.listen(options.port ?? 8080);
    cleanup.push(() => listening.close());

    const model = program.model;
    const stageUrl =
      model.stageName === "$default" ? listening.url : `${listening.url}/${model.stageName}`;
    const profile = tokenProfile(program.appConfig);
    const session: Session = {
      pid: process.pid,
      port: Number(new URL(listening.url).port),
      url: listening.url,
      stageUrl,
      profile,
      defaultClaims: defaultClaims(program.appConfig),
      secretFile: options.secretFile ? resolve(options.secretFile) : undefined,
      mintUnavailable: local.mintUnavailable,
    };
    if (options.stateDir !== undefined) {
      mkdirSync(options.stateDir, { recursive: true });
      const file = join(options.stateDir, sessionFileName(session.port));
      writeFileSync(file, JSON.stringify(session, null, 2) + "\n", { mode: 0o600 });
      cleanup.push(async () => rmSync(file, { force: true }));
    }
    const authorizerNames = new Set(
      model.authorizers.flatMap((a) => (a.kind === "jwt" ? [] : [a.function.name])),
    );
    const backendNames = new Set(
      model.routes.flatMap((r) =>
        r.integration.kind === "lambda-proxy" ? [r.integration.function.name] : [],
      ),
    );
    return {
      url: listening.url,
      stageUrl,
      model,
      appConfig: program.appConfig,
      program,
      programPath: options.program,
      profile,
      mintToken: (opts) => mintForSession(signingKeys, session, opts),
      invocations: {
        get records() {
          return runtime.invocations;
        },
        count: (name) => runtime.count(name),
        authorizer: () =>
          runtime.invocations.filter((i) => authorizerNames.has(i.functionName)).length,
        backend: () => runtime.invocations.filter((i) => backendNames.has(i.functionName)).length,
      },
      secrets,
      devIssuer,
      substitutions: local.notes,
      warnings,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
