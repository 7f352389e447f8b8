/**
 * `runConformance`: black-box checks of a deployed (or local) identity-gateway stage, each with an
 * outcome of pass, fail or "not applicable" (n/a), what was sent and what came back.
 *
 * What the backend received is read from the bundled echo backend's JSON (functions/echo-backend:
 * `identity`, `headers`). When the backend behind the stage is not the echo, every check that
 * needs to see the backend's side is n/a, never passed. Checks that need to sign tokens (expired,
 * HS/RS confusion, roles) are n/a without key material.
 *
 * Expected answers, each from AWS's documentation (aws-semantics.md keys in brackets):
 * - no token: 401 without invoking the authorizer, so without reaching the backend. HTTP API
 *   Lambda authorizer: a missing identity source → 401 ("HTTP API Lambda authorizers",
 *   http-api-lambda-authorizer, "Identity sources") [HL]; JWT authorizer: 401 ("Control access to
 *   HTTP APIs with JWT authorizers", http-api-jwt-authorizer) [HJ, HJT]; REST TOKEN authorizer:
 *   401 without invoking the Lambda ("Call an API with API Gateway Lambda authorizers",
 *   call-api-with-api-gateway-lambda-authorization) [RCALL, KC401].
 * - a bad token: 401 (JWT authorizer; REST `Unauthorized`) or 403 (HTTP Lambda `isAuthorized:
 *   false`, REST Deny) [HJ, RUSE]; a 5xx means the authorizer failed instead of refusing (design
 *   rule 2: never a 500 for a bad token).
 * - a wrong role: 403, an explicit Deny ("Use API Gateway Lambda authorizers",
 *   apigateway-use-lambda-authorizer) [RUSE].
 * - CORS: the preflight is answered without the authorizer (HTTP APIs: "Configure CORS for HTTP
 *   APIs", http-api-cors; REST: the OPTIONS mock method of "CORS for REST APIs", how-to-cors) and
 *   `Access-Control-Allow-Origin` names only an allowed origin (Fetch standard, "CORS protocol").
 */
import type { IncomingHttpHeaders } from "node:http";
import { randomBytes } from "node:crypto";

import { getClaim } from "../../functions/commons/identity";
import {
  formatRoute,
  ruleAllows,
  tokenRoles,
  tokenScopes,
  type RouteRule,
  type RouteSpec,
} from "../../functions/commons/routes";
import { send, type Exchange } from "./http";
import { defaultRoutes, probeFor, selectorFor, type Probe, type RouteSelector } from "./rules";
import {
  claimsFor,
  confusionTokens,
  decodePayload,
  garble,
  shortToken,
  signToken,
  unsecuredToken,
  type KeyMaterial,
} from "./tokens";

export type Outcome = "pass" | "fail" | "n/a";

/** One line of the report. */
export interface CheckResult {
  /** Stable name of the check (`missing-token`, `client-identity`, `wrong-role`, …). */
  readonly check: string;
  /** What the check was run on when it runs several times: a header spelling, a route. */
  readonly target?: string;
  readonly outcome: Outcome;
  /** What was expected, in words. */
  readonly expect: string;
  /** What was sent (tokens shortened), one entry per request. */
  readonly sent: readonly string[];
  /** What came back, one entry per request. */
  readonly received: readonly string[];
  /** Why it failed or is n/a, or a remark on a pass. */
  readonly note?: string;
}

export interface Report {
  readonly results: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly notApplicable: number;
}

export type AuthMode = "http-jwt" | "http-lambda" | "rest-token";

