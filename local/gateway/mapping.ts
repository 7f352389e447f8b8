/**
 * Integration request parameter mapping (aws-semantics.md §3 for HTTP APIs, §4 "Context into the
 * integration request" for REST).
 */
import type { ApiModel } from "../model";
import { resolveHttpValue, resolveRestSource } from "./expressions";
import type { RequestContext } from "./types";
import { isReservedHeader } from "../../infra/config";

/**
 * Headers keyed by name, keeping the first-seen spelling and every value in order. Names compare
 * case-insensitively, as HTTP defines them (RFC 9110 §5.1) and as HTTP APIs treat them (§3
 * "Values": "Header names are case-insensitive"), unless the bag is `caseSensitive`: a REST API's
 * integration request keeps `X-Customer-ID` and `x-customer-id` apart ("Header names and query
 * parameters are processed in a case-sensitive way", Amazon API Gateway important notes, REST
 * APIs, https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html),
 * so a mapping of one spelling leaves the other in place.
 */
export class HeaderBag {
  private readonly map = new Map<string, { name: string; values: string[] }>();

  constructor(private readonly caseSensitive = false) {}

  static from(pairs: Array<[string, string]>, caseSensitive = false): HeaderBag {
    const bag = new HeaderBag(caseSensitive);
    for (const [n, v] of pairs) bag.add(n, v);
    return bag;
  }

  private key(name: string): string {
    return this.caseSensitive ? name : name.toLowerCase();
  }

  /** Adds a value (repeated header). */
  add(name: string, value: string): void {
    const e = this.map.get(this.key(name));
    if (e) e.values.push(value);
    else this.map.set(this.key(name), { name, values: [value] });
  }

  /** Replaces every value. */
  set(name: string, value: string): void {
    this.map.set(this.key(name), { name, values: [value] });
  }

  delete(name: string): void {
    this.map.delete(this.key(name));
  }

  get(name: string): string[] | undefined {
    return this.map.get(this.key(name))?.values;
  }

  has(name: string): boolean {
    return this.map.has(this.key(name));
  }

  /** Every value under any spelling of `name`, in insertion order (what HTTP sees as one header). */
  getAny(name: string): string[] | undefined {
    const lower = name.toLowerCase();
    const values = [...this.map.values()]
      .filter((e) => e.name.toLowerCase() === lower)
      .flatMap((e) => e.values);
    return values.length > 0 ? values : undefined;
  }

  /** Removes `name` under every spelling (headers the gateway itself owns). */
  deleteAny(name: string): void {
    const lower = name.toLowerCase();
    for (const [k, e] of this.map) if (e.name.toLowerCase() === lower) this.map.delete(k);
  }

  /** Entries with their original spelling. */
  entries(): Array<{ name: string; values: string[] }> {
    return [...this.map.values()];
  }
}

/**
 * Characters an HTTP field value cannot hold (RFC 9110 §5.5: a field value is visible ASCII,
 * `obs-text`, SP and HTAB): CR and LF (which would split the header and let a claim value forge
 * another one), NUL, the other C0 controls and DEL. node:http refuses them in `setHeader`, which
 * used to surface as an unhandled 500.
 */
