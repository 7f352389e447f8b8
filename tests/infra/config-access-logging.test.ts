/**
 * `accessLogging` and `manageApiGatewayAccount` (issue 9, item 2): the ways through a REST stage
 * that AWS refuses while the account has no API Gateway CloudWatch Logs role. Parsed like Pulumi
 * hands booleans to programs (the text `true`/`false`); every mistake names its key.
 */
import {
  ConfigError,
  PROJECT,
  parseConfig,
  type AppConfig,
  type RestTokenConfig,
} from "../../infra/config";

type Values = Record<string, string>;

const BASE = {
  "http-lambda": {
    authMode: "http-lambda",
    verifyWith: "jwks",
    issuer: "https://auth.example.com",
    audiences: '["api"]',
  },
  "rest-token": {
    authMode: "rest-token",
    verifyWith: "jwks",
    issuer: "https://auth.example.com",
    audiences: '["api"]',
  },
  "http-jwt": { authMode: "http-jwt", issuer: "https://auth.example.com", audiences: '["api"]' },
} satisfies Record<string, Values>;
type Mode = keyof typeof BASE;
const MODES = Object.keys(BASE) as Mode[];

const parse = (mode: Mode, set: Values = {}): AppConfig =>
  parseConfig({ stackName: "dev", values: { ...BASE[mode], ...set } });

function problems(mode: Mode, set: Values): { key: string; message: string }[] {
  try {
    parse(mode, set);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const err = e as ConfigError;
    for (const p of err.problems) expect(err.message).toContain(`${PROJECT}:${p.key}: `);
    return err.problems.map((p) => ({ key: p.key, message: p.message }));
  }
  throw new Error(`expected a ConfigError for ${mode} ${JSON.stringify(set)}`);
}

describe("accessLogging", () => {
  test.each(MODES)("%s: on unless set, off with false", (mode) => {
    expect(parse(mode).stage.accessLogging).toBe(true);
    expect(parse(mode, { accessLogging: "true" }).stage.accessLogging).toBe(true);
    expect(parse(mode, { accessLogging: "false" }).stage.accessLogging).toBe(false);
  });

  test.each([["no"], ["0"], ["False"], ["off"], ["yes"]])(
    '"%s" is not a boolean Pulumi would hand over: refused, naming the key',
    (value) => {
      expect(problems("rest-token", { accessLogging: value })).toEqual([
        {
          key: "accessLogging",
          message: `expected true or false, got "${value}" (e.g. pulumi config set accessLogging false).`,
        },
      ]);
    },
  );
});

describe("manageApiGatewayAccount", () => {
  test("rest-token: off unless set, on with true", () => {
    expect((parse("rest-token") as RestTokenConfig).manageApiGatewayAccount).toBe(false);
    expect(
      (parse("rest-token", { manageApiGatewayAccount: "false" }) as RestTokenConfig)
        .manageApiGatewayAccount,
    ).toBe(false);
    expect(
      (parse("rest-token", { manageApiGatewayAccount: "true" }) as RestTokenConfig)
        .manageApiGatewayAccount,
    ).toBe(true);
  });

  test.each(["http-lambda", "http-jwt"] as const)(
    "%s: true is refused (HTTP APIs log without the account role); false is accepted",
    (mode) => {
      expect(problems(mode, { manageApiGatewayAccount: "true" })).toEqual([
        {
          key: "manageApiGatewayAccount",
          message: expect.stringContaining(
            "only rest-token needs the account-level API Gateway CloudWatch role",
          ),
        },
      ]);
      // Pulumi.yaml declares default false, which every stack of every mode then holds.
      expect(() => parse(mode, { manageApiGatewayAccount: "false" })).not.toThrow();
    },
  );

  test("true with accessLogging false would take over the account for nothing: refused", () => {
    expect(
      problems("rest-token", { manageApiGatewayAccount: "true", accessLogging: "false" }),
    ).toEqual([
      {
        key: "manageApiGatewayAccount",
        message: expect.stringContaining("but accessLogging is false"),
      },
    ]);
  });

  test("a non-boolean value names the key", () => {
    expect(problems("rest-token", { manageApiGatewayAccount: "yes" })).toEqual([
      {
        key: "manageApiGatewayAccount",
        message:
          'expected true or false, got "yes" (e.g. pulumi config set manageApiGatewayAccount true).',
      },
    ]);
  });
});
