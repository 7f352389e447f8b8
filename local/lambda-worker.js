// @ts-check
/**
 * One Lambda execution environment, run in a worker thread by `lambda-runtime.ts`.
 *
 * Init phase: require the bundle once (a cold start), with `process.env` being the function's own
 * environment (the Worker's `env` option). Invoke phase: for each `invoke` message, call the
 * exported handler with the event and a Lambda-like context, one invocation at a time, and post
 * the JSON-serialized result or the error (`errorMessage`, `errorType`) back. The environment
 * stays warm between invocations, so module-level caches (key material, JWKS) live as in Lambda.
 *
 * Plain CommonJS so it runs as-is in a worker, whatever loader (tsx, ts-jest) the parent uses.
 */
"use strict";
const { parentPort, workerData } = require("node:worker_threads");

/** @type {{ bundlePath: string, handler: string, functionName: string, functionVersion: string,
 *   memoryLimitInMB: number, invokedFunctionArn: string, logGroupName: string }} */
const data = workerData;

/** @param {unknown} err */
function describe(err) {
  if (err instanceof Error) return { errorMessage: err.message, errorType: err.name || "Error" };
  if (typeof err === "string") return { errorMessage: err, errorType: "string" };
  let text;
  try {
    text = JSON.stringify(err);
  } catch {
    text = String(err);
  }
  return { errorMessage: text === undefined ? String(err) : text, errorType: typeof err };
}

/** @type {Function | undefined} */
let handler;
/** @type {{ errorMessage: string, errorType: string } | undefined} */
let initError;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(data.bundlePath);
  handler = mod[data.handler];
  if (typeof handler !== "function") {
    initError = {
      errorMessage: `${data.bundlePath} does not export a function "${data.handler}"`,
      errorType: "Runtime.HandlerNotFound",
    };
  }
} catch (err) {
  const d = describe(err);
  initError = { errorMessage: d.errorMessage, errorType: "Runtime.ImportModuleError" };
}

/**
 * Run the handler: a returned promise settles the invocation; otherwise the callback (or
 * context.succeed/fail/done) does.
 * @param {unknown} event
 * @param {object} context
 * @returns {Promise<unknown>}
 */
function run(event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    /** @param {unknown} err @param {unknown} [result] */
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    Object.assign(context, {
      done: callback,
      succeed: (/** @type {unknown} */ r) => callback(null, r),
      fail: (/** @type {unknown} */ e) => callback(e ?? new Error("handled")),
    });
    try {
      const out = /** @type {Function} */ (handler)(event, context, callback);
      if (out && typeof out.then === "function") {
        out.then(
          (/** @type {unknown} */ r) => callback(null, r),
          (/** @type {unknown} */ e) => callback(e ?? new Error("Promise rejected")),
        );
      }
    } catch (err) {
      callback(err ?? new Error("threw"));
    }
  });
}

// Invocations run one at a time, as in one Lambda execution environment.
let queue = Promise.resolve();

/** @param {{ type: string, id: number, event: string, requestId: string, deadline: number }} msg */
function onMessage(msg) {
  if (msg.type !== "invoke") return;
  queue = queue.then(async () => {
    if (initError) {
      parentPort?.postMessage({ type: "result", id: msg.id, ok: false, ...initError });
      return;
    }
    const context = {
      awsRequestId: msg.requestId,
      functionName: data.functionName,
      functionVersion: data.functionVersion,
      invokedFunctionArn: data.invokedFunctionArn,
      memoryLimitInMB: String(data.memoryLimitInMB),
      logGroupName: data.logGroupName,
      logStreamName: `local/[${data.functionVersion}]${data.functionName}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, msg.deadline - Date.now()),
    };
    try {
      const result = await run(JSON.parse(msg.event), context);
      // Lambda serializes the result as JSON: undefined becomes null, functions disappear.
      const json = JSON.stringify(result === undefined ? null : result);
      parentPort?.postMessage({ type: "result", id: msg.id, ok: true, result: json });
    } catch (err) {
      parentPort?.postMessage({ type: "result", id: msg.id, ok: false, ...describe(err) });
    }
  });
}

parentPort?.on("message", onMessage);
parentPort?.postMessage({ type: "ready", initError: initError ?? null });
