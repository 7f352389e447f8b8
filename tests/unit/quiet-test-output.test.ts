/**
 * `npm test` is quiet: a test's stdout (the authorizers' decision lines) and process warnings (the
 * AWS SDK's Node.js version notice) are shown only for a test that fails, so a failure is easy to
 * find. Runs a child Jest on a fixture with one passing and one failing test.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

function runFixture(testEnvironment: string): string {
  const config = {
    rootDir: join(ROOT, "tests", "fixtures", "quiet"),
    testMatch: ["**/*.fixture.js"],
    testEnvironment,
  };
  const run = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules", "jest", "bin", "jest.js"), "--config", JSON.stringify(config)],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, IDENTITY_GATEWAY_TEST_OUTPUT: "" } },
  );
  expect(run.status).toBe(1); // the fixture's failing test
  return run.stdout + run.stderr;
}

test("only the failing test's output and warnings are shown, under its name", () => {
  const out = runFixture(join(ROOT, "tests", "helpers", "quiet-environment.js"));
  expect(out).toContain('--- output of the failed test "fails loudly" ---');
  expect(out).toContain('{"decision":"deny","from":"the failing test"}');
  expect(out).toContain("(warning) NodeVersionSupportWarning: from the failing test");
  expect(out).toContain("(console.warn) warning: [runtime] from the failing test");
  expect(out).not.toContain("the passing test");
});

test("the plain node environment shows everything (what the quiet one is for)", () => {
  const out = runFixture("node");
  expect(out).toContain('{"decision":"allow","from":"the passing test"}');
  expect(out).toContain("NodeVersionSupportWarning: from the passing test");
  expect(out).toContain("warning: [runtime] from the passing test");
});
