/**
 * Review: `publicKeyPem` is plain (unencrypted) stack config, copied into Secrets Manager. A PEM
 * bundle with the public key AND a private key passed the "-----BEGIN PUBLIC KEY-----" check.
 */
import { generateKeyPairSync } from "node:crypto";

import { ConfigError, parseConfig } from "../../infra/config";

const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PUBLIC = publicKey.export({ type: "spki", format: "pem" }).toString();
const PKCS8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const PKCS1 = privateKey.export({ type: "pkcs1", format: "pem" }).toString();

const values = (publicKeyPem: string) => ({
  authMode: "rest-token",
  verifyWith: "public-key",
  issuer: "https://auth.example.com",
  audiences: JSON.stringify(["api"]),
  publicKeyPem,
});

test.each([
  ["public then PKCS#8 private", `${PUBLIC}${PKCS8}`],
  ["PKCS#1 private then public", `${PKCS1}${PUBLIC}`],
])("a PEM bundle (%s) is refused, naming publicKeyPem", (_what, pem) => {
  let error: unknown;
  try {
    parseConfig({ stackName: "dev", values: values(pem) });
  } catch (e) {
    error = e;
  }

  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([
    expect.objectContaining({
      key: "publicKeyPem",
      message: expect.stringContaining("Never put a private key in config"),
    }),
  ]);
});

test("the public key alone is accepted", () => {
  expect(() => parseConfig({ stackName: "dev", values: values(PUBLIC) })).not.toThrow();
});
