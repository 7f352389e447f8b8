/**
 * Review: the local HTTP API JWT authorizer and a hostile `alg` header, through `startLocal` in
 * http-jwt mode over real HTTP. The `alg` is the caller's text: it must never turn a bad token into
 * a 500 (design rule 2's spirit for every mode: a bad token is a 401), and only the RSA algorithms
 * AWS accepts may pass (rule 6), whatever name an object happens to inherit.
 */
import { sign } from "node:crypto";

import { startLocal, type LocalGateway } from "../../local/server";
import { request } from "./helpers";

let gw: LocalGateway;
const accessLog: string[] = [];

beforeAll(async () => {
  gw = await startLocal({ port: 0, mode: "http-jwt", accessLog: (l) => accessLog.push(l) });
});
afterAll(() => gw?.close());

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

/** A token with the right claims, RSA-signed with the issuer's real key, under any `alg`. */
function tokenWithAlg(alg: unknown): string {
  const keys = gw.devIssuer!.keys;
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg, typ: "JWT", kid: keys.kid })}.${b64({
    iss: gw.profile.issuer,
    aud: gw.profile.audience,
    sub: "alg-probe",
    iat: now,
    exp: now + 600,
  })}`;
  return `${input}.${sign("sha256", Buffer.from(input), keys.privateKeyPem).toString("base64url")}`;
}

test("the issuer's own RS256 token passes (the probe is sound)", async () => {
  const res = await request(`${gw.stageUrl}/hello`, {
    headers: { authorization: `Bearer ${tokenWithAlg("RS256")}` },
  });
  expect(res.status).toBe(200);
});

test.each([
  ["CR/LF", "RS256\r\nSet-Cookie: a=b"],
  ["a non-Latin-1 character", "RS256\u0100"],
  ["a NUL", "RS\u0000256"],
  ["a very long name", "A".repeat(4000)],
])("an alg with %s → 401 with a valid www-authenticate, never 500", async (_what, alg) => {
  const res = await request(`${gw.stageUrl}/hello`, {
    headers: { authorization: `Bearer ${tokenWithAlg(alg)}` },
  });
  expect(res.status).toBe(401);
  expect(res.json).toEqual({ message: "Unauthorized" });
  const challenge = res.headers.get("www-authenticate") ?? "";
  expect(challenge).toMatch(/^Bearer scope="" error="invalid_token" error_description="[ -~]*"$/);
  expect(res.headers.get("set-cookie")).toBeNull();
  // The access log says the same, and never carries the caller's header text as is.
  const line = JSON.parse(accessLog.at(-1)!) as { status: number; error?: string };
  expect(line.status).toBe(401);
  expect(line.error ?? "").not.toContain(alg);
});

test.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
  "alg %s (a name every object inherits) is not an RSA algorithm → 401",
  async (alg) => {
    const res = await request(`${gw.stageUrl}/hello`, {
      headers: { authorization: `Bearer ${tokenWithAlg(alg)}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(`signing method ${alg} is invalid`);
  },
);
