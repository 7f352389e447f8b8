/**
 * Existing secrets (issue 9, item 7): a `secretArn` without its six-character suffix (a partial
 * ARN), or a secret encrypted with a customer-managed KMS key (`secretKmsKeyArn`). Config
 * validation names the keys; the authorizer's role policy is asserted as a whole document in both
 * Lambda modes.
 */
import { rsaKey } from "../helpers/keys";
import { mocks, resourcesOfType, settle } from "./mocks";

jest.mock("../../infra/components/bundle", () => jest.requireActual("./mocks").bundleStub());

import {
  ConfigError,
  PROJECT,
  isPartialSecretArn,
  parseConfig,
  type HttpLambdaConfig,
  type RestTokenConfig,
} from "../../infra/config";
import {
  authorizerPolicyStatements,
  secretPolicyResource,
} from "../../infra/components/authorizer-function";
import { HttpLambdaGateway } from "../../infra/modes/http-lambda";
import { RestTokenGateway } from "../../infra/modes/rest-token";

const ACCOUNT = "123456789012";
const FULL_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/jwt-key-Ab12Cd`;
const PARTIAL_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/jwt-key`;
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
// A real key: publicKeyPem is parsed at preview (its type decides the token algorithms).
const PEM = rsaKey("existing-secret").publicPem;
const MRK_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`;

type Values = Record<string, string>;

function values(mode: "http-lambda" | "rest-token", set: Values): Values {
  return {
    authMode: mode,
    verifyWith: "public-key",
    issuer: "https://issuer.example.com",
    audiences: '["api"]',
    ...set,
  };
}

function problems(v: Values): { key: string; message: string }[] {
  try {
    parseConfig({ stackName: "dev", values: v });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const err = e as ConfigError;
    for (const p of err.problems)
      expect(err.message).toContain(`${PROJECT}:${p.key}: ${p.message}`);
    return err.problems.map((p) => ({ key: p.key, message: p.message }));
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(v)}`);
}

/**
 * IAM's match of a policy Resource against a resource ARN: `*` any run of characters, `?` exactly
 * one (IAM User Guide, "IAM JSON policy elements: Resource", wildcards). Written out here, apart
 * from the code under test.
 */
function iamMatches(pattern: string, arn: string): boolean {
  const re = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${re}$`).test(arn);
}

beforeEach(() => mocks.reset());

describe("partial or complete secret ARN", () => {
  test.each([
    [FULL_ARN, false],
    [PARTIAL_ARN, true],
    [`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:jwt`, true],
    [`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:jwt-abc`, true],
    // AWS's own rule: a name that ends in -<6 letters or digits> reads as a complete ARN.
    [`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:jwt-key-abcdef`, false],
    [`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:jwt_AbCdEf`, true],
  ])("%s → partial: %s", (arn, partial) => {
    expect(isPartialSecretArn(arn)).toBe(partial);
  });

  test("both forms are accepted as secretArn", () => {
    for (const arn of [FULL_ARN, PARTIAL_ARN]) {
      const c = parseConfig({
        stackName: "dev",
        values: values("http-lambda", { secretArn: arn }),
      });
      expect((c as HttpLambdaConfig).lambda.keySource).toEqual({
        kind: "public-key",
        publicKeyPem: undefined,
        existingSecretArn: arn,
        existingSecretKmsKeyArn: undefined,
      });
    }
  });

  test("the IAM resource: exact for a complete ARN, -?????? for a partial one", () => {
    expect(secretPolicyResource(FULL_ARN)).toBe(FULL_ARN);
    expect(secretPolicyResource(PARTIAL_ARN)).toBe(`${PARTIAL_ARN}-??????`);
  });

  test("why: IAM matches the secret's real ARN; the naive shapes deny it or over-match", () => {
    const real = FULL_ARN; // the secret PARTIAL_ARN names, as IAM sees it at GetSecretValue
    const another = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/jwt-key-old-Zz99Yy`;
    // Naive: the configured partial ARN as the Resource never matches, so every request is denied.
    expect(iamMatches(PARTIAL_ARN, real)).toBe(false);
    // Naive: `-*` matches the intended secret and another one whose name only starts alike.
    expect(iamMatches(`${PARTIAL_ARN}-*`, another)).toBe(true);
    // Ours: exactly the six random characters.
    const ours = secretPolicyResource(PARTIAL_ARN);
    expect(iamMatches(ours, real)).toBe(true);
    expect(iamMatches(ours, another)).toBe(false);
  });
});

