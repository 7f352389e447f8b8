/** An absolute https URL with a host (issuers, JWKS URIs, preset-built issuers). */
export function isHttpsUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "https:" && !!u.hostname;
  } catch {
    return false;
  }
}
