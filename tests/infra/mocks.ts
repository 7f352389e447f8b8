/**
 * Shared harness for the infrastructure tests: Pulumi's mock runtime with a recorder.
 *
 * Usage (import this module BEFORE the code under test, so the mocks are in place when
 * `@pulumi/aws` resources are constructed):
 *
 *   import { mocks, unwrap, resourcesOfType, settle } from "./mocks";
 *   import { HttpLambdaGateway } from "../../infra/modes/http-lambda";
 *
 *   beforeEach(() => mocks.reset());
 *   it("...", async () => {
 *     const gw = new HttpLambdaGateway("gateway", { config });
 *     await settle();
 *     expect(resourcesOfType("aws:apigatewayv2/authorizer:Authorizer")).toHaveLength(1);
 *   });
 *
 * `newResource` records `{ type, name, inputs }` and returns plausible provider state (ids are
 * `<name>-id`; ARNs live in account 123456789012, region us-east-1), so outputs such as
 * `api.executionArn` or `fn.invokeArn` resolve to realistic strings the tests can assert on.
 * `call` answers the harmless data sources (region, caller identity, partition) and throws
 * `Mock call not implemented: <token>` for anything else, so an unexpected lookup fails loudly.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";
import { mockState as sharedMockState, type MockStateOptions } from "../../local/mock-state";
import { MODE_OUTPUT_KEYS, OUTPUT_KEYS } from "../helpers/outputs";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  // Inputs as the engine received them: plain JSON-like values (Outputs already resolved).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inputs: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly state: any;
}

const recorded: RecordedResource[] = [];

/**
 * The names AWS would make up, fixed and readable so tests can spell them out: a `namePrefix` gets
 * `0001`, a secret's ARN ends in `-AbCdEf`, a REST API's root resource id is `<id>-root`.
 */
const TEST_STATE_OPTIONS: MockStateOptions = {
  region: REGION,
  account: ACCOUNT,
  namePrefixSuffix: () => "0001",
  secretArnSuffix: () => "AbCdEf",
  rootResourceId: (_type, _name, id) => `${id}-root`,
};

/** Provider state for a resource (local/mock-state.ts with the tests' fixed names). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function mockState(type: string, name: string, id: string, inputs: any) {
  return sharedMockState(type, name, id, inputs, TEST_STATE_OPTIONS);
}

pulumi.runtime.setMocks(
  {
    newResource(args: MockResourceArgs): {
      id: string | undefined;
      state: Record<string, unknown>;
    } {
      const id = `${args.name}-id`;
      const state =
        args.custom === false ? args.inputs : mockState(args.type, args.name, id, args.inputs);
      recorded.push({ type: args.type, name: args.name, inputs: args.inputs, state });
      return { id: args.custom === false ? undefined : id, state };
    },
    call(args: MockCallArgs): Record<string, unknown> {
      switch (args.token) {
        case "aws:index/getRegion:getRegion":
          return { name: REGION, region: REGION, id: REGION };
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "test" };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        default:
          throw new Error(`Mock call not implemented: ${args.token}`);
      }
    },
  },
  "identity-gateway",
  "dev",
  false,
);

export const mocks = {
  /** Forget recorded resources (call in `beforeEach`). */
  reset(): void {
    recorded.length = 0;
  },
  /** Every resource registered since the last reset, in registration order. */
  all(): readonly RecordedResource[] {
    return recorded;
  },
};

/** Resolve an Output (or plain value) to its value. */
export function unwrap<T>(value: pulumi.Input<T> | pulumi.Output<T>): Promise<T> {
  return new Promise<T>((resolve) => pulumi.output(value).apply((v) => resolve(v as T)));
}

/** The recorded custom resources of one type token, e.g. "aws:lambda/function:Function". */
export function resourcesOfType(type: string): RecordedResource[] {
  return recorded.filter((r) => r.type === type);
}

/** The one recorded resource of a type; fails the test when there are zero or several. */
export function onlyOfType(type: string): RecordedResource {
  const found = resourcesOfType(type);
  if (found.length !== 1) {
    throw new Error(
      `expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
    );
  }
  return found[0];
}

/** `{type: count}` over the recorded custom resources (component resources excluded). */
export function typeCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of recorded) {
    if (!r.type.startsWith("aws:")) continue;
    counts[r.type] = (counts[r.type] ?? 0) + 1;
  }
  return counts;
}

/**
 * Wait until the program has registered everything it is going to: resources whose inputs are
 * Outputs of other resources register asynchronously, so wait until the recorded count has been
 * stable for several turns of the event loop.
 */
export async function settle(): Promise<void> {
  let last = -1;
  let stableTurns = 0;
  while (stableTurns < 5) {
    await new Promise((r) => setTimeout(r, 10));
    if (recorded.length === last) stableTurns++;
    else {
      stableTurns = 0;
      last = recorded.length;
    }
  }
}

/** Every string anywhere inside a value (keys included), for "no X anywhere" assertions. */
export function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [k, ...allStrings(v)]);
  }
  return [];
}

/**
 * A stand-in for `infra/components/bundle`: the infrastructure tests check what the program
 * declares, not the Lambda bundles, so they get a small archive instead of running esbuild.
 * Use (jest hoists `jest.mock`, so the factory must require it):
 * `jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());`
 */
export function bundleStub(): Record<string, unknown> {
  return {
    ...jest.requireActual("../../infra/components/bundle"),
    functionCode: (name: string) =>
      new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.StringAsset(`// ${name}\nexports.handler = async () => ({});`),
      }),
  };
}

/** Pulumi type tokens of the resources the HTTP API modes create. */
export const HTTP_TYPES = {
  api: "aws:apigatewayv2/api:Api",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
  integration: "aws:apigatewayv2/integration:Integration",
  route: "aws:apigatewayv2/route:Route",
  stage: "aws:apigatewayv2/stage:Stage",
  vpcLink: "aws:apigatewayv2/vpcLink:VpcLink",
  fn: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
} as const;

/** The output contract's key names live in tests/helpers/outputs.ts (no side effects there). */
export { MODE_OUTPUT_KEYS, OUTPUT_KEYS };

/**
 * Checks outputs against the contract: exactly the contract keys (none missing, a value that does
 * not apply is `null`): OUTPUT_KEYS for the stack outputs (`createGateway`), MODE_OUTPUT_KEYS for
 * a mode component's own (`gw.outputs`, which has no `routes`); and, when `expected` is given, the
 * values (Outputs resolved, plain values as they are) `toEqual` it. Returns the resolved values
 * for further checks.
 */
export async function expectOutputContract(
  outputs: object,
  expected?: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  expect(Object.keys(outputs).sort()).toEqual("routes" in outputs ? OUTPUT_KEYS : MODE_OUTPUT_KEYS);
  const resolved = Object.fromEntries(
    await Promise.all(
      Object.entries(outputs).map(async ([k, v]) => [
        k,
        pulumi.Output.isInstance(v) ? await unwrap(v) : v,
      ]),
    ),
  );
  if (expected) expect(resolved).toEqual(expected);
  return resolved;
}
