/** Invoking a Lambda through the injected invoker, with a gateway-side timeout. */
import type { LambdaInvokeResult, LambdaInvoker, LambdaRef } from "../model";

/**
 * Invokes `fn`, turning a rejected promise (an invoker bug) into `{ok:false}` and answering
 * `{ok:false, errorType:"GatewayTimeout"}` after `timeoutMs` (the gateway stops waiting; the
 * Lambda's own timeout is the invoker's business).
 */
export async function invokeWithTimeout(
  invoker: LambdaInvoker,
  fn: LambdaRef,
  event: unknown,
  requestId: string,
  timeoutMs: number,
): Promise<LambdaInvokeResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<LambdaInvokeResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, errorMessage: "timed out", errorType: "GatewayTimeout" }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      invoker.invoke(fn, event, { requestId }).catch((e: unknown): LambdaInvokeResult => ({
        ok: false,
        errorMessage: e instanceof Error ? e.message : String(e),
        errorType: e instanceof Error ? e.name : undefined,
      })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
