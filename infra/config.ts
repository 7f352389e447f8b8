/**
 * Stack configuration: read once, validated once, typed.
 *
 * Config is hard to mock in Pulumi (pulumi/pulumi#4472), so it is split in two: `loadConfig()` is a
 * thin reader of `pulumi.Config`, and `parseConfig(raw)` is a pure function that the tests call
 * directly. Components never read `pulumi.Config` themselves; they receive the `AppConfig` parts they need.
 *
 * Every problem is collected and reported at once, each naming the key (`identity-gateway:<key>`)
 * and the fix, so a bad stack stops at `pulumi preview` before any resource is created.
 */
import * as pulumi from "@pulumi/pulumi";

export const PROJECT = "identity-gateway";

export const AUTH_MODES = ["http-jwt", "http-lambda", "rest-token"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const VERIFY_WITH = ["secret", "public-key", "jwks"] as const;
export type VerifyWith = (typeof VERIFY_WITH)[number];

type ConfigType = "string" | "integer" | "boolean" | "array";

/** A value of a declared type, as `Pulumi.yaml` writes a `default`. */
type ConfigValue = string | number | boolean | readonly string[];

interface ConfigDeclaration {
  readonly type: ConfigType;
  readonly description: string;
  /**
   * The `default` declared in `Pulumi.yaml`. The Pulumi CLI refuses a stack that leaves a key
   * declared without one unset ("Stack '<stack>' is missing configuration value(s) ...",
   * pulumi/pulumi `sdk/go/common/workspace/config.go`, `mergeConfig`), so only the keys every
   * mode requires (authMode, audiences) have none. Otherwise it hands the program this value as if
   * the stack had set it, so keys whose absence means something get a neutral one ("", []) and
   * `withoutDeclaredDefaults` turns a value equal to it back into "not set".
   */
  readonly default?: ConfigValue;
  /**
   * The value must be stored encrypted (`pulumi config set --secret`); `loadConfig` refuses plain
   * text. Not Pulumi's `secret: true`: Pulumi requires a secret key's value to be encrypted after
   * applying defaults (`validateStackConfigValues`), and a default never is, so a `secret: true`
   * key could have no default and would be required in every stack.
   */
  readonly encrypted?: true;
}

/**
 * Every config key the program reads. `Pulumi.yaml` declares exactly these (a test holds the two
 * together), and `loadConfig` refuses keys that are not here, so a typo is an error rather than a
 * silently ignored setting.
 */
export const CONFIG_KEYS = {
  authMode: {
    type: "string",
    description: "Authorizer mode: http-jwt, http-lambda or rest-token.",
  },
  stageName: {
    type: "string",
    description: "API stage name. Default: the stack name.",
    default: "",
  },
  // Identity → backend
  customerIdHeader: {
    type: "string",
    description: "Header carrying the customer id. Default X-Customer-ID.",
    default: "X-Customer-ID",
  },
  customerNameHeader: {
    type: "string",
    description: "Header carrying the customer name. Default X-Customer-Name.",
    default: "X-Customer-Name",
  },
  customerIdClaims: {
    type: "array",
    description:
      "Claims tried in order for the customer id (dot paths reach nested claims). Default [customer_id, tenant_id, sub]; http-jwt: exactly one claim, default [sub].",
    default: [],
  },
  customerNameClaims: {
    type: "array",
    description:
      "Claims tried in order for the customer name; falls back to the customer id. Default [customer_name, name]; http-jwt: exactly one claim, default [name].",
    default: [],
  },
  claimHeaders: {
    type: "array",
    description: 'Extra claim→header mappings, each "Header-Name=claim.path".',
    default: [],
  },
  claimQueryParams: {
    type: "array",
    description: 'Extra claim→query-string mappings, each "param=claim.path".',
    default: [],
  },
  // Token verification (Lambda modes)
  verifyWith: {
    type: "string",
    description:
      "Lambda modes: key source, secret (HS256), public-key (RS256 PEM) or jwks (RS256 from the issuer's JWKS).",
    default: "",
  },
  jwtSecret: {
    type: "string",
    encrypted: true,
    description:
      "verifyWith=secret: the HS256 shared secret (set with --secret); stored in Secrets Manager.",
    default: "",
  },
  publicKeyPem: {
    type: "string",
    description:
      "verifyWith=public-key: the issuer's RS256 public key (PEM); stored in Secrets Manager.",
    default: "",
  },
  secretArn: {
    type: "string",
    description:
      "verifyWith=secret|public-key: ARN of an existing Secrets Manager secret holding the key, instead of jwtSecret/publicKeyPem. Complete (ending in -<6 random characters>) or partial (without them).",
    default: "",
  },
  secretKmsKeyArn: {
    type: "string",
    description:
      "With secretArn: key ARN (arn:aws:kms:<region>:<account>:key/<id>, not an alias) of the customer-managed KMS key the secret is encrypted with; the authorizer may kms:Decrypt with it through Secrets Manager only.",
    default: "",
  },
  jwksUri: {
    type: "string",
    description:
      "verifyWith=jwks: JWKS URL; default: discovered from the issuer's /.well-known/openid-configuration.",
    default: "",
  },
  issuer: {
    type: "string",
    description: "Expected iss claim (http-jwt: the OIDC issuer URL).",
    default: "",
  },
  audiences: {
    type: "array",
    description: "Accepted aud values. Lambda modes: [] explicitly disables the audience check.",
  },
  clockToleranceSeconds: {
    type: "integer",
    description: "Lambda modes: allowed clock skew for exp/nbf/iat, 0-300. Default 5.",
    default: 5,
  },
  authorizerCacheTtl: {
    type: "integer",
    description:
      "Lambda modes: authorizer result cache TTL in seconds, 0-3600 (0 disables). Default 300.",
    default: 300,
  },
  secretCacheTtlSeconds: {
    type: "integer",
    description:
      "Lambda modes: how long the authorizer caches key material before re-reading it, 0-86400. Default 300.",
    default: 300,
  },
  // http-jwt presets
  passageAppId: {
    type: "string",
    description: "http-jwt: Passage app id; issuer becomes https://auth.passage.id/v1/apps/<id>.",
    default: "",
  },
  clerkFrontendApiUrl: {
    type: "string",
    description: "http-jwt: Clerk Frontend API URL, used as the issuer.",
    default: "",
  },
  authorizationScopes: {
    type: "array",
    description: "http-jwt: scopes a route requires (token needs at least one), at most 10.",
    default: [],
  },
  identitySource: {
    type: "string",
    description: "http-jwt: where the token is read. Default $request.header.Authorization.",
    default: "$request.header.Authorization",
  },
  // rest-token
  roleClaim: {
    type: "string",
    description:
      "rest-token: claim (dot path) holding the caller's role(s). Default metadata.role.",
    default: "metadata.role",
  },
  requiredRoles: {
    type: "array",
    description: "rest-token: roles allowed to call the API (any one suffices). Default [admin].",
    default: ["admin"],
  },
  // Backend
  backendUrl: {
    type: "string",
    description: "HTTP backend URL (HTTP_PROXY). Default: the bundled echo backend Lambda.",
    default: "",
  },
  vpcLinkListenerArn: {
    type: "string",
    description: "HTTP modes: private backend, ALB/NLB listener ARN reached through a VPC link.",
    default: "",
  },
  vpcLinkSubnetIds: {
    type: "array",
    description: "HTTP modes: subnets for the VPC link.",
    default: [],
  },
  vpcLinkSecurityGroupIds: {
    type: "array",
    description: "HTTP modes: security groups for the VPC link.",
    default: [],
  },
  // Stage
  throttlingBurstLimit: {
    type: "integer",
    description: "Stage throttling burst limit. Default 200.",
    default: 200,
  },
  throttlingRateLimit: {
    type: "integer",
    description: "Stage throttling steady-state requests per second. Default 100.",
    default: 100,
  },
  logRetentionDays: {
    type: "integer",
    description: "Access and Lambda log retention in days (a CloudWatch value). Default 30.",
    default: 30,
  },
  accessLogging: {
    type: "boolean",
    description:
      "Stage access logs to a CloudWatch log group. false: no log group and no access-log settings (rest-token then needs no account-level API Gateway CloudWatch role). Default true.",
    default: true,
  },
  manageApiGatewayAccount: {
    type: "boolean",
    description:
      "rest-token: create the API Gateway CloudWatch Logs role and set it as this account's and region's cloudwatchRoleArn. WARNING, TAKES OVER a per-region, account-wide setting: it replaces the role every other REST API in that account and region logs with, and it stays in place after pulumi destroy (see the README, Troubleshooting). Default false.",
    default: false,
  },
  // CORS
  corsAllowOrigins: {
    type: "array",
    description: "CORS allowed origins; unset disables CORS.",
    default: [],
  },
  corsAllowMethods: {
    type: "array",
    description: "CORS allowed methods. Default [GET, POST, PUT, PATCH, DELETE, OPTIONS].",
    default: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
  },
  corsAllowHeaders: {
    type: "array",
    description: "CORS allowed request headers. Default [authorization, content-type].",
    default: ["authorization", "content-type"],
  },
  corsMaxAge: {
    type: "integer",
    description: "CORS preflight cache seconds, 0-86400. Default 600.",
    default: 600,
  },
} as const satisfies Record<string, ConfigDeclaration>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

// ---------------------------------------------------------------------------------------------
// The typed result
// ---------------------------------------------------------------------------------------------

/** An extra claim delivered to the backend as a header or a query-string parameter. */
export interface ClaimMapping {
  /** Header name (as configured) or query-string parameter name. */
  readonly target: string;
  /** Claim path; dots reach nested claims in the Lambda modes. */
  readonly claim: string;
  /** The authorizer-context key the Lambda modes put the value under. */
  readonly contextKey: string;
}

export interface IdentityConfig {
  readonly customerIdHeader: string;
  readonly customerNameHeader: string;
  readonly customerIdClaims: readonly string[];
  readonly customerNameClaims: readonly string[];
  readonly claimHeaders: readonly ClaimMapping[];
  readonly claimQueryParams: readonly ClaimMapping[];
}

export type BackendConfig =
  | { readonly kind: "echo" }
  | { readonly kind: "http"; readonly url: string }
  | {
      readonly kind: "vpc-link";
      readonly listenerArn: string;
      readonly subnetIds: readonly string[];
      readonly securityGroupIds: readonly string[];
    };

export interface CorsConfig {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

export interface StageConfig {
  readonly stageName: string;
  readonly throttlingBurstLimit: number;
  readonly throttlingRateLimit: number;
  readonly logRetentionDays: number;
  /**
   * Stage access logs to a CloudWatch log group; false leaves out the log group and the stage's
   * access-log settings. Only an explicit `false` turns them off (`parseConfig` always sets it).
   * @default true
   */
  readonly accessLogging?: boolean;
}

/** A Secrets Manager secret the stack did not create (`secretArn`). */
export interface ExistingSecret {
  /** The configured ARN, complete or partial (see `isPartialSecretArn`). */
  readonly existingSecretArn?: string;
  /** Key ARN of the customer-managed KMS key the existing secret is encrypted with. */
  readonly existingSecretKmsKeyArn?: string;
}

/** Where the Lambda authorizers get their key material. */
export type KeySource =
  /** HS256 with a shared secret: from config (stored by the stack in Secrets Manager) or an existing secret. */
  | ({
      readonly kind: "secret";
      readonly jwtSecret?: pulumi.Input<string>;
    } & ExistingSecret)
  /** RS256 with a PEM public key: from config (stored in Secrets Manager) or an existing secret. */
  | ({
      readonly kind: "public-key";
      readonly publicKeyPem?: string;
    } & ExistingSecret)
  /** RS256 with keys from the issuer's JWKS. */
  | { readonly kind: "jwks"; readonly jwksUri?: string };

export interface LambdaAuthConfig {
  readonly keySource: KeySource;
  readonly issuer: string;
  /** Empty means the audience check was explicitly turned off. */
  readonly audiences: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly authorizerCacheTtl: number;
  readonly secretCacheTtlSeconds: number;
}

interface CommonConfig {
  readonly stackName: string;
  readonly stage: StageConfig;
  readonly identity: IdentityConfig;
  readonly backend: BackendConfig;
  readonly cors?: CorsConfig;
}

export interface HttpJwtConfig extends CommonConfig {
  readonly authMode: "http-jwt";
  readonly provider: "passage" | "clerk" | "oidc";
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly identitySource: string;
  readonly authorizationScopes: readonly string[];
}

export interface HttpLambdaConfig extends CommonConfig {
  readonly authMode: "http-lambda";
  readonly lambda: LambdaAuthConfig;
}

export interface RestTokenConfig extends CommonConfig {
  readonly authMode: "rest-token";
  readonly lambda: LambdaAuthConfig;
  readonly roleClaim: string;
  readonly requiredRoles: readonly string[];
  /**
   * Create the account-level API Gateway CloudWatch Logs role and `aws.apigateway.Account`
   * (a per-region singleton of the whole AWS account).
   * @default false
   */
  readonly manageApiGatewayAccount: boolean;
}

export type AppConfig = HttpJwtConfig | HttpLambdaConfig | RestTokenConfig;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

/** Thrown by `parseConfig` with every problem found; the message lists them one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid identity-gateway configuration:\n` +
        problems.map((p) => `  - ${PROJECT}:${p.key}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

// ---------------------------------------------------------------------------------------------
// Constants from AWS
// ---------------------------------------------------------------------------------------------

/**
 * Headers HTTP API parameter mapping refuses (aws-semantics.md §3, "Reserved headers"). Refusing
 * them here turns a late CreateIntegration failure into a preview-time message.
 */
const RESERVED_HEADER_PREFIXES = ["access-control-", "apigw-", "x-amz-", "x-amzn-"];
const RESERVED_HEADERS = new Set([
  "authorization",
  "connection",
  "content-encoding",
  "content-length",
  "content-location",
  "forwarded",
  "keep-alive",
  "origin",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailers",
  "transfer-encoding",
  "upgrade",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "via",
]);

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/** HTTP API JWT authorizer quotas (aws-semantics.md §1). */
export const MAX_JWT_AUDIENCES = 50;
/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output, 256 bits. */
export const MIN_HS256_SECRET_BYTES = 32;
export const MAX_ROUTE_SCOPES = 10;

export const CONTEXT_KEY_CUSTOMER_ID = "customerId";
export const CONTEXT_KEY_CUSTOMER_NAME = "customerName";
export const CONTEXT_KEY_ROLE = "role";
const RESERVED_CONTEXT_KEYS = new Set([
  CONTEXT_KEY_CUSTOMER_ID,
  CONTEXT_KEY_CUSTOMER_NAME,
  CONTEXT_KEY_ROLE,
  "principalId",
  "integrationLatency",
  "claims",
]);

export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || RESERVED_HEADER_PREFIXES.some((p) => lower.startsWith(p));
}

/**
 * Whether a Secrets Manager secret ARN is partial, i.e. lacks the `-` and six random characters
 * Secrets Manager appends to the secret's name. GetSecretValue accepts a partial ARN "as long as
 * it uniquely matches only one secret" (Secrets Manager API Reference, GetSecretValue, `SecretId`,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html, and its
 * link "Finding a secret from a partial ARN").
 *
 * The rule is AWS's own: a name that ends in `-` plus six letters or digits is read as a complete
 * ARN. AWS documents the ambiguity this leaves: for a secret whose *name* ends that way (e.g.
 * `jwt-key-abcdef`), its partial ARN "cause[s] Secrets Manager to assume that you're specifying a
 * complete ARN", so GetSecretValue with it fails anyway. Such secrets must be given by their
 * complete ARN, which this rule then keeps exact (README, `secretArn`).
 */
export function isPartialSecretArn(arn: string): boolean {
  const name = arn.slice(arn.indexOf(":secret:") + ":secret:".length);
  return !/-[A-Za-z0-9]{6}$/.test(name);
}

/** The partition and Region of an ARN (`arn:<partition>:<service>:<region>:…`). */
export function arnPartitionAndRegion(arn: string): { partition: string; region: string } {
  const [, partition = "", , region = ""] = arn.split(":");
  return { partition, region };
}

/** The authorizer-context key for a claim path: `metadata.plan` → `metadata_plan`. */
export function contextKeyForClaim(claim: string): string {
  return claim.replace(/[^A-Za-z0-9_]/g, "_");
}

/** The header names the backend receives the identity in, in mapping order (the `identityHeaders` output). */
export function identityHeaderNames(identity: IdentityConfig): string[] {
  return [
    identity.customerIdHeader,
    identity.customerNameHeader,
    ...identity.claimHeaders.map((m) => m.target),
  ];
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

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
    return this.string(key) !== undefined;
  }

  /** A blank value counts as unset: a whitespace-only issuer must not become the expected `iss` "". */
  string(key: ConfigKey): string | undefined {
    const v = this.values[key]?.trim();
    return v === undefined || v === "" ? undefined : v;
  }

  integer(key: ConfigKey, dflt: number, min: number, max: number): number {
    const v = this.string(key);
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
  boolean(key: ConfigKey, dflt: boolean): boolean {
    const v = this.string(key);
    if (v === undefined) return dflt;
    if (v === "true" || v === "false") return v === "true";
    this.fail(key, `expected true or false, got "${v}" (e.g. pulumi config set ${key} ${!dflt}).`);
    return dflt;
  }

  /** Arrays arrive as JSON (`pulumi config set --path 'key[0]' v` or a YAML list in the stack file). */
  array(key: ConfigKey): string[] | undefined {
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

function isHttpsUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "https:" && !!u.hostname;
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
  const customerIdHeader = r.string("customerIdHeader") ?? "X-Customer-ID";
  const customerNameHeader = r.string("customerNameHeader") ?? "X-Customer-Name";
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
    if (!isHttpUrl(url)) r.fail("backendUrl", `expected an http(s) URL, got "${url}".`);
    // The request path is appended to the URL (HTTP: an overwrite:path mapping; REST: "{proxy}"
    // after it), so a "?query" or "#fragment" would end up in the middle of the backend's path.
    else if (/[?#]/.test(url))
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
  const logRetentionDays = r.integer("logRetentionDays", 30, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    r.fail(
      "logRetentionDays",
      `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(", ")} days, got ${logRetentionDays}.`,
    );
  }
  return {
    stageName,
    throttlingBurstLimit: r.integer("throttlingBurstLimit", 200, 0, 1_000_000),
    throttlingRateLimit: r.integer("throttlingRateLimit", 100, 0, 1_000_000),
    logRetentionDays,
    accessLogging: r.boolean("accessLogging", true),
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
  const allowMethods = (
    r.array("corsAllowMethods") ?? ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
  ).map((m) => m.toUpperCase());
  for (const m of allowMethods) {
    if (!CORS_METHODS.includes(m))
      r.fail("corsAllowMethods", `"${m}" is not one of ${CORS_METHODS.join(", ")}.`);
  }
  const allowHeaders = r.array("corsAllowHeaders") ?? ["authorization", "content-type"];
  return {
    allowOrigins,
    allowMethods,
    allowHeaders,
    maxAgeSeconds: r.integer("corsMaxAge", 600, 0, 86400),
  };
}

function parseLambdaAuth(r: Reader, raw: RawConfig): LambdaAuthConfig {
  const verifyWith = r.string("verifyWith");
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
  switch (verifyWith) {
    case undefined:
      r.fail(
        "verifyWith",
        `is required in this mode: one of ${VERIFY_WITH.join(", ")} (e.g. pulumi config set verifyWith jwks).`,
      );
      break;
    case "secret":
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
          'verifyWith=public-key needs the issuer\'s RS256 public key: run `pulumi config set publicKeyPem -- "$(cat public.pem)"`, or point at an existing secret with `pulumi config set secretArn <arn>`.',
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
      break;
    case "jwks":
      if (secretArn !== undefined)
        r.fail("secretArn", "is not used with verifyWith=jwks: keys come from the issuer's JWKS.");
      if (hasJwtSecret) r.fail("jwtSecret", "is only used with verifyWith=secret.");
      if (publicKeyPem !== undefined)
        r.fail("publicKeyPem", "is only used with verifyWith=public-key.");
      if (jwksUri !== undefined && !r.keyUrlOk(jwksUri))
        r.fail("jwksUri", `must be an https URL, got "${jwksUri}".`);
      keySource = { kind: "jwks", jwksUri };
      break;
    default:
      r.fail(
        "verifyWith",
        `"${verifyWith}" is not a key source${didYouMean(verifyWith, VERIFY_WITH, VERIFY_WITH_ALIASES)}; expected one of ${VERIFY_WITH.join(", ")}.`,
      );
  }
  if (verifyWith !== "jwks" && jwksUri !== undefined)
    r.fail("jwksUri", "is only used with verifyWith=jwks.");

  const issuer = r.string("issuer");
  if (issuer === undefined) {
    r.fail(
      "issuer",
      "is required: the iss value tokens must carry (pulumi config set issuer <value>).",
    );
  } else if (verifyWith === "jwks" && jwksUri === undefined && !r.keyUrlOk(issuer)) {
    r.fail(
      "issuer",
      `verifyWith=jwks discovers keys from the issuer, so it must be an https URL; got "${issuer}".`,
    );
  }
  const audiences = r.array("audiences");
  if (audiences === undefined) {
    r.fail(
      "audiences",
      "is required: list the accepted aud values (pulumi config set --path 'audiences[0]' my-api). To skip the audience check, set it to an empty list explicitly (audiences: [] in the stack file).",
    );
  }
  return {
    keySource,
    issuer: issuer ?? "",
    audiences: audiences ?? [],
    clockToleranceSeconds: r.integer("clockToleranceSeconds", 5, 0, 300),
    authorizerCacheTtl: r.integer("authorizerCacheTtl", 300, 0, 3600),
    secretCacheTtlSeconds: r.integer("secretCacheTtlSeconds", 300, 0, 86400),
  };
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

function parseHttpJwt(r: Reader, common: CommonConfig): HttpJwtConfig {
  const passageAppId = r.string("passageAppId");
  const clerkUrl = r.string("clerkFrontendApiUrl");
  const plainIssuer = r.string("issuer");
  const given = [
    passageAppId !== undefined && "passageAppId",
    clerkUrl !== undefined && "clerkFrontendApiUrl",
    plainIssuer !== undefined && "issuer",
  ].filter(Boolean);
  let provider: HttpJwtConfig["provider"] = "oidc";
  let issuer = "";
  if (given.length === 0) {
    r.fail(
      "issuer",
      "http-jwt needs an issuer: set passageAppId (Passage), clerkFrontendApiUrl (Clerk) or issuer (any OIDC issuer).",
    );
  } else if (given.length > 1) {
    r.fail(
      String(given[1]),
      `set only one of passageAppId, clerkFrontendApiUrl and issuer (got ${given.join(" and ")}).`,
    );
  } else if (passageAppId !== undefined) {
    provider = "passage";
    if (!/^[A-Za-z0-9_-]+$/.test(passageAppId))
      r.fail("passageAppId", `"${passageAppId}" is not a Passage app id.`);
    issuer = `https://auth.passage.id/v1/apps/${passageAppId}`;
  } else if (clerkUrl !== undefined) {
    provider = "clerk";
    if (!isHttpsUrl(clerkUrl)) {
      r.fail(
        "clerkFrontendApiUrl",
        `must be the https Frontend API URL from the Clerk dashboard, got "${clerkUrl}".`,
      );
    }
    issuer = clerkUrl.replace(/\/+$/, "");
  } else if (plainIssuer !== undefined) {
    if (!r.keyUrlOk(plainIssuer)) {
      r.fail(
        "issuer",
        `must be an https URL (API Gateway fetches its keys over https), got "${plainIssuer}".`,
      );
    }
    issuer = plainIssuer;
  }
  const audiences = r.array("audiences") ?? [];
  if (audiences.length === 0) {
    const why =
      provider === "clerk"
        ? 'Clerk session tokens carry no aud unless a JWT template adds one: create a template with {"aud": "ClerkJwtAuthorizer"} in the Clerk dashboard, then pulumi config set --path \'audiences[0]\' ClerkJwtAuthorizer.'
        : provider === "passage"
          ? "set it to your Passage app's authentication origin: pulumi config set --path 'audiences[0]' https://your-app.example.com."
          : "API Gateway's JWT authorizer requires at least one audience: pulumi config set --path 'audiences[0]' <aud>.";
    r.fail("audiences", `is required in http-jwt: ${why}`);
  } else if (audiences.length > MAX_JWT_AUDIENCES) {
    r.fail(
      "audiences",
      `API Gateway allows at most ${MAX_JWT_AUDIENCES} audiences per JWT authorizer, got ${audiences.length}.`,
    );
  }
  const scopes = r.array("authorizationScopes") ?? [];
  if (scopes.length > MAX_ROUTE_SCOPES) {
    r.fail(
      "authorizationScopes",
      `API Gateway allows at most ${MAX_ROUTE_SCOPES} scopes per route, got ${scopes.length}.`,
    );
  }
  const identitySource = r.string("identitySource") ?? "$request.header.Authorization";
  if (!/^\$request\.(header|querystring)\.[A-Za-z0-9._~-]+$/.test(identitySource)) {
    r.fail(
      "identitySource",
      `a JWT authorizer reads one header or query parameter, e.g. $request.header.Authorization; got "${identitySource}".`,
    );
  }
  return {
    ...common,
    authMode: "http-jwt",
    provider,
    issuer,
    audiences,
    identitySource,
    authorizationScopes: scopes,
  };
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
  const manage = r.boolean("manageApiGatewayAccount", false);
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

/** The config key a mistyped key most likely meant (case or up to two edits away), if any. */
export function closestKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const k of Object.keys(CONFIG_KEYS)) {
    const d = editDistance(lower, k.toLowerCase());
    if (d <= 2 && (best === undefined || d < best.distance)) best = { key: k, distance: d };
  }
  return best?.key;
}

/** What people write for a key source when they think of the algorithm or the key's format. */
const VERIFY_WITH_ALIASES: Readonly<Record<string, VerifyWith>> = {
  hs256: "secret",
  hmac: "secret",
  rs256: "public-key",
  pem: "public-key",
  jwk: "jwks",
};

/** ` (did you mean x?)` for a near-miss value (case, up to two edits, or a known alias), else "". */
function didYouMean(
  value: string,
  choices: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string {
  const lower = value.toLowerCase();
  const alias = Object.prototype.hasOwnProperty.call(aliases, lower) ? aliases[lower] : undefined;
  const close = choices
    .map((c) => ({ c, d: editDistance(lower, c) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d)[0]?.c;
  const best = alias ?? close;
  return best === undefined ? "" : ` (did you mean ${best}?)`;
}

/** Levenshtein distance (keys are short, so the quadratic table is fine). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
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
    if (!Object.prototype.hasOwnProperty.call(CONFIG_KEYS, key)) {
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
  if (authMode === undefined || !(AUTH_MODES as readonly string[]).includes(authMode)) {
    r.fail(
      "authMode",
      `${authMode === undefined ? "is required" : `"${authMode}" is not a mode${didYouMean(authMode, AUTH_MODES)}`}: set one of ${AUTH_MODES.join(", ")} (pulumi config set authMode http-lambda).`,
    );
    throw new ConfigError(r.problems);
  }
  const mode = authMode as AuthMode;
  const common: CommonConfig = {
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
    config = { ...common, authMode: "http-lambda", lambda: parseLambdaAuth(r, raw) };
  } else {
    const roleClaim = r.string("roleClaim") ?? "metadata.role";
    if (!CLAIM_PATH.test(roleClaim)) r.fail("roleClaim", `"${roleClaim}" is not a claim path.`);
    const requiredRoles = r.array("requiredRoles") ?? ["admin"];
    if (requiredRoles.length === 0) {
      r.fail(
        "requiredRoles",
        "list at least one role; a valid token without one of them is denied (403).",
      );
    }
    config = {
      ...common,
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

/**
 * A key's declared default as Pulumi hands it to the program when the stack does not set the key:
 * scalars as text, lists as JSON (`createConfigValue` in pulumi/pulumi
 * `sdk/go/common/workspace/config.go`).
 */
export function configString(value: ConfigValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

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
    const decl: ConfigDeclaration | undefined = Object.prototype.hasOwnProperty.call(
      CONFIG_KEYS,
      key,
    )
      ? CONFIG_KEYS[key as ConfigKey]
      : undefined;
    if (decl?.default !== undefined && value !== undefined && isDefault(decl, value)) continue;
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
  const plaintextKeys = Object.entries(CONFIG_KEYS)
    .filter(([key, decl]) => "encrypted" in decl && values[key] !== undefined)
    .filter(([key]) => !isConfigSecret(`${PROJECT}:${key}`))
    .map(([key]) => key);
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
      plaintextKeys,
    },
    options,
  );
}

function secretByteLength(value: string | undefined): number | undefined {
  return value === undefined || value === "" ? undefined : Buffer.byteLength(value, "utf8");
}
