/**
 * The resource tree of rest-token as stacks hold it: every resource's URN, and the ordering and
 * retention options between them.
 *
 * Why a fixed list: Pulumi identifies a resource by its URN,
 * `urn:pulumi:<Stack>::<Project>::<Qualified$Type$Name>::<Name>`, the qualified type being the
 * types of every ancestor component and the resource's own, joined by `$` (Pulumi SDK, package
 * `github.com/pulumi/pulumi/sdk/v3/go/common/resource/urn`, type URN). Renaming a child or
 * "wrapping a group of resources in a ComponentResource" changes URNs, and Pulumi then treats "the
 * old URN as a delete and the new URN as a create" (Pulumi docs, "Refactoring with aliases",
 * https://www.pulumi.com/docs/iac/operations/stack-management/refactoring-with-aliases/): for the
 * REST API itself a new API id, so a new invoke URL for every client. `tests/fixtures/pulumi/rest-token-urns.json` is the
 * tree the stacks deployed before `components/rest-api.ts` existed hold; a change to it must be
 * deliberate and come with `aliases` (Pulumi docs, "aliases" resource option).
 *
 * The mock runtime's own URNs carry only the direct parent's type, so the full URNs are computed
 * here from each resource's parent chain, as the engine computes them.
 */
import { mocks, settle } from "./mocks";

jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());

import * as fs from "node:fs";
import * as path from "node:path";

import * as pulumi from "@pulumi/pulumi";

import { parseConfig, type RestTokenConfig } from "../../infra/config";
import { RestTokenGateway } from "../../infra/modes/rest-token";

const FIXTURE = path.join(__dirname, "../fixtures/pulumi/rest-token-urns.json");
const SECRET = "an-hs256-secret-that-is-long-enough-0123456789";

/** What the tree holds about one resource besides its URN. */
interface TreeEntry {
  readonly dependsOn?: string[];
  readonly retainOnDelete?: true;
}

/** The stack configurations that between them create every conditional child. */
const SCENARIOS: Record<string, { values: Record<string, string>; jwtSecret?: string }> = {
  // Echo backend with its permission, a secret created by the stack, access logs.
  "echo, secret": { values: { verifyWith: "secret" }, jwtSecret: SECRET },
  // HTTP backend, CORS with several origins (OPTIONS methods, method/integration responses),
  // jwks (no secret), no access-log group.
  "http backend, cors, jwks, no access logs": {
    values: {
      verifyWith: "jwks",
      issuer: "https://issuer.example.com",
      backendUrl: "https://backend.example.com/api",
      corsAllowOrigins: '["https://a.example.com","https://b.example.com"]',
      claimHeaders: '["X-Customer-Plan=metadata.plan"]',
      claimQueryParams: '["tenant=org_id"]',
      accessLogging: "false",
    },
  },
  // The account-level CloudWatch role, retained on delete, and CORS with one origin on the echo.
  "echo, cors, manageApiGatewayAccount": {
    values: {
      verifyWith: "secret",
      corsAllowOrigins: '["https://app.example.com"]',
      manageApiGatewayAccount: "true",
    },
    jwtSecret: SECRET,
  },
};

function restConfig(values: Record<string, string>, jwtSecret?: string): RestTokenConfig {
  const config = parseConfig({
    stackName: "dev",
    values: { authMode: "rest-token", issuer: "dev-issuer", audiences: '["my-api"]', ...values },
    jwtSecret,
  });
  if (config.authMode !== "rest-token") throw new Error("expected rest-token");
  return config;
}

/** Build the gateway and return its tree: URN → options, every URN computed the engine's way. */
async function tree(config: RestTokenConfig): Promise<Record<string, TreeEntry>> {
  const qualifiedTypes = new Map<pulumi.Resource, string>();
  const urns = new Map<pulumi.Resource, string>();
  const options = new Map<pulumi.Resource, pulumi.ResourceOptions>();
  const urnOf = (qualifiedType: string, name: string) =>
    `urn:pulumi:dev::identity-gateway::${qualifiedType}::${name}`;
  const register = (
    resource: pulumi.Resource,
    type: string,
    name: string,
    parent: pulumi.Resource | undefined,
  ) => {
    const qualified = parent ? `${qualifiedTypes.get(parent)}$${type}` : type;
    if (parent && !qualifiedTypes.has(parent)) throw new Error(`unknown parent of ${type}`);
    qualifiedTypes.set(resource, qualified);
    urns.set(resource, urnOf(qualified, name));
  };

  // Transformations of a component apply to all its descendants, in construction order, so a
  // parent is always known before its children; the gateway itself is registered by hand. A
  // resource's own type and name come from the arguments: they are set on it only after.
  let root: pulumi.Resource | undefined;
  const gateway = new RestTokenGateway(
    "gateway",
    { config },
    {
      transformations: [
        (args) => {
          const parent = args.opts.parent;
          if (root === undefined && parent !== undefined) {
            root = parent;
            register(parent, pulumi.resourceType(parent), pulumi.resourceName(parent), undefined);
          }
          register(args.resource, args.type, args.name, parent);
          options.set(args.resource, args.opts);
          return undefined;
        },
      ],
    },
  );
  await settle();
  expect(root).toBe(gateway);

  const out: Record<string, TreeEntry> = { [urns.get(gateway)!]: {} };
  for (const [resource, urn] of urns) {
    if (resource === gateway) continue;
    if (out[urn]) throw new Error(`two resources with the URN ${urn}`);
    const opts = options.get(resource)!;
    const dependsOn = ([] as pulumi.Input<pulumi.Resource>[]).concat(
      (opts.dependsOn as pulumi.Input<pulumi.Resource>[] | pulumi.Resource | undefined) ?? [],
    );
    const entry: { dependsOn?: string[]; retainOnDelete?: true } = {};
    if (dependsOn.length > 0) {
      // Sorted: the order of dependsOn means nothing to the engine.
      entry.dependsOn = dependsOn
        .map((d) => {
          const u = urns.get(d as pulumi.Resource);
          if (!u) throw new Error(`${urn} depends on a resource outside the gateway`);
          return u;
        })
        .sort();
    }
    if (opts.retainOnDelete) entry.retainOnDelete = true;
    out[urn] = entry;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

beforeEach(() => mocks.reset());

describe("rest-token resource tree (URNs that stacks hold)", () => {
  const expected = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as Record<
    string,
    Record<string, TreeEntry>
  >;

  test("the fixture covers every scenario and no other", () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  test.each(Object.keys(SCENARIOS))("%s: every URN and dependency as before", async (scenario) => {
    const { values, jwtSecret } = SCENARIOS[scenario];
    expect(await tree(restConfig(values, jwtSecret))).toEqual(expected[scenario]);
  });
});
