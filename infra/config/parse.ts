/**
 * `parseConfig(raw)`: raw stack values (strings, as Pulumi holds them) into a typed `AppConfig`.
 * Pure, so the tests call it directly (config is hard to mock in Pulumi, pulumi/pulumi#4472).
 * Per-key checks come from the declarations in `schema.ts`; the rules between keys are here.
 *
 * Every problem is collected and reported at once, each naming the key (`identity-gateway:<key>`)
 * and the fix, so a bad stack stops at `pulumi preview` before any resource is created.
 */
import { createPublicKey, type KeyObject } from "node:crypto";

import type * as pulumi from "@pulumi/pulumi";

import {
  LOG_RETENTION_DAYS,
  MAX_JWT_AUDIENCES,
  MAX_ROUTE_SCOPES,
  MIN_HS256_SECRET_BYTES,
  RESERVED_CONTEXT_KEYS,
  arnPartitionAndRegion,
  contextKeyForClaim,
  isReservedHeader,
} from "./aws";
import {
  AUTH_MODES,
  CONFIG_KEYS,
  PROJECT,
  VERIFY_WITH,
  closestKey,
  declaration,
  didYouMean,
  isConfigKey,
  type AuthMode,
  type Choices,
  type ConfigKey,
  type KeyOfType,
  type UrlRule,
} from "./schema";
import type {
  AppConfig,
  BackendConfig,
  ClaimMapping,
  CommonConfig,
  CorsConfig,
  HttpJwtConfig,
  IdentityConfig,
  KeySource,
  LambdaAuthConfig,
  StageConfig,
} from "./types";
import {
  defaultRouteTable,
  formatRoute,
  parseRouteTable,
  type RouteRule,
  type RouteSpec,
} from "../../functions/commons/routes";
import { checkRestRouteTable } from "../../functions/rest-authorizer/route-policy-check";
import type { IssuerSettings } from "../../functions/commons/issuers";
import { PRESET_KEYS, PRESETS, preset, type PresetKey, type PresetTarget } from "./presets";
import {
  ASYMMETRIC_ALGORITHMS,
  DEFAULT_TOKEN_ALGORITHMS,
  isAsymmetricAlgorithm,
  keyAlgorithms,
  keyTypeOf,
  UnsupportedKeyError,
  type AsymmetricAlgorithm,
} from "../../functions/commons/algorithms";
import { isHttpsUrl } from "./urls";

export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

/**
 * How a `ConfigError` names where a problem is: the heading line and each key's label. The stack
 * program names config keys (`identity-gateway:audiences`); the `IdentityGateway` component names
 * its arguments (`IdentityGateway "gw": args.audiences`) with the same messages.
 */
export interface ConfigErrorFormat {
  readonly heading: string;
  readonly label: (key: string) => string;
}

/** The stack program's format: `identity-gateway:<key>`. */
export const STACK_CONFIG_FORMAT: ConfigErrorFormat = {
  heading: "Invalid identity-gateway configuration:",
  label: (key) => `${PROJECT}:${key}`,
};

/** Thrown by `parseConfig` with every problem found; the message lists them one per line. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    format: ConfigErrorFormat = STACK_CONFIG_FORMAT,
  ) {
    super(
      `${format.heading}\n` +
        problems.map((p) => `  - ${format.label(p.key)}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** What `loadConfig` hands to `parseConfig`: raw strings as Pulumi stores them. */
export interface RawConfig {
  readonly stackName: string;
  /** Every set key of the project namespace, as the raw string Pulumi holds (arrays are JSON). */
  readonly values: Readonly<Record<string, string | undefined>>;
  /**
   * The secret `jwtSecret`, kept as an Output so its value never leaves Pulumi's secret handling.
   * Absent when the key is not set.
   */
  readonly jwtSecret?: pulumi.Input<string>;
  /**
   * The byte length of `jwtSecret`, so its strength can be checked at preview without the value
   * itself leaving Pulumi's secret handling. `loadConfig` fills it in.
   */
  readonly jwtSecretBytes?: number;
  /**
   * Keys declared `encrypted` whose value the stack holds in plain text (`loadConfig` asks the
   * Pulumi SDK which values are secret). Each one is refused.
   */
  readonly plaintextKeys?: readonly string[];
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const QUERY_PARAM = /^[A-Za-z0-9._~-]{1,128}$/;
/** Lambda modes: a claim path of dot-separated segments. */
const CLAIM_PATH = /^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/;
/** http-jwt: `$context.authorizer.claims.<claim>` allows only letters, digits and `_` here. */
const JWT_CLAIM = /^[A-Za-z0-9_]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
/** A KMS *key* ARN (a key id or a multi-Region `mrk-` id), never an alias ARN. */
const KMS_KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/;
const KMS_ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/.+$/;
const LISTENER_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/.+$/;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"];

/**
 * Reads raw values by key, with the checks the schema declares for the key (range, choices, URL
 * kind) and its declared default; every failure is collected, naming the key.
 */
class Reader {
  readonly problems: ConfigProblem[] = [];
  constructor(
    private readonly values: Readonly<Record<string, string | undefined>>,
    private readonly options: ParseOptions = {},
  ) {}

  /**
   * An issuer (or JWKS) URL keys are fetched from: https, or, only when the local gateway asked
   * for it (`allowLoopbackHttpIssuer`), http on a loopback host.
   */
  keyUrlOk(v: string): boolean {
    return isHttpsUrl(v) || (this.options.allowLoopbackHttpIssuer === true && isLoopbackHttpUrl(v));
  }

  fail(key: string, message: string): void {
    this.problems.push({ key, message });
  }

  has(key: ConfigKey): boolean {
    return this.text(key) !== undefined;
  }

  /** A blank value counts as unset: a whitespace-only issuer must not become the expected `iss` "". */
  private text(key: ConfigKey): string | undefined {
    const v = this.values[key]?.trim();
    return v === undefined || v === "" ? undefined : v;
  }

  string(key: KeyOfType<"string">): string | undefined {
    return this.text(key);
  }

  /** A string key with a real (non-empty) declared default: the value, or that default. */
  stringOrDefault(key: KeyOfType<"string">): string {
    return this.string(key) ?? (declaration(key).default as string);
  }

