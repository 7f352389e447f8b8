/**
 * A `LambdaInvoker` that runs the deployed bundles (`dist/functions/<name>/index.js`) the way
 * Lambda does: each function in its own execution environment — a worker thread whose
 * `process.env` is the function's environment, as deployed, plus the variables the Lambda runtime
 * sets (`AWS_REGION`, credentials, `AWS_LAMBDA_FUNCTION_NAME`…). The bundle is loaded once (cold
 * start) and stays warm between invocations; one invocation runs at a time per environment, and
 * concurrent invocations scale out to more environments. A handler that exceeds the function's
 * timeout is stopped (its environment discarded) and the invocation fails.
 *
 * AWS calls made by the code go where `baseEnvironment` points them: the local gateway sets
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` to its Secrets Manager endpoint (`secrets-endpoint.ts`), so
 * the authorizer reads its key through the same SDK call as in AWS.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";

import type { LambdaInvokeResult, LambdaInvoker, LambdaRef } from "./model";

const WORKER_SCRIPT = join(__dirname, "lambda-worker.js");

/** One invocation, as recorded by the runtime (tests count authorizer invocations with it). */
export interface InvocationRecord {
  readonly functionName: string;
  readonly requestId: string;
  readonly coldStart: boolean;
  readonly ok: boolean;
  readonly errorType?: string;
  readonly durationMs: number;
}

export interface LambdaRuntimeOptions {
  /**
   * Variables every function gets besides its own (its own win): endpoint overrides and the
   * like. Credentials and region default to dummy values so no real AWS account is ever used.
   */
  readonly baseEnvironment?: Readonly<Record<string, string>>;
  /** Region and account used in ARNs and `AWS_REGION`. @default us-east-1 / 123456789012 */
  readonly region?: string;
  readonly accountId?: string;
  /** Most environments per function (concurrent invocations beyond it wait). @default 4 */
  readonly maxConcurrency?: number;
  /** Where function output (console.*) goes, one line at a time. @default stderr, prefixed */
  readonly log?: (functionName: string, line: string) => void;
}

interface PendingCall {
  resolve: (r: LambdaInvokeResult) => void;
  timer: NodeJS.Timeout;
}

/** One execution environment: a worker thread with one function loaded. */
class Environment {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy = false;
  dead = false;
  invocations = 0;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();

