/**
 * `publicKeyPem` of every supported key type, and `tokenAlgorithms`, checked at preview: a PEM the
 * authorizer could not verify with, or an algorithm list its key can never satisfy, would refuse
 * every token after `pulumi up`, so both stop `pulumi preview` with a message naming the key.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";

import { ConfigError, parseConfig, type LambdaAuthConfig } from "../../infra/config";

const spki = (k: KeyObject) => k.export({ type: "spki", format: "pem" }).toString();
const pkcs8 = (k: KeyObject) => k.export({ type: "pkcs8", format: "pem" }).toString();

const RSA = generateKeyPairSync("rsa", { modulusLength: 2048 });
const P256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const P384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const P521 = generateKeyPairSync("ec", { namedCurve: "P-521" });
const ED25519 = generateKeyPairSync("ed25519");

type Values = Record<string, string>;

function values(overrides: Values): Values {
  return {
    authMode: "http-lambda",
    issuer: "https://auth.example.com",
    audiences: JSON.stringify(["api"]),
    ...overrides,
  };
}

function lambdaOf(v: Values, jwtSecret?: string): LambdaAuthConfig {
  const config = parseConfig({ stackName: "dev", values: v, jwtSecret });
  if (config.authMode === "http-jwt") throw new Error("not a Lambda mode");
  return config.lambda;
}

/** The problems of an invalid config (fails the test when the config is valid). */
function problems(v: Values, jwtSecret?: string): { key: string; message: string }[] {
  try {
    parseConfig({ stackName: "dev", values: v, jwtSecret });
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("publicKeyPem", () => {
  test.each([
    ["RSA 2048", spki(RSA.publicKey)],
    ["EC P-256", spki(P256.publicKey)],
    ["EC P-384", spki(P384.publicKey)],
    ["EC P-521", spki(P521.publicKey)],
    ["Ed25519", spki(ED25519.publicKey)],
  ])("a %s public key is accepted, with the per-key-type default", (_type, pem) => {
    const lambda = lambdaOf(values({ verifyWith: "public-key", publicKeyPem: pem }));

    expect(lambda.keySource).toMatchObject({ kind: "public-key", publicKeyPem: pem.trim() });
    expect(lambda.tokenAlgorithms).toBeUndefined();
  });

  test.each([
    ["Ed448", spki(generateKeyPairSync("ed448").publicKey), "ed448 keys are not supported"],
    ["X25519", spki(generateKeyPairSync("x25519").publicKey), "x25519 keys are not supported"],
    [
      "secp256k1",
      spki(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey),
      "EC curve secp256k1 is not supported",
    ],
    [
      "RSA 1024",
      spki(generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey),
      "RSA keys must be at least 2048 bits",
    ],
    [
      "garbage between the PEM lines",
      "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
      "not a readable PEM public key",
    ],
  ])("a %s key is refused at preview, naming publicKeyPem", (_type, pem, fragment) => {
    const found = problems(values({ verifyWith: "public-key", publicKeyPem: pem }));

    expect(found).toEqual([
      { key: "publicKeyPem", message: expect.stringContaining(fragment) as string },
    ]);
  });

  test.each([
    ["an EC private key (PKCS#8)", pkcs8(P256.privateKey)],
    [
      "an EC private key (SEC1)",
      P256.privateKey.export({ type: "sec1", format: "pem" }).toString(),
    ],
    ["an Ed25519 private key", pkcs8(ED25519.privateKey)],
    [
      "an EC public key bundled with its private key",
      spki(P384.publicKey) + pkcs8(P384.privateKey),
    ],
  ])("%s is refused: never a private key in config", (_what, pem) => {
    const found = problems(values({ verifyWith: "public-key", publicKeyPem: pem }));

    expect(found).toEqual([
      {
        key: "publicKeyPem",
        message: expect.stringContaining("Never put a private key") as string,
      },
    ]);
  });
});

describe("tokenAlgorithms", () => {
  test.each([
    ["jwks", {}],
    ["public-key", { publicKeyPem: spki(RSA.publicKey) }],
    ["public-key", { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf" }],
  ])("with verifyWith=%s the list reaches the Lambda config", (verifyWith, extra: Values) => {
    const lambda = lambdaOf(
      values({ verifyWith, tokenAlgorithms: JSON.stringify(["RS256", "PS256"]), ...extra }),
    );

    expect(lambda.tokenAlgorithms).toEqual(["RS256", "PS256"]);
  });

  test.each<[string, Values, string | undefined, string]>([
    [
      "with verifyWith=secret",
      { verifyWith: "secret", tokenAlgorithms: '["RS256"]' },
      "s".repeat(32),
      "is not used with verifyWith=secret, which verifies HS256 only",
    ],
    ["naming HS256", { verifyWith: "jwks", tokenAlgorithms: '["HS256"]' }, undefined, '"HS256"'],
    ["naming none", { verifyWith: "jwks", tokenAlgorithms: '["none"]' }, undefined, '"none"'],
    ["in lower case", { verifyWith: "jwks", tokenAlgorithms: '["es256"]' }, undefined, '"es256"'],
    ["naming Ed448", { verifyWith: "jwks", tokenAlgorithms: '["Ed448"]' }, undefined, '"Ed448"'],
    ["empty", { verifyWith: "jwks", tokenAlgorithms: "[]" }, undefined, "list at least one"],
    [
      "that an EC P-256 PEM cannot verify",
      {
        verifyWith: "public-key",
        publicKeyPem: spki(P256.publicKey),
        tokenAlgorithms: '["RS256"]',
      },
      undefined,
      "an EC P-256 key (it verifies ES256)",
    ],
    [
      "that a P-384 PEM cannot verify (another curve)",
      {
        verifyWith: "public-key",
        publicKeyPem: spki(P384.publicKey),
        tokenAlgorithms: '["ES256"]',
      },
      undefined,
      "an EC P-384 key (it verifies ES384)",
    ],
    [
      "that an RSA PEM cannot verify",
      {
        verifyWith: "public-key",
        publicKeyPem: spki(RSA.publicKey),
        tokenAlgorithms: '["ES256","EdDSA"]',
      },
      undefined,
      "unset tokenAlgorithms for RS256",
    ],
  ])("%s is refused, naming tokenAlgorithms", (_name, set, jwtSecret, fragment) => {
    const found = problems(values(set), jwtSecret);

    expect(found).toEqual([
      { key: "tokenAlgorithms", message: expect.stringContaining(fragment) as string },
    ]);
  });

  test("a PEM's own algorithm among others is accepted", () => {
    const lambda = lambdaOf(
      values({
        verifyWith: "public-key",
        publicKeyPem: spki(P256.publicKey),
        tokenAlgorithms: '["RS256","ES256"]',
      }),
    );

    expect(lambda.tokenAlgorithms).toEqual(["RS256", "ES256"]);
  });
});
