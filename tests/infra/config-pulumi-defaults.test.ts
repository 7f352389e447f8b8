/**
 * `loadConfig` under Pulumi's mock runtime, with the config as the Pulumi CLI hands it over: every
 * key the stack leaves unset carries its `Pulumi.yaml` default (pulumi/pulumi
 * `sdk/go/common/workspace/config.go`, `mergeConfig`), and the keys set with `--secret` are listed
 * as secret (`setAllConfig(config, secretKeys)`, as the CLI's PULUMI_CONFIG_SECRET_KEYS).
 */
import "./mocks";

import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  CONFIG_KEYS,
  ConfigError,
  PROJECT,
  configString,
  isConfigSecret,
  loadConfig,
  parseConfig,
  withoutDeclaredDefaults,
  type AppConfig,
} from "../../infra/config";
import { generateDevKeys } from "../../local/dev-issuer";
import { localConfig, validateStack } from "../../local/server";
import { readStackConfig, type StackConfig } from "../../local/stack-config";

const ISSUER = "https://auth.example.com";
const SECRET = "an-hs256-secret-of-at-least-32-bytes-length";

/** Each declared default as the CLI hands it (`createConfigValue`: scalars as text, lists as JSON). */
const DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(CONFIG_KEYS).flatMap(([key, decl]) =>
    "default" in decl ? [[key, configString(decl.default)]] : [],
  ),
);

const BASES: Record<string, Record<string, string>> = {
  "http-lambda": {
    authMode: "http-lambda",
    verifyWith: "jwks",
    issuer: ISSUER,
    audiences: '["api"]',
  },
  "rest-token": { authMode: "rest-token", verifyWith: "jwks", issuer: ISSUER, audiences: "[]" },
  "http-jwt": { authMode: "http-jwt", issuer: ISSUER, audiences: '["api"]' },
};

/** `stack` merged over the declared defaults, the way `pulumi preview` runs the program. */
function load(stack: Record<string, string>, secretKeys: string[] = []): AppConfig {
  const merged = { ...DEFAULTS, ...stack };
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(merged).map(([k, v]) => [`${PROJECT}:${k}`, v])),
    secretKeys.map((k) => `${PROJECT}:${k}`),
  );
  return loadConfig();
}

