/**
 * Pulumi.yaml and the stack files, checked without the Pulumi CLI: the project file validates
 * against Pulumi's own schema, declares exactly the keys infra/config.ts reads, and every stack
 * file uses only declared keys, with values of the declared type that `parseConfig` accepts.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml } from "yaml";
import {
  CONFIG_KEYS,
  PROJECT,
  parseConfig,
  withoutDeclaredDefaults,
  type ConfigKey,
  type RawConfig,
} from "../../infra/config";
import { validateStack } from "../../local/server";
import { readStackConfig } from "../../local/stack-config";

const ROOT = path.resolve(__dirname, "../..");
const SCHEMA_PATH = path.join(__dirname, "../fixtures/pulumi/project.schema.json");

interface Declaration {
  type?: string;
  items?: { type: string };
  description?: string;
  secret?: boolean;
  default?: unknown;
}

function readYaml(file: string): unknown {
  return parseYaml(fs.readFileSync(path.join(ROOT, file), "utf8"));
}

const project = readYaml("Pulumi.yaml") as {
  name: string;
  runtime: unknown;
  main?: string;
  config: Record<string, unknown>;
};

/** The project's own keys (no namespace in Pulumi.yaml), with their declarations. */
const declared: Record<string, Declaration> = Object.fromEntries(
  Object.entries(project.config)
    .filter(([key]) => !key.includes(":"))
    .map(([key, decl]) => [key, decl as Declaration]),
);

const stackFiles = fs
  .readdirSync(ROOT)
  .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
  .sort();

function stackConfig(file: string): Record<string, unknown> {
  const doc = readYaml(file) as { config?: Record<string, unknown> } | null;
  return doc?.config ?? {};
}

/** `identity-gateway:audiences` → `audiences`; keys of other namespaces → undefined. */
function projectKey(fullKey: string): string | undefined {
  const prefix = `${PROJECT}:`;
  return fullKey.startsWith(prefix) ? fullKey.slice(prefix.length) : undefined;
}

function isSecureValue(v: unknown): v is { secure: string } {
  return (
    typeof v === "object" && v !== null && typeof (v as { secure?: unknown }).secure === "string"
  );
}

/**
 * A stack file's project keys as the program receives them from Pulumi: strings as they are,
 * numbers and booleans stringified, lists JSON-encoded. Secure values stay out of `values`
 * (loadConfig reads jwtSecret with getSecret); they are stood in for by a placeholder.
 */
function toRawConfig(stackName: string, config: Record<string, unknown>): RawConfig {
  const values: Record<string, string> = {};
  let jwtSecret: string | undefined;
  for (const [fullKey, value] of Object.entries(config)) {
    const key = projectKey(fullKey);
    if (key === undefined) continue;
    if (key === "jwtSecret") {
      jwtSecret = "<decrypted by pulumi>";
      continue;
    }
    if (typeof value === "string") values[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") values[key] = String(value);
    else values[key] = JSON.stringify(value);
  }
  return { stackName, values, jwtSecret };
}

/** Does a stack-file value have the type Pulumi.yaml declares? (Pulumi refuses the stack otherwise.) */
function hasDeclaredType(decl: Declaration, value: unknown): boolean {
  switch (decl.type) {
    case "string":
      return typeof value === "string" || (decl.secret === true && isSecureValue(value));
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value) && value.every((x) => typeof x === decl.items?.type);
    default:
      return false;
  }
}

