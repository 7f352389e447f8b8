/**
 * The published package as a user gets it: `npm pack` (which runs `prepare`: the Lambda bundles
 * and the compiled library) produces a tarball of built JavaScript, types and bundles only; the
 * tarball installed into a scratch Pulumi program in a temporary directory declares, under Pulumi's
 * mock runtime, the same resources as the component built from source, with its Lambda code taken
 * from the installed package, whatever the working directory.
 *
 * Offline and isolated: the pack runs in a copy of the repository (so its `prepare` never rewrites
 * this checkout's dist/ under other tests), and "installing" is unpacking the tarball into the
 * scratch program's node_modules beside links to exactly the dependencies the packed package.json
 * declares, taken from this repository's node_modules (a dependency it forgot to declare would not
 * resolve from there).
 */
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { mocks, settle, typeCounts } from "../infra/mocks";
import { IdentityGateway, type IdentityGatewayArgs } from "../../infra/component";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const SECRET = "an-hs256-secret-that-is-long-enough-0123456789";

const MODES: Record<string, IdentityGatewayArgs> = {
  "http-jwt": { authMode: "http-jwt", issuer: "https://issuer.example.com", audiences: ["api"] },
  "http-lambda": {
    authMode: "http-lambda",
    verifyWith: "secret",
    jwtSecret: SECRET,
    issuer: "dev-issuer",
    audiences: ["api"],
  },
  "rest-token": {
    authMode: "rest-token",
    verifyWith: "jwks",
    issuer: "https://issuer.example.com",
    audiences: ["api"],
    cors: { allowOrigins: ["https://app.example.com"] },
  },
};

/** The scratch program: the installed package under the mock runtime, every mode in one run. */
const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { mockState } from ${JSON.stringify(join(ROOT, "local", "mock-state"))};

const resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];
const state = { region: "us-east-1", account: "123456789012", namePrefixSuffix: () => "0001",
  secretArnSuffix: () => "AbCdEf", rootResourceId: (_t: string, _n: string, id: string) => id + "-root" };
pulumi.runtime.setMocks({
  newResource(args) {
    resources.push({ type: args.type, name: args.name, inputs: args.inputs });
    const id = args.name + "-id";
    return { id, state: args.custom === false ? args.inputs : mockState(args.type, args.name, id, args.inputs, state) };
  },
  call(args) {
    if (args.token === "aws:index/getRegion:getRegion") return { name: "us-east-1", region: "us-east-1", id: "us-east-1" };
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/t", userId: "t" };
    if (args.token === "aws:index/getPartition:getPartition") return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    throw new Error("Mock call not implemented: " + args.token);
  },
}, "scratch", "dev", false);

