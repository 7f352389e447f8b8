/**
 * Jest's Node environment, quiet: what a test writes to stdout (the authorizers' JSON decision
 * lines, a Lambda's output) and the process warnings it triggers (the AWS SDK's Node.js version
 * notice) are held back while the test runs, and printed only when that test fails, under its
 * name. A green run shows only Jest's own report, so a failure is easy to find.
 *
 * `IDENTITY_GATEWAY_TEST_OUTPUT=1` turns it off (everything printed as it happens).
 *
 * Plain JavaScript: Jest loads the environment before any transform applies.
 */
const { format } = require("node:util");
const { TestEnvironment } = require("jest-environment-node");

const verbose = process.env.IDENTITY_GATEWAY_TEST_OUTPUT === "1";

class QuietEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    /** @type {string[]} held back since the current test (or hook) started */
    this.held = [];
    this.capturing = false;
  }

  async setup() {
    await super.setup();
    // Four frames instead of the 100 jest-environment-node sets: @pulumi/pulumi records
    // `new Error().stack` for every promise it creates (runtime/debuggable.js), and Jest's
    // source-map support maps every frame of each, which made the infra suites spend most of their
    // CPU formatting stack traces nobody reads (100 → 10 frames: -32 % on the two largest infra
    // files; 10 → 4: another -35 %). A failed assertion still points at its line in the test file
    // (Jest cuts the matcher's frames), and an error thrown in program code shows the four frames
    // where it started. IDENTITY_GATEWAY_STACK_DEPTH=50 npm test gives deeper traces.
    this.global.Error.stackTraceLimit = Number(process.env.IDENTITY_GATEWAY_STACK_DEPTH ?? 4);
    unmappedPulumiBookkeeping(this.global.Error);
    if (verbose) return;
    installStdoutRouter();
    current = this;
    const env = this;
    // process.emitWarning inside the test sandbox (the SDK's "NodeVersionSupportWarning").
    // console.* of the test file (Jest set its own console on the sandbox before setup): held
    // like stdout, so a deliberate warning (pulumi.log.warn under the mock runtime) shows only
    // when its test fails.
    const sandboxConsole = this.global.console;
    for (const method of ["log", "info", "warn", "error", "debug"]) {
      const real = sandboxConsole[method];
      if (typeof real !== "function") continue;
      sandboxConsole[method] = function held(...args) {
        if (!env.capturing) return real.apply(sandboxConsole, args);
        env.held.push(`(console.${method}) ${format(...args)}\n`);
      };
    }
    const sandboxProcess = this.global.process;
    this.realEmitWarning = sandboxProcess.emitWarning;
    sandboxProcess.emitWarning = function emitWarning(warning, ...rest) {
      if (!env.capturing) return env.realEmitWarning.call(sandboxProcess, warning, ...rest);
      const text = warning instanceof Error ? `${warning.name}: ${warning.message}` : warning;
      env.held.push(`(warning) ${text}\n`);
    };
  }

  async teardown() {
    if (current === this) current = undefined;
    if (this.realEmitWarning) this.global.process.emitWarning = this.realEmitWarning;
    await super.teardown();
  }

  /** jest-circus events: hold output per test, show it only for a failure. */
  async handleTestEvent(event) {
    if (verbose) return;
    if (event.name === "test_start" || event.name === "run_describe_start") {
      this.capturing = true;
    } else if (event.name === "test_done") {
      const failed = event.test.errors.length > 0;
      const held = this.held;
      this.held = [];
      if (failed && held.length > 0) {
        const name = fullName(event.test);
        process.stderr.write(
          `\n--- output of the failed test "${name}" ---\n${held.join("")}---\n`,
        );
      }
    } else if (event.name === "run_finish") {
      // Output of an afterAll hook is dropped; a failing hook fails the file, which Jest reports.
      this.capturing = false;
      this.held = [];
    }
  }
}

/**
 * Stacks @pulumi/pulumi records for its own bookkeeping are formatted without source maps. It
 * takes `new Error().stack` for every promise it creates (runtime/debuggable.js, kept to report
 * leaked promises) and a full-depth stack for every resource (`Resource.callsites`, which raises
 * the limit to Infinity to find the resource's source position for the engine). Jest's
 * source-map support maps every frame of each through the test files' source maps: a third of
 * the infra suites' CPU, for stacks no test reads. Those two callers are recognised by their
 * first frame (file and function); every other stack (a failed assertion, an error thrown by
 * program, test or Pulumi code) goes to the formatter Jest installed, unchanged.
 *
 * Node asks the sandbox's `Error.prepareStackTrace` first and falls back to the main context's
 * (where Jest's runner installs source-map support for the test file's errors), so the sandbox
 * gets a formatter that does the same, with the exception above.
 */
function unmappedPulumiBookkeeping(SandboxError) {
  // The two recorders, by file and function: an error Pulumi throws from resource.js (a bad parent,
  // say) is a real failure and keeps its mapped stack.
  const own = /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/](runtime[\\/]debuggable|resource)\.js$/;
  const recorders = new Set(["debuggablePromise", "callsites"]);
  const plain = (error, frames) => `${error}\n${frames.map((f) => `    at ${f}`).join("\n")}`;
  let installed;
  function prepareStackTrace(error, frames) {
    const top = frames[0];
    const file = top === undefined ? undefined : top.getFileName();
    if (typeof file === "string" && own.test(file) && recorders.has(top.getFunctionName())) {
      return plain(error, frames);
    }
    // `Error` here is the main context's: Jest's runner installs its formatter there.
    const format = installed ?? Error.prepareStackTrace;
    return typeof format === "function" ? format(error, frames) : plain(error, frames);
  }
  Object.defineProperty(SandboxError, "prepareStackTrace", {
    configurable: true,
    enumerable: false,
    get: () => prepareStackTrace,
    // Whatever a test file installs (source-map-support, say) is used for every other stack.
    set: (fn) => {
      installed = typeof fn === "function" && fn !== prepareStackTrace ? fn : undefined;
    },
  });
}

/** The environment of the test file running now in this worker, if any. */
let current;

/**
 * Route stdout once per process: into the running test's buffer, and nowhere otherwise. Jest
 * writes its own report to stderr.
 */
function installStdoutRouter() {
  const stdout = process.stdout;
  if (stdout.__quietRouter) return;
  stdout.__quietRouter = true;
  const realWrite = stdout.write;
  stdout.write = function write(chunk, encoding, callback) {
    const env = current;
    // Between files or after the last one: a file's late output (decision lines that a
    // `beforeExit` hook flushes) belongs to no failing test and is dropped. Run in band, this
    // process is also Jest's, whose only stdout is the --json report (without --outputFile).
    if (env === undefined) {
      const text = typeof chunk === "string" ? chunk : "";
      if (text.startsWith('{"numFailedTestSuites"')) return realWrite.apply(stdout, arguments);
    } else if (env.capturing) {
      env.held.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    }
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") process.nextTick(done);
    return true;
  };
}

function fullName(test) {
  const parts = [];
  for (let t = test; t && t.name !== "ROOT_DESCRIBE_BLOCK"; t = t.parent) parts.unshift(t.name);
  return parts.join(" › ");
}

module.exports = QuietEnvironment;
