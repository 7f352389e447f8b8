/**
 * The test environment (tests/helpers/quiet-environment.js) formats the stacks @pulumi/pulumi
 * records for its own bookkeeping without source maps, and every other stack as Jest does: a
 * failure in a test or in program code still points at the TypeScript line.
 *
 * The TypeScript transform erases the interface below and adds its import helpers at the top, so
 * the lines after it sit elsewhere in the JavaScript Jest runs: a stack that was not mapped names
 * another line than this file's.
 */
import { readFileSync } from "node:fs";

import * as pulumi from "@pulumi/pulumi";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";

// Marked @internal, so left out of the package's types.
const { debuggablePromise } = debuggable as unknown as {
  debuggablePromise<T>(p: Promise<T>, ctx: string): Promise<T>;
};

interface Erased {
  a: string;
  b: string;
  c: string;
  d: string;
  e: string;
  f: string;
  g: string;
  h: string;
}

/** The 1-based line of this file holding `marker` (once, outside this function's own text). */
function lineOf(marker: string): number {
  const lines = readFileSync(__filename, "utf8").split("\n");
  const at = lines.findIndex((l) => l.includes(marker) && !l.includes("lineOf("));
  if (at === -1) throw new Error(`no line with ${marker}`);
  return at + 1;
}

/** The line this file's first frame in `stack` names. */
function lineIn(stack: string): number {
  const m = /test-environment\.test\.ts:(\d+):\d+/.exec(stack);
  if (m === null) throw new Error(`no frame of this file in:\n${stack}`);
  return Number(m[1]);
}

test("an error in test code points at its TypeScript line", () => {
  const erased: Erased | undefined = undefined;
  expect(erased).toBeUndefined();
  const stack = new Error("here").stack ?? ""; // marker: test-error
  expect(lineIn(stack)).toBe(lineOf("marker: test-error"));
});

test("the stack Pulumi keeps on each promise is not source-mapped (it is never shown)", () => {
  const recorded = Promise.resolve(1);
  const p = debuggablePromise(recorded, "test"); // marker: pulumi-stack
  // Set on the promise it was given.
  const stack = (recorded as unknown as { _debugStackTrace: string })._debugStackTrace;
  expect(stack.split("\n")[1]).toMatch(/debuggable\.js/);
  // The frame of this file is there, at its line in the transformed JavaScript.
  expect(lineIn(stack)).not.toBe(lineOf("marker: pulumi-stack"));
  return p;
});

test("an error Pulumi throws from resource.js still points at the TypeScript line that caused it", () => {
  let stack = "";
  try {
    new pulumi.ComponentResource("test:index:Thing", "t", {}, { parent: {} as pulumi.Resource }); // marker: bad-parent
  } catch (err) {
    stack = (err as Error).stack ?? "";
  }
  expect(stack).toMatch(/parent/);
  expect(lineIn(stack)).toBe(lineOf("marker: bad-parent"));
});