  /** One of the key's declared choices, or undefined (unset, or refused with a "did you mean"). */
  choice(key: KeyOfType<"string">): string | undefined {
    const v = this.string(key);
    const choices = (declaration(key) as { oneOf?: Choices }).oneOf;
    if (v === undefined || choices === undefined || choices.values.includes(v)) return v;
    this.fail(
      key,
      `"${v}" is not a ${choices.noun}${didYouMean(v, choices)}: set one of ${choices.values.join(", ")} (pulumi config set ${key} ${choices.example}).`,
    );
    return undefined;
  }

  /** Whether `value` is a URL of the kind the key declares; refused with its message if not. */
  urlOk(key: KeyOfType<"string">, value: string): boolean {
    const rule = (declaration(key) as { url?: UrlRule }).url;
    if (rule === undefined) return true;
    const ok =
      rule.kind === "https-keys"
        ? this.keyUrlOk(value)
        : rule.kind === "https"
          ? isHttpsUrl(value)
          : isHttpUrl(value);
    if (!ok) this.fail(key, `${rule.message}, got "${value}".`);
    return ok;
  }

  /** A whole number in the key's declared range, or its declared default. */
  integer(key: KeyOfType<"integer">): number {
    const { default: dflt, min, max } = CONFIG_KEYS[key];
    const v = this.text(key);
    if (v === undefined) return dflt;
    if (!/^-?\d+$/.test(v)) {
      this.fail(key, `expected a whole number from ${min} to ${max}, got "${v}".`);
      return dflt;
    }
    const n = Number(v);
    if (n < min || n > max) {
      this.fail(key, `must be from ${min} to ${max}, got ${n}.`);
      return dflt;
    }
    return n;
  }

  /** Pulumi hands a boolean to the program as the text `true` or `false` (as `Config.getBoolean` reads it). */
  boolean(key: KeyOfType<"boolean">): boolean {
    const dflt = CONFIG_KEYS[key].default;
    const v = this.text(key);
    if (v === undefined) return dflt;
    if (v === "true" || v === "false") return v === "true";
    this.fail(key, `expected true or false, got "${v}" (e.g. pulumi config set ${key} ${!dflt}).`);
    return dflt;
  }

  /** Arrays arrive as JSON (`pulumi config set --path 'key[0]' v` or a YAML list in the stack file). */
  array(key: KeyOfType<"array">): string[] | undefined {
    const v = this.values[key];
    if (v === undefined || v.trim() === "") return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      this.fail(
        key,
        `expected a list of strings, e.g. pulumi config set --path '${key}[0]' value, or a YAML list in the stack file; got "${v}".`,
      );
      return undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) {
      this.fail(key, `expected a list of strings, got ${v}.`);
      return undefined;
    }
    const list = parsed.map((s) => s.trim());
    // An empty entry is never meant (an audience "", a role "", a subnet ""): refuse it by position.
    const blank = list.flatMap((s, i) => (s === "" ? [`${key}[${i}]`] : []));
    if (blank.length > 0) {
      this.fail(key, `has an empty entry (${blank.join(", ")}); remove it or give it a value.`);
      return list.filter((s) => s !== "");
    }
    return list;
  }

  /** A list key with a real (non-empty) declared default: the list, or that default. */
  arrayOrDefault(key: KeyOfType<"array">): string[] {
    return this.array(key) ?? [...((declaration(key).default as readonly string[]) ?? [])];
  }
}

/** `http://` on 127.0.0.1, [::1] or localhost. */
function isLoopbackHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "http:" && ["127.0.0.1", "[::1]", "localhost"].includes(u.hostname);
  } catch {
    return false;
  }
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === "https:" || u.protocol === "http:") && !!u.hostname;
  } catch {
    return false;
  }
}

function checkHeaderName(r: Reader, key: string, name: string): void {
  if (!HEADER_NAME.test(name)) {
    r.fail(key, `"${name}" is not a valid HTTP header name.`);
  } else if (isReservedHeader(name)) {
    r.fail(
      key,
      `"${name}" is a header API Gateway reserves and cannot be mapped (Authorization, Origin, Via, X-Forwarded-*, X-Amz-*, X-Amzn-*, Access-Control-*, ...); choose another name such as X-Customer-Role.`,
    );
  } else if (name.toLowerCase() === "host") {
    // Not in AWS's reserved list (aws-semantics.md §3), but Host selects the backend's virtual host
    // (RFC 9110 §7.2): mapped from a claim, the caller's token would choose where the request goes.
    r.fail(
      key,
      `"${name}" selects the backend's virtual host, so a token claim must not set it; choose another name such as X-Customer-Host.`,
    );
  }
}

