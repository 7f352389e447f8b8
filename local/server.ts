/**
 * `startLocal`: everything `npm start` runs, in-process — the development issuer, the Secrets
 * Manager endpoint, the Pulumi program under mocks (`runner.ts`), the worker-thread Lambda
 * runtime, and the engine (`gateway/`) serving the resulting model on 127.0.0.1.
 *
 * How the stack's config becomes a local one (`localConfig`):
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
import { readFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import type { AppConfig, AuthMode } from "../infra/config";
import {
  DevIssuer,
  loadOrCreateDevKeys,
  mintToken as mintWith,
  setClaim,
  type DevKeys,
  type MintOptions,
  type TokenProfile,
} from "./dev-issuer";
import { createGateway } from "./gateway";
import { WorkerLambdaRuntime, type InvocationRecord } from "./lambda-runtime";
import type { ApiModel } from "./model";
import { runProgram, type ProgramRun } from "./runner";
import { SecretsEndpoint } from "./secrets-endpoint";
import { readStackConfig, type StackConfig } from "./stack-config";

export const ROOT = resolve(__dirname, "..");
export const SESSION_FILE = "session.json";

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
  close(): Promise<void>;
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
}

/**
 * The config the program runs with locally (see the file comment). `devIssuerUrl` is the
 * built-in issuer's URL.
 */
export function localConfig(
  sc: StackConfig,
  options: LocalOptions,
  devKeys: DevKeys,
  devIssuerUrl: string,
): LocalConfig {
  const project = sc.project;
  const config: Record<string, string> = { ...sc.config };
  const get = (k: string): string | undefined => config[qualify(project, k)];
  const set = (k: string, v: string | undefined): void => {
    if (v === undefined) delete config[qualify(project, k)];
    else config[qualify(project, k)] = v;
  };
  for (const [k, v] of Object.entries(options.config ?? {})) set(k, v);
  if (options.mode !== undefined) set("authMode", options.mode);
  if (options.backendUrl !== undefined) {
    set("backendUrl", options.backendUrl);
    set("vpcLinkListenerArn", undefined);
    set("vpcLinkSubnetIds", undefined);
    set("vpcLinkSecurityGroupIds", undefined);
  }
  const secure = new Set(
    sc.secureKeys.filter((k) => options.config?.[k.split(":")[1]] === undefined),
  );
  const mode = get("authMode") as AuthMode | undefined;
  const lambdaMode = mode === "http-lambda" || mode === "rest-token";
  const result: LocalConfig = { config, secretKeys: [], needsDevIssuer: false };
  const clearKeys = (): void => {
    for (const k of KEY_SETTINGS) set(k, undefined);
    for (const k of KEY_SETTINGS) secure.delete(qualify(project, k));
  };

  if (options.issuer !== undefined) {
    set("issuer", options.issuer);
    if (options.audience !== undefined) set("audiences", JSON.stringify([options.audience]));
    if (lambdaMode) {
      clearKeys();
      set("verifyWith", "jwks");
    } else {
      set("passageAppId", undefined);
      set("clerkFrontendApiUrl", undefined);
    }
    result.mintUnavailable = `tokens come from ${options.issuer}; ask it for one`;
  } else if (lambdaMode && options.secretFile !== undefined) {
    clearKeys();
    set("verifyWith", "secret");
    result.hs256Secret = readFileSync(options.secretFile, "utf8").trim();
    set("jwtSecret", result.hs256Secret);
  } else if (lambdaMode && options.publicKeyFile !== undefined) {
    clearKeys();
    set("verifyWith", "public-key");
    set("publicKeyPem", readFileSync(options.publicKeyFile, "utf8"));
    result.mintUnavailable = `tokens must be signed with the private key of ${options.publicKeyFile}`;
  } else if (lambdaMode) {
    const verifyWith = get("verifyWith") ?? "jwks";
    set("verifyWith", verifyWith);
    if (verifyWith === "secret") {
      const plain = get("jwtSecret");
      if (plain !== undefined && get("secretArn") === undefined) {
        result.hs256Secret = plain;
      } else {
        clearKeys();
        set("jwtSecret", devKeys.hs256Secret);
      }
    } else if (verifyWith === "public-key") {
      clearKeys();
      set("publicKeyPem", devKeys.publicKeyPem);
    } else {
      clearKeys();
      set("issuer", devIssuerUrl);
      result.needsDevIssuer = true;
    }
    if (get("issuer") === undefined) set("issuer", devIssuerUrl);
  } else if (mode === "http-jwt") {
    set("passageAppId", undefined);
    set("clerkFrontendApiUrl", undefined);
    set("issuer", devIssuerUrl);
    result.needsDevIssuer = true;
  }
  if (mode === "http-jwt" && (get("audiences") ?? "[]") === "[]") {
    set("audiences", JSON.stringify(["identity-gateway-local"]));
  }
  if (get("jwtSecret") !== undefined) result.secretKeys.push(qualify(project, "jwtSecret"));
  // Secure values nobody here can decrypt, and that nothing above replaced.
  for (const key of secure) {
    if (config[key] === undefined) {
      throw new Error(
        `${key} is encrypted in Pulumi.${sc.stack}.yaml and is not used locally in this mode; ` +
          `remove it, or pass the value with --secret-file.`,
      );
    }
  }
  return result;
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
  const sc = readStackConfig(root, stack);
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
    const local = localConfig(sc, options, devKeys, devIssuer?.url ?? "http://127.0.0.1");
    const signingKeys: DevKeys =
      local.hs256Secret !== undefined ? { ...devKeys, hs256Secret: local.hs256Secret } : devKeys;

    const program = await runProgram({
      stack,
      project: sc.project,
      config: local.config,
      secretKeys: local.secretKeys,
      parseOptions: { allowLoopbackHttpIssuer: true },
    });

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
    });
    const listening = await gateway.listen(options.port ?? 8080);
    cleanup.push(() => listening.close());

    const model = program.model;
    const stageUrl =
      model.stageName === "$default" ? listening.url : `${listening.url}/${model.stageName}`;
    const profile = tokenProfile(program.appConfig);
    const session: Session = {
      url: listening.url,
      stageUrl,
      profile,
      defaultClaims: defaultClaims(program.appConfig),
      secretFile: options.secretFile ? resolve(options.secretFile) : undefined,
      mintUnavailable: local.mintUnavailable,
    };
    if (options.stateDir !== undefined) {
      mkdirSync(options.stateDir, { recursive: true });
      const file = join(options.stateDir, SESSION_FILE);
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
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
