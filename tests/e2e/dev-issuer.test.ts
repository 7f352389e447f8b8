import { createPublicKey, createHmac, verify } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  DevIssuer,
  loadOrCreateDevKeys,
  mintToken,
  parseClaimArgs,
  parseDuration,
} from "../../local/dev-issuer";

function decode(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [h, p] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString()),
    payload: JSON.parse(Buffer.from(p, "base64url").toString()),
  };
}

describe("dev issuer", () => {
  const keys = loadOrCreateDevKeys();

  it("mints RS256 tokens verifiable with the public key, with iss/aud/sub/exp and nested claims", () => {
    const token = mintToken(
      keys,
      { issuer: "http://127.0.0.1:1", audience: "api", alg: "RS256" },
      {
        sub: "cust-1",
        claims: parseClaimArgs(["metadata.role=admin", "plan=pro"]),
        expiresIn: "15m",
      },
    );
    const [h, p, s] = token.split(".");
    expect(
      verify("sha256", Buffer.from(`${h}.${p}`), keys.publicKeyPem, Buffer.from(s, "base64url")),
    ).toBe(true);
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: "RS256", typ: "JWT", kid: keys.kid });
    expect(payload).toMatchObject({
      iss: "http://127.0.0.1:1",
      aud: "api",
      sub: "cust-1",
      metadata: { role: "admin" },
      plan: "pro",
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
  });

  it("mints HS256 tokens with the shared secret, without aud when there is no audience", () => {
    const token = mintToken(keys, { issuer: "iss", alg: "HS256" }, { expiresIn: -60 });
    const [h, p, s] = token.split(".");
    expect(createHmac("sha256", keys.hs256Secret).update(`${h}.${p}`).digest("base64url")).toBe(s);
    const { payload } = decode(token);
    expect(payload.aud).toBeUndefined();
    expect(payload.exp as number).toBeLessThan(Date.now() / 1000);
  });

  it("parses durations and JSON claim values", () => {
    expect(parseDuration("15m")).toBe(900);
    expect(parseDuration("2h")).toBe(7200);
    expect(parseDuration("-5m")).toBe(-300);
    expect(() => parseDuration("soon")).toThrow(/duration/);
    expect(parseClaimArgs(['roles=["a","b"]', "a.b.c=x"])).toEqual({
      roles: ["a", "b"],
      a: { b: { c: "x" } },
    });
    expect(() => parseClaimArgs(["novalue"])).toThrow(/key=value/);
  });

  it("persists keys with mode 0600 and reloads the same ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "dev-keys-"));
    const a = loadOrCreateDevKeys(dir);
    const b = loadOrCreateDevKeys(dir);
    expect(b).toEqual(a);
    expect(statSync(join(dir, "dev-keys.json")).mode & 0o777).toBe(0o600);
  });

  it("serves OIDC discovery and a JWKS holding the signing key", async () => {
    const issuer = await DevIssuer.start(keys);
    try {
      expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const discovery = (await (
        await fetch(`${issuer.url}/.well-known/openid-configuration`)
      ).json()) as {
        issuer: string;
        jwks_uri: string;
      };
      expect(discovery.issuer).toBe(issuer.url);
      const jwks = (await (await fetch(discovery.jwks_uri)).json()) as {
        keys: Array<Record<string, string>>;
      };
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty: "RSA", kid: keys.kid, alg: "RS256", use: "sig" });
      expect(jwks.keys[0].d).toBeUndefined();
      const pem = createPublicKey({ key: jwks.keys[0], format: "jwk" }).export({
        type: "spki",
        format: "pem",
      });
      expect(pem).toBe(keys.publicKeyPem);
      expect(issuer.requests["/.well-known/jwks.json"]).toBe(1);
    } finally {
      await issuer.close();
    }
  });
});