function parseIdentity(r: Reader, mode: AuthMode): IdentityConfig {
  const customerIdHeader = r.stringOrDefault("customerIdHeader");
  const customerNameHeader = r.stringOrDefault("customerNameHeader");
  checkHeaderName(r, "customerIdHeader", customerIdHeader);
  checkHeaderName(r, "customerNameHeader", customerNameHeader);

  const jwt = mode === "http-jwt";
  const claimRule = jwt ? JWT_CLAIM : CLAIM_PATH;
  const claimList = (key: "customerIdClaims" | "customerNameClaims", dflt: string[]): string[] => {
    const list = r.array(key) ?? dflt;
    if (list.length === 0) r.fail(key, "must name at least one claim.");
    if (jwt && list.length > 1) {
      r.fail(
        key,
        `http-jwt maps exactly one claim per header (API Gateway's native mapping has no fallback), got [${list.join(", ")}]. Name one claim, or use authMode http-lambda, whose authorizer tries claims in order.`,
      );
    }
    for (const c of list) {
      if (!claimRule.test(c)) {
        r.fail(
          key,
          jwt
            ? `"${c}" cannot be mapped by http-jwt: $context.authorizer.claims.<claim> takes letters, digits and _ only (no nested paths). Use http-lambda for nested claims.`
            : `"${c}" is not a claim path (segments of letters, digits, _ : / - joined by dots).`,
        );
      }
    }
    return list;
  };
  const customerIdClaims = claimList(
    "customerIdClaims",
    jwt ? ["sub"] : ["customer_id", "tenant_id", "sub"],
  );
  const customerNameClaims = claimList(
    "customerNameClaims",
    jwt ? ["name"] : ["customer_name", "name"],
  );

  // Context key → the claim it carries, across claimHeaders and claimQueryParams: the authorizer
  // puts each claim in its context under contextKeyForClaim(claim), so two different claims with
  // one key (`a.b` and `a_b`) would hand both mappings the same value.
  const claimByContextKey = new Map<string, { claim: string; key: string }>();
  const mappings = (key: "claimHeaders" | "claimQueryParams"): ClaimMapping[] => {
    const out: ClaimMapping[] = [];
    for (const entry of r.array(key) ?? []) {
      const eq = entry.indexOf("=");
      const target = eq > 0 ? entry.slice(0, eq).trim() : "";
      const claim = eq > 0 ? entry.slice(eq + 1).trim() : "";
      if (!target || !claim) {
        r.fail(
          key,
          `"${entry}" is not of the form "${key === "claimHeaders" ? "Header-Name" : "param"}=claim.path".`,
        );
        continue;
      }
      if (key === "claimHeaders") checkHeaderName(r, key, target);
      else if (!QUERY_PARAM.test(target))
        r.fail(key, `"${target}" is not a valid query-string parameter name.`);
      if (!claimRule.test(claim)) {
        r.fail(
          key,
          jwt
            ? `"${claim}" cannot be mapped by http-jwt: letters, digits and _ only (no nested paths).`
            : `"${claim}" is not a claim path.`,
        );
      }
      const contextKey = contextKeyForClaim(claim);
      const other = claimByContextKey.get(contextKey);
      if (RESERVED_CONTEXT_KEYS.has(contextKey)) {
        r.fail(key, `claim "${claim}" collides with the authorizer context key "${contextKey}".`);
      } else if (contextKey === "__proto__") {
        // Not a key a JavaScript object (the authorizer's context, its environment) can hold.
        r.fail(key, `claim "${claim}" cannot be mapped: "__proto__" is not a usable context key.`);
      } else if (other !== undefined && other.claim !== claim) {
        r.fail(
          key,
          `claims "${other.claim}" (${other.key}) and "${claim}" would share the authorizer context key "${contextKey}", so both would get the same value; map only one of them.`,
        );
      } else if (other === undefined) {
        claimByContextKey.set(contextKey, { claim, key });
      }
      out.push({ target, claim, contextKey });
    }
    return out;
  };
  const claimHeaders = mappings("claimHeaders");
  const claimQueryParams = mappings("claimQueryParams");

  const seen = new Map<string, string>();
  const headerKeys: [string, string][] = [
    ["customerIdHeader", customerIdHeader],
    ["customerNameHeader", customerNameHeader],
    ...claimHeaders.map((m): [string, string] => ["claimHeaders", m.target]),
  ];
  for (const [key, h] of headerKeys) {
    const lower = h.toLowerCase();
    if (seen.has(lower)) r.fail(key, `header "${h}" is mapped twice (also by ${seen.get(lower)}).`);
    else seen.set(lower, key);
  }
  return {
    customerIdHeader,
    customerNameHeader,
    customerIdClaims,
    customerNameClaims,
    claimHeaders,
    claimQueryParams,
  };
}

