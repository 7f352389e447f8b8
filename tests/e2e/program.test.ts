/**
 * `npm start -- --program <file>`: the local gateway serves the IdentityGateway a user's own
 * Pulumi program creates (tests/fixtures/program/index.ts), with the development issuer in place
 * of the program's, as it does for a stack: in-process through startLocal, and as a user runs it
 * (a child process, where the program's `import … from "identity-gateway"` goes through Node's
 * resolver).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ROOT, startLocal, type LocalGateway } from "../../local/server";
import { bearer, request } from "./helpers";

const PROGRAM = join(ROOT, "tests", "fixtures", "program", "index.ts");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

describe("startLocal({ program })", () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    gw = await startLocal({ program: PROGRAM, port: 0 });
  });
  afterAll(() => gw?.close());

  test("serves the program's gateway: its mode, stage and mappings", async () => {
    expect(gw.appConfig.authMode).toBe("http-lambda");
    expect(gw.model.stageName).toBe("v1");
    expect(gw.programPath).toBe(PROGRAM);
    // The program's own exports, resolved.
    expect(gw.program.outputs.ordersUrl).toMatch(
      /^https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/v1$/,
    );
    expect(gw.program.outputs.ordersHeaders).toEqual([
      "X-Customer-ID",
      "X-Customer-Name",
      "X-Customer-Plan",
    ]);
    expect(gw.substitutions.join("\n")).toContain("issuer: using the built-in development issuer");
    expect(gw.substitutions.join("\n")).toContain("instead of https://auth.example.com");
  });

  test("a token from the development issuer gets through with the identity as headers", async () => {
    const token = gw.mintToken({ sub: "customer-7", claims: { plan: "gold" } });
    const res = await request(`${gw.stageUrl}/hello`, {
      headers: { ...bearer(token), "X-Customer-ID": "someone-else" },
    });
    expect(res.status).toBe(200);
    expect(res.json.headers["x-customer-id"]).toBe("customer-7");
    expect(res.json.headers["x-customer-plan"]).toBe("gold");
    expect((await request(`${gw.stageUrl}/hello`)).status).toBe(401);
  });
});

test("a program with bad arguments is refused with the message naming the argument", async () => {
  const dir = mkdtempSync(join(tmpdir(), "program-"));
  const bad = join(dir, "index.ts");
  writeFileSync(
    bad,
    `import { IdentityGateway } from "identity-gateway";\nnew IdentityGateway("gw", { authMode: "http-lambda", audiences: ["a"] } as never);\n`,
  );
  await expect(startLocal({ program: bad, port: 0 })).rejects.toThrow(
    /IdentityGateway "gw": args\.verifyWith: is required in this mode/,
  );
});

test("npm start -- --program: the user's path, through Node's resolver", async () => {
  const env = { ...process.env, IDENTITY_GATEWAY_LOCAL_DIR: mkdtempSync(join(tmpdir(), "cli-")) };
  const child = spawn(TSX, ["local/cli.ts", "--program", PROGRAM, "--port", "0"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  try {
    const deadline = Date.now() + 60_000;
    while (!/curl .*\/hello\n/.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`no banner; stdout:\n${stdout}\nstderr:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stdout).toContain(`mode http-lambda (program ${PROGRAM}), stage v1`);
    const [, token, url] = /curl -H "Authorization: Bearer ([^"]+)" (\S+)/.exec(stdout)!;
    const res = await request(url, { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.json.identity.customerId).toBe("dev-customer");
  } finally {
    child.kill("SIGTERM");
  }
}, 90_000);