  constructor(
    readonly key: string,
    fn: LambdaRef,
    env: Record<string, string>,
    data: Record<string, unknown>,
    log: (line: string) => void,
    private readonly onDeath: (e: Environment) => void,
  ) {
    this.worker = new Worker(WORKER_SCRIPT, {
      env,
      workerData: { ...data, bundlePath: fn.bundlePath },
      stdout: true,
      stderr: true,
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      createInterface({ input: stream }).on("line", log);
    }
    this.ready = new Promise<void>((resolve) => {
      this.worker.once("message", () => resolve());
      this.worker.once("exit", () => resolve());
    });
    this.worker.on("message", (msg: WorkerResult) => {
      if (msg.type !== "result") return;
      const call = this.pending.get(msg.id);
      if (!call) return;
      this.pending.delete(msg.id);
      clearTimeout(call.timer);
      call.resolve(
        msg.ok
          ? { ok: true, result: JSON.parse(msg.result ?? "null") as unknown }
          : { ok: false, errorMessage: msg.errorMessage ?? "", errorType: msg.errorType },
      );
    });
    this.worker.on("error", (err) => this.die(`${err.name}: ${err.message}`, "Runtime.ExitError"));
    this.worker.on("exit", (code) =>
      this.die(`Runtime exited with error: exit status ${code}`, "Runtime.ExitError"),
    );
  }

  invoke(event: unknown, requestId: string, timeoutMs: number): Promise<LambdaInvokeResult> {
    const id = this.nextId++;
    return new Promise<LambdaInvokeResult>((resolve) => {
      let payload: string;
      try {
        payload = JSON.stringify(event ?? null);
      } catch (err) {
        resolve({
          ok: false,
          errorMessage: String(err),
          errorType: "InvalidRequestContentException",
        });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          ok: false,
          errorMessage: `${requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
          errorType: "Sandbox.Timedout",
        });
        // Lambda discards an environment whose invocation timed out.
        this.die("timed out", "Sandbox.Timedout");
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
      this.worker.postMessage({
        type: "invoke",
        id,
        event: payload,
        requestId,
        deadline: Date.now() + timeoutMs,
      });
    });
  }

  die(message: string, errorType: string): void {
    if (this.dead) return;
    this.dead = true;
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      call.resolve({ ok: false, errorMessage: message, errorType });
      this.pending.delete(id);
    }
    this.onDeath(this);
    void this.worker.terminate();
  }
}

interface WorkerResult {
  type: "ready" | "result";
  id: number;
  ok: boolean;
  result?: string;
  errorMessage?: string;
  errorType?: string;
}

/** Runs Lambda bundles in worker threads. */
export class WorkerLambdaRuntime implements LambdaInvoker {
  /** Every invocation, in completion order. */
  readonly invocations: InvocationRecord[] = [];
  private readonly pools = new Map<string, Environment[]>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private closed = false;

  constructor(private readonly options: LambdaRuntimeOptions = {}) {}

  /** Invocations of the function named `name` (every function when omitted). */
  count(name?: string): number {
    return this.invocations.filter((i) => name === undefined || i.functionName === name).length;
  }

  /** Cold starts (execution environments created) of the function named `name`. */
  coldStarts(name?: string): number {
    return this.invocations.filter(
      (i) => i.coldStart && (name === undefined || i.functionName === name),
    ).length;
  }

  async invoke(
    fn: LambdaRef,
    event: unknown,
    context?: { requestId: string },
  ): Promise<LambdaInvokeResult> {
    const requestId = context?.requestId ?? randomUUID();
    if (this.closed) {
      return {
        ok: false,
        errorMessage: "The Lambda runtime is closed.",
        errorType: "ServiceException",
      };
    }
    const started = Date.now();
    const { env: environment, cold } = await this.acquire(fn);
    try {
      // The init phase (loading the bundle) is not counted against the function's timeout.
      await environment.ready;
      const result = await environment.invoke(event, requestId, fn.timeoutMs);
      this.invocations.push({
        functionName: fn.name,
        requestId,
        coldStart: cold,
        ok: result.ok,
        errorType: result.ok ? undefined : result.errorType,
        durationMs: Date.now() - started,
      });
      return result;
    } finally {
      this.release(environment);
    }
  }

  /** Stop every execution environment. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.pools.values()].flat();
    this.pools.clear();
    await Promise.all(
      all.map(async (e) => {
        e.die("The Lambda runtime is shutting down.", "ServiceException");
        await e.worker.terminate();
      }),
    );
  }

  private keyOf(fn: LambdaRef): string {
    return JSON.stringify([fn.name, fn.bundlePath, fn.environment]);
  }

  private async acquire(fn: LambdaRef): Promise<{ env: Environment; cold: boolean }> {
    const key = this.keyOf(fn);
    for (;;) {
      const pool = this.pools.get(key) ?? [];
      this.pools.set(key, pool);
      const idle = pool.find((e) => !e.busy && !e.dead);
      if (idle) {
        idle.busy = true;
        idle.invocations++;
        return { env: idle, cold: false };
      }
      if (pool.length < (this.options.maxConcurrency ?? 4)) {
        const created = this.spawn(key, fn);
        pool.push(created);
        created.busy = true;
        created.invocations++;
        return { env: created, cold: true };
      }
      await new Promise<void>((resolve) => {
        const list = this.waiters.get(key) ?? [];
        list.push(resolve);
        this.waiters.set(key, list);
      });
    }
  }

  private release(environment: Environment): void {
    environment.busy = false;
    this.waiters.get(environment.key)?.shift()?.();
  }

  private spawn(key: string, fn: LambdaRef): Environment {
    const region = this.options.region ?? "us-east-1";
    const accountId = this.options.accountId ?? "123456789012";
    const memory = "256";
    const env: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      // Dummy credentials: the SDK signs requests, and only loopback endpoints are configured.
      AWS_ACCESS_KEY_ID: "AKIALOCALDEVELOPMENT",
      AWS_SECRET_ACCESS_KEY: "local-development-not-a-secret",
      AWS_SESSION_TOKEN: "local-development",
      AWS_EC2_METADATA_DISABLED: "true",
      // Lambda runs Node.js 22; the SDK's warning about this machine's Node.js 20 is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory,
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
      LAMBDA_TASK_ROOT: join(fn.bundlePath, ".."),
      NODE_ENV: "production",
      ...this.options.baseEnvironment,
      ...fn.environment,
    };
    const log =
      this.options.log ??
      ((name: string, line: string) => process.stderr.write(`[${name}] ${line}\n`));
    return new Environment(
      key,
      fn,
      env,
      {
        handler: "handler",
        functionName: fn.name,
        functionVersion: "$LATEST",
        memoryLimitInMB: Number(memory),
        invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${fn.name}`,
        logGroupName: `/aws/lambda/${fn.name}`,
      },
      (line) => log(fn.name, line),
      (dead) => {
        const pool = this.pools.get(dead.key);
        if (pool) {
          const i = pool.indexOf(dead);
          if (i >= 0) pool.splice(i, 1);
        }
        this.waiters.get(dead.key)?.shift()?.();
      },
    );
  }
}
