import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ROOT } from "../../local/server";
import { projectValues, readStackConfig, StackConfigError } from "../../local/stack-config";

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "stack-config-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const PROJECT_YAML = `name: identity-gateway
runtime: nodejs
config:
  aws:region: us-east-1
  authMode:
    type: string
  customerIdHeader:
    type: string
    default: X-Customer-ID
  throttlingBurstLimit:
    type: integer
    default: 200
  jwtSecret:
    type: string
    secret: true
  audiences:
    type: array
    items:
      type: string
`;

describe("readStackConfig", () => {
  it("overlays the stack file on Pulumi.yaml defaults, as strings the way Pulumi hands them", () => {
    const root = project({
      "Pulumi.yaml": PROJECT_YAML,
      "Pulumi.dev.yaml": `config:
  identity-gateway:authMode: http-lambda
  identity-gateway:throttlingBurstLimit: 50
  identity-gateway:audiences:
    - a
    - b
  identity-gateway:jwtSecret:
    secure: v1:abcdef
  aws:region: eu-west-1
`,
    });
    const sc = readStackConfig(root, "dev");
    expect(sc.project).toBe("identity-gateway");
    expect(sc.config).toEqual({
      "aws:region": "eu-west-1",
      "identity-gateway:authMode": "http-lambda",
      "identity-gateway:customerIdHeader": "X-Customer-ID",
      "identity-gateway:throttlingBurstLimit": "50",
      "identity-gateway:audiences": '["a","b"]',
    });
    expect(sc.secureKeys).toEqual(["identity-gateway:jwtSecret"]);
    expect(sc.declaredSecretKeys).toEqual(["identity-gateway:jwtSecret"]);
    expect(projectValues(sc)).toEqual({
      authMode: "http-lambda",
      customerIdHeader: "X-Customer-ID",
      throttlingBurstLimit: "50",
      audiences: '["a","b"]',
    });
  });

  it("names a missing stack file", () => {
    const root = project({ "Pulumi.yaml": PROJECT_YAML });
    expect(() => readStackConfig(root, "prod")).toThrow(StackConfigError);
    expect(() => readStackConfig(root, "prod")).toThrow(/Pulumi\.prod\.yaml/);
  });

  it("reads the repository's own dev stack", () => {
    const sc = readStackConfig(join(__dirname, "..", ".."), "dev");
    expect(sc.config["identity-gateway:authMode"]).toBeDefined();
    expect(JSON.parse(sc.config["identity-gateway:audiences"])).toEqual(expect.any(Array));
  });
});

/** The keys PROJECT_YAML declares without a default, which Pulumi requires in every stack. */
const REQUIRED: Record<string, string> = {
  authMode: "http-lambda",
  audiences: "[api]",
  jwtSecret: "\n    secure: v1:abcdef",
};

/**
 * `stackYaml` (`config:` and its lines) with the required keys it does not name added, so a test
 * sees the refusal it is about rather than Pulumi's first one, for the missing keys.
 */
function withRequired(stackYaml: string): string {
  const extra = Object.entries(REQUIRED)
    .filter(([key]) => !stackYaml.includes(`identity-gateway:${key}:`))
    .map(([key, value]) => `  identity-gateway:${key}: ${value}\n`.replace(": \n", ":\n"));
  return stackYaml.replace(/^config:\n/, `config:\n${extra.join("")}`);
}

/** The StackConfigError readStackConfig throws for `stackYaml` (fails the test otherwise). */
function refusal(stackYaml: string, { addRequired = true } = {}): StackConfigError {
  const root = project({
    "Pulumi.yaml": PROJECT_YAML,
    "Pulumi.dev.yaml": addRequired ? withRequired(stackYaml) : stackYaml,
  });
  try {
    readStackConfig(root, "dev");
  } catch (e) {
    expect(e).toBeInstanceOf(StackConfigError);
    return e as StackConfigError;
  }
  throw new Error("expected a StackConfigError");
}

describe("Pulumi's own checks of the stack file (what the Pulumi CLI refuses before the program runs)", () => {
  it("a secret: true key written in plain text", () => {
    const err = refusal("config:\n  identity-gateway:jwtSecret: plain-text-secret\n");
    expect(err.message).toContain(
      "identity-gateway:jwtSecret: Pulumi refuses the stack (\"Stack 'dev' with configuration key 'jwtSecret' must be encrypted as it's secret\")",
    );
    expect(err.message).toContain("pulumi config set --secret jwtSecret <value>");
    // The refusal never echoes the value.
    expect(err.message).not.toContain("plain-text-secret");
  });

  it.each([
    ["an integer written as text", "identity-gateway:throttlingBurstLimit: fifty", "integer"],
    ["a fractional integer", "identity-gateway:throttlingBurstLimit: 1.5", "integer"],
    ["a list given as a scalar", "identity-gateway:audiences: api", "array<string>"],
    ["a list of numbers", "identity-gateway:audiences: [1, 2]", "array<string>"],
    ["a list given as a map", "identity-gateway:audiences: {aud: api}", "array<string>"],
    ["a string given as a list", "identity-gateway:authMode: [http-jwt]", "string"],
  ])("%s", (_label, line, type) => {
    const key = line.split(":")[1];
    expect(refusal(`config:\n  ${line}\n`).message).toContain(
      `identity-gateway:${key}: Pulumi refuses the stack ("Stack 'dev' with configuration key '${key}' must be of type '${type}'")`,
    );
  });

  it("accepts what Pulumi accepts: an integer as a number or as digits, quoted", () => {
    const root = project({
      "Pulumi.yaml": PROJECT_YAML,
      "Pulumi.dev.yaml": withRequired(
        'config:\n  identity-gateway:throttlingBurstLimit: "50"\n  identity-gateway:authMode: 12\n',
      ),
    });
    expect(readStackConfig(root, "dev").config).toMatchObject({
      "identity-gateway:throttlingBurstLimit": "50",
      "identity-gateway:authMode": "12",
    });
  });

  it("every problem at once, one line each", () => {
    const err = refusal(
      "config:\n  identity-gateway:jwtSecret: x\n  identity-gateway:throttlingBurstLimit: many\n",
    );
    expect(err.message.split("\n")).toHaveLength(3);
  });

  it("a misspelled namespace gets a did you mean", () => {
    for (const ns of [
      "identitygateway",
      "identity_gateway",
      "Identity-Gateway",
      "identity-gatway",
    ]) {
      expect(refusal(`config:\n  ${ns}:authMode: http-lambda\n`).message).toContain(
        `${ns}:authMode: this program reads only the "identity-gateway" namespace (did you mean identity-gateway:authMode?)`,
      );
    }
    expect(refusal("config:\n  identitygateway:authmode: x\n").message).toContain(
      "(did you mean identity-gateway:authMode?)",
    );
  });

  it("a project key declared without a default and left unset: Pulumi's one line, with the fix", () => {
    const err = refusal("config:\n  identity-gateway:authMode: http-lambda\n", {
      addRequired: false,
    });
    expect(err.message).toBe(
      "Pulumi.dev.yaml is refused: Pulumi refuses the stack (\"Stack 'dev' is missing configuration values 'audiences' and 'jwtSecret'\"); set them: pulumi config set --path 'audiences[0]' <value>; pulumi config set jwtSecret <value>",
    );
    const three = refusal("config:\n  identity-gateway:throttlingBurstLimit: 5\n", {
      addRequired: false,
    });
    expect(three.message).toContain(
      "(\"Stack 'dev' is missing configuration values 'audiences', 'authMode' and 'jwtSecret'\")",
    );
    const one = refusal(
      "config:\n  identity-gateway:authMode: x\n  identity-gateway:jwtSecret:\n    secure: v1:a\n",
      { addRequired: false },
    );
    expect(one.message).toContain("is missing configuration value 'audiences'\"); set it:");
    expect(one.message.split("\n")).toHaveLength(1);
  });

  it("applies a declared default to a key the stack leaves unset, never over the stack's value", () => {
    const root = project({
      "Pulumi.yaml": PROJECT_YAML,
      "Pulumi.dev.yaml":
        "config:\n  identity-gateway:authMode: x\n  identity-gateway:audiences: []\n  identity-gateway:customerIdHeader: X-Tenant\n  identity-gateway:jwtSecret:\n    secure: v1:a\n",
    });
    expect(readStackConfig(root, "dev").config).toEqual({
      "aws:region": "us-east-1",
      "identity-gateway:authMode": "x",
      "identity-gateway:audiences": "[]",
      "identity-gateway:customerIdHeader": "X-Tenant",
      "identity-gateway:throttlingBurstLimit": "200",
    });
  });
});

describe("a secret: true key with a default (why Pulumi.yaml declares no key secret)", () => {
  it("is refused in a stack that leaves it unset: Pulumi checks the default, never encrypted", () => {
    const root = project({
      "Pulumi.yaml": `name: identity-gateway\nruntime: nodejs\nconfig:\n  token:\n    type: string\n    secret: true\n    default: ""\n`,
      "Pulumi.dev.yaml": "config: {}\n",
    });
    expect(() => readStackConfig(root, "dev")).toThrow(
      "identity-gateway:token: Pulumi refuses the stack (\"Stack 'dev' with configuration key 'token' must be encrypted as it's secret\")",
    );
    writeFileSync(
      join(root, "Pulumi.dev.yaml"),
      "config:\n  identity-gateway:token:\n    secure: v1:abc\n",
    );
    expect(readStackConfig(root, "dev").secureKeys).toEqual(["identity-gateway:token"]);
  });
});

describe("a broken setup is one clear line", () => {
  it("garbled YAML names the file, line and column", () => {
    const err = refusal("config:\n  identity-gateway:audiences: [a,\n   b: c: d\n");
    expect(err.message).toMatch(/^Pulumi\.dev\.yaml is not valid YAML: .*line \d+, column \d+/);
    expect(err.message.split("\n")).toHaveLength(1);
  });

  it("a missing stack file lists the stacks there", () => {
    const root = project({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.staging.yaml": "config: {}\n" });
    expect(() => readStackConfig(root, "prod")).toThrow(
      /^no stack file Pulumi\.prod\.yaml in .*; stacks here: staging \(--stack NAME picks one\)$/,
    );
  });

  it("npm start prints it without a stack trace, and names the flag for a missing key file", () => {
    const tsx = join(ROOT, "node_modules", ".bin", "tsx");
    const run = (...args: string[]) =>
      spawnSync(tsx, ["local/cli.ts", "--port", "0", ...args], { cwd: ROOT, encoding: "utf8" });
    const missingStack = run("--stack", "no-such-stack");
    expect(missingStack.status).toBe(1);
    expect(missingStack.stderr.trim()).toMatch(/^no stack file Pulumi\.no-such-stack\.yaml in /);
    expect(missingStack.stderr.trim().split("\n")).toHaveLength(1);

    const missingKey = run("--secret-file", "/nonexistent/jwt.secret");
    expect(missingKey.status).toBe(1);
    expect(missingKey.stderr.trim()).toBe(
      "--secret-file: cannot read /nonexistent/jwt.secret (ENOENT)",
    );
    for (const r of [missingStack, missingKey]) expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