async function main() {
  // Loaded after the mocks, as a user's program is loaded by the engine.
  const { IdentityGateway, ConfigError } = await import("identity-gateway");
  const modes: Record<string, unknown> = JSON.parse(process.argv[2]);
  let refused = "";
  try {
    new IdentityGateway("bad", { authMode: "http-jwt" } as never);
  } catch (err) {
    refused = err instanceof ConfigError ? err.message : String(err);
  }
  // One gateway per mode, one after another in this one process (a process per mode would load
  // @pulumi/aws three times): each waits until its resources stop arriving before the next starts.
  const runs: Record<string, unknown> = {};
  for (const [mode, args] of Object.entries(modes)) {
    resources.length = 0;
    const gw = new IdentityGateway("gw-" + mode, args as never);
    const apiType = await new Promise((r) => gw.apiType.apply(r));
    let last = -1;
    for (let stable = 0; stable < 5; ) {
      await new Promise((r) => setTimeout(r, 20));
      stable = resources.length === last ? stable + 1 : 0;
      last = resources.length;
    }
    const code = resources
      .filter((r) => r.type === "aws:lambda/function:Function")
      .map(async (r) => {
        const archive = r.inputs.code as { assets: Promise<Record<string, { path: Promise<string> }>> };
        return await (await archive.assets)["index.js"].path;
      });
    runs[mode] = { resources: [...resources], apiType, code: await Promise.all(code) };
  }
  process.stdout.write(JSON.stringify({ runs, refused }));
}
void main();
`;

let work: string;
let packed: { filename: string; files: Array<{ path: string }> };
let app: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "package-"));
  // A copy of the repository's files (tracked and new, not ignored), sharing its node_modules.
  const src = join(work, "src");
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f !== "" && !/^(tests|bench|docs)\//.test(f) && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(src, f)), { recursive: true });
    cpSync(join(ROOT, f), join(src, f));
  }
  symlinkSync(join(ROOT, "node_modules"), join(src, "node_modules"), "dir");
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: src,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  packed = JSON.parse(out)[0];

  // "npm install <tarball>": the package unpacked, its declared dependencies linked.
  app = join(work, "app");
  const pkgDir = join(app, "node_modules", "identity-gateway");
  mkdirSync(pkgDir, { recursive: true });
  execFileSync("tar", ["-xzf", join(work, packed.filename), "-C", pkgDir, "--strip-components=1"]);
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    mkdirSync(dirname(join(app, "node_modules", dep)), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", dep), join(app, "node_modules", dep), "dir");
  }
  writeFileSync(join(app, "package.json"), '{ "name": "scratch", "private": true }\n');
  writeFileSync(join(app, "index.ts"), PROGRAM);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test("the tarball holds built JavaScript, types and the Lambda bundles, and nothing dev-only", () => {
  const paths = packed.files.map((f) => f.path).sort();
  for (const p of [
    "package.json",
    "README.md",
    "lib/infra/component/index.js",
    "lib/infra/component/index.d.ts",
    "lib/infra/component/args.d.ts",
    "dist/functions/http-authorizer/index.js",
    "dist/functions/rest-authorizer/index.js",
    "dist/functions/echo-backend/index.js",
  ]) {
    expect(paths).toContain(p);
  }
  const devOnly = paths.filter(
    (p) =>
      /^(tests|bench|local|scripts|docs|functions|infra|provider)\//.test(p) ||
      (p.endsWith(".ts") && !p.endsWith(".d.ts")) ||
      /^(Pulumi\.|tsconfig|jest|eslint|\.)/.test(p),
  );
  expect(devOnly).toEqual([]);
  const manifest = JSON.parse(
    readFileSync(join(app, "node_modules", "identity-gateway", "package.json"), "utf8"),
  );
  expect(manifest.exports["."]).toEqual({
    types: "./lib/infra/component/index.d.ts",
    default: "./lib/infra/component/index.js",
  });
});

let scratch: { runs: Record<string, Run>; refused: string };
interface Run {
  resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
  apiType: string;
  code: string[];
}

// At file level (after the pack above), so that `-t` picking any test below still runs it.
beforeAll(() => {
  // Run from the scratch program's directory: nothing may depend on this checkout's cwd.
  const out = execFileSync(TSX, ["index.ts", JSON.stringify(MODES)], {
    cwd: app,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  scratch = JSON.parse(out);
}, 120_000);

test("bad arguments are refused with the message naming the argument", () => {
  expect(scratch.refused).toContain(
    'IdentityGateway "bad": args.audiences: is required in http-jwt',
  );
});

describe.each(Object.keys(MODES))("installed, %s", (mode) => {
  let run: Run;
  beforeAll(() => {
    run = scratch.runs[mode];
  });

  test("declares the same resources as the component built from source", async () => {
    mocks.reset();
    new IdentityGateway("gw", MODES[mode]);
    await settle();
    const counts: Record<string, number> = {};
    for (const r of run.resources) {
      if (r.type.startsWith("aws:")) counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    expect(counts).toEqual(typeCounts());
    expect(run.apiType).toBe(mode === "rest-token" ? "rest" : "http");
    const root = run.resources.find((r) => r.type === "identity-gateway:index:IdentityGateway");
    expect(root?.name).toBe(`gw-${mode}`);
  });

  test("key inputs: the authorizer the mode needs", () => {
    const of = (type: string) => run.resources.filter((r) => r.type === type);
    if (mode === "http-jwt") {
      const [a] = of("aws:apigatewayv2/authorizer:Authorizer");
      expect(a.inputs.authorizerType).toBe("JWT");
      expect(a.inputs.jwtConfiguration).toEqual({
        issuer: "https://issuer.example.com",
        audiences: ["api"],
      });
    } else if (mode === "http-lambda") {
      const [a] = of("aws:apigatewayv2/authorizer:Authorizer");
      expect(a.inputs.authorizerType).toBe("REQUEST");
      expect(a.inputs.authorizerPayloadFormatVersion).toBe("2.0");
      expect(a.inputs.enableSimpleResponses).toBe(true);
    } else {
      const [a] = of("aws:apigateway/authorizer:Authorizer");
      expect(a.inputs.type).toBe("TOKEN");
    }
  });

  test("Lambda code comes from the installed package's bundles", () => {
    const pkgDist = join(app, "node_modules", "identity-gateway", "dist", "functions");
    expect(run.code.length).toBe(mode === "http-jwt" ? 1 : 2);
    for (const path of run.code) {
      expect(path.startsWith(pkgDist)).toBe(true);
      expect(existsSync(path)).toBe(true);
    }
  });
});
