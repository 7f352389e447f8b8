/**
 * The authorizer's settings, read once at cold start from the environment contract in
 * `env-contract.ts` (which the Pulumi program fills). Every problem is collected and reported in
 * one `ConfigurationError` that names the variable, so a bad deployment says exactly what to fix.
 *
 * Security checks are never silently off: `ISSUER` and `AUDIENCES` are required, and only an
 * explicit `AUDIENCES=[]` disables the audience check.
 */
import {
  ASYMMETRIC_ALGORITHMS,
  isAsymmetricAlgorithm,
  type AsymmetricAlgorithm,
} from "./algorithms";
import { ENV } from "./env-contract";
import { ConfigurationError } from "./errors";
import { isHttpUrl } from "./issuers";
import { formatRoute, parseRouteTable, type RouteSpec } from "./routes";
import { parseIssuerList, type IssuerSettings } from "./issuers";

/** Where the verification key comes from, and therefore which single algorithm is accepted. */
export type VerifyWith = "secret" | "public-key" | "jwks";

/** Accepted `VERIFY_WITH` values. */
export const VERIFY_WITH_VALUES: readonly VerifyWith[] = ["secret", "public-key", "jwks"];

/** Context keys the authorizer sets itself; `CONTEXT_CLAIMS` may not use them. */
export const RESERVED_CONTEXT_KEYS: ReadonlySet<string> = new Set([
  "customerId",
  "customerName",
  "role",
  "principalId",
  "integrationLatency",
  "claims",
]);

/** Typed, validated authorizer settings. */
export interface AuthorizerSettings {
  /** Key source; `secret` pins HS256, the others pin each key to the algorithms of its type. */
  readonly verifyWith: VerifyWith;
  /**
   * `public-key` / `jwks`: algorithms tokens may use, each key narrowing them to its own type.
   * @default undefined: DEFAULT_TOKEN_ALGORITHMS (one algorithm per key type)
   */
  readonly tokenAlgorithms?: readonly AsymmetricAlgorithm[];
  /** Secrets Manager secret id/ARN (required for `secret` and `public-key`). */
  readonly secretId?: string;
  /** Seconds key material (secret or JWKS) is cached before it is re-read. @default 300 */
  readonly secretCacheTtlSeconds: number;
  /** Expected `iss` (exact match); with `jwks` also the OIDC discovery base. */
  readonly issuer: string;
  /** Accepted `aud` values; empty = audience check explicitly disabled. */
  readonly audiences: readonly string[];
  /** JWKS URL; when unset (jwks mode) it is discovered from the issuer. */
  readonly jwksUri?: string;
  /**
   * `jwks` with several issuers (`ISSUERS`): every trusted issuer, `issuer` first when set.
   * Undefined: the one issuer of `issuer`/`audiences`/`jwksUri`.
   */
  readonly issuers?: readonly IssuerSettings[];
  /** Allowed clock skew in seconds for `exp`, `nbf`, `iat`. @default 5 */
  readonly clockToleranceSeconds: number;
  /** Claim paths tried in order for the customer id. @default ["customer_id","tenant_id","sub"] */
  readonly customerIdClaims: readonly string[];
  /** Claim paths tried in order for the customer name. @default ["customer_name","name"] */
  readonly customerNameClaims: readonly string[];
  /** Extra context entries: `{ contextKey: claimPath }`. @default {} */
  readonly contextClaims: Readonly<Record<string, string>>;
  /** rest-authorizer: claim path of the role(s); undefined when `ROLE_CLAIM` is unset. */
  readonly roleClaim?: string;
  /** rest-authorizer: roles any one of which allows the call; undefined when unset. */
  readonly requiredRoles?: readonly string[];
  /**
   * The route table (`ROUTE_RULES`, the `routes` config key normalized): the rule of each route
   * the authorizer may be asked about. Undefined when `ROUTE_RULES` is unset, as in deployments
   * made before the key existed: every route then needs just a valid token, as it did.
   */
  readonly routeRules?: readonly RouteSpec[];
}