describe("Pulumi.yaml", () => {
  test("validates against Pulumi's project schema", () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8"));
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(project);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test("the schema check has teeth: a config type Pulumi does not know is refused", () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8"));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const broken = { ...project, config: { ...project.config, authMode: { type: "object" } } };
    expect(validate(broken)).toBe(false);
    const noItems = { ...project, config: { ...project.config, audiences: { type: "array" } } };
    expect(validate(noItems)).toBe(false);
  });

  /**
   * The file Pulumi's Node.js host runs, in its order (@pulumi/pulumi `cmd/run/run.ts`): Pulumi.yaml's
   * `main`; else package.json's `exports["."]` (a string, or its default/require/import); else its
   * `main`.
   */
  function programEntry(main: string | undefined, pkg: Record<string, unknown>): unknown {
    if (main !== undefined) return main;
    const exp = pkg.exports as string | Record<string, string | Record<string, string>> | undefined;
    if (typeof exp === "string") return exp;
    if (exp !== undefined) {
      const dot = exp["."];
      return typeof dot === "string" ? dot : (dot.default ?? dot.require ?? dot.import);
    }
    return pkg.main;
  }

  test("names the project and runs index.ts through the nodejs runtime", () => {
    expect(project.name).toBe(PROJECT);
    expect(project.runtime).toBe("nodejs");
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const entry = programEntry(project.main, pkg);
    expect(entry).toBe("index.ts");
    expect(fs.existsSync(path.join(ROOT, entry as string))).toBe(true);
    // Without Pulumi.yaml's main, the package's library entry (exports) would run instead.
    expect(programEntry(undefined, pkg)).not.toBe("index.ts");
  });

  test("declares exactly the keys of CONFIG_KEYS", () => {
    expect(Object.keys(declared).sort()).toEqual(Object.keys(CONFIG_KEYS).sort());
  });

  test.each(Object.entries(CONFIG_KEYS))(
    "%s: type, items and secret flag match config.ts",
    (key, spec) => {
      const decl = declared[key];
      expect(decl).toBeDefined();
      expect(decl.type).toBe(spec.type);
      if (spec.type === "array") expect(decl.items).toEqual({ type: "string" });
      else expect(decl.items).toBeUndefined();
      expect(decl.secret ?? false).toBe("secret" in spec && spec.secret === true);
      expect(typeof decl.description).toBe("string");
      expect(decl.description?.length).toBeGreaterThan(0);
    },
  );

  test("keys of other namespaces carry only a plain default, never a type", () => {
    const foreign = Object.entries(project.config).filter(([key]) => key.includes(":"));
    for (const [key, value] of foreign) {
      expect(key.startsWith(`${PROJECT}:`)).toBe(false);
      expect(["string", "number", "boolean"]).toContain(typeof value);
    }
    expect(project.config["aws:region"]).toBe("us-east-1");
  });

  // Pulumi refuses a stack that leaves a key declared without a default unset (mergeConfig in
  // pulumi/pulumi sdk/go/common/workspace/config.go), so only the keys every mode requires lack one.
  test("every key has a default except those every stack must set (authMode, audiences)", () => {
    const required = Object.entries(declared)
      .filter(([, decl]) => !("default" in decl))
      .map(([key]) => key);
    expect(required.sort()).toEqual(["audiences", "authMode"]);
  });

  test.each(Object.entries(CONFIG_KEYS))("%s: the declared default is config.ts's", (key, spec) => {
    expect(declared[key].default).toEqual("default" in spec ? spec.default : undefined);
  });

  // Pulumi requires a `secret: true` key's value to be encrypted after applying defaults
  // (validateStackConfigValues), and a default never is: such a key would be required everywhere.
  test("no key is declared secret: true (the program refuses a plain-text jwtSecret itself)", () => {
    expect(Object.entries(declared).filter(([, decl]) => decl.secret === true)).toEqual([]);
  });

  test("declared defaults have their declared type", () => {
    for (const [key, decl] of Object.entries(declared)) {
      if ("default" in decl)
        expect([key, hasDeclaredType(decl, decl.default)]).toEqual([key, true]);
    }
  });

  test.each([
    {
      mode: "http-lambda",
      extra: { verifyWith: "jwks", issuer: "https://auth.example.com", audiences: "[]" },
    },
    {
      mode: "rest-token",
      extra: { verifyWith: "jwks", issuer: "https://auth.example.com", audiences: "[]" },
    },
    { mode: "http-jwt", extra: { issuer: "https://auth.example.com", audiences: '["api"]' } },
  ])("declared defaults equal the program's own defaults ($mode)", ({ mode, extra }) => {
    const base = { authMode: mode, ...extra };
    const defaults = toRawConfig(
      "dev",
      Object.fromEntries(
        Object.entries(declared)
          .filter(([, decl]) => "default" in decl)
          .map(([key, decl]) => [`${PROJECT}:${key}`, decl.default]),
      ),
    ).values;
    // As loadConfig reads them: Pulumi applies the defaults, the program drops them again.
    expect(
      parseConfig({ stackName: "dev", values: withoutDeclaredDefaults({ ...defaults, ...base }) }),
    ).toEqual(parseConfig({ stackName: "dev", values: base }));
    // Each default that is the program's own (not a neutral "" or []) gives the same result when a
    // stack writes it out, CORS keys with origins set.
    const withCors = { ...base, corsAllowOrigins: '["https://app.example.com"]' };
    for (const [key, value] of Object.entries(defaults)) {
      if (value === "" || value === "[]") continue;
      expect([
        key,
        parseConfig({ stackName: "dev", values: { ...withCors, [key]: value } }),
      ]).toEqual([key, parseConfig({ stackName: "dev", values: withCors })]);
    }
  });
});

