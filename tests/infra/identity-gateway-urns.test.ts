/**
 * URNs: the stack program keeps the tree deployed stacks hold (its mode component the top-level
 * resource named `gateway`), and the IdentityGateway component holds every resource it creates
 * under itself.
 *
 * A URN is `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, the qualified type joining
 * the types of every ancestor component and the resource's own with `$`, so wrapping the program's
 * mode component in IdentityGateway would change every URN, and `pulumi up` would delete and
 * re-create the API (Pulumi docs, "Refactoring with aliases",
 * https://www.pulumi.com/docs/iac/operations/stack-management/refactoring-with-aliases/). The mock
 * runtime's own URNs carry only the direct parent's type, so the full ones are computed here from
 * each resource's parent chain, as in rest-token-urns.test.ts (which pins rest-token's whole tree).
 */
import { mocks, settle } from "./mocks";

jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());

import * as pulumi from "@pulumi/pulumi";

import { parseConfig } from "../../infra/config";
import { IdentityGateway, type IdentityGatewayArgs } from "../../infra/component";
import { createGateway } from "../../infra/program";

const SECRET = "an-hs256-secret-that-is-long-enough-0123456789";

const MODES: Record<string, { type: string; args: IdentityGatewayArgs }> = {
  "http-jwt": {
    type: "identity-gateway:modes:HttpJwtGateway",
    args: { authMode: "http-jwt", issuer: "https://issuer.example.com", audiences: ["api"] },
  },
  "http-lambda": {
    type: "identity-gateway:modes:HttpLambdaGateway",
    args: {
      authMode: "http-lambda",
      verifyWith: "secret",
      jwtSecret: SECRET,
      issuer: "i",
      audiences: ["api"],
    },
  },
  "rest-token": {
    type: "identity-gateway:modes:RestTokenGateway",
    args: {
      authMode: "rest-token",
      verifyWith: "jwks",
      issuer: "https://i.example.com",
      audiences: ["api"],
    },
  },
};

/** The stack values that say what `args` says (the flat keys of these simple arguments). */
function values(args: IdentityGatewayArgs): { values: Record<string, string>; jwtSecret?: string } {
  const out: Record<string, string> = {};
  let jwtSecret: string | undefined;
  for (const [k, v] of Object.entries(args)) {
    if (k === "jwtSecret") jwtSecret = v as string;
    else out[k] = Array.isArray(v) ? JSON.stringify(v) : String(v);
  }
  return { values: out, jwtSecret };
}

/**
 * Full URNs of a root resource and every descendant, from a transformation on the root (it sees
 * the root and each descendant, in construction order, with its parent).
 */
function recorder() {
  const qualified = new Map<pulumi.Resource, string>();
  const urns: string[] = [];
  const transformation: pulumi.ResourceTransformation = (args) => {
    // A component's transformations apply to itself (no parent here) and to every descendant.
    const parent = args.opts.parent;
    if (parent !== undefined && !qualified.has(parent))
      throw new Error(`unknown parent of ${args.name}`);
    const type = parent === undefined ? args.type : `${qualified.get(parent)}$${args.type}`;
    qualified.set(args.resource, type);
    urns.push(`urn:pulumi:dev::identity-gateway::${type}::${args.name}`);
    return undefined;
  };
  return { transformation, urns };
}

beforeEach(() => mocks.reset());

describe.each(Object.keys(MODES))("%s", (mode) => {
  const { type, args } = MODES[mode];

  test("the stack program: the mode component is the top-level `gateway`, as stacks hold it", async () => {
    const { transformation, urns } = recorder();
    const { values: v, jwtSecret } = values(args);
    createGateway(parseConfig({ stackName: "dev", values: v, jwtSecret }), {
      opts: { transformations: [transformation] },
    });
    await settle();
    expect(urns[0]).toBe(`urn:pulumi:dev::identity-gateway::${type}::gateway`);
    for (const urn of urns.slice(1)) {
      expect(urn.startsWith(`urn:pulumi:dev::identity-gateway::${type}$`)).toBe(true);
      expect(urn.split("::").pop()!.startsWith("gateway")).toBe(true);
    }
    expect(urns.join("\n")).not.toContain("IdentityGateway");
  });

  test("the component: every resource under IdentityGateway, named after it", async () => {
    const { transformation, urns } = recorder();
    new IdentityGateway("orders", args, { transformations: [transformation] });
    await settle();
    const root = "identity-gateway:index:IdentityGateway";
    expect(urns[0]).toBe(`urn:pulumi:dev::identity-gateway::${root}::orders`);
    expect(urns[1]).toBe(`urn:pulumi:dev::identity-gateway::${root}$${type}::orders`);
    for (const urn of urns.slice(2)) {
      expect(urn.startsWith(`urn:pulumi:dev::identity-gateway::${root}$${type}$`)).toBe(true);
      expect(urn.split("::").pop()!.startsWith("orders-")).toBe(true);
    }
    // Every AWS resource declared is one of them: nothing is left at the top level.
    const aws = mocks.all().filter((r) => r.type.startsWith("aws:"));
    expect(urns.length - 2).toBeGreaterThanOrEqual(aws.length);
    for (const r of aws) {
      expect(urns.some((u) => u.endsWith(`$${r.type}::${r.name}`))).toBe(true);
    }
  });
});

test("why the stack program does not wrap itself in IdentityGateway: no URN would survive", async () => {
  const { args } = MODES["http-lambda"];
  const program = recorder();
  const { values: v, jwtSecret } = values(args);
  createGateway(parseConfig({ stackName: "dev", values: v, jwtSecret }), {
    opts: { transformations: [program.transformation] },
  });
  await settle();
  // The naive shape: the same gateway, named "gateway", inside the component.
  const wrapped = recorder();
  new IdentityGateway("gateway", args, { transformations: [wrapped.transformation] });
  await settle();
  expect(program.urns.length).toBeGreaterThan(5);
  expect(program.urns.filter((u) => wrapped.urns.includes(u))).toEqual([]);
});