function loadError(stack: Record<string, string>, secretKeys: string[] = []): ConfigError {
  try {
    load(stack, secretKeys);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

afterAll(() => pulumi.runtime.setAllConfig({}));

describe("declared defaults applied by Pulumi", () => {
  test.each(Object.keys(BASES))(
    "%s: a stack that sets only the required keys loads as if nothing else were set",
    (mode) => {
      expect(load(BASES[mode])).toEqual(parseConfig({ stackName: "dev", values: BASES[mode] }));
    },
  );

  test("the naive loader (defaults read as choices) refuses that stack: what the test catches", () => {
    const naive = () =>
      parseConfig({ stackName: "dev", values: { ...DEFAULTS, ...BASES["http-lambda"] } });
    expect(naive).toThrow(ConfigError);
    expect(naive).toThrow(/corsAllowOrigins: list at least one origin/);
    expect(naive).toThrow(/customerIdClaims: must name at least one claim/);
  });

  test("an injected customerIdClaims [] means the mode's default claims", () => {
    const lambda = load(BASES["http-lambda"]);
    expect(lambda.identity.customerIdClaims).toEqual(["customer_id", "tenant_id", "sub"]);
    const jwt = load(BASES["http-jwt"]);
    expect(jwt.identity.customerIdClaims).toEqual(["sub"]);
  });

  test("a value other than the default is still the stack's choice", () => {
    const err = loadError({ ...BASES["http-lambda"], corsMaxAge: "60" });
    expect(err.problems).toEqual([
      {
        key: "corsMaxAge",
        message: "has no effect without corsAllowOrigins; set the allowed origins too.",
      },
    ]);
    const c = load({ ...BASES["http-lambda"], corsAllowOrigins: '["https://app.example.com"]' });
    expect(c.cors?.maxAgeSeconds).toBe(600);
  });

  test("withoutDeclaredDefaults compares lists as lists and keeps unknown keys", () => {
    expect(
      withoutDeclaredDefaults({
        corsAllowHeaders: '[ "authorization" , "content-type" ]',
        requiredRoles: '["admin","ops"]',
        audiences: "[]",
        audeinces: "[]",
        stageName: "",
        corsMaxAge: "0600",
      }),
    ).toEqual({
      requiredRoles: '["admin","ops"]',
      audiences: "[]",
      audeinces: "[]",
      corsMaxAge: "0600",
    });
  });
});

describe("jwtSecret: encrypted or refused (not Pulumi's secret: true, which forbids a default)", () => {
  const secretStack = { ...BASES["http-lambda"], verifyWith: "secret", jwtSecret: SECRET };

  test("set with --secret: loaded, and kept a secret Output", async () => {
    const c = load(secretStack, ["jwtSecret"]);
    if (c.authMode !== "http-lambda" || c.lambda.keySource.kind !== "secret")
      throw new Error("expected an HS256 http-lambda config");
    expect(await pulumi.isSecret(pulumi.output(c.lambda.keySource.jwtSecret))).toBe(true);
  });

  test("in plain text: refused at preview, naming the key and the fix, never the value", () => {
    const err = loadError(secretStack);
    expect(err.problems.map((p) => p.key)).toEqual(["jwtSecret"]);
    expect(err.message).toContain(`${PROJECT}:jwtSecret: is in plain text in the stack file`);
    expect(err.message).toContain("pulumi config set --secret jwtSecret");
    expect(err.message).not.toContain(SECRET);
  });

  test('the default ("") is not a value: no key material, no plain-text refusal', () => {
    const err = loadError({ ...BASES["http-lambda"], verifyWith: "secret" });
    expect(err.problems.map((p) => p.key)).toEqual(["jwtSecret"]);
    expect(err.message).toContain("verifyWith=secret needs the HS256 secret");
  });
});

describe("isConfigSecret", () => {
  test("reads the SDK's list of secret keys (setAllConfig's secretKeys under the mock runtime)", () => {
    pulumi.runtime.setAllConfig({ [`${PROJECT}:jwtSecret`]: "x" }, [`${PROJECT}:jwtSecret`]);
    expect(isConfigSecret(`${PROJECT}:jwtSecret`)).toBe(true);
    expect(isConfigSecret(`${PROJECT}:issuer`)).toBe(false);
    pulumi.runtime.setAllConfig({ [`${PROJECT}:jwtSecret`]: "x" });
    expect(isConfigSecret(`${PROJECT}:jwtSecret`)).toBe(false);
  });

  test("falls back to PULUMI_CONFIG_SECRET_KEYS, with the SDK's meaning, if the SDK drops the function", () => {
    const runtime = pulumi.runtime as unknown as Record<string, unknown>;
    const sdk = Object.getOwnPropertyDescriptor(runtime, "isConfigSecret");
    const saved = process.env.PULUMI_CONFIG_SECRET_KEYS;
    try {
      Object.defineProperty(runtime, "isConfigSecret", { value: undefined, configurable: true });
      process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify([`${PROJECT}:jwtSecret`]);
      expect(isConfigSecret(`${PROJECT}:jwtSecret`)).toBe(true);
      expect(isConfigSecret(`${PROJECT}:issuer`)).toBe(false);
      process.env.PULUMI_CONFIG_SECRET_KEYS = "not json";
      expect(isConfigSecret(`${PROJECT}:jwtSecret`)).toBe(false);
    } finally {
      if (sdk) Object.defineProperty(runtime, "isConfigSecret", sdk);
      if (saved === undefined) delete process.env.PULUMI_CONFIG_SECRET_KEYS;
      else process.env.PULUMI_CONFIG_SECRET_KEYS = saved;
    }
  });
});

describe("npm start applies the same rules to a stack file", () => {
  const root = mkdtempSync(join(tmpdir(), "pulumi-defaults-"));
  copyFileSync(join(__dirname, "..", "..", "Pulumi.yaml"), join(root, "Pulumi.yaml"));
  const stackFile = (lines: string[]): StackConfig => {
    writeFileSync(join(root, "Pulumi.dev.yaml"), ["config:", ...lines].join("\n") + "\n");
    return readStackConfig(root, "dev");
  };
  const base = [
    `  ${PROJECT}:authMode: http-lambda`,
    `  ${PROJECT}:verifyWith: secret`,
    `  ${PROJECT}:issuer: ${ISSUER}`,
    `  ${PROJECT}:audiences: [api]`,
  ];

  test("a plain-text jwtSecret is refused by the program (Pulumi.yaml no longer declares it secret)", () => {
    const sc = stackFile([...base, `  ${PROJECT}:jwtSecret: ${SECRET}`]);
    expect(() => validateStack(sc)).toThrow(
      `${PROJECT}:jwtSecret: is in plain text in the stack file`,
    );
    expect(() => validateStack(sc)).not.toThrow(SECRET);
  });

  test("an encrypted jwtSecret passes", () => {
    const sc = stackFile([...base, `  ${PROJECT}:jwtSecret:`, "    secure: v1:AAAA"]);
    expect(validateStack(sc).authMode).toBe("http-lambda");
  });

  test("the local run hands the program every declared default, as Pulumi does", () => {
    const sc = stackFile([...base.slice(0, 1), `  ${PROJECT}:verifyWith: jwks`, ...base.slice(2)]);
    const local = localConfig(sc, {}, generateDevKeys(), "http://127.0.0.1:1");
    for (const [key, value] of Object.entries(DEFAULTS)) {
      if (!["issuer", "verifyWith"].includes(key))
        expect([key, local.config[`${PROJECT}:${key}`]]).toEqual([key, value]);
    }
  });
});
