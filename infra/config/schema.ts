/**
 * The configuration, declared once. Each key's name, type, modes, `Pulumi.yaml` default, documented
 * default, descriptions, secret handling, simple validation and the authorizer environment variable
 * it becomes live here, and everything else is derived: the per-key checks of `parse.ts`, the
 * `Pulumi.yaml` config block and the README's configuration table (`npm run config:docs`, checked
 * in CI), and the key-type unions the parser's readers accept. Rules between keys stay in code
 * (`parse.ts`).
 *
 * Plain typed data rather than a schema library (zod, valibot): Pulumi hands every value over as a
 * string, the messages must name the key and the fix in this program's words, and the docs need
 * fields (modes, documented default, section) no validator carries, so a library would add a
 * dependency and coercion layers and still leave the real rules in code.
 */
import { ENV, type EnvName } from "../../functions/commons/env-contract";

export const PROJECT = "identity-gateway";

export const AUTH_MODES = ["http-jwt", "http-lambda", "rest-token"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const VERIFY_WITH = ["secret", "public-key", "jwks"] as const;
export type VerifyWith = (typeof VERIFY_WITH)[number];

type ConfigType = "string" | "integer" | "boolean" | "array";

/** A value of a declared type, as `Pulumi.yaml` writes a `default`. */
export type ConfigValue = string | number | boolean | readonly string[];

/** A closed set of values, refused with a "did you mean" for near misses. */
export interface Choices {
  readonly values: readonly string[];
  /** What one value is called in the refusal (`"x" is not a <noun>`). */
  readonly noun: string;
  /** The value the refusal's example command sets. */
  readonly example: string;
  /** Values people write for a choice under another name (`hs256` for `secret`). */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** A URL key: which URLs it takes and how a refusal says so (`<message>, got "<value>".`). */
export interface UrlRule {
  /**
   * `https`: an https URL. `https-keys`: an https URL keys are fetched from, or `http://` on a
   * loopback host when the local gateway allows it (`ParseOptions.allowLoopbackHttpIssuer`).
   * `http`: http or https.
   */
  readonly kind: "https" | "https-keys" | "http";
  readonly message: string;
}

/** The authorizer environment variable a key's value reaches the Lambda in. */
export interface EnvRule {
  readonly name: EnvName;
  /** How the value gets there when it is not the parsed value itself (JSON for lists). */
  readonly via?: string;
}

interface Declaration {
  readonly type: ConfigType;
  /** README "modes" column: where the key has an effect. */
  readonly modes: "all" | "Lambda modes" | "HTTP modes" | "http-jwt" | "rest-token";
  /** README "meaning" column (Markdown). */
  readonly meaning: string;
  /** README "default" column (Markdown): the default as users see it, mode by mode if it differs. */
  readonly documentedDefault: string;
  /** `Pulumi.yaml` description (`pulumi config` shows it). */
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
  /** A comment line in `Pulumi.yaml` before this key, opening a group of keys. */
  readonly section?: string;
  readonly env?: EnvRule;
}

export type ConfigDeclaration =
  | (Declaration & {
      readonly type: "string";
      readonly default?: string;
      readonly oneOf?: Choices;
      readonly url?: UrlRule;
    })
  | (Declaration & {
      readonly type: "integer";
      readonly default: number;
      readonly min: number;
      readonly max: number;
    })
  | (Declaration & { readonly type: "boolean"; readonly default: boolean })
  | (Declaration & { readonly type: "array"; readonly default?: readonly string[] });

const AUTH_MODE_CHOICES: Choices = { values: AUTH_MODES, noun: "mode", example: "http-lambda" };

const VERIFY_WITH_CHOICES: Choices = {
  values: VERIFY_WITH,
  noun: "key source",
  example: "jwks",
  // What people write when they think of the algorithm or the key's format.
  aliases: { hs256: "secret", hmac: "secret", rs256: "public-key", pem: "public-key", jwk: "jwks" },
};

/**
 * Every config key the program reads, in `Pulumi.yaml` and README order. `Pulumi.yaml` declares
 * exactly these (written from here), and `parseConfig` refuses keys that are not here, so a typo
 * is an error rather than a silently ignored setting.
 */
export const CONFIG_KEYS = {
  authMode: {
    type: "string",
    modes: "all",
    meaning: "`http-jwt`, `http-lambda` or `rest-token`",
    documentedDefault: "required",
    description: "Authorizer mode: http-jwt, http-lambda or rest-token.",
    oneOf: AUTH_MODE_CHOICES,
  },
  stageName: {
    type: "string",
    modes: "all",
    meaning: "stage name (`$default` allowed for HTTP APIs)",
    documentedDefault: "the stack name",
    description: "API stage name. Default: the stack name.",
    default: "",
  },
  customerIdHeader: {
    section: "Identity -> backend",
    type: "string",
    modes: "all",
    meaning: "header carrying the customer id",
    documentedDefault: "`X-Customer-ID`",
    description: "Header carrying the customer id. Default X-Customer-ID.",
    default: "X-Customer-ID",
  },
  customerNameHeader: {
    type: "string",
    modes: "all",
    meaning: "header carrying the customer name",
    documentedDefault: "`X-Customer-Name`",
    description: "Header carrying the customer name. Default X-Customer-Name.",
    default: "X-Customer-Name",
  },
  customerIdClaims: {
    type: "array",
    modes: "all",
    meaning:
      "claims tried in order for the customer id; dot paths reach nested claims (Lambda modes)",
    documentedDefault: "`[customer_id, tenant_id, sub]`; http-jwt `[sub]`",
    description:
      "Claims tried in order for the customer id (dot paths reach nested claims). Default [customer_id, tenant_id, sub]; http-jwt: exactly one claim, default [sub].",
    default: [],
    env: { name: ENV.CUSTOMER_ID_CLAIMS },
  },
  customerNameClaims: {
    type: "array",
    modes: "all",
    meaning: "claims tried in order for the name, falling back to the id",
    documentedDefault: "`[customer_name, name]`; http-jwt `[name]`",
    description:
      "Claims tried in order for the customer name; falls back to the customer id. Default [customer_name, name]; http-jwt: exactly one claim, default [name].",
    default: [],
    env: { name: ENV.CUSTOMER_NAME_CLAIMS },
  },
  claimHeaders: {
    type: "array",
    modes: "all",
    meaning: "extra mappings, each `Header-Name=claim.path` (not `Host`)",
    documentedDefault: "none",
    description: 'Extra claim->header mappings, each "Header-Name=claim.path".',
    default: [],
    env: {
      name: ENV.CONTEXT_CLAIMS,
      via: "{contextKey: claim} of every claimHeaders and claimQueryParams mapping",
    },
  },
  claimQueryParams: {
    type: "array",
    modes: "all",
    meaning: "extra query-string mappings, each `param=claim.path`",
    documentedDefault: "none",
    description: 'Extra claim->query-string mappings, each "param=claim.path".',
    default: [],
    env: {
      name: ENV.CONTEXT_CLAIMS,
      via: "{contextKey: claim} of every claimHeaders and claimQueryParams mapping",
    },
  },
  routes: {
    section: "Per-route rules",
    type: "array",
    modes: "all",
    meaning:
      "per-route rules, each `<METHOD> <path> <rule>`, rule `public`, `authenticated`, `roles=a,b` or `scopes=x,y` (see [Per-route rules](#per-route-rules))",
    documentedDefault: "`ANY /` and `ANY /{proxy+}` with the mode's rule",
    description:
      'Per-route rules, each "<METHOD> <path> <rule>" with rule public, authenticated, roles=a,b (Lambda modes) or scopes=x,y, e.g. "GET /health public". Default: ANY / and ANY /{proxy+}, authenticated (rest-token: roles=<requiredRoles>; http-jwt: scopes=<authorizationScopes> when set).',
    default: [],
    env: {
      name: ENV.ROUTE_RULES,
      via: "the normalized table, one line per route, the default table included",
    },
  },
  verifyWith: {
    section: "Token verification (Lambda modes: http-lambda, rest-token)",
    type: "string",
    modes: "Lambda modes",
    meaning:
      "`secret` (HS256), `public-key` (PEM) or `jwks` (the issuer's keys); see [algorithms](#algorithms)",
    documentedDefault: "required",
    description:
      "Lambda modes: key source, secret (HS256), public-key (PEM: RSA, EC or Ed25519) or jwks (the issuer's JWKS: kty RSA, EC, OKP).",
    default: "",
    oneOf: VERIFY_WITH_CHOICES,
    env: { name: ENV.VERIFY_WITH },
  },
  jwtSecret: {
    type: "string",
    modes: "Lambda modes",
    meaning: "HS256 secret (at least 32 bytes), set with `--secret`; stored in Secrets Manager",
    documentedDefault: "—",
    description:
      "verifyWith=secret: the HS256 shared secret (pulumi config set --secret jwtSecret <value>); stored in Secrets Manager.",
    default: "",
    encrypted: true,
    env: {
      name: ENV.SECRET_ID,
      via: "the ARN of the Secrets Manager secret the stack stores it in",
    },
  },
  publicKeyPem: {
    type: "string",
    modes: "Lambda modes",
    meaning:
      "public key (PEM): RSA ≥ 2048 bits, EC P-256/P-384/P-521 or Ed25519; in Secrets Manager",
    documentedDefault: "—",
    description:
      "verifyWith=public-key: the issuer's public key (PEM: RSA >= 2048 bits, EC P-256/P-384/P-521 or Ed25519); stored in Secrets Manager.",
    default: "",
    env: {
      name: ENV.SECRET_ID,
      via: "the ARN of the Secrets Manager secret the stack stores it in",
    },
  },
  tokenAlgorithms: {
    type: "array",
    modes: "Lambda modes",
    meaning:
      "`public-key`/`jwks`: algorithms tokens may use; each key verifies only those of its type",
    documentedDefault: "one per key type (see [algorithms](#algorithms))",
    description:
      "verifyWith=public-key|jwks: algorithms tokens may use (RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA); each key verifies only those of its type. Default: one per key type (RSA RS256, P-256 ES256, P-384 ES384, P-521 ES512, Ed25519 EdDSA).",
    default: [],
    env: { name: ENV.TOKEN_ALGORITHMS },
  },
  secretArn: {
    type: "string",
    modes: "Lambda modes",
    meaning: "an existing Secrets Manager secret holding the HS256 secret or PEM; partial ARN ok",
    documentedDefault: "—",
    description:
      "verifyWith=secret|public-key: ARN of an existing Secrets Manager secret holding the key, instead of jwtSecret/publicKeyPem. Complete (ending in -<6 random characters>) or partial (without them).",
    default: "",
    env: { name: ENV.SECRET_ID, via: "the ARN itself" },
  },
  secretKmsKeyArn: {
    type: "string",
    modes: "Lambda modes",
    meaning:
      "with `secretArn`: key ARN of the customer-managed KMS key the secret is encrypted with",
    documentedDefault: "—",
    description:
      "With secretArn: key ARN (arn:aws:kms:<region>:<account>:key/<id>, not an alias) of the customer-managed KMS key the secret is encrypted with; the authorizer may kms:Decrypt with it through Secrets Manager only.",
    default: "",
  },
  jwksUri: {
    type: "string",
    modes: "Lambda modes",
    meaning: "JWKS URL, instead of OIDC discovery from the issuer",
    documentedDefault: "discovered",
    description:
      "verifyWith=jwks: JWKS URL; default: discovered from the issuer's /.well-known/openid-configuration.",
    default: "",
    url: { kind: "https-keys", message: "must be an https URL" },
    env: { name: ENV.JWKS_URI },
  },
  issuer: {
    type: "string",
    modes: "all",
    meaning: "expected `iss`; http-jwt: the https OIDC issuer",
    documentedDefault: "required (http-jwt: or a preset)",
    description: "Expected iss claim (http-jwt: the OIDC issuer URL).",
    default: "",
    env: { name: ENV.ISSUER },
  },
  audiences: {
    type: "array",
    modes: "all",
    meaning: "accepted `aud` values; Lambda modes: an explicit `[]` turns the check off",
    documentedDefault: "required",
    description: "Accepted aud values. Lambda modes: [] explicitly disables the audience check.",
    env: { name: ENV.AUDIENCES },
  },
  clockToleranceSeconds: {
    type: "integer",
    modes: "Lambda modes",
    meaning: "clock skew allowed for `exp`/`nbf`/`iat`, 0–300",
    documentedDefault: "`5`",
    description: "Lambda modes: allowed clock skew for exp/nbf/iat, 0-300. Default 5.",
    default: 5,
    min: 0,
    max: 300,
    env: { name: ENV.CLOCK_TOLERANCE_SECONDS },
  },
  authorizerCacheTtl: {
    type: "integer",
    modes: "Lambda modes",
    meaning: "authorizer result cache TTL, 0–3600 (0 disables)",
    documentedDefault: "`300`",
    description:
      "Lambda modes: authorizer result cache TTL in seconds, 0-3600 (0 disables). Default 300.",
    default: 300,
    min: 0,
    max: 3600,
  },
  secretCacheTtlSeconds: {
    type: "integer",
    modes: "Lambda modes",
    meaning: "how long the Lambda keeps key material before re-reading it",
    documentedDefault: "`300`",
    description:
      "Lambda modes: how long the authorizer caches key material before re-reading it, 0-86400. Default 300.",
    default: 300,
    min: 0,
    max: 86400,
    env: { name: ENV.SECRET_CACHE_TTL_SECONDS },
  },
  issuers: {
    type: "array",
    modes: "Lambda modes",
    meaning:
      "more issuers, each `<issuer-url> [aud=a,b] [jwks=<url>] [alg=ES256,RS256]` (see [Several issuers](#several-issuers))",
    documentedDefault: "none",
    description:
      'Lambda modes, verifyWith=jwks: more trusted issuers beside issuer (or a preset), each "<issuer-url> [aud=a,b] [jwks=<url>] [alg=RS256,ES256]"; a token\'s iss picks its issuer. Default for aud: audiences; for jwks: discovery; for alg: tokenAlgorithms.',
    default: [],
    env: {
      name: ENV.ISSUERS,
      via: "JSON list of {issuer, audiences, jwksUri?, algorithms?}, the single issuer first",
    },
  },
  passageAppId: {
    section: "Identity provider presets (set one instead of issuer)",
    type: "string",
    modes: "all",
    meaning: "Passage app id → issuer `https://auth.passage.id/v1/apps/<id>`",
    documentedDefault: "—",
    description: "Passage app id; issuer becomes https://auth.passage.id/v1/apps/<id>.",
    default: "",
    env: { name: ENV.ISSUER, via: "the issuer it stands for" },
  },
  clerkFrontendApiUrl: {
    type: "string",
    modes: "all",
    meaning: "Clerk Frontend API URL → issuer",
    documentedDefault: "—",
    description: "Clerk Frontend API URL, used as the issuer.",
    default: "",
    url: { kind: "https", message: "must be the https Frontend API URL from the Clerk dashboard" },
    env: { name: ENV.ISSUER, via: "the issuer it stands for" },
  },
  cognitoUserPoolId: {
    type: "string",
    modes: "all",
    meaning:
      "Cognito user pool id `<region>_<id>` → issuer `https://cognito-idp.<region>.amazonaws.com/<id>`",
    documentedDefault: "—",
    description:
      "Amazon Cognito user pool id (<region>_<id>); issuer becomes https://cognito-idp.<region>.amazonaws.com/<pool id>.",
    default: "",
    env: { name: ENV.ISSUER, via: "the issuer it stands for" },
  },
  auth0Domain: {
    type: "string",
    modes: "all",
    meaning: "Auth0 domain → issuer `https://<domain>/` (trailing slash)",
    documentedDefault: "—",
    description: "Auth0 tenant or custom domain (no https://); issuer becomes https://<domain>/.",
    default: "",
    env: { name: ENV.ISSUER, via: "the issuer it stands for" },
  },
  oktaIssuer: {
    type: "string",
    modes: "all",
    meaning: "Okta authorization server issuer (`https://<org>.okta.com[/oauth2/<id>]`)",
    documentedDefault: "—",
    description:
      "Okta authorization server issuer: https://<org>.okta.com (org) or https://<org>.okta.com/oauth2/<id> (custom, e.g. default).",
    default: "",
    env: { name: ENV.ISSUER, via: "the issuer it stands for" },
  },
  entraTenantId: {
    type: "string",
    modes: "all",
    meaning:
      "Entra ID tenant id (GUID) → v2.0 issuer `https://login.microsoftonline.com/<id>/v2.0`",
    documentedDefault: "—",
    description:
      "Microsoft Entra ID directory (tenant) id, a GUID; issuer becomes https://login.microsoftonline.com/<id>/v2.0 (v2.0 tokens only).",
    default: "",
    env: { name: ENV.ISSUER, via: "the issuer it stands for" },
  },
  firebaseProjectId: {
    type: "string",
    modes: "all",
    meaning: "Firebase project id → issuer `https://securetoken.google.com/<id>`, aud the id",
    documentedDefault: "—",
    description:
      "Firebase project id; issuer becomes https://securetoken.google.com/<id>, and audiences must list the id.",
    default: "",
    env: { name: ENV.ISSUER, via: "the issuer it stands for" },
  },
  supabaseProjectRef: {
    type: "string",
    modes: "Lambda modes",
    meaning:
      "Supabase project ref → issuer `https://<ref>.supabase.co/auth/v1` (ES256: Lambda modes)",
    documentedDefault: "—",
    description:
      "Lambda modes: Supabase project ref; issuer becomes https://<ref>.supabase.co/auth/v1, keys from its JWKS (ES256/RS256), or verifyWith=secret for legacy HS256 projects.",
    default: "",
    env: { name: ENV.ISSUER, via: "the issuer it stands for" },
  },
  authorizationScopes: {
    section: "http-jwt",
    type: "array",
    modes: "http-jwt",
    meaning: "scopes a route requires (at least one must be in the token), at most 10",
    documentedDefault: "none",
    description: "http-jwt: scopes a route requires (token needs at least one), at most 10.",
    default: [],
  },
  identitySource: {
    type: "string",
    modes: "http-jwt",
    meaning: "where the token is read",
    documentedDefault: "`$request.header.Authorization`",
    description: "http-jwt: where the token is read. Default $request.header.Authorization.",
    default: "$request.header.Authorization",
  },
  roleClaim: {
    section: "rest-token",
    type: "string",
    modes: "Lambda modes",
    meaning: "claim (dot path) holding the role or roles (`requiredRoles`, `roles=` route rules)",
    documentedDefault: "`metadata.role`",
    description:
      "Lambda modes: claim (dot path) holding the caller's role(s), for requiredRoles (rest-token) and roles= route rules. Default metadata.role.",
    default: "metadata.role",
    env: { name: ENV.ROLE_CLAIM },
  },
  requiredRoles: {
    type: "array",
    modes: "rest-token",
    meaning: "roles allowed to call (any one); the rule of the default routes",
    documentedDefault: "`[admin]`",
    description: "rest-token: roles allowed to call the API (any one suffices). Default [admin].",
    default: ["admin"],
    env: { name: ENV.REQUIRED_ROLES },
  },
  backendUrl: {
    section: "Backend",
    type: "string",
    modes: "all",
    meaning:
      "HTTP backend (HTTP_PROXY); the request path is appended (no query string or fragment)",
    documentedDefault: "echo Lambda",
    description: "HTTP backend URL (HTTP_PROXY). Default: the bundled echo backend Lambda.",
    default: "",
    url: { kind: "http", message: "expected an http(s) URL" },
  },
  vpcLinkListenerArn: {
    type: "string",
    modes: "HTTP modes",
    meaning: "private ALB/NLB listener behind a VPC link",
    documentedDefault: "—",
    description: "HTTP modes: private backend, ALB/NLB listener ARN reached through a VPC link.",
    default: "",
  },
  vpcLinkSubnetIds: {
    type: "array",
    modes: "HTTP modes",
    meaning: "subnets of the VPC link",
    documentedDefault: "—",
    description: "HTTP modes: subnets for the VPC link.",
    default: [],
  },
  vpcLinkSecurityGroupIds: {
    type: "array",
    modes: "HTTP modes",
    meaning: "security groups of the VPC link",
    documentedDefault: "—",
    description: "HTTP modes: security groups for the VPC link.",
    default: [],
  },
  throttlingBurstLimit: {
    section: "Stage",
    type: "integer",
    modes: "all",
    meaning: "stage burst limit",
    documentedDefault: "`200`",
    description: "Stage throttling burst limit. Default 200.",
    default: 200,
    min: 0,
    max: 1000000,
  },
  throttlingRateLimit: {
    type: "integer",
    modes: "all",
    meaning: "stage steady-state requests per second",
    documentedDefault: "`100`",
    description: "Stage throttling steady-state requests per second. Default 100.",
    default: 100,
    min: 0,
    max: 1000000,
  },
  logRetentionDays: {
    type: "integer",
    modes: "all",
    meaning: "access-log and Lambda-log retention (a CloudWatch value)",
    documentedDefault: "`30`",
    description: "Access and Lambda log retention in days (a CloudWatch value). Default 30.",
    default: 30,
    min: 1,
    max: 3653,
  },
  accessLogging: {
    type: "boolean",
    modes: "all",
    meaning:
      "stage access logs; `false`: no log group, no access-log settings (see Troubleshooting)",
    documentedDefault: "`true`",
    description:
      "Stage access logs to a CloudWatch log group. false: no log group and no access-log settings (rest-token then needs no account-level API Gateway CloudWatch role). Default true.",
    default: true,
  },
  manageApiGatewayAccount: {
    type: "boolean",
    modes: "rest-token",
    meaning:
      "create the Region's API Gateway CloudWatch role; **takes over an account-wide setting**",
    documentedDefault: "`false`",
    description:
      "rest-token: create the API Gateway CloudWatch Logs role and set it as this account's and region's cloudwatchRoleArn. WARNING, TAKES OVER a per-region, account-wide setting: it replaces the role every other REST API in that account and region logs with, and it stays in place after pulumi destroy (see the README, Troubleshooting). Default false.",
    default: false,
  },
  corsAllowOrigins: {
    section: "CORS (unset corsAllowOrigins = CORS off; the other CORS keys are refused without it)",
    type: "array",
    modes: "all",
    meaning: "allowed origins; unset turns CORS off",
    documentedDefault: "—",
    description: "CORS allowed origins; unset disables CORS.",
    default: [],
  },
  corsAllowMethods: {
    type: "array",
    modes: "all",
    meaning: "allowed methods",
    documentedDefault: "`[GET, POST, PUT, PATCH, DELETE, OPTIONS]`",
    description: "CORS allowed methods. Default [GET, POST, PUT, PATCH, DELETE, OPTIONS].",
    default: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
  },
  corsAllowHeaders: {
    type: "array",
    modes: "all",
    meaning: "allowed request headers",
    documentedDefault: "`[authorization, content-type]`",
    description: "CORS allowed request headers. Default [authorization, content-type].",
    default: ["authorization", "content-type"],
  },
  corsMaxAge: {
    type: "integer",
    modes: "all",
    meaning: "preflight cache seconds",
    documentedDefault: "`600`",
    description: "CORS preflight cache seconds, 0-86400. Default 600.",
    default: 600,
    min: 0,
    max: 86400,
  },
} as const satisfies Record<string, ConfigDeclaration>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** The keys of one declared type, so each reader of `parse.ts` takes only keys of its type. */
export type KeyOfType<T extends ConfigType> = {
  [K in ConfigKey]: (typeof CONFIG_KEYS)[K]["type"] extends T ? K : never;
}[ConfigKey];

/** A key's declaration, widened for code that handles every kind. */
export function declaration(key: ConfigKey): ConfigDeclaration {
  return CONFIG_KEYS[key];
}

/** Whether `key` is one of the program's keys (own property: "constructor" is not). */
export function isConfigKey(key: string): key is ConfigKey {
  return Object.prototype.hasOwnProperty.call(CONFIG_KEYS, key);
}

/**
 * A key's declared default as Pulumi hands it to the program when the stack does not set the key:
 * scalars as text, lists as JSON (`createConfigValue` in pulumi/pulumi
 * `sdk/go/common/workspace/config.go`).
 */
export function configString(value: ConfigValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
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

/** ` (did you mean x?)` for a near-miss value (case, up to two edits, or a known alias), else "". */
export function didYouMean(value: string, choices: Choices): string {
  const lower = value.toLowerCase();
  const aliases = choices.aliases ?? {};
  const alias = Object.prototype.hasOwnProperty.call(aliases, lower) ? aliases[lower] : undefined;
  const close = choices.values
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