describe("stack files", () => {
  test("there is a dev stack", () => {
    expect(stackFiles).toContain("Pulumi.dev.yaml");
  });

  describe.each(stackFiles)("%s", (file) => {
    const stack = file.replace(/^Pulumi\.(.+)\.yaml$/, "$1");
    const config = stackConfig(file);

    test("uses only keys declared in Pulumi.yaml (or aws: keys)", () => {
      const undeclared = Object.keys(config).filter((fullKey) => {
        const key = projectKey(fullKey);
        if (key === undefined) return !fullKey.startsWith("aws:");
        return !(key in declared);
      });
      expect(undeclared).toEqual([]);
    });

    test("gives every project key a value of its declared type", () => {
      const wrong = Object.entries(config)
        .filter(([fullKey]) => projectKey(fullKey) !== undefined)
        .filter(([fullKey, value]) => {
          const decl = declared[projectKey(fullKey) as string];
          return decl !== undefined && !hasDeclaredType(decl, value);
        })
        .map(([fullKey]) => fullKey);
      expect(wrong).toEqual([]);
    });

    test("parses into a valid configuration", () => {
      expect(() => parseConfig(toRawConfig(stack, config))).not.toThrow();
    });

    test("passes Pulumi's own checks as npm start emulates them (defaults, required keys, types)", () => {
      const sc = readStackConfig(ROOT, stack);
      expect(() => validateStack(sc)).not.toThrow();
    });

    test("holds no secret in plain text", () => {
      const secretKeys = Object.entries(CONFIG_KEYS)
        .filter(([, spec]) => "encrypted" in spec && spec.encrypted)
        .map(([key]) => `${PROJECT}:${key}`);
      expect(secretKeys).toContain(`${PROJECT}:jwtSecret`);
      for (const key of secretKeys) {
        if (key in config) expect([key, isSecureValue(config[key])]).toEqual([key, true]);
      }
      // Whatever the key, no private key material and nothing named like a secret in clear text.
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      for (const [key, value] of Object.entries(config)) {
        // ARNs name a secret or a key; they are not one.
        if (
          /secret|password|token|private/i.test(key.split(":")[1] ?? "") &&
          key !== `${PROJECT}:secretArn` &&
          key !== `${PROJECT}:secretKmsKeyArn`
        ) {
          expect([key, isSecureValue(value)]).toEqual([key, true]);
        }
      }
    });
  });

  test("the dev stack is an http-lambda stack verifying against the issuer's JWKS", () => {
    const parsed = parseConfig(toRawConfig("dev", stackConfig("Pulumi.dev.yaml")));
    expect(parsed.authMode).toBe("http-lambda");
    if (parsed.authMode !== "http-lambda") return;
    expect(parsed.lambda.keySource).toEqual({ kind: "jwks", jwksUri: undefined });
    expect(parsed.lambda.issuer).toBe("https://auth.example.com");
    expect(parsed.lambda.audiences).toEqual(["identity-gateway-dev"]);
    expect(parsed.stage.stageName).toBe("dev");
  });
});

describe("toRawConfig (how Pulumi hands stack values to the program)", () => {
  test("strings as-is, numbers and booleans stringified, lists as JSON, secure values kept out", () => {
    const raw = toRawConfig("dev", {
      "aws:region": "eu-west-1",
      [`${PROJECT}:authMode`]: "http-lambda",
      [`${PROJECT}:corsMaxAge`]: 60,
      [`${PROJECT}:audiences`]: ["a", "b"],
      [`${PROJECT}:jwtSecret`]: { secure: "v1:abc" },
    });
    const expected: Partial<Record<ConfigKey, string>> = {
      authMode: "http-lambda",
      corsMaxAge: "60",
      audiences: '["a","b"]',
    };
    expect(raw.values).toEqual(expected);
    expect(raw.jwtSecret).toBeDefined();
  });
});