function parseBackend(r: Reader, mode: AuthMode): BackendConfig {
  const url = r.string("backendUrl");
  const listenerArn = r.string("vpcLinkListenerArn");
  const subnets = r.array("vpcLinkSubnetIds");
  const groups = r.array("vpcLinkSecurityGroupIds");
  if (url !== undefined && listenerArn !== undefined) {
    r.fail("backendUrl", "set either backendUrl or vpcLinkListenerArn, not both.");
  }
  if (listenerArn !== undefined) {
    if (mode === "rest-token") {
      r.fail(
        "vpcLinkListenerArn",
        "rest-token does not support a VPC link backend (REST APIs need an NLB-based VPC link); use an HTTP mode, or set backendUrl.",
      );
    }
    if (!LISTENER_ARN.test(listenerArn)) {
      r.fail(
        "vpcLinkListenerArn",
        `expected an ALB/NLB listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/...), got "${listenerArn}".`,
      );
    }
    if (!subnets?.length)
      r.fail("vpcLinkSubnetIds", "a VPC link backend needs at least one subnet id.");
    if (!groups?.length)
      r.fail("vpcLinkSecurityGroupIds", "a VPC link backend needs at least one security group id.");
    return {
      kind: "vpc-link",
      listenerArn,
      subnetIds: subnets ?? [],
      securityGroupIds: groups ?? [],
    };
  }
  if ((subnets?.length || groups?.length) && listenerArn === undefined) {
    r.fail(
      "vpcLinkListenerArn",
      "vpcLinkSubnetIds/vpcLinkSecurityGroupIds are set but the listener ARN is not.",
    );
  }
  if (url !== undefined) {
    // The request path is appended to the URL (HTTP: an overwrite:path mapping; REST: "{proxy}"
    // after it), so a "?query" or "#fragment" would end up in the middle of the backend's path.
    if (r.urlOk("backendUrl", url) && /[?#]/.test(url))
      r.fail(
        "backendUrl",
        `"${url}" has a query string or fragment; the request path is appended to backendUrl and the client's query string is passed through, so give only scheme://host[:port][/base-path].`,
      );
    return { kind: "http", url };
  }
  return { kind: "echo" };
}

function parseStage(r: Reader, stackName: string, mode: AuthMode): StageConfig {
  const explicit = r.string("stageName");
  const stageName = explicit ?? stackName;
  const httpDefault = mode !== "rest-token" && stageName === "$default";
  if (!httpDefault && !STAGE_NAME.test(stageName)) {
    // Stack names may hold "." which stage names may not: say where the value came from.
    const what =
      explicit === undefined
        ? `is unset, so the stack name "${stageName}" would be the stage name, but it`
        : `"${stageName}"`;
    r.fail(
      "stageName",
      `${what} is not a valid stage name (letters, digits, _ and -, up to 128${mode !== "rest-token" ? ", or $default" : ""}).`,
    );
  }
  const logRetentionDays = r.integer("logRetentionDays");
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    r.fail(
      "logRetentionDays",
      `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(", ")} days, got ${logRetentionDays}.`,
    );
  }
  return {
    stageName,
    throttlingBurstLimit: r.integer("throttlingBurstLimit"),
    throttlingRateLimit: r.integer("throttlingRateLimit"),
    logRetentionDays,
    accessLogging: r.boolean("accessLogging"),
  };
}

function parseCors(r: Reader): CorsConfig | undefined {
  const allowOrigins = r.array("corsAllowOrigins");
  if (allowOrigins === undefined) {
    for (const k of ["corsAllowMethods", "corsAllowHeaders", "corsMaxAge"] as const) {
      if (r.has(k))
        r.fail(k, "has no effect without corsAllowOrigins; set the allowed origins too.");
    }
    return undefined;
  }
  if (allowOrigins.length === 0)
    r.fail("corsAllowOrigins", "list at least one origin, or unset the key to turn CORS off.");
  for (const o of allowOrigins) {
    if (o !== "*" && !/^https?:\/\/[^/\s]+$/.test(o)) {
      r.fail("corsAllowOrigins", `"${o}" is not an origin (scheme://host[:port], no path) or "*".`);
    }
  }
  const allowMethods = r.arrayOrDefault("corsAllowMethods").map((m) => m.toUpperCase());
  for (const m of allowMethods) {
    if (!CORS_METHODS.includes(m))
      r.fail("corsAllowMethods", `"${m}" is not one of ${CORS_METHODS.join(", ")}.`);
  }
  const allowHeaders = r.arrayOrDefault("corsAllowHeaders");
  return {
    allowOrigins,
    allowMethods,
    allowHeaders,
    maxAgeSeconds: r.integer("corsMaxAge"),
  };
}

function parseLambdaAuth(r: Reader, raw: RawConfig): LambdaAuthConfig {
  const chosen = resolveIssuer(r);
  const extraIssuers = r.array("issuers");
  // A preset or an issuers list means keys from the issuers' JWKS unless the stack says otherwise.
  const verifyWith =
    r.string("verifyWith") ??
    (chosen.presetKey !== undefined || extraIssuers !== undefined ? "jwks" : undefined);
  const presetInfo = chosen.presetKey === undefined ? undefined : preset(chosen.presetKey);
  const secretArn = r.string("secretArn");
  const publicKeyPem = r.string("publicKeyPem");
  const jwksUri = r.string("jwksUri");
  const hasJwtSecret = raw.jwtSecret !== undefined;
  const secretArnOk = secretArn !== undefined && SECRET_ARN.test(secretArn);
  if (secretArn !== undefined && !secretArnOk) {
    r.fail(
      "secretArn",
      `expected a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>, with or without the -<6 characters> suffix), got "${secretArn}".`,
    );
  }
  const secretKmsKeyArn = parseSecretKmsKeyArn(r, verifyWith, secretArnOk ? secretArn : undefined);
  let keySource: KeySource = { kind: "jwks" };
  let publicKey: KeyObject | undefined;
  switch (verifyWith) {
    case undefined:
      r.fail(
        "verifyWith",
        `is required in this mode: one of ${VERIFY_WITH.join(", ")} (e.g. pulumi config set verifyWith jwks).`,
      );
      break;
    case "secret":
      if (presetInfo !== undefined && presetInfo.sharedSecret !== true) {
        r.fail(
          "verifyWith",
          `secret (HS256) is not a way ${presetInfo.provider} (${chosen.presetKey}) signs tokens; unset verifyWith for its JWKS (or use public-key with its PEM).`,
        );
      }
      if (hasJwtSecret && secretArn !== undefined) {
        r.fail("jwtSecret", "set either jwtSecret or secretArn, not both.");
      } else if (!hasJwtSecret && secretArn === undefined) {
        r.fail(
          "jwtSecret",
          "verifyWith=secret needs the HS256 secret: run `pulumi config set --secret jwtSecret <value>`, or point at an existing secret with `pulumi config set secretArn <arn>`.",
        );
      }
      if (publicKeyPem !== undefined)
        r.fail("publicKeyPem", "is only used with verifyWith=public-key.");
      if (raw.jwtSecretBytes !== undefined && raw.jwtSecretBytes < MIN_HS256_SECRET_BYTES) {
        r.fail(
          "jwtSecret",
          `is ${raw.jwtSecretBytes} bytes; an HS256 key needs at least ${MIN_HS256_SECRET_BYTES} (256 bits, RFC 7518 §3.2), or tokens can be forged by guessing it. Generate one: pulumi config set --secret jwtSecret "$(openssl rand -base64 48)".`,
        );
      }
      keySource = {
        kind: "secret",
        jwtSecret: raw.jwtSecret,
        existingSecretArn: secretArn,
        existingSecretKmsKeyArn: secretKmsKeyArn,
      };
      break;
    case "public-key":
      if (publicKeyPem !== undefined && secretArn !== undefined) {
        r.fail("publicKeyPem", "set either publicKeyPem or secretArn, not both.");
      } else if (publicKeyPem === undefined && secretArn === undefined) {
        r.fail(
          "publicKeyPem",
          'verifyWith=public-key needs the issuer\'s public key (PEM): run `pulumi config set publicKeyPem -- "$(cat public.pem)"`, or point at an existing secret with `pulumi config set secretArn <arn>`.',
        );
      }
      // Also refused: a file holding the public key AND a private one (a key-pair bundle) passes the
      // first test, and publicKeyPem is plain stack config that is copied into Secrets Manager.
      if (
        publicKeyPem !== undefined &&
        (!/-----BEGIN PUBLIC KEY-----/.test(publicKeyPem) || /PRIVATE KEY-----/.test(publicKeyPem))
      ) {
        r.fail(
          "publicKeyPem",
          "expected a PEM public key (-----BEGIN PUBLIC KEY-----). Never put a private key in config.",
        );
      }
      if (hasJwtSecret) r.fail("jwtSecret", "is only used with verifyWith=secret.");
      keySource = {
        kind: "public-key",
        publicKeyPem,
        existingSecretArn: secretArn,
        existingSecretKmsKeyArn: secretKmsKeyArn,
      };
      publicKey = publicKeyPem === undefined ? undefined : parsePublicKeyPem(r, publicKeyPem);
      break;
    case "jwks":
      if (secretArn !== undefined)
        r.fail("secretArn", "is not used with verifyWith=jwks: keys come from the issuer's JWKS.");
      if (hasJwtSecret) r.fail("jwtSecret", "is only used with verifyWith=secret.");
      if (publicKeyPem !== undefined)
        r.fail("publicKeyPem", "is only used with verifyWith=public-key.");
      if (jwksUri !== undefined) r.urlOk("jwksUri", jwksUri);
      // An explicit jwksUri wins over the preset's documented one.
      keySource = { kind: "jwks", jwksUri: jwksUri ?? chosen.target?.jwksUri };
      break;
    default:
      r.choice("verifyWith"); // refused, with a "did you mean"
  }
  if (verifyWith !== "jwks" && jwksUri !== undefined)
    r.fail("jwksUri", "is only used with verifyWith=jwks.");

  const single = chosen.target?.issuer ?? chosen.issuer;
  if (chosen.given === 0 && extraIssuers === undefined) {
    r.fail(
      "issuer",
      `is required: the iss value tokens must carry (pulumi config set issuer <value>), or a preset (${PRESET_KEYS.join(", ")}).`,
    );
  } else if (
    chosen.issuer !== undefined &&
    verifyWith === "jwks" &&
    jwksUri === undefined &&
    !r.keyUrlOk(chosen.issuer)
  ) {
    r.fail(
      "issuer",
      `verifyWith=jwks discovers keys from the issuer, so it must be an https URL; got "${chosen.issuer}".`,
    );
  }
  const audiences = r.array("audiences");
  if (audiences === undefined) {
    r.fail(
      "audiences",
      `is required: ${presetInfo?.audienceHint ?? "list the accepted aud values (pulumi config set --path 'audiences[0]' my-api)."} To skip the audience check, set it to an empty list explicitly (audiences: [] in the stack file).`,
    );
  }
  checkFixedAudience(r, chosen, audiences ?? []);
  const primary: IssuerSettings | undefined =
    single === undefined
      ? undefined
      : {
          issuer: single,
          audiences: audiences ?? [],
          ...(keySource.kind === "jwks" && keySource.jwksUri !== undefined
            ? { jwksUri: keySource.jwksUri }
            : {}),
        };
  const issuers =
    extraIssuers === undefined
      ? undefined
      : parseIssuers(r, extraIssuers, verifyWith, primary, audiences ?? []);
  return {
    keySource,
    tokenAlgorithms: parseTokenAlgorithms(r, verifyWith, publicKey),
    issuer: single ?? issuers?.[0]?.issuer ?? "",
    audiences: audiences ?? [],
    ...(chosen.presetKey !== undefined ? { preset: chosen.presetKey } : {}),
    ...(issuers !== undefined ? { issuers } : {}),
    clockToleranceSeconds: r.integer("clockToleranceSeconds"),
    authorizerCacheTtl: r.integer("authorizerCacheTtl"),
    secretCacheTtlSeconds: r.integer("secretCacheTtlSeconds"),
  };
}

/** At most this many trusted issuers (the single one included). */
export const MAX_ISSUERS = 10;

/**
 * The authorizer's environment holds the list as JSON, and "the total size of all environment
 * variables" of a function may not exceed 4 KB (AWS Lambda Developer Guide, "Lambda quotas",
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, "Function
 * configuration, deployment, and execution"), shared with the other variables: the list gets at
 * most half of it.
 */
export const MAX_ISSUERS_ENV_BYTES = 2048;

/**
 * `issuers`: each line `<issuer-url> [aud=a,b] [jwks=<url>] [alg=ES256,RS256]`, parsed with a
 * message per bad line (naming its position). The URL is the exact `iss` (no normalizing: a
 * token's iss is compared as a string), and keys come from its JWKS (discovery, or `jwks=`);
 * `aud=` defaults to `audiences`, `alg=` to `tokenAlgorithms`. Two entries that differ only in case
 * or a trailing slash are refused: at most one of them is what the provider writes in iss, and a
 * second spelling only widens what is trusted.
 */
function parseIssuers(
  r: Reader,
  lines: readonly string[],
  verifyWith: string | undefined,
  primary: IssuerSettings | undefined,
  audiences: readonly string[],
): IssuerSettings[] | undefined {
  if (verifyWith !== "jwks") {
    r.fail(
      "issuers",
      `needs verifyWith=jwks (each issuer's keys come from its own JWKS), but verifyWith is ${verifyWith ?? "unset"}.`,
    );
    return undefined;
  }
  const out: IssuerSettings[] = primary === undefined ? [] : [primary];
  const where = (i: number): string => `issuers[${i}]`;
  const fold = (url: string): string => url.toLowerCase().replace(/\/+$/, "");
  const before = r.problems.length;
  lines.forEach((line, i) => {
    const [url, ...options] = line.split(/\s+/);
    if (!r.keyUrlOk(url)) {
      r.fail(
        "issuers",
        `${where(i)}: "${url}" is not an https issuer URL; write each entry as "<issuer-url> [aud=a,b] [jwks=<url>] [alg=RS256,ES256]".`,
      );
      return;
    }
    const clash = out.find((o) => fold(o.issuer) === fold(url));
    if (clash !== undefined) {
      const which = clash === primary ? "the single issuer" : `"${clash.issuer}"`;
      r.fail(
        "issuers",
        clash.issuer === url
          ? `${where(i)}: "${url}" is trusted twice (also ${which}); list it once.`
          : `${where(i)}: "${url}" differs from ${which} only in case or a trailing slash; a token's iss is compared exactly, so list only the spelling the provider writes in iss.`,
      );
      return;
    }
    const entry: {
      issuer: string;
      audiences: readonly string[];
      jwksUri?: string;
      algorithms?: AsymmetricAlgorithm[];
    } = {
      issuer: url,
      audiences,
    };
    const seen = new Set<string>();
    for (const option of options) {
      const m = /^(aud|jwks|alg)=(.*)$/.exec(option);
      if (m === null) {
        r.fail(
          "issuers",
          `${where(i)}: "${option}" is not an option; use aud=a,b, jwks=<url> or alg=RS256,ES256.`,
        );
        continue;
      }
      const [, name, value] = m;
      if (seen.has(name)) {
        r.fail("issuers", `${where(i)}: ${name}= is given twice.`);
        continue;
      }
      seen.add(name);
      const list = value.split(",").map((v) => v.trim());
      if (name === "aud") {
        if (list.some((v) => v === "")) {
          r.fail(
            "issuers",
            `${where(i)}: aud= needs comma-separated audiences, e.g. aud=api-1,api-2.`,
          );
        } else {
          entry.audiences = list;
        }
      } else if (name === "jwks") {
        if (!r.keyUrlOk(value)) {
          r.fail("issuers", `${where(i)}: jwks= must be an https URL, got "${value}".`);
        } else {
          entry.jwksUri = value;
        }
      } else {
        const bad = list.filter((a) => !isAsymmetricAlgorithm(a));
        if (bad.length > 0) {
          r.fail(
            "issuers",
            `${where(i)}: alg= ${bad.map((a) => `"${a}"`).join(", ")} is not supported; use ${ASYMMETRIC_ALGORITHMS.join(", ")}.`,
          );
        } else {
          entry.algorithms = list as AsymmetricAlgorithm[];
        }
      }
    }
    out.push(entry);
  });
  if (out.length > MAX_ISSUERS) {
    r.fail("issuers", `at most ${MAX_ISSUERS} issuers are trusted at once, got ${out.length}.`);
  } else if (JSON.stringify(out).length > MAX_ISSUERS_ENV_BYTES) {
    r.fail(
      "issuers",
      `the issuers take ${JSON.stringify(out).length} bytes of the authorizer's environment, more than ${MAX_ISSUERS_ENV_BYTES} (Lambda allows 4 KB for all variables); trust fewer issuers or shorten their options.`,
    );
  }
  return r.problems.length === before ? out : undefined;
}

/**
 * `secretKmsKeyArn`: the customer-managed KMS key an existing secret (`secretArn`) is encrypted
 * with. Reading such a secret needs `kms:Decrypt` on that key as well as `GetSecretValue`
 * (Secrets Manager User Guide, "Secret encryption and decryption", "Permissions for the KMS key",
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 *
 * Only a key ARN is accepted: "You cannot use a key id, alias name, or alias ARN to identify a KMS
 * key in an IAM policy statement" (AWS KMS Developer Guide, "Specifying KMS keys in IAM policy
 * statements", https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html).
 * The key must be in the secret's Region: a secret is encrypted with a key "in the AWS account and
 * Region" (security-encryption.html, "Choosing an AWS KMS key").
 */
function parseSecretKmsKeyArn(
  r: Reader,
  verifyWith: string | undefined,
  secretArn: string | undefined,
): string | undefined {
  const keyArn = r.string("secretKmsKeyArn");
  if (keyArn === undefined) return undefined;
  if (r.string("secretArn") === undefined || verifyWith === "jwks") {
    r.fail(
      "secretKmsKeyArn",
      `is only used with ${PROJECT}:secretArn (an existing secret encrypted with that key)${verifyWith === "jwks" ? ", which verifyWith=jwks does not use" : ""}. Set secretArn too, or unset secretKmsKeyArn: a secret this stack creates uses the AWS managed key aws/secretsmanager.`,
    );
    return undefined;
  }
  if (KMS_ALIAS_ARN.test(keyArn)) {
    r.fail(
      "secretKmsKeyArn",
      `"${keyArn}" is an alias ARN; an IAM policy grants use of a KMS key only by its key ARN (an alias in Resource applies to the alias, not the key). Give the key ARN: aws kms describe-key --key-id <alias ARN> --query KeyMetadata.Arn.`,
    );
    return undefined;
  }
  const m = KMS_KEY_ARN.exec(keyArn);
  if (m === null) {
    r.fail(
      "secretKmsKeyArn",
      `expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), got "${keyArn}".`,
    );
    return undefined;
  }
  if (secretArn !== undefined) {
    const secret = arnPartitionAndRegion(secretArn);
    if (m[1] !== secret.partition || m[2] !== secret.region) {
      r.fail(
        "secretKmsKeyArn",
        `the key is in ${m[1]}/${m[2]} but the secret (${PROJECT}:secretArn) is in ${secret.partition}/${secret.region}; Secrets Manager encrypts a secret only with a KMS key in its own Region.`,
      );
      return undefined;
    }
  }
  return keyArn;
}

/**
 * The configured PEM as a key, when it is one this program can verify with; otherwise a problem
 * naming publicKeyPem (the PEM shape and private-key checks above already reported theirs).
 */
function parsePublicKeyPem(r: Reader, pem: string): KeyObject | undefined {
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem) || /PRIVATE KEY-----/.test(pem)) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    r.fail("publicKeyPem", "is not a readable PEM public key; export it again (SPKI, PEM).");
    return undefined;
  }
  try {
    keyTypeOf(key);
  } catch (e) {
    if (!(e instanceof UnsupportedKeyError)) throw e;
    r.fail("publicKeyPem", `${e.message} Use a key the issuer signs with in one of these types.`);
    return undefined;
  }
  return key;
}

