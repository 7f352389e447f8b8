/** Running one bench process and reading back its `BENCH_RESULT {json}` line. */
import type { Writable } from "node:stream";
import { spawn, type ChildProcess, type Serializable } from "node:child_process";

export interface ChildOptions {
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  timeoutMs: number;
}

/** Environment without anything that would load code into a child behind our back. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === "NODE_OPTIONS" || key.startsWith("AWS_") || key.startsWith("BENCH_")) {
      delete env[key];
    }
  }
  return { ...env, ...extra };
}

export function runChild<T>(opts: ChildOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, opts.args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      if (code === 0 && line) {
        resolve(JSON.parse(line.slice("BENCH_RESULT ".length)) as T);
        return;
      }
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      const tail = (stderr || stdout).trim().split("\n").slice(-8).join("\n");
      reject(new Error(`node ${opts.args.join(" ")}: ${why}\n${tail}`));
    });
  });
}

/** A long-lived child driven over IPC: one request → one reply, in order. */
export class IpcChild<Reply extends { type: string }> {
  private readonly child: ChildProcess;
  private readonly queue: ((r: Reply | Error) => void)[] = [];
  private stderr = "";
  private exited: Error | undefined;
  private readonly drained: Promise<number> | undefined;

  /**
   * @param opts.stdout `drain`: the child's stdout is a pipe read by a separate `wc -c` process
   *   (as a Lambda's stdout is a pipe read by the service, not by the function's own process), so
   *   every line costs a real write(2) and the parent never competes for the CPU to read it;
   *   `ignore`: /dev/null.
   */
  constructor(
    args: string[],
    opts: { cwd: string; env: Record<string, string | undefined>; stdout: "drain" | "ignore" },
  ) {
    let stdout: "ignore" | Writable = "ignore";
    if (opts.stdout === "drain") {
      const wc = spawn("wc", ["-c"], { stdio: ["pipe", "pipe", "ignore"] });
      let out = "";
      wc.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      this.drained = new Promise((resolve) => wc.on("close", () => resolve(Number(out.trim()))));
      stdout = wc.stdin;
    }
    this.child = spawn(process.execPath, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", stdout, "pipe", "ipc"],
    });
    // The child holds its own copy of the pipe; closing ours lets `wc` see EOF when it exits.
    if (typeof stdout !== "string") stdout.destroy();
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.child.on("message", (m: Reply) => this.queue.shift()?.(m));
    this.child.on("exit", (code, signal) => {
      this.exited = new Error(
        `child exited (${signal ?? code}) ${this.stderr.trim().split("\n").slice(-8).join("\n")}`,
      );
      for (const waiter of this.queue.splice(0)) waiter(this.exited);
    });
  }

  /** The next message from the child (e.g. its first `ready`). */
  next(timeoutMs = 120_000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(this.exited);
      const timer = setTimeout(() => {
        this.kill();
        reject(new Error(`child timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.queue.push((r) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      });
    });
  }

  request(msg: unknown, timeoutMs?: number): Promise<Reply> {
    const reply = this.next(timeoutMs);
    this.child.send(msg as Serializable);
    return reply;
  }

  /** Bytes the child wrote to stdout (`drain` only), once it has exited. */
  stdoutBytes(): Promise<number | undefined> {
    return this.drained ?? Promise.resolve(undefined);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
