/**
 * Identity-provider presets at preview: each preset key becomes the issuer its provider writes in
 * `iss` (and, in the Lambda modes, its JWKS URL), in every mode where it applies; values that are
 * not of the provider's documented shape, two presets, or a preset beside `issuer` stop
 * `pulumi preview` with a message naming the key(s).
 */
import {
  ConfigError,
  PRESET_KEYS,
  parseConfig,
  type AppConfig,
  type ConfigProblem,
  type LambdaAuthConfig,
} from "../../infra/config";

type Values = Record<string, string>;
const json = (v: unknown): string => JSON.stringify(v);

const LAMBDA_MODES = ["http-lambda", "rest-token"] as const;

function parse(v: Values, jwtSecret?: string): AppConfig {
  return parseConfig({ stackName: "dev", values: v, jwtSecret });
}

function lambdaOf(v: Values, jwtSecret?: string): LambdaAuthConfig {
  const config = parse(v, jwtSecret);
  if (config.authMode === "http-jwt") throw new Error("not a Lambda mode");
  return config.lambda;
}

/** The problems of an invalid config (fails the test when the config is valid). */
function problems(v: Values, jwtSecret?: string): ConfigProblem[] {
  try {
    parse(v, jwtSecret);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error("expected a ConfigError");
}

/** Each preset: a valid value, the issuer it stands for, the Lambda modes' JWKS URL, an audience. */
const PRESET_CASES = [
  {
    key: "cognitoUserPoolId",
    value: "eu-west-1_AbCdEf123",
    issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
    jwksUri:
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json",
    audience: "7abc1234defg5678hijk9012lm",
    httpJwt: true,
  },
  {
    key: "auth0Domain",
    value: "my-tenant.eu.auth0.com",
    // Auth0 writes iss with a trailing slash.
    issuer: "https://my-tenant.eu.auth0.com/",
    jwksUri: "https://my-tenant.eu.auth0.com/.well-known/jwks.json",
    audience: "https://api.example.com",
    httpJwt: true,
  },
  {
    key: "oktaIssuer",
    value: "https://example.okta.com/oauth2/default",
    issuer: "https://example.okta.com/oauth2/default",
    jwksUri: undefined,
    audience: "api://default",
    httpJwt: true,
  },
  {
    key: "oktaIssuer",
    value: "https://example.okta.com",
    issuer: "https://example.okta.com",
    jwksUri: undefined,
    audience: "0oa1b2c3d4e5f6g7h8i9",
    httpJwt: true,
  },
  {
    key: "entraTenantId",
    value: "9188040d-6c67-4c5b-b112-36a304b66dad",
    issuer: "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    jwksUri: undefined,
    audience: "6e74172b-be56-4843-9ff4-e66a39bb12e3",
    httpJwt: true,
  },
  {
    key: "firebaseProjectId",
    value: "my-project-1234",
    issuer: "https://securetoken.google.com/my-project-1234",
    jwksUri:
      "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com",
    audience: "my-project-1234",
    httpJwt: true,
  },
  {
    key: "supabaseProjectRef",
    value: "abcdefghijklmnopqrst",
    issuer: "https://abcdefghijklmnopqrst.supabase.co/auth/v1",
    jwksUri: "https://abcdefghijklmnopqrst.supabase.co/auth/v1/.well-known/jwks.json",
    audience: "authenticated",
    httpJwt: false,
  },
  {
    key: "passageAppId",
    value: "AbC123xyz",
    issuer: "https://auth.passage.id/v1/apps/AbC123xyz",
    jwksUri: undefined,
    audience: "https://app.example.com",
    httpJwt: true,
  },
  {
    key: "clerkFrontendApiUrl",
    value: "https://clerk.example.com/",
    issuer: "https://clerk.example.com",
    jwksUri: undefined,
    audience: "ClerkJwtAuthorizer",
    httpJwt: true,
  },
] as const;

describe("each preset sets the issuer", () => {
  test("every preset key has a case here", () => {
    expect(new Set(PRESET_CASES.map((c) => c.key))).toEqual(new Set(PRESET_KEYS));
  });

  test.each(PRESET_CASES.flatMap((c) => LAMBDA_MODES.map((mode) => ({ ...c, mode }))))(
    "$mode: $key $value → $issuer, keys from the JWKS",
    ({ mode, key, value, issuer, jwksUri, audience }) => {
      // No verifyWith: a preset means the provider's JWKS.
      const lambda = lambdaOf({ authMode: mode, [key]: value, audiences: json([audience]) });

      expect(lambda.issuer).toBe(issuer);
      expect(lambda.preset).toBe(key);
      expect(lambda.keySource).toEqual({ kind: "jwks", jwksUri });
      expect(lambda.issuers).toBeUndefined();
    },
  );

  test.each(PRESET_CASES.filter((c) => c.httpJwt))(
    "http-jwt: $key $value → issuer $issuer",
    ({ key, value, issuer, audience }) => {
      const config = parse({ authMode: "http-jwt", [key]: value, audiences: json([audience]) });

      expect(config).toMatchObject({ authMode: "http-jwt", issuer, audiences: [audience] });
    },
  );

  test("an explicit jwksUri wins over the preset's", () => {
    const lambda = lambdaOf({
      authMode: "http-lambda",
      cognitoUserPoolId: "us-east-1_Xyz",
      jwksUri: "https://keys.example.com/jwks.json",
      audiences: json(["client"]),
    });

    expect(lambda.keySource).toEqual({
      kind: "jwks",
      jwksUri: "https://keys.example.com/jwks.json",
    });
  });

  test("Supabase legacy projects: verifyWith secret with the project's JWT secret", () => {
    const lambda = lambdaOf(
      {
        authMode: "rest-token",
        supabaseProjectRef: "abcdefghijklmnopqrst",
        verifyWith: "secret",
        audiences: json(["authenticated"]),
      },
      "x".repeat(40),
    );

    expect(lambda.issuer).toBe("https://abcdefghijklmnopqrst.supabase.co/auth/v1");
    expect(lambda.keySource.kind).toBe("secret");
  });
});

describe("bad preset values name their key", () => {
  test.each([
    ["cognitoUserPoolId", "AbCdEf123", "is not a Cognito user pool id"],
    ["cognitoUserPoolId", "eu-west-1-AbC", "is not a Cognito user pool id"],
    ["auth0Domain", "https://my-tenant.auth0.com", "give the domain only"],
    ["auth0Domain", "My-Tenant.auth0.com", "is not a domain name in lower case"],
    ["oktaIssuer", "http://example.okta.com", "must be an https issuer URL"],
    ["oktaIssuer", "https://example.okta.com/oauth2/default/", "no trailing slash"],
    [
      "oktaIssuer",
      "https://example.okta.com/oauth2/v1/keys",
      "written exactly as the server's Issuer",
    ],
    ["oktaIssuer", "example.okta.com", "expected the authorization server's issuer URL"],
    ["entraTenantId", "common", "multi-tenant endpoint with no single issuer"],
    ["entraTenantId", "contoso.onmicrosoft.com", "never the tenant's domain"],
    ["entraTenantId", "9188040D-6C67-4C5B-B112-36A304B66DAD", "GUID in lower case"],
    ["firebaseProjectId", "My_Project", "is not a Firebase project id"],
    ["supabaseProjectRef", "https://abcdefghijklmnopqrst.supabase.co", "give the project ref only"],
    ["supabaseProjectRef", "abc", "is not a Supabase project ref"],
    ["passageAppId", "app/1", "is not a Passage app id"],
    ["clerkFrontendApiUrl", "http://clerk.example.com", "https Frontend API URL"],
  ])("%s %s", (key, value, fragment) => {
    for (const authMode of LAMBDA_MODES) {
      const found = problems({ authMode, [key]: value, audiences: json(["a"]) });
      expect(found).toEqual([{ key, message: expect.stringContaining(fragment) }]);
    }
  });
});

describe("conflicts fail naming both keys", () => {
  test.each(["http-jwt", ...LAMBDA_MODES])("%s: two presets", (authMode) => {
    const found = problems({
      authMode,
      cognitoUserPoolId: "us-east-1_Xyz",
      auth0Domain: "t.auth0.com",
      audiences: json(["a"]),
    });

    expect(found).toContainEqual({
      key: "auth0Domain",
      message: expect.stringContaining("cognitoUserPoolId and auth0Domain both set the issuer"),
    });
  });

  test.each(["http-jwt", ...LAMBDA_MODES])("%s: a preset and issuer", (authMode) => {
    const found = problems({
      authMode,
      firebaseProjectId: "my-project-1234",
      issuer: "https://securetoken.google.com/my-project-1234",
      audiences: json(["my-project-1234"]),
    });

    expect(found).toContainEqual({
      key: "issuer",
      message: expect.stringContaining("firebaseProjectId and issuer both set the issuer"),
    });
  });
});

describe("what each provider implies", () => {
  test("http-jwt refuses Supabase (ES256 by default), pointing to the Lambda modes and the RSA way", () => {
    const found = problems({
      authMode: "http-jwt",
      supabaseProjectRef: "abcdefghijklmnopqrst",
      audiences: json(["authenticated"]),
    });

    expect(found).toEqual([
      {
        key: "supabaseProjectRef",
        message: expect.stringMatching(
          /signs with ES256 by default.*RSA-signed tokens only.*http-lambda or rest-token.*pulumi config set issuer https:\/\/abcdefghijklmnopqrst\.supabase\.co\/auth\/v1/,
        ),
      },
    ]);
  });

  test.each(["http-jwt", ...LAMBDA_MODES])(
    "%s: Firebase audiences must list the project id",
    (authMode) => {
      const found = problems({
        authMode,
        firebaseProjectId: "my-project-1234",
        audiences: json(["other-project"]),
      });

      expect(found).toEqual([
        {
          key: "audiences",
          message: expect.stringContaining('tokens carry aud "my-project-1234"'),
        },
      ]);
    },
  );

  test("Lambda modes: an explicit empty audiences still turns the check off with Firebase", () => {
    const lambda = lambdaOf({
      authMode: "http-lambda",
      firebaseProjectId: "my-project-1234",
      audiences: "[]",
    });

    expect(lambda.audiences).toEqual([]);
  });

  test.each([
    ["cognitoUserPoolId", "us-east-1_Xyz"],
    ["entraTenantId", "9188040d-6c67-4c5b-b112-36a304b66dad"],
    ["firebaseProjectId", "my-project-1234"],
  ])("verifyWith secret is refused for %s, which never signs HS256", (key, value) => {
    const found = problems(
      { authMode: "http-lambda", [key]: value, verifyWith: "secret", audiences: json(["a"]) },
      "x".repeat(40),
    );

    expect(found).toContainEqual({
      key: "verifyWith",
      message: expect.stringContaining(`is not a way`),
    });
  });

  test.each([
    ["http-jwt", "cognitoUserPoolId", "us-east-1_Xyz", "app client id"],
    ["http-jwt", "firebaseProjectId", "my-project-1234", "carry the project id as aud"],
    [
      "http-lambda",
      "entraTenantId",
      "9188040d-6c67-4c5b-b112-36a304b66dad",
      "Application (client) ID",
    ],
    ["rest-token", "auth0Domain", "t.auth0.com", "your API's Identifier"],
  ])("%s: %s without audiences says where the audience is", (authMode, key, value, hint) => {
    const found = problems({ authMode, [key]: value });

    expect(found).toContainEqual({ key: "audiences", message: expect.stringContaining(hint) });
  });
});

describe("issuers (several issuers, Lambda modes)", () => {
  const A = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Users";
  const B = "https://machines.example.com/";

  test.each(LAMBDA_MODES)(
    "%s: the single issuer first, then each entry with its options",
    (authMode) => {
      const lambda = lambdaOf({
        authMode,
        cognitoUserPoolId: "us-east-1_Users",
        audiences: json(["web-client"]),
        issuers: json([
          `${B} aud=orders-api,billing-api alg=ES256`,
          "https://login.example.org jwks=https://keys.example.org/jwks.json",
        ]),
      });

      expect(lambda.issuer).toBe(A);
      expect(lambda.issuers).toEqual([
        { issuer: A, audiences: ["web-client"], jwksUri: `${A}/.well-known/jwks.json` },
        { issuer: B, audiences: ["orders-api", "billing-api"], algorithms: ["ES256"] },
        {
          issuer: "https://login.example.org",
          audiences: ["web-client"],
          jwksUri: "https://keys.example.org/jwks.json",
        },
      ]);
    },
  );

  test("issuers alone: the first entry is the stack's issuer output", () => {
    const lambda = lambdaOf({
      authMode: "http-lambda",
      audiences: json(["api"]),
      issuers: json(["https://a.example.com", "https://b.example.com aud=b"]),
    });

    expect(lambda.issuer).toBe("https://a.example.com");
    expect(lambda.keySource).toEqual({ kind: "jwks", jwksUri: undefined });
    expect(lambda.issuers?.map((i) => i.issuer)).toEqual([
      "https://a.example.com",
      "https://b.example.com",
    ]);
  });

  test.each([
    [
      "not a URL",
      ["auth.example.com"],
      'issuers[0]: "auth.example.com" is not an https issuer URL',
    ],
    ["http", ["http://auth.example.com"], "is not an https issuer URL"],
    ["unknown option", ["https://b.example.com audience=x"], '"audience=x" is not an option'],
    ["empty aud", ["https://b.example.com aud="], "aud= needs comma-separated audiences"],
    ["bad alg", ["https://b.example.com alg=HS256"], 'alg= "HS256" is not supported'],
    ["bad jwks", ["https://b.example.com jwks=http://k.example.com"], "jwks= must be an https URL"],
    ["twice the option", ["https://b.example.com aud=a aud=b"], "aud= is given twice"],
    ["the single issuer again", [A], "is trusted twice (also the single issuer)"],
    [
      "a trailing-slash variant",
      ["https://machines.example.com", B],
      'issuers[1]: "https://machines.example.com/" differs from "https://machines.example.com" only in case or a trailing slash',
    ],
    [
      "a case variant",
      [A.replace("Users", "users")],
      "differs from the single issuer only in case or a trailing slash",
    ],
    [
      "too many",
      Array.from({ length: 10 }, (_, i) => `https://i${i}.example.com`),
      "at most 10 issuers",
    ],
  ])("%s is refused with a message per entry", (_name, lines, fragment) => {
    const found = problems({
      authMode: "http-lambda",
      cognitoUserPoolId: "us-east-1_Users",
      audiences: json(["web"]),
      issuers: json(lines),
    });

    expect(found).toEqual([{ key: "issuers", message: expect.stringContaining(fragment) }]);
  });

  test("an issuers list larger than its share of Lambda's 4 KB environment is refused", () => {
    const aud = Array.from({ length: 40 }, (_, i) => `audience-number-${i}`).join(",");
    const found = problems({
      authMode: "http-lambda",
      audiences: json(["web"]),
      issuers: json([1, 2, 3].map((n) => `https://i${n}.example.com aud=${aud}`)),
    });

    expect(found).toEqual([
      { key: "issuers", message: expect.stringContaining("of the authorizer's environment") },
    ]);
  });

  test("needs verifyWith jwks", () => {
    const found = problems(
      {
        authMode: "http-lambda",
        issuer: "https://a.example.com",
        verifyWith: "secret",
        audiences: json(["a"]),
        issuers: json(["https://b.example.com"]),
      },
      "x".repeat(40),
    );

    expect(found).toEqual([
      { key: "issuers", message: expect.stringContaining("needs verifyWith=jwks") },
    ]);
  });

  test("http-jwt refuses issuers: one issuer per JWT authorizer", () => {
    const found = problems({
      authMode: "http-jwt",
      issuer: "https://a.example.com",
      audiences: json(["a"]),
      issuers: json(["https://b.example.com"]),
    });

    expect(found).toEqual([
      {
        key: "issuers",
        message: expect.stringContaining("several issuers need authMode http-lambda"),
      },
    ]);
  });
});
