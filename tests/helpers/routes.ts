/**
 * The README's per-route rules example ("Per-route rules"): one table the route tests share, in the
 * `routes` config key's line format.
 */
export const EXAMPLE_ROUTES: readonly string[] = [
  "GET /health public",
  "POST /webhooks/{proxy+} public",
  "ANY /admin/{proxy+} roles=admin",
  "GET /orders/{proxy+} scopes=orders:read",
  "ANY /{proxy+} authenticated",
];