/**
 * `tokenAlgorithms`: only for the asymmetric key sources, only names this program verifies, and,
 * with a PEM in config, at least one the PEM's type can verify (else every token would be refused
 * at runtime). The default (unset) is one per key type, so an EC or Ed25519 PEM needs no setting.
 */
function parseTokenAlgorithms(
  r: Reader,
  verifyWith: string | undefined,
  publicKey: KeyObject | undefined,
): AsymmetricAlgorithm[] | undefined {
  const listed = r.array("tokenAlgorithms");
  if (listed === undefined) return undefined;
  if (verifyWith === "secret") {
    r.fail(
      "tokenAlgorithms",
      "is not used with verifyWith=secret, which verifies HS256 only; unset it, or use verifyWith=public-key or jwks.",
    );
    return undefined;
  }
  if (listed.length === 0) {
    r.fail("tokenAlgorithms", "list at least one algorithm, or unset the key for the default.");
    return undefined;
  }
  const bad = listed.filter((a) => !isAsymmetricAlgorithm(a));
  if (bad.length > 0) {
    r.fail(
      "tokenAlgorithms",
      `${bad.map((a) => `"${a}"`).join(", ")} is not supported; use ${ASYMMETRIC_ALGORITHMS.join(", ")} (case matters; none and HS* are never allowed with a public key).`,
    );
    return undefined;
  }
  const algorithms = listed as AsymmetricAlgorithm[];
  if (publicKey !== undefined) {
    const type = keyTypeOf(publicKey);
    if (keyAlgorithms(type, algorithms).length === 0) {
      r.fail(
        "tokenAlgorithms",
        `none of ${algorithms.join(", ")} can be verified with the publicKeyPem, an ${type} key (it verifies ${keyAlgorithms(type, ASYMMETRIC_ALGORITHMS).join(", ")}); add the issuer's algorithm or unset tokenAlgorithms for ${keyAlgorithms(type, DEFAULT_TOKEN_ALGORITHMS).join(", ")}.`,
      );
    }
  }
  return algorithms;
}

