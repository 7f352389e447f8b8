/**
 * The IdentityGateway component under Pulumi's mock runtime: with arguments that say what a stack
 * config says, it declares exactly the resources the stack program declares (same types, names
 * and inputs), exposes the output contract as properties, and refuses bad arguments with
 * parseConfig's own messages, each naming the argument.
 */
import { allStrings, mocks, OUTPUT_KEYS, settle, unwrap } from "./mocks";

jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());

import * as pulumi from "@pulumi/pulumi";

import { CONFIG_KEYS, ConfigError, parseConfig } from "../../infra/config";
import { ARG_GROUPS, argPaths } from "../../infra/component/arg-paths";
import { renderComponentArgs } from "../../infra/component/args-docs";
import {
  checkJwtSecret,
  configFromArgs,
  rawConfigFromArgs,
} from "../../infra/component/args-config";
import { IdentityGateway, type IdentityGatewayArgs } from "../../infra/component";
import { createGateway } from "../../infra/program";

const SECRET = "an-hs256-secret-that-is-long-enough-0123456789";

/** One stack config per mode and the same settings as component arguments. */
const CASES: Record<
  string,
  { values: Record<string, string>; jwtSecret?: string; args: IdentityGatewayArgs }
> = {
  "http-jwt": {
    values: {
      authMode: "http-jwt",
      issuer: "https://issuer.example.com",
      audiences: '["orders-api"]',
      claimHeaders: '["X-Customer-Plan=plan"]',
      corsAllowOrigins: '["https://app.example.com"]',
      corsMaxAge: "60",
    },
    args: {
      authMode: "http-jwt",
      issuer: "https://issuer.example.com",
      audiences: ["orders-api"],
      identity: { claimHeaders: ["X-Customer-Plan=plan"] },
      cors: { allowOrigins: ["https://app.example.com"], maxAge: 60 },
    },
  },
  "http-lambda": {
    values: {
      authMode: "http-lambda",
      verifyWith: "secret",
      issuer: "dev-issuer",
      audiences: '["orders-api"]',
      backendUrl: "https://backend.example.com/api",
      throttlingBurstLimit: "50",
    },
    jwtSecret: SECRET,
    args: {
      authMode: "http-lambda",
      verifyWith: "secret",
      jwtSecret: SECRET,
      issuer: "dev-issuer",
      audiences: ["orders-api"],
      backendUrl: "https://backend.example.com/api",
      stage: { throttlingBurstLimit: 50 },
    },
  },
  "rest-token": {
    values: {
      authMode: "rest-token",
      verifyWith: "jwks",
      issuer: "https://issuer.example.com",
      audiences: "[]",
      requiredRoles: '["admin","ops"]',
      stageName: "prod",
      accessLogging: "false",
    },
    args: {
      authMode: "rest-token",
      verifyWith: "jwks",
      issuer: "https://issuer.example.com",
      audiences: [],
      requiredRoles: ["admin", "ops"],
      stage: { name: "prod", accessLogging: false },
    },
  },
};

/** The AWS resources declared since the last reset: type, name and inputs. */
function declared() {
  return mocks
    .all()
    .filter((r) => r.type.startsWith("aws:"))
    .map((r) => ({
      type: r.type,
      name: r.name,
      inputs: comparable(r.inputs) as Record<string, unknown>,
    }));
}

/**
 * Inputs with every Promise (an AssetArchive's `assets`) replaced by a marker: a Promise is equal
 * only to itself, and deep equality would otherwise compare its async-hook ids, which differ
 * between two runs of the same code whenever other async work interleaves.
 */
function comparable(value: unknown): unknown {
  if (value instanceof Promise) return "<promise>";
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = comparable(v);
    return out;
  }
  return value;
}

async function resolved(outputs: object): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(outputs).map(async ([k, v]) => [
      k,
      pulumi.Output.isInstance(v) ? await unwrap(v) : v,
    ]),
  );
  return Object.fromEntries(entries);
}

beforeEach(() => mocks.reset());