// eslint-disable-next-line no-control-regex
const INVALID_FIELD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * A mapping produced a header value that HTTP cannot carry, e.g. an `http-jwt` claim holding
 * CR/LF mapped with `$context.authorizer.claims.<claim>`. What API Gateway does then is
 * UNDOCUMENTED (neither "Transform API requests and responses for HTTP APIs",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html, nor
 * the REST mapping pages say). The local gateway answers conservatively: the request fails with
 * API Gateway's generic 500 and never reaches the backend, whatever the integration type.
 * The message names the header, never the value (it is the caller's claim).
 */
export class MappedHeaderValueError extends Error {
  constructor(readonly header: string) {
    super(`mapped header "${header}" has a value with control characters (CR, LF, …)`);
    this.name = "MappedHeaderValueError";
  }
}

function checkedHeaderValue(name: string, value: string): string {
  if (INVALID_FIELD_VALUE.test(value)) throw new MappedHeaderValueError(name);
  return value;
}

/** What a mapping may change. */
export interface MappingTarget {
  headers: HeaderBag;
  query: Map<string, string[]>;
  /** Set by HTTP API `overwrite:path` or REST `integration.request.path.<name>`. */
  path?: string;
  /** REST `integration.request.path.<name>` values, for `{name}` in the integration URI. */
  pathParameters: Record<string, string>;
}

/**
 * §3 "Reserved headers (cannot be mapped, request or response; HPM)". The list is the same AWS fact
 * the config validator refuses at preview, so both read it from one place.
 */
export { isReservedHeader };

const HTTP_KEY = /^(append|overwrite|remove):(header|querystring)\.(.+)$/;

/**
 * Validates an HTTP API `requestParameters` map like API Gateway does on `CreateIntegration`.
 * @throws Error naming the offending key (reserved header, unknown action/location).
 */
export function validateHttpRequestParameters(params: Record<string, string>, where: string): void {
  for (const key of Object.keys(params)) {
    if (key === "overwrite:path") continue;
    const m = HTTP_KEY.exec(key);
    if (!m) {
      throw new Error(
        `${where}: invalid request parameter key "${key}" (expected append|overwrite|remove:header.<name>, ` +
          `append|overwrite|remove:querystring.<name> or overwrite:path)`,
      );
    }
    if (m[2] === "header" && isReservedHeader(m[3])) {
      throw new Error(`${where}: header "${m[3]}" is reserved and cannot be mapped ("${key}")`);
    }
  }
}

const REST_KEY = /^integration\.request\.(header|querystring|path|multivaluequerystring)\.(.+)$/;

/** Validates a REST integration's `requestParameters` keys. @throws Error naming the key. */
export function validateRestRequestParameters(params: Record<string, string>, where: string): void {
  for (const key of Object.keys(params)) {
    if (!REST_KEY.test(key)) {
      throw new Error(
        `${where}: invalid request parameter key "${key}" (expected integration.request.{header,querystring,path}.<name>)`,
      );
    }
  }
}

/** Validates every integration's mapping at gateway construction. */
export function validateModelMappings(model: ApiModel): void {
  for (const r of model.routes) {
    const where = `route "${r.method} ${r.path}"`;
    const params = r.integration.requestParameters ?? {};
    if (model.type === "http") validateHttpRequestParameters(params, where);
    else validateRestRequestParameters(params, where);
  }
}

/**
 * Applies an HTTP API mapping (§3). Order: the keys as declared.
 * - `overwrite:` REPLACES whatever the client sent (design rule 1).
 * - `append:` ADDS to a client-sent value, which therefore survives: this is the known hole the
 *   seed SAM template has, emulated faithfully so it shows up locally.
 * - `remove:` deletes it.
 * A value that resolves to empty/missing (e.g. an authorizer context without that key) is not
 * sent. For `overwrite:` we then also remove the client's value: AWS's behaviour here is
 * UNDOCUMENTED, and leaving a client-chosen `X-Customer-ID` in place would hand the backend a
 * forged identity, so the emulator fails safe. `append:` with an empty value leaves the client's
 * value (the hole again).
 * @throws MappedHeaderValueError when a header value has characters HTTP cannot carry.
 */
export function applyHttpMapping(
  ctx: RequestContext,
  params: Record<string, string>,
  target: MappingTarget,
): void {
  for (const [key, raw] of Object.entries(params)) {
    const value = resolveHttpValue(ctx, raw);
    if (key === "overwrite:path") {
      if (value !== undefined) target.path = value;
      continue;
    }
    const m = HTTP_KEY.exec(key);
    if (!m) continue;
    const [, action, where, name] = m;
    if (where === "header") {
      if (action === "remove") target.headers.delete(name);
      else if (value === undefined) {
        if (action === "overwrite") target.headers.delete(name);
      } else if (action === "overwrite") target.headers.set(name, checkedHeaderValue(name, value));
      else target.headers.add(name, checkedHeaderValue(name, value));
    } else {
      if (action === "remove") target.query.delete(name);
      else if (value === undefined) {
        if (action === "overwrite") target.query.delete(name);
      } else if (action === "overwrite") target.query.set(name, [value]);
      else target.query.set(name, [...(target.query.get(name) ?? []), value]);
    }
  }
}

/**
 * Applies a REST mapping (§4, RMAP): `integration.request.header.X` ← a source, REPLACING the
 * client's value. A source that resolves to empty drops the header, including the client's (fail
 * safe, as for HTTP APIs; AWS's behaviour for a missing context key is UNDOCUMENTED).
 * @throws MappedHeaderValueError when a header value has characters HTTP cannot carry.
 */
export function applyRestMapping(
  ctx: RequestContext,
  params: Record<string, string>,
  target: MappingTarget,
): void {
  for (const [key, source] of Object.entries(params)) {
    const m = REST_KEY.exec(key);
    if (!m) continue;
    const [, where, name] = m;
    const value = resolveRestSource(ctx, source);
    if (where === "header") {
      if (value === undefined) target.headers.delete(name);
      else target.headers.set(name, checkedHeaderValue(name, value));
    } else if (where === "path") {
      if (value !== undefined) target.pathParameters[name] = value;
    } else if (value === undefined) target.query.delete(name);
    else target.query.set(name, [value]);
  }
}