describe("secretKmsKeyArn validation", () => {
  test.each(["http-lambda", "rest-token"] as const)(
    "%s: a key ARN (or a multi-Region key) with secretArn in the same Region",
    (mode) => {
      for (const key of [KEY_ARN, MRK_ARN]) {
        const c = parseConfig({
          stackName: "dev",
          values: values(mode, { secretArn: PARTIAL_ARN, secretKmsKeyArn: key }),
        }) as HttpLambdaConfig | RestTokenConfig;
        expect(c.lambda.keySource).toMatchObject({
          existingSecretArn: PARTIAL_ARN,
          existingSecretKmsKeyArn: key,
        });
      }
    },
  );

  test("without secretArn: refused, naming both keys", () => {
    expect(
      problems(values("http-lambda", { secretKmsKeyArn: KEY_ARN, publicKeyPem: PEM })),
    ).toEqual([
      {
        key: "secretKmsKeyArn",
        message: expect.stringContaining(`is only used with ${PROJECT}:secretArn`),
      },
    ]);
  });

  test("with verifyWith=jwks: refused", () => {
    const found = problems(values("rest-token", { verifyWith: "jwks", secretKmsKeyArn: KEY_ARN }));
    expect(found).toEqual([
      {
        key: "secretKmsKeyArn",
        message: expect.stringContaining("which verifyWith=jwks does not use"),
      },
    ]);
  });

  test("an alias ARN: refused with how to find the key ARN", () => {
    const alias = `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/jwt-key`;
    expect(
      problems(values("http-lambda", { secretArn: FULL_ARN, secretKmsKeyArn: alias })),
    ).toEqual([
      {
        key: "secretKmsKeyArn",
        message: expect.stringMatching(/is an alias ARN.*aws kms describe-key/),
      },
    ]);
  });

  test.each([
    ["a bare key id", "1234abcd-12ab-34cd-56ef-1234567890ab"],
    ["an alias name", "alias/jwt-key"],
    ["another service", `arn:aws:s3:::bucket`],
    ["a key ARN with a path", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/a/b`],
  ])("%s: refused as not a KMS key ARN", (_what, key) => {
    expect(problems(values("rest-token", { secretArn: FULL_ARN, secretKmsKeyArn: key }))).toEqual([
      { key: "secretKmsKeyArn", message: expect.stringContaining("expected a KMS key ARN") },
    ]);
  });

  test("a key in another Region than the secret: refused", () => {
    const key = KEY_ARN.replace("eu-west-1", "us-east-1");
    expect(problems(values("http-lambda", { secretArn: FULL_ARN, secretKmsKeyArn: key }))).toEqual([
      {
        key: "secretKmsKeyArn",
        message: expect.stringContaining("the key is in aws/us-east-1 but the secret"),
      },
    ]);
  });
});

describe("the authorizer's role policy, whole document", () => {
  const decrypt = {
    Sid: "DecryptOwnKeyMaterial",
    Effect: "Allow",
    Action: "kms:Decrypt",
    Resource: KEY_ARN,
    Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
  };
  const read = (resource: string) => ({
    Sid: "ReadOwnKeyMaterial",
    Effect: "Allow",
    Action: "secretsmanager:GetSecretValue",
    Resource: resource,
  });

  const CASES = [
    { name: "complete ARN", secretArn: FULL_ARN, kms: undefined, extra: [read(FULL_ARN)] },
    {
      name: "partial ARN",
      secretArn: PARTIAL_ARN,
      kms: undefined,
      extra: [read(`${PARTIAL_ARN}-??????`)],
    },
    {
      name: "complete ARN with a KMS key",
      secretArn: FULL_ARN,
      kms: KEY_ARN,
      extra: [read(FULL_ARN), decrypt],
    },
    {
      name: "partial ARN with a KMS key",
      secretArn: PARTIAL_ARN,
      kms: KEY_ARN,
      extra: [read(`${PARTIAL_ARN}-??????`), decrypt],
    },
  ];

  const MODES = [
    {
      mode: "http-lambda" as const,
      policyName: "gateway-authz-policy",
      build: (c: HttpLambdaConfig | RestTokenConfig) =>
        new HttpLambdaGateway("gateway", { config: c as HttpLambdaConfig }),
    },
    {
      mode: "rest-token" as const,
      policyName: "gateway-authorizer-policy",
      build: (c: HttpLambdaConfig | RestTokenConfig) =>
        new RestTokenGateway("gateway", { config: c as RestTokenConfig }),
    },
  ];

  describe.each(MODES)("$mode", ({ mode, policyName, build }) => {
    test.each(CASES)("$name", async ({ secretArn, kms, extra }) => {
      const config = parseConfig({
        stackName: "dev",
        values: values(mode, { secretArn, ...(kms ? { secretKmsKeyArn: kms } : {}) }),
      }) as HttpLambdaConfig | RestTokenConfig;
      build(config);
      await settle();
      const policies = resourcesOfType("aws:iam/rolePolicy:RolePolicy").filter(
        (p) => p.name === policyName,
      );
      expect(policies).toHaveLength(1);
      const doc = JSON.parse(policies[0].inputs.policy);
      const logArn = doc.Statement[0].Resource[0] as string;
      expect(logArn).toMatch(/^arn:aws:logs:us-east-1:123456789012:log-group:\/aws\/lambda\//);
      expect(doc).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [logArn, `${logArn}:*`],
          },
          ...extra,
        ],
      });
      // The function reads the secret by the ARN as configured: GetSecretValue takes a partial one.
      const fn = resourcesOfType("aws:lambda/function:Function").find((f) =>
        /authorizer/.test(f.inputs.description),
      );
      expect(fn?.inputs.environment.variables.SECRET_ID).toBe(secretArn);
      // No secret is created for an existing one.
      expect(resourcesOfType("aws:secretsmanager/secret:Secret")).toHaveLength(0);
    });
  });
});

describe("authorizerPolicyStatements", () => {
  test("no KMS statement without a secret, even if a key were passed", () => {
    expect(authorizerPolicyStatements("arn:log", undefined, KEY_ARN)).toEqual([
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: ["arn:log", "arn:log:*"],
      },
    ]);
  });

  test("kms:ViaService follows the secret's partition (China Regions)", () => {
    const cnSecret = `arn:aws-cn:secretsmanager:cn-north-1:${ACCOUNT}:secret:jwt-Ab12Cd`;
    const cnKey = `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    expect(authorizerPolicyStatements("arn:log", cnSecret, cnKey)[2]).toEqual({
      Sid: "DecryptOwnKeyMaterial",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: cnKey,
      Condition: {
        StringEquals: { "kms:ViaService": "secretsmanager.cn-north-1.amazonaws.com.cn" },
      },
    });
  });
});
