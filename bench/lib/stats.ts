/** Sample statistics and the timing loops shared by the bench children. */
import { performance } from "node:perf_hooks";

export interface Timing {
  iterations: number;
  medianUs: number;
  p99Us: number;
  meanUs: number;
  callsPerSec: number;
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values: number[]): number {
  return percentile(Float64Array.from(values).sort(), 50);
}

export function summarise(samplesMs: Float64Array, wallMs: number): Timing {
  const sorted = Float64Array.from(samplesMs).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    iterations: sorted.length,
    medianUs: percentile(sorted, 50) * 1000,
    p99Us: percentile(sorted, 99) * 1000,
    meanUs: (sum / sorted.length) * 1000,
    callsPerSec: sorted.length / (wallMs / 1000),
  };
}

/**
 * Calls `fn(i)` for i in [from, from + samples.length), one at a time, recording each call's
 * duration (ms) into `samples`. Returns the wall time of the loop. `fn` is synchronous.
 */
export function timeSync(fn: (i: number) => unknown, from: number, samples: Float64Array): number {
  const start = performance.now();
  for (let k = 0; k < samples.length; k++) {
    const t0 = performance.now();
    fn(from + k);
    samples[k] = performance.now() - t0;
  }
  return performance.now() - start;
}

/** As `timeSync`, awaiting each call. */
export async function timeAsync(
  fn: (i: number) => Promise<unknown>,
  from: number,
  samples: Float64Array,
): Promise<number> {
  const start = performance.now();
  for (let k = 0; k < samples.length; k++) {
    const t0 = performance.now();
    await fn(from + k);
    samples[k] = performance.now() - t0;
  }
  return performance.now() - start;
}
