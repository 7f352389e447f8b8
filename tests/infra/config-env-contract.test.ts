/**
 * `functions/commons/env-contract.ts` (what the authorizer Lambdas read) held against the config
 * declarations (`env` of each key in infra/config/schema.ts): every variable is named by a key,
 * and each key that reaches the Lambda as its own value arrives there with that value, in every
 * Lambda mode, as the program deploys it.
 */
import { mocks, resourcesOfType, settle } from "./mocks";

import { ENV } from "../../functions/commons/env-contract";
import {
  CONFIG_KEYS,
  parseConfig,
  type ConfigDeclaration,
  type HttpLambdaConfig,
  type RestTokenConfig,
} from "../../infra/config";
import { HttpLambdaGateway } from "../../infra/modes/http-lambda";
import { RestTokenGateway } from "../../infra/modes/rest-token";

// What the program declares, not the bundles: skip building dist/functions.
jest.mock("../../infra/components/bundle", () => ({
  functionCode: () => new (jest.requireActual("@pulumi/pulumi").asset.AssetArchive)({}),
  bundlePath: (name: string) => `/dist/functions/${name}/index.js`,
}));

const declarations = Object.entries(CONFIG_KEYS) as [string, ConfigDeclaration][];
const withEnv = declarations.filter(([, d]) => d.env !== undefined);
/** Keys whose parsed value is the variable's value (scalars as text, lists as JSON). */
const direct = withEnv.filter(([, d]) => d.env?.via === undefined);

/** A stack setting every directly passed key to a value unlike its default. */
const VALUES: Record<string, string> = {
  verifyWith: "jwks",
  issuer: "https://issuer.example.com/tenant",
  audiences: JSON.stringify(["aud-1", "aud-2"]),
  jwksUri: "https://keys.example.com/jwks.json",
  tokenAlgorithms: JSON.stringify(["PS256", "ES256"]),
  clockToleranceSeconds: "17",
  secretCacheTtlSeconds: "123",
  customerIdClaims: JSON.stringify(["org.id", "sub"]),
  customerNameClaims: JSON.stringify(["org.name"]),
  roleClaim: "app.roles",
  requiredRoles: JSON.stringify(["ops", "admin"]),
  claimHeaders: JSON.stringify(["X-Plan=plan"]),
};

async function authorizerEnvironment(
  mode: "http-lambda" | "rest-token",
): Promise<Record<string, string>> {
  mocks.reset();
  const config = parseConfig({ stackName: "dev", values: { authMode: mode, ...VALUES } });
  if (config.authMode === "http-lambda") {
    new HttpLambdaGateway("gateway", { config: config as HttpLambdaConfig });
  } else {
    new RestTokenGateway("gateway", { config: config as RestTokenConfig });
  }
  await settle();
  const fns = resourcesOfType("aws:lambda/function:Function").filter((f) =>
    Object.prototype.hasOwnProperty.call(f.inputs.environment?.variables ?? {}, ENV.VERIFY_WITH),
  );
  expect(fns).toHaveLength(1);
  return fns[0].inputs.environment.variables;
}

describe("env-contract.ts and the config declarations", () => {
  test("every variable of the contract is named by a declaration", () => {
    const named = new Set(withEnv.map(([, d]) => d.env?.name));
    expect(Object.values(ENV).filter((name) => !named.has(name))).toEqual([]);
  });

  test("the stack of this test sets every directly passed key", () => {
    expect(direct.map(([key]) => key).sort()).toEqual(
      Object.keys(VALUES)
        .filter((k) => k !== "claimHeaders")
        .sort(),
    );
  });

  test.each(["http-lambda", "rest-token"] as const)(
    "%s: each directly passed key reaches the authorizer as its own variable",
    async (mode) => {
      const env = await authorizerEnvironment(mode);
      for (const [key, decl] of direct) {
        if (mode === "http-lambda" && decl.modes === "rest-token") {
          expect([key, env[decl.env!.name]]).toEqual([key, undefined]);
          continue;
        }
        const expected = VALUES[key].startsWith("[")
          ? JSON.stringify(JSON.parse(VALUES[key]))
          : VALUES[key];
        expect([key, env[decl.env!.name]]).toEqual([key, expected]);
      }
      // A key passed another way (via) is there in its own form.
      expect(JSON.parse(env[ENV.CONTEXT_CLAIMS])).toEqual({ plan: "plan" });
    },
  );
});