/** The environment shape `readSettings` accepts (`process.env` fits). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses and validates the authorizer environment.
 * @throws ConfigurationError listing every invalid or missing variable.
 */
export function readSettings(env: Env): AuthorizerSettings {
  const problems: string[] = [];
  const fail = (name: string, why: string): undefined => {
    problems.push(`${name} ${why}`);
    return undefined;
  };

  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };

  const int = (name: string, dflt: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      fail(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}.`);
      return dflt;
    }
    return Number(raw);
  };

  const json = (name: string): unknown => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return fail(name, "must be valid JSON.");
    }
  };

  const stringArray = (name: string, opts: { nonEmpty: boolean }): string[] | undefined => {
    const v = json(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && x.trim() !== "")) {
      return fail(name, "must be a JSON array of non-empty strings.");
    }
    if (opts.nonEmpty && v.length === 0) return fail(name, "must list at least one value.");
    return v as string[];
  };

  const verifyWithRaw = str(ENV.VERIFY_WITH);
  let verifyWith: VerifyWith = "secret";
  if (verifyWithRaw === undefined) {
    fail(ENV.VERIFY_WITH, `is required (${VERIFY_WITH_VALUES.join(", ")}).`);
  } else if (!(VERIFY_WITH_VALUES as readonly string[]).includes(verifyWithRaw)) {
    fail(
      ENV.VERIFY_WITH,
      `must be one of ${VERIFY_WITH_VALUES.join(", ")}, got "${verifyWithRaw}".`,
    );
  } else {
    verifyWith = verifyWithRaw as VerifyWith;
  }

  const secretId = str(ENV.SECRET_ID);
  if (verifyWith !== "jwks" && verifyWithRaw !== undefined && secretId === undefined) {
    fail(ENV.SECRET_ID, `is required when ${ENV.VERIFY_WITH}=${verifyWith}.`);
  }

  const tokenAlgorithms = stringArray(ENV.TOKEN_ALGORITHMS, { nonEmpty: true });
  if (tokenAlgorithms !== undefined) {
    if (verifyWith === "secret") {
      fail(
        ENV.TOKEN_ALGORITHMS,
        `is not used with ${ENV.VERIFY_WITH}=secret, which is HS256 only.`,
      );
    }
    for (const alg of tokenAlgorithms) {
      if (!isAsymmetricAlgorithm(alg)) {
        fail(
          ENV.TOKEN_ALGORITHMS,
          `holds "${alg}"; each entry must be one of ${ASYMMETRIC_ALGORITHMS.join(", ")}.`,
        );
      }
    }
  }

  const issuersRaw = json(ENV.ISSUERS);
  const issuers =
    issuersRaw === undefined
      ? undefined
      : parseIssuerList(issuersRaw, (why) => fail(ENV.ISSUERS, why));
  if (issuersRaw !== undefined && verifyWith !== "jwks") {
    fail(ENV.ISSUERS, `needs ${ENV.VERIFY_WITH}=jwks: each issuer's keys come from its own JWKS.`);
  }
  const issuer = str(ENV.ISSUER) ?? issuers?.[0]?.issuer;
  if (issuer === undefined && issuersRaw === undefined) {
    fail(ENV.ISSUER, "is required (the expected iss claim).");
  }

  const audiences = stringArray(ENV.AUDIENCES, { nonEmpty: false });
  if (audiences === undefined && str(ENV.AUDIENCES) === undefined) {
    fail(
      ENV.AUDIENCES,
      "is required: a JSON array of accepted aud values, or [] to disable the check.",
    );
  }

  const jwksUri = str(ENV.JWKS_URI);
  if (jwksUri !== undefined && !isHttpUrl(jwksUri)) fail(ENV.JWKS_URI, "must be an http(s) URL.");
  if (
    verifyWith === "jwks" &&
    jwksUri === undefined &&
    issuer !== undefined &&
    !isHttpUrl(issuer)
  ) {
    fail(ENV.ISSUER, `must be an http(s) URL for OIDC discovery when ${ENV.JWKS_URI} is unset.`);
  }

  const contextClaimsRaw = json(ENV.CONTEXT_CLAIMS);
  const contextClaims: Record<string, string> = {};
  if (contextClaimsRaw !== undefined) {
    if (
      typeof contextClaimsRaw !== "object" ||
      contextClaimsRaw === null ||
      Array.isArray(contextClaimsRaw)
    ) {
      fail(ENV.CONTEXT_CLAIMS, "must be a JSON object {contextKey: claimPath}.");
    } else {
      for (const [key, path] of Object.entries(contextClaimsRaw)) {
        if (!/^[A-Za-z0-9_.]+$/.test(key)) {
          fail(ENV.CONTEXT_CLAIMS, `key "${key}" may contain only letters, digits, "_" and ".".`);
        } else if (RESERVED_CONTEXT_KEYS.has(key)) {
          fail(ENV.CONTEXT_CLAIMS, `key "${key}" is reserved for the authorizer.`);
        } else if (key === "__proto__") {
          // Assigning it would set an object's prototype, so the entry was silently dropped; the
          // program refuses it at preview (infra/config/parse.ts), a hand-edited variable here.
          fail(ENV.CONTEXT_CLAIMS, `key "__proto__" cannot be a context key.`);
        } else if (typeof path !== "string" || path.trim() === "") {
          fail(ENV.CONTEXT_CLAIMS, `value for "${key}" must be a non-empty claim path.`);
        } else {
          contextClaims[key] = path;
        }
      }
    }
  }

  // The table the program wrote (formatRoute lines). A line this parser refuses means the program
  // and the function disagree (a hand-edited variable, a mismatched bundle): refuse to start
  // rather than guess at a rule.
  let routeRules: RouteSpec[] | undefined;
  const routeLines = stringArray(ENV.ROUTE_RULES, { nonEmpty: true });
  if (routeLines !== undefined) {
    const { routes, problems } = parseRouteTable(routeLines);
    for (const p of problems) fail(ENV.ROUTE_RULES, `line ${p.index}: ${p.message}.`);
    if (problems.length === 0) routeRules = routes;
    const needsRole = routes.find((r) => r.rule.kind === "roles");
    if (needsRole !== undefined && str(ENV.ROLE_CLAIM) === undefined) {
      fail(
        ENV.ROLE_CLAIM,
        `is required: ${ENV.ROUTE_RULES} has "${formatRoute(needsRole)}", which reads the caller's roles.`,
      );
    }
  }

  const settings: AuthorizerSettings = {
    verifyWith,
    tokenAlgorithms: tokenAlgorithms as AsymmetricAlgorithm[] | undefined,
    secretId,
    secretCacheTtlSeconds: int(ENV.SECRET_CACHE_TTL_SECONDS, 300, 0, 86400),
    issuer: issuer ?? "",
    audiences: audiences ?? [],
    jwksUri,
    issuers,
    clockToleranceSeconds: int(ENV.CLOCK_TOLERANCE_SECONDS, 5, 0, 300),
    customerIdClaims: stringArray(ENV.CUSTOMER_ID_CLAIMS, { nonEmpty: true }) ?? [
      "customer_id",
      "tenant_id",
      "sub",
    ],
    customerNameClaims: stringArray(ENV.CUSTOMER_NAME_CLAIMS, { nonEmpty: false }) ?? [
      "customer_name",
      "name",
    ],
    contextClaims,
    roleClaim: str(ENV.ROLE_CLAIM),
    requiredRoles: stringArray(ENV.REQUIRED_ROLES, { nonEmpty: true }),
    routeRules,
  };

  if (problems.length > 0) {
    throw new ConfigurationError(`Invalid authorizer environment: ${problems.join(" ")}`);
  }
  return settings;
}
