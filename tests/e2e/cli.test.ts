/**
 * `npm start` as a user runs it: a child process that prints one `listening on` line, a token
 * and a curl that work, `npm run token` against it, and a clean stop on SIGTERM. One gateway
 * serves every step (each start is about 3 s of CPU).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ROOT } from "../../local/server";
import { request } from "./helpers";

const TSX = join(ROOT, "node_modules", ".bin", "tsx");

it("npm start -- --port 0 serves, prints a working curl, mints with npm run token, and stops on SIGTERM, freeing its port", async () => {
  const env = { ...process.env, IDENTITY_GATEWAY_LOCAL_DIR: mkdtempSync(join(tmpdir(), "npm-")) };
  // The README's command. Its own process group, so that whatever is left over can be cleaned up.
  const child = spawn("npm", ["start", "--", "--port", "0"], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!/curl .*\/hello\n/.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`no banner; stdout:\n${stdout}\nstderr:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // The banner names the issuer and audience a token must carry.
    expect(stdout).toMatch(
      /^issuer http:\/\/127\.0\.0\.1:\d+ \(built-in development issuer\), audience identity-gateway-dev, RS256$/m,
    );
    const listening = stdout.split("\n").filter((l) => l.startsWith("listening on "));
    expect(listening).toHaveLength(1);
    expect(listening[0]).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(/:(\d+)$/.exec(listening[0])?.[1]);

    // The printed curl, as a user would paste it.
    const curl = /curl -H "Authorization: Bearer ([^"]+)" (\S+)/.exec(stdout);
    expect(curl).not.toBeNull();
    const [, token, url] = curl as RegExpExecArray;
    expect(url.startsWith(listening[0].slice("listening on ".length))).toBe(true);
    const res = await request(url, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.json.identity.customerId).toBe("dev-customer");

    // npm run token, in another process, signs for the running gateway.
    const minted = spawnSync(TSX, ["local/token-cli.ts", "--sub", "from-cli"], {
      cwd: ROOT,
      env,
      encoding: "utf8",
    });
    expect(minted.status).toBe(0);
    const other = await request(url, {
      headers: { Authorization: `Bearer ${minted.stdout.trim()}` },
    });
    expect(other.status).toBe(200);
    expect(other.json.identity.customerId).toBe("from-cli");

    // What a process manager or `kill <pid>` does: the signal goes to npm only. The script
    // `exec`s tsx, so the gateway gets it, stops cleanly (exit code 0) and frees its port.
    process.kill(child.pid as number, "SIGTERM");
    expect(await exited).toBe(0);
    const free = async (): Promise<boolean> =>
      new Promise((resolve) => {
        const probe = createServer();
        probe.once("error", () => resolve(false));
        probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
      });
    let isFree = await free();
    for (let i = 0; i < 50 && !isFree; i++) {
      await new Promise((r) => setTimeout(r, 100));
      isFree = await free();
    }
    expect(isFree).toBe(true);
  } finally {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // the group is gone already
    }
  }
  expect(stdout).not.toContain("Error");
});

it("--help prints the options", () => {
  const help = spawnSync(TSX, ["local/cli.ts", "--help"], { cwd: ROOT, encoding: "utf8" });
  expect(help.status).toBe(0);
  for (const option of [
    "--stack",
    "--mode",
    "--port",
    "--issuer",
    "--audience",
    "--secret-file",
    "--public-key-file",
    "--backend-url",
  ]) {
    expect(help.stdout).toContain(option);
  }
  const bad = spawnSync(TSX, ["local/cli.ts", "--mode", "soap"], { cwd: ROOT, encoding: "utf8" });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain("--mode expects");
});
