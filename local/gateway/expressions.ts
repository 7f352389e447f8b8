/**
 * Resolution of AWS selection expressions against a request (pure): identity sources, HTTP API
 * mapping values (`$request.*`, `$context.*`, `$stageVariables.*`, `${…}` templates) and REST
 * mapping sources (`method.request.*`, `context.*`, `stageVariables.*`, `'static'`).
 */
import type { RequestContext } from "./types";

/**
 * How a JWT claim value is handed on (aws-semantics.md §1 "Where claims appear"): every value is a
 * string; numbers as their JSON text (`"exp": "1718722804"`, PT capture); arrays as `[a b c]`
 * (UNDOCUMENTED, 3P PR #803 / floci #2011). Objects are UNDOCUMENTED and unobserved: we chose the
 * same Go-fmt style as arrays, `map[k:v]` with sorted keys, since the array form is Go's `fmt`.
 */
export function stringifyClaim(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(stringifyClaim).join(" ")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `map[${entries.map(([k, v]) => `${k}:${stringifyClaim(v)}`).join(" ")}]`;
}

/**
 * `$context.authorizer.<key>` for Lambda authorizer context values: numbers and booleans become
 * their text (§2 "Context downstream": the HTTP table shows `1`/`true`, REST stringifies —
 * either way a header value is text). Objects/arrays (allowed in HTTP API contexts, §2) are
 * UNDOCUMENTED in mappings: we chose their JSON text.
 */
export function stringifyContextValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** All values of a header (case-insensitive), comma-joined (§3 "Values"). */
export function headerValue(ctx: RequestContext, name: string): string | undefined {
  const values = ctx.headers.get(name.toLowerCase());
  return values && values.length > 0 ? values.join(",") : undefined;
}

/** All values of a query parameter (case-sensitive), comma-joined (§3 "Values"). */
export function queryValue(ctx: RequestContext, name: string): string | undefined {
  const values = ctx.query.get(name);
  return values && values.length > 0 ? values.join(",") : undefined;
}

/** `dd/MMM/yyyy:HH:mm:ss +0000`, the format of `requestContext.time` / `requestTime`. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  const p = (n: number) => String(n).padStart(2, "0");
  return (
    `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
  );
}

/**
 * A `$context.<name>` variable (HLV for HTTP APIs, RCTX for REST — the names we support are the
 * common ones). Returns undefined when the variable has no value.
 */
export function contextVariable(ctx: RequestContext, name: string): string | undefined {
  const auth = ctx.auth;
  if (name.startsWith("authorizer.claims.")) {
    const claim = name.slice("authorizer.claims.".length);
    const v = auth?.claims?.[claim];
    return v === undefined || v === "" ? undefined : v;
  }
  if (name === "authorizer.claims") return undefined; // HLV: returns null on its own.
  if (name === "authorizer.principalId") return auth?.principalId;
  if (name.startsWith("authorizer.")) {
    return stringifyContextValue(auth?.context?.[name.slice("authorizer.".length)]);
  }
  const stage = ctx.model.stageName;
  switch (name) {
    case "requestId":
    case "extendedRequestId":
      return ctx.requestId;
    case "routeKey":
      return ctx.routeKey;
    case "stage":
      return stage;
    case "apiId":
      return ctx.model.apiId;
    case "accountId":
      return ctx.model.accountId;
    case "httpMethod":
      return ctx.method;
    case "path":
      return ctx.fullPath;
    case "resourcePath":
      return ctx.route.path;
    case "protocol":
      return ctx.protocol;
    case "identity.sourceIp":
      return ctx.sourceIp;
    case "identity.userAgent":
      return headerValue(ctx, "user-agent");
    case "domainName":
      return domainName(ctx);
    case "requestTime":
      return clfTime(ctx.startedAt);
    case "requestTimeEpoch":
      return String(ctx.startedAt);
    default:
      return undefined;
  }
}