export interface ConformanceOptions {
  /** The stage's invoke URL (`apiUrl`), without a trailing `/`. */
  readonly url: string;
  /** The stack's mode; undefined when unknown (mode-specific checks are then n/a). */
  readonly mode?: AuthMode;
  /** A valid token (in rest-token: with or without a required role, see `adminToken`). */
  readonly token?: string;
  /** A valid token carrying a role `requiredRoles` allows (rest-token). */
  readonly adminToken?: string;
  /** Key material to sign tokens with; with `issuer` (and `audience`) it enables every check. */
  readonly key?: KeyMaterial;
  readonly issuer?: string;
  readonly audience?: string;
  /** An origin `corsAllowOrigins` allows; the CORS checks are n/a without it. */
  readonly origin?: string;
  /** An origin it does not allow. @default "https://conformance-disallowed.invalid" */
  readonly disallowedOrigin?: string;
  /**
   * The path (after the stage) whose backend is an echo, sent `GET`. @default "/conformance", or,
   * when the table sends `GET /conformance` to no route that needs a token, the probe path of the
   * first such route that serves `GET` ({@link defaultEchoPath})
   */
  readonly echoPath?: string;
  /** The header the backend gets the customer id in. @default "X-Customer-ID" */
  readonly identityHeader?: string;
  /** Claims tried in order for the customer id. @default by mode (the program's defaults) */
  readonly idClaims?: readonly string[];
  /** rest-token: the claim holding the role. @default "metadata.role" */
  readonly roleClaim?: string;
  /** rest-token: roles that let a caller in. @default ["admin"] */
  readonly requiredRoles?: readonly string[];
  /** http-jwt: the stack's `authorizationScopes` (a token needs one). @default [] */
  readonly authorizationScopes?: readonly string[];
  /**
   * The stack's route table (its `routes` output, parsed by parseRouteTable); default: the table
   * of a stack without one, `ANY /` and `ANY /{proxy+}` with the mode's rule.
   */
  readonly routes?: readonly RouteSpec[];
  readonly timeoutMs?: number;
}

export const DEFAULT_DISALLOWED_ORIGIN = "https://conformance-disallowed.invalid";

/** The program's defaults for `customerIdClaims` (README, Configuration). */
function defaultIdClaims(mode: AuthMode | undefined): string[] {
  return mode === "http-jwt" ? ["sub"] : ["customer_id", "tenant_id", "sub"];
}

/** The echo backend's answer, when this is one (functions/echo-backend `EchoBody`). */
interface Echo {
  readonly identity: { customerId: unknown };
  readonly headers: Record<string, unknown>;
}