/** The issuer the stack names: a preset key or `issuer` (at most one of them). */
interface IssuerChoice {
  /** How many of the preset keys and `issuer` are set. */
  readonly given: number;
  readonly presetKey?: PresetKey;
  /** The preset's issuer (and JWKS URL, fixed audience), when the preset's value is valid. */
  readonly target?: PresetTarget;
  /** The plain `issuer` value. */
  readonly issuer?: string;
}

/**
 * The stack's issuer: `issuer` or exactly one preset. Two of them would leave the expected `iss`
 * open, so that is refused naming both keys. A preset's value is checked against the provider's
 * documented shape (presets.ts).
 */
function resolveIssuer(r: Reader): IssuerChoice {
  const given = [...PRESET_KEYS, "issuer" as const].filter((k) => r.has(k));
  if (given.length > 1) {
    r.fail(
      given[1],
      `${given[0]} and ${given[1]} both set the issuer; set only one of them (got ${given.join(" and ")}).`,
    );
    return { given: given.length };
  }
  if (given.length === 0) return { given: 0 };
  if (given[0] === "issuer") return { given: 1, issuer: r.string("issuer") };
  const presetKey = given[0];
  const value = r.string(presetKey) ?? "";
  const resolved = preset(presetKey).resolve(value);
  if ("problem" in resolved) {
    r.fail(presetKey, resolved.problem);
    return { given: 1, presetKey };
  }
  return { given: 1, presetKey, target: resolved };
}

