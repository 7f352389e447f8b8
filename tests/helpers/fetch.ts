/**
 * A fake `fetch` for JWKS/OIDC tests: routes by URL, records calls, never touches the network.
 * Each route returns a JSON body, a `Response`, or throws (network failure).
 */

/**
 * A route handler: returns a JSON value, a ready Response (or a Promise of one), or throws to
 * simulate a network error. Receives the request init (e.g. to honour `signal`).
 */
export type FakeRoute = (init?: RequestInit) => unknown;

/** A fake fetch plus its call log and mutable routes. */
export interface FakeFetch {
  readonly fetch: (url: string, init?: RequestInit) => Promise<Response>;
  /** URLs requested, in order. */
  readonly calls: string[];
  /** Routes by exact URL; replace entries to change behaviour mid-test. */
  readonly routes: Map<string, FakeRoute>;
  /** Number of calls to `url`. */
  count(url: string): number;
}

/** Creates a fake fetch with the given routes; unknown URLs answer 404. */
export function fakeFetch(routes: Record<string, FakeRoute> = {}): FakeFetch {
  const map = new Map(Object.entries(routes));
  const calls: string[] = [];
  return {
    calls,
    routes: map,
    count: (url) => calls.filter((c) => c === url).length,
    fetch: async (url, init) => {
      calls.push(url);
      const route = map.get(url);
      if (!route) return new Response("not found", { status: 404 });
      const result = await route(init);
      if (result instanceof Response) return result;
      return new Response(JSON.stringify(result), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    },
  };
}

/** The OIDC discovery URL for `issuer`. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}