function echoOf(ex: Exchange): Echo | undefined {
  const j = ex.json as Partial<Echo> | undefined;
  if (typeof j !== "object" || j === null) return undefined;
  if (typeof j.identity !== "object" || j.identity === null) return undefined;
  if (typeof j.headers !== "object" || j.headers === null) return undefined;
  return j as Echo;
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g;

/** A received body for the report: JWT-like text shortened, at most 160 characters. */
function bodyForReport(text: string): string {
  const safe = text.replace(JWT_LIKE, (t) => shortToken(t)).replace(/\s+/g, " ");
  return safe.length > 160 ? `${safe.slice(0, 160)}…` : safe;
}

/** Header values as sent, for the report (Authorization shortened). */
function describeSent(
  method: string,
  path: string,
  headers: ReadonlyArray<readonly [string, string]>,
): string {
  const parts = headers.map(([k, v]) => {
    if (k.toLowerCase() !== "authorization") return `${k}: ${v}`;
    const m = /^(\S+)\s+(.*)$/.exec(v);
    return m ? `${k}: ${m[1]} ${shortToken(m[2])}` : `${k}: ${shortToken(v)}`;
  });
  return `${method} ${path}${parts.length ? ` (${parts.join("; ")})` : " (no Authorization)"}`;
}

const REPORTED_HEADERS = [
  "www-authenticate",
  "access-control-allow-origin",
  "access-control-allow-headers",
  "access-control-allow-methods",
  "vary",
];

function describeReceived(ex: Exchange): string {
  const echo = echoOf(ex);
  const hdrs = REPORTED_HEADERS.flatMap((h) =>
    ex.headers[h] !== undefined ? [`${h}: ${String(ex.headers[h])}`] : [],
  );
  const body = echo
    ? `echo (backend reached): identity.customerId=${JSON.stringify(echo.identity.customerId)}`
    : bodyForReport(ex.text);
  return [`${ex.status}`, ...hdrs, body].filter((s) => s !== "").join("; ");
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** Whether an answer refuses a bad token: 401/403, never 5xx, never the backend. */
function refusal(ex: Exchange): string | undefined {
  if (echoOf(ex)) return "the request reached the backend";
  if (ex.status >= 500) return `${ex.status}: a bad token must get 401 or 403, never a 5xx`;
  if (ex.status !== 401 && ex.status !== 403) return `expected 401 or 403, got ${ex.status}`;
  return undefined;
}

const rnd = (): string => randomBytes(4).toString("hex");

/**
 * Run every check against `opts.url`, calling `onResult` as each one completes (progress on a
 * terminal). Never throws for what the stage answers; a transport failure (refused connection,
 * timeout) becomes a failed check naming it.
 */
export async function runConformance(
  opts: ConformanceOptions,
  onResult: (r: CheckResult) => void = () => undefined,
): Promise<Report> {
  const base = opts.url.replace(/\/+$/, "");
  const stagePath = new URL(base).pathname.replace(/\/+$/, "");
  const idHeader = opts.identityHeader ?? "X-Customer-ID";
  const idClaims = opts.idClaims ?? defaultIdClaims(opts.mode);
  const roleClaim = opts.roleClaim ?? "metadata.role";
  const requiredRoles = opts.requiredRoles ?? ["admin"];
  const disallowed = opts.disallowedOrigin ?? DEFAULT_DISALLOWED_ORIGIN;
  const rules = opts.routes ?? defaultRoutes(opts.mode, requiredRoles, opts.authorizationScopes);
  // The probes go where the stack's API type sends them: REST selects the resource first and
  // answers 403 Missing Authentication Token where HTTP would fall back to `/{proxy+}`.
  const select = selectorFor(opts.mode);
  const echoPath = opts.echoPath ?? defaultEchoPath(rules, select);
  const results: CheckResult[] = [];

  const record = (r: CheckResult): void => {
    results.push(r);
    onResult(r);
  };

  // ---- requests ---------------------------------------------------------------------------
  const sent: string[] = [];
  const received: string[] = [];
  /** Send, recording what went and came for the check being built. */
  async function call(
    method: string,
    path: string,
    headers: Array<readonly [string, string]> = [],
  ): Promise<Exchange> {
    sent.push(describeSent(method, `${stagePath}${path}`, headers));
    try {
      const ex = await send(`${base}${path}`, { method, headers, timeoutMs: opts.timeoutMs });
      received.push(describeReceived(ex));
      return ex;
    } catch (err) {
      received.push(`no answer: ${(err as Error).message}`);
      throw new TransportError((err as Error).message);
    }
  }
  /** Run one check: its requests are collected, a transport failure fails it. */
  async function check(
    name: string,
    expect: string,
    body: () => Promise<{ outcome: Outcome; note?: string }>,
    target?: string,
  ): Promise<void> {
    sent.length = 0;
    received.length = 0;
    let out: { outcome: Outcome; note?: string };
    try {
      out = await body();
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      out = { outcome: "fail", note: `transport: ${err.message}` };
    }
    record({ check: name, target, expect, sent: [...sent], received: [...received], ...out });
  }
  const na = (note: string) => ({ outcome: "n/a" as const, note });
  const pass = (note?: string) => ({ outcome: "pass" as const, note });
  const fail = (note: string) => ({ outcome: "fail" as const, note });
  const auth = (token: string): [string, string] => ["Authorization", `Bearer ${token}`];

  // ---- tokens -----------------------------------------------------------------------------
  const given = opts.adminToken ?? opts.token;
  const givenClaims = given !== undefined ? decodePayload(given) : undefined;
  const issuer = opts.issuer ?? (givenClaims?.iss as string | undefined);
  const audience =
    opts.audience ??
    (typeof givenClaims?.aud === "string"
      ? givenClaims.aud
      : Array.isArray(givenClaims?.aud)
        ? String(givenClaims.aud[0])
        : undefined);
  const canMint = opts.key !== undefined && issuer !== undefined;
  const NEEDS_KEY =
    "needs key material (--secret-file or --private-key-file, with --issuer and --audience)";

  /** The claims a token needs for `rule` to let it in. */
  function allowClaims(rule: RouteRule | undefined): Record<string, unknown> {
    const claims: Record<string, unknown> = {};
    if (rule?.kind === "roles") setPath(claims, roleClaim, rule.roles[0]);
    if (rule?.kind === "scopes") claims.scope = rule.scopes[0];
    return claims;
  }
  const ruleAt = (method: string, path: string): RouteSpec | undefined =>
    select(rules, method, path);
  /** A fresh token (its own cache entry) with `extra` claims; `lifetime` < 0: expired. */
  function mint(label: string, extra: Record<string, unknown>, lifetime = 300): string {
    if (!canMint) throw new Error("cannot mint");
    const sub = `conformance-${label}-${rnd()}`;
    return signToken(claimsFor({ issuer: issuer!, audience }, sub, extra, lifetime), opts.key!);
  }
  /**
   * Whether a token given on the command line satisfies `rule`, read as the authorizers read it
   * (functions/commons/routes.ts: the role claim, `scope` or else `scp`).
   */
  function givenSatisfies(token: string, rule: RouteRule | undefined): boolean {
    if (rule === undefined) return true;
    const claims = decodePayload(token) ?? {};
    return ruleAllows(rule, {
      roles: tokenRoles(claims, roleClaim),
      scopes: tokenScopes(claims),
    });
  }
  /** A token the rule at `path` lets in: minted when possible, else a given one that fits. */
  function validTokenFor(label: string, method: string, path: string): string | undefined {
    const rule = ruleAt(method, path)?.rule;
    if (canMint) return mint(label, allowClaims(rule));
    return [opts.adminToken, opts.token].find(
      (t): t is string => t !== undefined && givenSatisfies(t, rule),
    );
  }
  /** The customer id a token carries: the first of `idClaims` present. */
  function expectedId(token: string): string | undefined {
    const claims = decodePayload(token) ?? {};
    for (const c of idClaims) {
      const v = getClaim(claims, c);
      if (typeof v === "string" && v !== "") return v;
      if (typeof v === "number") return String(v);
    }
    return undefined;
  }

  // ---- probe: is the backend an echo? --------------------------------------------------------
  let isEcho = false;
  const probeToken = validTokenFor("probe", "GET", echoPath);
  if (probeToken !== undefined) {
    try {
      const ex = await send(`${base}${echoPath}`, {
        headers: [auth(probeToken)],
        timeoutMs: opts.timeoutMs,
      });
      isEcho = ex.status >= 200 && ex.status < 300 && echoOf(ex) !== undefined;
    } catch {
      // Reported by the checks themselves.
    }
  }
  const NOT_ECHO = `the backend at ${echoPath} is not the echo backend (--echo-path to a route that echoes), so what it received cannot be seen`;

  // ---- missing token ------------------------------------------------------------------------
  await check("missing-token", "401, backend not called", async () => {
    const ex = await call("GET", echoPath);
    if (echoOf(ex)) return fail("the request reached the backend");
    if (ex.status !== 401) return fail(`expected 401, got ${ex.status}`);
    return isEcho ? pass() : pass(`401 seen; ${NOT_ECHO}`);
  });

  // ---- garbled token ------------------------------------------------------------------------
  await check("garbled-token", "401 or 403, never 5xx, backend not called", async () => {
    const source = probeToken ?? given;
    const tokens = ["conformance.not-a-jwt", ...(source ? [garble(source)] : [])];
    for (const t of tokens) {
      const why = refusal(await call("GET", echoPath, [auth(t)]));
      if (why) return fail(why);
    }
    return source
      ? pass()
      : pass("only a non-JWT was sent: --token or key material to garble a real one");
  });

  // ---- expired token ------------------------------------------------------------------------
  await check("expired-token", "401 or 403, never 5xx, backend not called", async () => {
    if (!canMint) return na(NEEDS_KEY);
    const rule = ruleAt("GET", echoPath)?.rule;
    const why = refusal(
      await call("GET", echoPath, [auth(mint("expired", allowClaims(rule), -600))]),
    );
    return why ? fail(why) : pass();
  });

  // ---- valid token --------------------------------------------------------------------------
  await check(
    "valid-token",
    `2xx, the backend gets ${idHeader} equal to the token's id claim (${idClaims.join(" | ")})`,
    async () => {
      const token = validTokenFor("valid", "GET", echoPath);
      if (token === undefined) return na(`needs --token or ${NEEDS_KEY}`);
      const ex = await call("GET", echoPath, [auth(token)]);
      if (ex.status < 200 || ex.status >= 300) return fail(`a valid token got ${ex.status}`);
      const echo = echoOf(ex);
      if (!echo) return na(NOT_ECHO);
      const want = expectedId(token);
      const seen = identityValues(echo, idHeader);
      if (want === undefined)
        return fail(`the token has none of the claims ${idClaims.join(", ")}`);
      if (echo.identity.customerId !== want || seen.some((v) => v !== want)) {
        return fail(
          `expected ${JSON.stringify(want)}, the backend got identity ${JSON.stringify(echo.identity.customerId)} and ${idHeader} ${JSON.stringify(seen)}`,
        );
      }
      return pass(`the backend got ${want}`);
    },
  );

  // ---- client-sent identity headers ----------------------------------------------------------
  // Each spelling on its own request, each with its own value so a leak names its spelling.
  const lower = idHeader.toLowerCase();
  const variants: Array<{ target: string; lines: (s: string) => Array<[string, string]> }> = [
    { target: idHeader, lines: (s) => [[idHeader, s]] },
    { target: lower, lines: (s) => [[lower, s]] },
    { target: idHeader.toUpperCase(), lines: (s) => [[idHeader.toUpperCase(), s]] },
    { target: idHeader.replace(/-/g, "_"), lines: (s) => [[idHeader.replace(/-/g, "_"), s]] },
    {
      target: `${idHeader} twice`,
      lines: (s) => [
        [idHeader, s],
        [idHeader, `${s}-2`],
      ],
    },
  ];
  // REST maps only the configured and the lower-case spelling (names are case-sensitive there)
  // and cannot remove a header, so other spellings and underscore variants reach the backend
  // beside the verified value: documented, with the rule that backends refuse differing values
  // and ignore underscore names (README, "rest-token" and Known limitations).
  const restPassThrough = (target: string): boolean =>
    target !== idHeader && target !== lower && target !== `${idHeader} twice`;
  for (const v of variants) {
    await check(
      "client-identity",
      `a client-sent ${v.target} never reaches the backend as the identity`,
      async () => {
        const token = validTokenFor("spoof", "GET", echoPath);
        if (token === undefined) return na(`needs --token or ${NEEDS_KEY}`);
        const spoof = `spoofed-${rnd()}`;
        const ex = await call("GET", echoPath, [auth(token), ...v.lines(spoof)]);
        if (ex.status < 200 || ex.status >= 300) return fail(`a valid token got ${ex.status}`);
        const echo = echoOf(ex);
        if (!echo) return na(NOT_ECHO);
        const want = expectedId(token);
        const leaked = ex.text.includes(spoof);
        const seen = identityValues(echo, idHeader);
        const identityOk =
          echo.identity.customerId === want && seen.every((x) => x === want) && want !== undefined;
        if (!leaked && identityOk) return pass();
        if (leaked && opts.mode === "rest-token" && restPassThrough(v.target)) {
          const beside =
            want !== undefined && (seen.includes(want) || echo.identity.customerId === want);
          if (beside) {
            return pass(
              "reached the backend beside the verified value under a spelling REST does not map; documented (README rest-token: backends refuse differing values, ignore underscore names)",
            );
          }
        }
        const hint =
          opts.mode === undefined && restPassThrough(v.target)
            ? " (rest-token documents this spelling: run with --mode rest-token)"
            : "";
        return fail(
          leaked
            ? `the client's value reached the backend: identity ${JSON.stringify(echo.identity.customerId)}, ${idHeader} ${JSON.stringify(seen)}${hint}`
            : `expected identity ${JSON.stringify(want)}, got ${JSON.stringify(echo.identity.customerId)} and ${idHeader} ${JSON.stringify(seen)}`,
        );
      },
      v.target,
    );
  }

  // ---- alg: none, HS/RS confusion -------------------------------------------------------------
  /** Claims a valid token for the echo path would carry, for hostile tokens to copy. */
  const honestClaims = (): Record<string, unknown> | undefined => {
    if (canMint) {
      const rule = ruleAt("GET", echoPath)?.rule;
      return claimsFor(
        { issuer: issuer!, audience },
        `conformance-alg-${rnd()}`,
        allowClaims(rule),
      );
    }
    return givenClaims;
  };
  await check("alg-none", "an alg:none token is refused (401 or 403)", async () => {
    const claims = honestClaims();
    if (!claims) return na(`needs --token or ${NEEDS_KEY}`);
    const why = refusal(await call("GET", echoPath, [auth(unsecuredToken(claims))]));
    return why ? fail(why) : pass();
  });
  await check("alg-confusion", "HS/RS algorithm confusion is refused (401 or 403)", async () => {
    const claims = honestClaims();
    if (!claims || opts.key === undefined) return na(NEEDS_KEY);
    const attempts = confusionTokens(claims, opts.key);
    for (const a of attempts) {
      const why = refusal(await call("GET", echoPath, [auth(a.token)]));
      if (why) return fail(`${a.what}: ${why}`);
    }
    return pass(attempts.map((a) => a.what).join("; "));
  });

  // ---- route rules (data-driven) -----------------------------------------------------------------
  const RULES_UNKNOWN = "the mode is unknown (--mode or --stack) and no --route was given";
  const byKind = (k: RouteRule["kind"]) => rules.filter((r) => r.rule.kind === k);
  /** A request API Gateway sends to this line itself, under the stack's API type. */
  const probeOf = (r: RouteSpec): Probe | undefined => probeFor(r, rules, select);
  const NO_PROBE =
    "no request reaches this route under the table (other lines take every method and path it matches)";

  const publics = byKind("public");
  if (publics.length === 0) {
    await check("public-route", "a public route answers without a token", async () =>
      na(rules.length === 0 ? RULES_UNKNOWN : "the stack has no public routes"),
    );
  }
  for (const r of publics) {
    await check(
      "public-route",
      "answers without a token (not 401/403/5xx); a client-sent identity header is still dropped",
      async () => {
        const probe = probeOf(r);
        if (probe === undefined) return na(NO_PROBE);
        const spoof = `spoofed-${rnd()}`;
        const ex = await call(probe.method, probe.path, [[idHeader, spoof]]);
        if (ex.status === 401 || ex.status === 403 || ex.status >= 500) {
          return fail(`got ${ex.status}`);
        }
        if (ex.text.includes(spoof))
          return fail("the client's identity header reached the backend");
        return isEcho ? pass() : pass(`reachable; ${NOT_ECHO}`);
      },
      formatRoute(r),
    );
  }

  for (const kind of ["roles", "scopes"] as const) {
    const name = kind === "roles" ? "wrong-role" : "missing-scope";
    const expect =
      kind === "roles"
        ? "a valid token without the role → 403, with it → 2xx"
        : "a valid token without the scope → 401/403, with it → 2xx";
    const list = byKind(kind);
    if (list.length === 0) {
      await check(name, expect, async () =>
        na(rules.length === 0 ? RULES_UNKNOWN : `the stack has no ${kind}= rules`),
      );
    }
    for (const r of list) {
      await check(
        name,
        expect,
        async () => {
          const probe = probeOf(r);
          if (probe === undefined) return na(NO_PROBE);
          let wrong: string | undefined;
          let right: string | undefined;
          if (canMint) {
            const claims: Record<string, unknown> = {};
            if (kind === "roles") setPath(claims, roleClaim, "conformance-no-such-role");
            wrong = mint("wrong", claims);
            right = mint("right", allowClaims(r.rule));
          } else {
            wrong = [opts.token, opts.adminToken].find((t) => t && !givenSatisfies(t, r.rule));
            right = [opts.adminToken, opts.token].find((t) => t && givenSatisfies(t, r.rule));
            if (wrong === undefined) {
              return na(
                `needs a valid token without the ${kind === "roles" ? "role" : "scope"} (--token) or ${NEEDS_KEY}`,
              );
            }
          }
          const denied = await call(probe.method, probe.path, [auth(wrong)]);
          if (echoOf(denied)) return fail("the token without it reached the backend");
          if (kind === "roles" ? denied.status !== 403 : refusal(denied)) {
            return fail(
              `without it: expected ${kind === "roles" ? "403" : "401 or 403"}, got ${denied.status}`,
            );
          }
          if (right === undefined)
            return pass("the refusal only: no token with it (--admin-token)");
          const allowed = await call(probe.method, probe.path, [auth(right)]);
          if (allowed.status < 200 || allowed.status >= 300) {
            return fail(`with it: expected 2xx, got ${allowed.status}`);
          }
          return pass();
        },
        formatRoute(r),
      );
    }
  }

  // Cache safety (issue 11): a token allowed on route A, its decision cached, must still be
  // refused on route B. HTTP API caches a Lambda authorizer's result by identity source for
  // every route ("The cached result is shared by all routes", http-api-lambda-authorizer,
  // "Caching") [HL]; REST reuses a cached policy for every method [RCON, BP].
  const pair = cacheSafetyPair(rules, probeOf);
  await check(
    "cache-safety",
    "a token allowed (and cached) on one route is still refused on a route it may not call",
    async () => {
      if (!pair) {
        return na(
          rules.length === 0
            ? RULES_UNKNOWN
            : "needs two routes with different rules (per-route rules, issue 11); every route of this stack has the same rule",
        );
      }
      if (!canMint) return na(NEEDS_KEY);
      const token = mint("cache", allowClaims(pair.allowed.rule));
      const a = pair.allowedProbe;
      const first = await call(a.method, a.path, [auth(token)]);
      if (first.status < 200 || first.status >= 300) {
        return fail(`setup: the token got ${first.status} on ${formatRoute(pair.allowed)}`);
      }
      const second = await call(pair.refusedProbe.method, pair.refusedProbe.path, [auth(token)]);
      const why = refusal(second);
      return why ? fail(`on ${formatRoute(pair.refused)}: ${why}`) : pass();
    },
    pair ? `${formatRoute(pair.allowed)} → ${formatRoute(pair.refused)}` : undefined,
  );

  // ---- CORS ---------------------------------------------------------------------------------------
  const NO_ORIGIN = "needs --origin (an origin corsAllowOrigins allows)";
  let wildcard = false;
  await check(
    "cors-preflight",
    "OPTIONS without Authorization → 2xx with Access-Control-Allow-Origin for the origin, backend not called",
    async () => {
      if (opts.origin === undefined) return na(NO_ORIGIN);
      const ex = await call("OPTIONS", echoPath, [
        ["Origin", opts.origin],
        ["Access-Control-Request-Method", "GET"],
        ["Access-Control-Request-Headers", "authorization"],
      ]);
      if (echoOf(ex)) return fail("the preflight reached the backend");
      if (ex.status < 200 || ex.status >= 300) return fail(`expected 2xx, got ${ex.status}`);
      const acao = header(ex.headers, "access-control-allow-origin");
      if (acao !== opts.origin && acao !== "*") {
        return fail(`Access-Control-Allow-Origin is ${JSON.stringify(acao ?? null)}`);
      }
      wildcard = acao === "*";
      const acah = (header(ex.headers, "access-control-allow-headers") ?? "").toLowerCase();
      if (!acah.split(",").some((h) => ["authorization", "*"].includes(h.trim()))) {
        return fail("Access-Control-Allow-Headers does not allow Authorization");
      }
      return pass();
    },
  );
  await check(
    "cors-simple",
    "a response to the allowed origin carries Access-Control-Allow-Origin",
    async () => {
      if (opts.origin === undefined) return na(NO_ORIGIN);
      const token = validTokenFor("cors", "GET", echoPath);
      if (token === undefined) return na(`needs --token or ${NEEDS_KEY}`);
      const ex = await call("GET", echoPath, [auth(token), ["Origin", opts.origin]]);
      if (ex.status < 200 || ex.status >= 300) return fail(`a valid token got ${ex.status}`);
      const acao = header(ex.headers, "access-control-allow-origin");
      if (acao !== opts.origin && acao !== "*") {
        return fail(`Access-Control-Allow-Origin is ${JSON.stringify(acao ?? null)}`);
      }
      if (acao === "*") wildcard = true;
      return pass();
    },
  );
  await check(
    "cors-disallowed-origin",
    `an origin not allowed (${disallowed}) gets no Access-Control-Allow-Origin naming it`,
    async () => {
      if (opts.origin === undefined) return na(NO_ORIGIN);
      if (wildcard) return na("the stack allows any origin (Access-Control-Allow-Origin: *)");
      const pre = await call("OPTIONS", echoPath, [
        ["Origin", disallowed],
        ["Access-Control-Request-Method", "GET"],
        ["Access-Control-Request-Headers", "authorization"],
      ]);
      if (echoOf(pre)) return fail("the preflight reached the backend");
      const token = validTokenFor("cors-no", "GET", echoPath);
      const answers = [pre];
      if (token !== undefined)
        answers.push(await call("GET", echoPath, [auth(token), ["Origin", disallowed]]));
      for (const ex of answers) {
        const acao = header(ex.headers, "access-control-allow-origin");
        if (acao === disallowed || acao === "*") {
          return fail(`Access-Control-Allow-Origin: ${acao} for an origin that is not allowed`);
        }
      }
      return pass();
    },
  );

  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  return { results, passed: count("pass"), failed: count("fail"), notApplicable: count("n/a") };
}

class TransportError extends Error {}

/** Set `path` (dots nest) in `target`, as `npm run token --claim metadata.role=x` does. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof node[p] !== "object" || node[p] === null) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/**
 * The distinct values the backend reports for the identity header: every header whose name is
 * the identity header's in any case (the echo lower-cases names), split on the commas with which
 * API Gateway and node:http join repeated lines (HTTP API parameter mapping: "API Gateway
 * combines multiple header values with commas", http-api-parameter-mapping) [HPM].
 */
export function identityValues(echo: Echo, idHeader: string): string[] {
  const want = idHeader.toLowerCase();
  const out = new Set<string>();
  for (const [name, value] of Object.entries(echo.headers)) {
    if (name.toLowerCase() !== want || typeof value !== "string") continue;
    for (const part of value.split(",")) out.add(part.trim());
  }
  return [...out];
}

/** The first role or scope a rule names (what a token minted for it carries), if any. */
function firstGrant(rule: RouteRule): string | undefined {
  if (rule.kind === "roles") return rule.roles[0];
  if (rule.kind === "scopes") return rule.scopes[0];
  return undefined;
}

/**
 * Two routes where a token can be let in on the first and must be refused on the second: the
 * second requires a role or scope the first's token does not carry.
 */
function cacheSafetyPair(
  rules: readonly RouteSpec[],
  probeOf: (r: RouteSpec) => Probe | undefined,
):
  { allowed: RouteSpec; allowedProbe: Probe; refused: RouteSpec; refusedProbe: Probe } | undefined {
  for (const refused of rules) {
    if (refused.rule.kind !== "roles" && refused.rule.kind !== "scopes") continue;
    const refusedProbe = probeOf(refused);
    if (refusedProbe === undefined) continue;
    for (const allowed of rules) {
      if (allowed === refused || allowed.rule.kind === "public") continue;
      const allowedProbe = probeOf(allowed);
      if (allowedProbe === undefined) continue;
      // The allowed route's token carries its first role/scope (or none): refused if that does
      // not satisfy the refused route's rule.
      const carried =
        allowed.rule.kind === refused.rule.kind ? firstGrant(allowed.rule) : undefined;
      const held = carried === undefined ? [] : [carried];
      if (!ruleAllows(refused.rule, { roles: held, scopes: held })) {
        return { allowed, allowedProbe, refused, refusedProbe };
      }
    }
  }
  return undefined;
}

/**
 * The echo path when none is given: `/conformance` (what earlier versions always used) when
 * `GET /conformance` reaches a route that needs a token; otherwise the `GET` probe of the first
 * such route (`authenticated` first). In rest-token a path the table does not serve would meet
 * 403 Missing Authentication Token, which says nothing about the token checks sent there.
 */
export function defaultEchoPath(rules: readonly RouteSpec[], select: RouteSelector): string {
  const fallback = "/conformance";
  const hit = select(rules, "GET", fallback);
  if (rules.length === 0 || (hit !== undefined && hit.rule.kind !== "public")) return fallback;
  const guarded = rules.filter((r) => r.rule.kind !== "public");
  const ordered = [
    ...guarded.filter((r) => r.rule.kind === "authenticated"),
    ...guarded.filter((r) => r.rule.kind !== "authenticated"),
  ];
  for (const r of ordered) {
    const probe = probeFor(r, rules, select, ["GET"]);
    if (probe !== undefined) return probe.path;
  }
  return fallback;
}