/**
 * Firebase ID tokens always carry the project id as `aud` ("Verify ID tokens",
 * https://firebase.google.com/docs/auth/admin/verify-id-tokens): audiences without it would
 * refuse every token, so that is a preview error. An explicit `[]` (Lambda modes) still turns the
 * check off, as everywhere.
 */
function checkFixedAudience(r: Reader, chosen: IssuerChoice, audiences: readonly string[]): void {
  const fixed = chosen.target?.fixedAudience;
  if (fixed === undefined || audiences.length === 0 || audiences.includes(fixed)) return;
  r.fail(
    "audiences",
    `${PRESETS[chosen.presetKey!].provider} tokens carry aud "${fixed}" (${chosen.presetKey}), which audiences does not list, so every token would be refused: pulumi config set --path 'audiences[0]' ${fixed}.`,
  );
}

function parseHttpJwt(r: Reader, common: Omit<CommonConfig, "routes">): HttpJwtConfig {
  const chosen = resolveIssuer(r);
  let issuer = "";
  if (chosen.given === 0) {
    r.fail(
      "issuer",
      `http-jwt needs an issuer: set issuer (any OIDC issuer) or one preset: ${PRESET_KEYS.filter(
        (k) => k !== "supabaseProjectRef",
      )
        .map((k) => `${k} (${PRESETS[k].provider})`)
        .join(", ")}.`,
    );
  } else if (chosen.presetKey !== undefined && chosen.target !== undefined) {
    const p = preset(chosen.presetKey);
    if (p.nonRsaDefault !== undefined) {
      // API Gateway's JWT authorizer: "Currently, only RSA-based algorithms are supported"
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html).
      r.fail(
        chosen.presetKey,
        `${p.provider} signs with ${p.nonRsaDefault} by default, and http-jwt (API Gateway's JWT authorizer) verifies RSA-signed tokens only. Use authMode http-lambda or rest-token (verifyWith jwks). A project whose signing key is RSA (RS256) can use http-jwt with pulumi config set issuer ${chosen.target.issuer} instead of ${chosen.presetKey}.`,
      );
    }
    issuer = chosen.target.issuer;
  } else if (chosen.issuer !== undefined) {
    if (!r.keyUrlOk(chosen.issuer)) {
      r.fail(
        "issuer",
        `must be an https URL (API Gateway fetches its keys over https), got "${chosen.issuer}".`,
      );
    }
    issuer = chosen.issuer;
  }
  const provider: HttpJwtConfig["provider"] =
    chosen.presetKey === undefined ? "oidc" : PRESETS[chosen.presetKey].id;
  const audiences = r.array("audiences") ?? [];
  if (audiences.length === 0) {
    const why =
      chosen.presetKey !== undefined
        ? preset(chosen.presetKey).audienceHint
        : "API Gateway's JWT authorizer requires at least one audience: pulumi config set --path 'audiences[0]' <aud>.";
    r.fail("audiences", `is required in http-jwt: ${why}`);
  } else if (audiences.length > MAX_JWT_AUDIENCES) {
    r.fail(
      "audiences",
      `API Gateway allows at most ${MAX_JWT_AUDIENCES} audiences per JWT authorizer, got ${audiences.length}.`,
    );
  }
  checkFixedAudience(r, chosen, audiences);
  if (r.has("issuers")) {
    r.fail(
      "issuers",
      "http-jwt has one issuer (API Gateway's JWT authorizer takes one Issuer); several issuers need authMode http-lambda or rest-token.",
    );
  }
  const scopes = r.array("authorizationScopes") ?? [];
  if (scopes.length > MAX_ROUTE_SCOPES) {
    r.fail(
      "authorizationScopes",
      `API Gateway allows at most ${MAX_ROUTE_SCOPES} scopes per route, got ${scopes.length}.`,
    );
  }
  const identitySource = r.stringOrDefault("identitySource");
  if (!/^\$request\.(header|querystring)\.[A-Za-z0-9._~-]+$/.test(identitySource)) {
    r.fail(
      "identitySource",
      `a JWT authorizer reads one header or query parameter, e.g. $request.header.Authorization; got "${identitySource}".`,
    );
  }
  const routes = parseRoutes(
    r,
    "http-jwt",
    scopes.length > 0
      ? { rule: { kind: "scopes", scopes }, from: "authorizationScopes" }
      : { rule: { kind: "authenticated" } },
  );
  return {
    ...common,
    routes,
    authMode: "http-jwt",
    provider,
    issuer,
    audiences,
    identitySource,
    authorizationScopes: scopes,
  };
}

/** The rule the default table gives every route, and the key it comes from (if any). */
interface DefaultRouteRule {
  readonly rule: RouteRule;
  readonly from?: "authorizationScopes" | "requiredRoles";
}

/**
 * `routes`: the table parsed with a message per bad line (naming its position), or the default
 * table `ANY /` + `ANY /{proxy+}` with the mode's rule, which is exactly what the program deployed
 * before the key existed. A mode-wide rule key set beside a table would leave its meaning open
 * (on top of each route? only for `authenticated` ones?), so that is refused, pointing to the
 * per-route form. `http-jwt` has no authorizer code of ours, so it cannot check roles: API
 * Gateway's JWT authorizer checks only scopes ("Control access to HTTP APIs with JWT authorizers",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html).
 */