/** The host the client called (AWS reports the execute-api host it was called on). */
export function domainName(ctx: RequestContext): string {
  return (
    headerValue(ctx, "host") ?? `${ctx.model.apiId}.execute-api.${ctx.model.region}.amazonaws.com`
  );
}

function jsonPath(body: Buffer, path: string): string | undefined {
  // §3: the body is truncated at 100 KB before the path is applied; only dotted paths here.
  let value: unknown;
  try {
    value = JSON.parse(body.subarray(0, 100 * 1024).toString("utf8"));
  } catch {
    return undefined;
  }
  for (const key of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value === undefined ? undefined : stringifyContextValue(value);
}

/** One HTTP API variable, without the leading `$` (`request.header.x`, `context.requestId`). */
export function httpVariable(ctx: RequestContext, variable: string): string | undefined {
  const [scope, ...rest] = variable.split(".");
  const tail = rest.join(".");
  if (scope === "context") return contextVariable(ctx, tail);
  if (scope === "stageVariables") return ctx.model.stageVariables?.[tail];
  if (scope !== "request") return undefined;
  const [where, ...nameParts] = rest;
  const name = nameParts.join(".");
  switch (where) {
    case "header":
      return headerValue(ctx, name);
    case "querystring":
      return queryValue(ctx, name);
    case "path":
      return name === "" ? ctx.path : ctx.pathParameters[name];
    case "body":
      return name === "" ? ctx.body.toString("utf8") : jsonPath(ctx.body, name);
    default:
      return undefined;
  }
}

const TEMPLATE = /\$\{([^}]+)\}|\$((?:request|context|stageVariables)(?:\.[A-Za-z0-9_\-:]+)+)/g;

/**
 * An HTTP API mapping value (§3 "Values"): a single variable, a `${…}` template combining
 * several, or static text. Missing variables contribute nothing.
 * @returns the value, or undefined when it resolves to empty.
 */
export function resolveHttpValue(ctx: RequestContext, value: string): string | undefined {
  const out = value.replace(
    TEMPLATE,
    (_m, braced: string | undefined, bare: string | undefined) => {
      return httpVariable(ctx, (braced ?? bare ?? "").trim()) ?? "";
    },
  );
  return out === "" ? undefined : out;
}

/**
 * A REST mapping source (§4 "Context into the integration request", RMAP): `'static'`,
 * `method.request.{header,querystring,path}.x`, `context.x`, `stageVariables.x`.
 * @returns the value, or undefined when it resolves to empty.
 */
export function resolveRestSource(ctx: RequestContext, source: string): string | undefined {
  const s = source.trim();
  if (s.length >= 2 && s.startsWith("'") && s.endsWith("'")) return s.slice(1, -1) || undefined;
  let v: string | undefined;
  if (s.startsWith("method.request.header.")) {
    // REST multi-value headers: the mapping sees the last value (single-value `headers` map).
    v = ctx.headers.get(s.slice("method.request.header.".length).toLowerCase())?.at(-1);
  } else if (s.startsWith("method.request.querystring.")) {
    v = ctx.query.get(s.slice("method.request.querystring.".length))?.at(-1);
  } else if (s.startsWith("method.request.path.")) {
    v = ctx.pathParameters[s.slice("method.request.path.".length)];
  } else if (s.startsWith("context.")) {
    v = contextVariable(ctx, s.slice("context.".length));
  } else if (s.startsWith("stageVariables.")) {
    v = ctx.model.stageVariables?.[s.slice("stageVariables.".length)];
  }
  return v === undefined || v === "" ? undefined : v;
}

/**
 * An identity source (HTTP API `$request.header.X`, `$request.querystring.x`, `$context.x`,
 * `$stageVariables.x` — §2 table; REST `method.request.header.X` etc. — §4).
 */
export function resolveIdentitySource(ctx: RequestContext, expr: string): string | undefined {
  const e = expr.trim();
  const v = e.startsWith("$") ? httpVariable(ctx, e.slice(1)) : resolveRestSource(ctx, e);
  return v === undefined || v === "" ? undefined : v;
}
