/**
 * The component package other languages consume (`pulumi package add`): PulumiPlugin.yaml names
 * provider/index.ts, whose `componentProviderHost` serves IdentityGateway. Without the Pulumi CLI,
 * what the CLI would see is checked directly: the schema inferred from the TypeScript types lists
 * the component, every argument and output with its type and description; and the host, started
 * as Pulumi starts a plugin, prints its port and answers GetSchema over gRPC on loopback.
 * The schema is inferred once, in the host (the TypeScript checker over the component's source
 * is most of this file's time), and every check below reads that one answer.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

import { parse as parseYaml } from "yaml";

import { CONFIG_KEYS } from "../../infra/config";
import { OUTPUT_KEYS } from "../helpers/outputs";
import { argPaths } from "../../infra/component/arg-paths";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const TOKEN = "identity-gateway:index:IdentityGateway";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Schema = any;

function checkSchema(schema: Schema): void {
  expect(schema.name).toBe("identity-gateway");
  expect(schema.version).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  const component = schema.resources[TOKEN];
  expect(component.isComponent).toBe(true);

  // Every config key is an argument, at its path, described.
  const inputs = component.inputProperties;
  for (const [key, path] of argPaths()) {
    const prop =
      path.length === 1
        ? inputs[path[0]]
        : schema.types[inputs[path[0]].$ref.replace("#/types/", "")].properties[path[1]];
    expect([key, typeof prop?.description]).toEqual([key, "string"]);
    expect(prop.description.replace(/\s+/g, " ")).toContain(`(Config key: ${key}.)`);
    const type = CONFIG_KEYS[key].type;
    if ("oneOf" in CONFIG_KEYS[key])
      expect(prop.$ref).toMatch(/^#\/types\/identity-gateway:index:/);
    else expect(prop.type).toBe(type === "integer" ? "number" : type);
  }
  expect(component.requiredInputs.sort()).toEqual(["audiences", "authMode"]);
  expect(
    schema.types["identity-gateway:index:AuthMode"].enum.map((e: { value: string }) => e.value),
  ).toEqual(["http-jwt", "http-lambda", "rest-token"]);

  // The output contract, typed and described.
  const outputs = component.properties;
  expect(Object.keys(outputs).sort()).toEqual(OUTPUT_KEYS);
  for (const prop of Object.values(outputs) as Array<{ description?: string }>) {
    expect(typeof prop.description).toBe("string");
  }
  expect(outputs.apiUrl.type).toBe("string");
  expect(outputs.identityHeaders).toMatchObject({ type: "array", items: { type: "string" } });
  expect(component.required.sort()).not.toContain("authorizerFunctionArn");
  expect(component.required).toContain("apiUrl");
}

test("PulumiPlugin.yaml declares the Node.js runtime and the provider entry", () => {
  const plugin = parseYaml(readFileSync(join(ROOT, "PulumiPlugin.yaml"), "utf8"));
  expect(plugin).toEqual({ runtime: "nodejs", main: "provider/index.ts" });
});

test("the host starts, prints its port, and answers GetSchema over gRPC on loopback", async () => {
  // The gRPC client and messages @pulumi/pulumi itself uses (its own copy of grpc-js).
  const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
  const grpc = fromPulumi("@grpc/grpc-js");
  const { ResourceProviderClient } = fromPulumi("./proto/provider_grpc_pb");
  const { GetSchemaRequest } = fromPulumi("./proto/provider_pb");

  const child = spawn(TSX, ["provider/index.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        const m = /^(\d+)\n/.exec(stdout);
        if (m) resolve(Number(m[1]));
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const client = new ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    const response = await new Promise<{ getSchema(): string }>((resolve, reject) =>
      client.getSchema(new GetSchemaRequest(), (err: Error | null, res: { getSchema(): string }) =>
        err ? reject(err) : resolve(res),
      ),
    );
    client.close();
    checkSchema(JSON.parse(response.getSchema()));
  } finally {
    child.kill("SIGTERM");
  }
}, 180_000);