function parseRoutes(r: Reader, mode: AuthMode, dflt: DefaultRouteRule): RouteSpec[] {
  const lines = r.array("routes");
  if (lines === undefined) {
    return defaultRouteTable(dflt.rule);
  }
  if (dflt.from !== undefined) {
    const example =
      dflt.from === "requiredRoles" ? "roles=<role>,<role>" : "scopes=<scope>,<scope>";
    r.fail(
      dflt.from,
      `is a rule for the default routes; with ${PROJECT}:routes set, write it on the routes that need it (${example}) and unset ${dflt.from}.`,
    );
  }
  const { routes, problems } = parseRouteTable(lines);
  for (const p of problems) r.fail("routes", `routes[${p.index}]: ${p.message}.`);
  if (mode === "http-jwt") {
    routes.forEach((route, i) => {
      if (route.rule.kind === "roles") {
        r.fail(
          "routes",
          `routes[${i}]: "${formatRoute(route)}": http-jwt cannot check roles (API Gateway's JWT authorizer checks scopes only); use scopes=, or authMode http-lambda or rest-token, whose authorizer checks roleClaim.`,
        );
      }
    });
  }
  if (problems.length === 0 && routes.every((route) => route.rule.kind === "public")) {
    r.fail(
      "routes",
      "every route is public, so no request would ever be authorized; mark the routes that need a token authenticated (or roles=/scopes=).",
    );
  }
  return routes;
}

/**
 * `manageApiGatewayAccount`: only REST access logging needs the account-level CloudWatch Logs
 * role ("Set up CloudWatch logging for REST APIs", "Permissions for CloudWatch logging",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html). HTTP APIs
 * log with the deploying user's CloudWatch Logs permissions and no account role ("Configuring
 * logging for an HTTP API", "Permissions to activate logging",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html). So taking
 * over the account setting is refused wherever it would buy nothing.
 */
function parseManageApiGatewayAccount(r: Reader, mode: AuthMode, stage: StageConfig): boolean {
  const manage = r.boolean("manageApiGatewayAccount");
  if (!manage) return false;
  if (mode !== "rest-token") {
    r.fail(
      "manageApiGatewayAccount",
      "only rest-token needs the account-level API Gateway CloudWatch role; HTTP APIs write access logs without it. Unset it (pulumi config rm manageApiGatewayAccount).",
    );
    return false;
  }
  if (stage.accessLogging === false) {
    r.fail(
      "manageApiGatewayAccount",
      "takes over the account-level CloudWatch role that only access logging needs, but accessLogging is false. Unset one of the two.",
    );
    return false;
  }
  return true;
}

/** Options of `parseConfig`. `pulumi up` never passes any: the defaults are the strict rules. */
export interface ParseOptions {
  /**
   * Accept `http://` issuer and JWKS URLs on a loopback host (127.0.0.1, [::1], localhost). Only
   * the local gateway (`local/runner.ts`) sets this, for its built-in development issuer and for
   * test issuers; a deployed stack always needs https.
   * @default false
   */
  readonly allowLoopbackHttpIssuer?: boolean;
}

/**
 * Validate raw stack config into an `AppConfig`. Pure: no Pulumi engine needed.
 * @throws ConfigError listing every problem, each naming its key.
 */
export function parseConfig(raw: RawConfig, options: ParseOptions = {}): AppConfig {
  const r = new Reader(raw.values, options);
  for (const key of Object.keys(raw.values)) {
    // hasOwnProperty, not `in`: "constructor" or "toString" must be reported like any other typo.
    if (!isConfigKey(key)) {
      const close = closestKey(key);
      r.fail(
        key,
        `is not a setting of this program${close ? ` (did you mean ${close}?)` : ""}; see the README's configuration table.`,
      );
    }
  }
  for (const key of raw.plaintextKeys ?? []) {
    // Never echo the value: it is the secret.
    r.fail(
      key,
      `is in plain text in the stack file, where everyone who can read the file or the stack's state can forge tokens with it. Store it encrypted: pulumi config set --secret ${key} "$(openssl rand -base64 48)" (a new value: the old one was exposed).`,
    );
  }
  const authMode = r.string("authMode");
  if (authMode === undefined) {
    r.fail(
      "authMode",
      `is required: set one of ${AUTH_MODES.join(", ")} (pulumi config set authMode http-lambda).`,
    );
  }
  // Nothing else can be judged without a mode.
  if (authMode === undefined || r.choice("authMode") === undefined) {
    throw new ConfigError(r.problems);
  }
  const mode = authMode as AuthMode;
  const common: Omit<CommonConfig, "routes"> = {
    stackName: raw.stackName,
    stage: parseStage(r, raw.stackName, mode),
    identity: parseIdentity(r, mode),
    backend: parseBackend(r, mode),
    cors: parseCors(r),
  };

  const manageApiGatewayAccount = parseManageApiGatewayAccount(r, mode, common.stage);

  let config: AppConfig;
  if (mode === "http-jwt") {
    config = parseHttpJwt(r, common);
  } else if (mode === "http-lambda") {
    const roleClaim = r.stringOrDefault("roleClaim");
    if (!CLAIM_PATH.test(roleClaim)) r.fail("roleClaim", `"${roleClaim}" is not a claim path.`);
    config = {
      ...common,
      routes: parseRoutes(r, mode, { rule: { kind: "authenticated" } }),
      authMode: "http-lambda",
      lambda: parseLambdaAuth(r, raw),
      roleClaim,
    };
  } else {
    const roleClaim = r.stringOrDefault("roleClaim");
    if (!CLAIM_PATH.test(roleClaim)) r.fail("roleClaim", `"${roleClaim}" is not a claim path.`);
    const requiredRoles = r.arrayOrDefault("requiredRoles");
    if (requiredRoles.length === 0) {
      r.fail(
        "requiredRoles",
        "list at least one role; a valid token without one of them is denied (403).",
      );
    }
    const explicitRoles = r.array("requiredRoles") !== undefined;
    const routes = parseRoutes(r, mode, {
      rule: { kind: "roles", roles: requiredRoles },
      from: explicitRoles ? "requiredRoles" : undefined,
    });
    // Whether one cached IAM policy per token can be exact for this table, and whether the REST
    // resource tree can hold it (functions/rest-authorizer/route-policy-check.ts says why).
    if (!r.problems.some((p) => p.key === "routes")) {
      const problems = checkRestRouteTable(routes, {
        stageName: common.stage.stageName,
        cors: common.cors !== undefined,
      });
      for (const p of problems) r.fail("routes", `routes[${p.index}]: ${p.message}.`);
    }
    config = {
      ...common,
      routes,
      authMode: "rest-token",
      lambda: parseLambdaAuth(r, raw),
      roleClaim,
      requiredRoles,
      manageApiGatewayAccount,
    };
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
