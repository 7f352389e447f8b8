import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