describe.each(Object.keys(CASES))("%s", (mode) => {
  const { values, jwtSecret, args } = CASES[mode];

  test("declares exactly what the stack program declares for the same settings", async () => {
    // Named "gateway" like the stack program's mode component, so even the names must agree.
    const program = createGateway(parseConfig({ stackName: "dev", values, jwtSecret }));
    await settle();
    const fromProgram = declared();
    const programOutputs = await resolved(program);
    mocks.reset();

    const gw = new IdentityGateway("gateway", args);
    await settle();
    expect(declared()).toEqual(fromProgram);
    expect(fromProgram.length).toBeGreaterThan(5);

    // The contract as typed properties: the program's values, a null unset.
    const props = await resolved(
      Object.fromEntries(OUTPUT_KEYS.map((k) => [k, gw[k as keyof IdentityGateway]])),
    );
    const expected = Object.fromEntries(
      Object.entries(programOutputs).map(([k, v]) => [k, v === null ? undefined : v]),
    );
    expect(props).toEqual(expected);
    expect(props.authMode).toBe(mode);
  });

  test("two instances in one program do not collide", async () => {
    new IdentityGateway("orders", args);
    new IdentityGateway("billing", args);
    await settle();
    const names = declared().map((r) => `${r.type}::${r.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n.includes("::orders")).length).toBe(names.length / 2);
  });
});

test("registers itself with the component type token and its outputs", async () => {
  new IdentityGateway("gw", CASES["http-jwt"].args);
  await settle();
  const component = mocks.all().find((r) => r.type === "identity-gateway:index:IdentityGateway");
  expect(component?.name).toBe("gw");
  const mode = mocks.all().find((r) => r.type === "identity-gateway:modes:HttpJwtGateway");
  expect(mode?.name).toBe("gw");
});

test("a jwtSecret given as a plain string is kept a secret", async () => {
  new IdentityGateway("gw", CASES["http-lambda"].args);
  await settle();
  const version = declared().find(
    (r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion",
  );
  expect(version).toBeDefined();
  // The engine receives it wrapped in Pulumi's secret signature, never as a bare string.
  expect(version!.inputs.secretString).not.toBe(SECRET);
  expect(JSON.stringify(version!.inputs.secretString)).toContain(
    "1b47061264138c4ac30d75fd1eb44270",
  );
});

describe("bad arguments: parseConfig's messages, naming the argument", () => {
  const problems = (args: unknown): string => {
    try {
      new IdentityGateway("gw", args as IdentityGatewayArgs);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error("expected a ConfigError");
  };

  test("a missing argument is named as an argument, with the stack program's message", () => {
    const message = problems({
      authMode: "http-lambda",
      verifyWith: "jwks",
      issuer: "https://i.example.com",
    });
    expect(message.split("\n")[0]).toBe('Invalid arguments of IdentityGateway "gw":');
    expect(message).toContain(
      '  - IdentityGateway "gw": args.audiences: is required: list the accepted aud values',
    );
    expect(message).not.toContain("identity-gateway:audiences");
  });

  test("a grouped argument names its path and its config key", () => {
    const message = problems({
      ...CASES["http-jwt"].args,
      cors: { maxAge: 60 },
    });
    expect(message).toContain(
      'IdentityGateway "gw": args.cors.maxAge (config corsMaxAge): has no effect without corsAllowOrigins',
    );
  });

  test("an unknown argument gets a did-you-mean; a wrong type names what it got", () => {
    const message = problems({
      ...CASES["http-jwt"].args,
      audience: ["x"],
      stage: { nmae: "prod", throttlingRateLimit: "100" },
      identity: { claimHeaders: "X-Plan=plan" },
    });
    expect(message).toContain(
      "args.audience: is not an argument of IdentityGateway (did you mean audiences?)",
    );
    expect(message).toContain(
      "args.stage.nmae: is not an argument of IdentityGateway (did you mean stage.name?)",
    );
    expect(message).toContain(
      "args.stage.throttlingRateLimit (config throttlingRateLimit): expected a whole number, got string.",
    );
    expect(message).toContain(
      "args.identity.claimHeaders (config claimHeaders): expected a list of strings, got string.",
    );
  });

  test("nothing is registered for bad arguments", async () => {
    problems({ authMode: "nope", audiences: [] });
    await settle();
    expect(mocks.all()).toEqual([]);
  });

  test("the messages never echo the jwtSecret", () => {
    const message = problems({
      authMode: "http-lambda",
      verifyWith: "secret",
      jwtSecret: "short-secret",
      issuer: "i",
      audiences: ["a"],
    });
    expect(message).toContain("args.jwtSecret: is 12 bytes; an HS256 key needs at least 32");
    expect(allStrings(message).join()).not.toContain("short-secret");
  });

  test("a jwtSecret given as an Output is checked once it resolves, naming the argument", async () => {
    const args: IdentityGatewayArgs = {
      authMode: "http-lambda",
      verifyWith: "secret",
      jwtSecret: pulumi.secret(pulumi.output(SECRET)),
      issuer: "i",
      audiences: ["a"],
    };
    const config = configFromArgs("gw", args);
    if (config.authMode === "http-jwt" || config.lambda.keySource.kind !== "secret") {
      throw new Error("expected the secret key source");
    }
    // A strong one passes through, still a secret.
    const secret = pulumi.output(config.lambda.keySource.jwtSecret!);
    expect(await unwrap(secret)).toBe(SECRET);
    expect(await pulumi.isSecret(secret)).toBe(true);
    // The check the Output goes through, on a weak value (in a Pulumi run it fails the update).
    const { raw } = rawConfigFromArgs(args);
    expect(() => checkJwtSecret("gw", raw, "short-secret")).toThrow(
      /IdentityGateway "gw": args\.jwtSecret: is 12 bytes; an HS256 key needs at least 32/,
    );
  });
});

test("every config key is exactly one argument, documented in args.ts", () => {
  const paths = argPaths().map(([, p]) => p.join("."));
  expect(paths).toHaveLength(Object.keys(CONFIG_KEYS).length);
  expect(new Set(paths).size).toBe(paths.length);
  // Doc comments wrap: read them as one line.
  const source = renderComponentArgs().replace(/\s*\n\s*\*\s*/g, " ");
  for (const key of Object.keys(CONFIG_KEYS)) expect(source).toContain(`(Config key: ${key}.)`);
  // A group name is never also a top-level argument.
  const top = paths.filter((p) => !p.includes("."));
  for (const group of Object.keys(ARG_GROUPS)) expect(top).not.toContain(group);
});
