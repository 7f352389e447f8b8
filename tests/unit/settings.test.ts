import { ConfigurationError, ENV, readSettings } from "../../functions/commons";
import { authorizerEnv, TEST_SECRET_ID } from "../helpers/env";
import { TEST_AUDIENCE, TEST_ISSUER } from "../helpers/tokens";

describe("readSettings", () => {
  test("parses a complete environment", () => {
    // Prepare
    const env = authorizerEnv("secret", {
      CONTEXT_CLAIMS: JSON.stringify({ plan: "metadata.plan" }),
      ROLE_CLAIM: "metadata.role",
      REQUIRED_ROLES: JSON.stringify(["admin"]),
    });

    // Act
    const settings = readSettings(env);

    // Assess
    expect(settings).toEqual({
      verifyWith: "secret",
      secretId: TEST_SECRET_ID,
      secretCacheTtlSeconds: 300,
      issuer: TEST_ISSUER,
      audiences: [TEST_AUDIENCE],
      jwksUri: undefined,
      clockToleranceSeconds: 5,
      customerIdClaims: ["customer_id", "tenant_id", "sub"],
      customerNameClaims: ["customer_name", "name"],
      contextClaims: { plan: "metadata.plan" },
      roleClaim: "metadata.role",
      requiredRoles: ["admin"],
    });
  });

  test("defaults optional values", () => {
    const settings = readSettings({
      [ENV.VERIFY_WITH]: "jwks",
      [ENV.ISSUER]: TEST_ISSUER,
      [ENV.AUDIENCES]: "[]",
    });

    expect(settings).toMatchObject({
      secretCacheTtlSeconds: 300,
      clockToleranceSeconds: 5,
      audiences: [],
      customerIdClaims: ["customer_id", "tenant_id", "sub"],
      customerNameClaims: ["customer_name", "name"],
      contextClaims: {},
    });
    expect(settings.roleClaim).toBeUndefined();
    expect(settings.requiredRoles).toBeUndefined();
  });

  test.each<[string, Parameters<typeof authorizerEnv>[1], "secret" | "jwks", string]>([
    ["VERIFY_WITH missing", { VERIFY_WITH: undefined }, "secret", "VERIFY_WITH is required"],
    ["VERIFY_WITH unknown", { VERIFY_WITH: "hs256" }, "secret", "VERIFY_WITH must be one of"],
    ["SECRET_ID missing", { SECRET_ID: undefined }, "secret", "SECRET_ID is required"],
    ["ISSUER missing", { ISSUER: undefined }, "secret", "ISSUER is required"],
    ["ISSUER blank", { ISSUER: "  " }, "secret", "ISSUER is required"],
    ["AUDIENCES missing", { AUDIENCES: undefined }, "secret", "AUDIENCES is required"],
    ["AUDIENCES not JSON", { AUDIENCES: "aud1,aud2" }, "secret", "AUDIENCES must be valid JSON"],
    ["AUDIENCES a string", { AUDIENCES: '"aud1"' }, "secret", "AUDIENCES must be a JSON array"],
    [
      "AUDIENCES with a blank",
      { AUDIENCES: '["a",""]' },
      "secret",
      "AUDIENCES must be a JSON array",
    ],
    [
      "TTL negative",
      { SECRET_CACHE_TTL_SECONDS: "-1" },
      "secret",
      "SECRET_CACHE_TTL_SECONDS must be an integer",
    ],
    [
      "tolerance too large",
      { CLOCK_TOLERANCE_SECONDS: "301" },
      "secret",
      "CLOCK_TOLERANCE_SECONDS must be an integer from 0 to 300",
    ],
    [
      "tolerance not a number",
      { CLOCK_TOLERANCE_SECONDS: "5s" },
      "secret",
      "CLOCK_TOLERANCE_SECONDS must be an integer",
    ],
    [
      "no customer id claims",
      { CUSTOMER_ID_CLAIMS: "[]" },
      "secret",
      "CUSTOMER_ID_CLAIMS must list at least one",
    ],
    [
      "CONTEXT_CLAIMS an array",
      { CONTEXT_CLAIMS: '["a"]' },
      "secret",
      "CONTEXT_CLAIMS must be a JSON object",
    ],
    [
      "CONTEXT_CLAIMS reserved key",
      { CONTEXT_CLAIMS: '{"customerId":"sub"}' },
      "secret",
      'key "customerId" is reserved',
    ],
    [
      // JSON.parse makes it an own key; assigned to the settings object it was silently dropped.
      "CONTEXT_CLAIMS __proto__ key",
      { CONTEXT_CLAIMS: '{"__proto__":"sub"}' },
      "secret",
      'key "__proto__" cannot be a context key',
    ],
    [
      "CONTEXT_CLAIMS odd key",
      { CONTEXT_CLAIMS: '{"x-y":"sub"}' },
      "secret",
      'key "x-y" may contain only',
    ],
    [
      "CONTEXT_CLAIMS non-string path",
      { CONTEXT_CLAIMS: '{"plan":1}' },
      "secret",
      'value for "plan"',
    ],
    ["JWKS_URI not a URL", { JWKS_URI: "jwks.json" }, "jwks", "JWKS_URI must be an http(s) URL"],
    ["jwks issuer not a URL", { ISSUER: "my-issuer" }, "jwks", "ISSUER must be an http(s) URL"],
    [
      "TOKEN_ALGORITHMS with a shared secret",
      { TOKEN_ALGORITHMS: '["RS256"]' },
      "secret",
      "TOKEN_ALGORITHMS is not used with VERIFY_WITH=secret",
    ],
    ["TOKEN_ALGORITHMS HS256", { TOKEN_ALGORITHMS: '["HS256"]' }, "jwks", 'holds "HS256"'],
    ["TOKEN_ALGORITHMS none", { TOKEN_ALGORITHMS: '["none"]' }, "jwks", 'holds "none"'],
    ["TOKEN_ALGORITHMS ES256K", { TOKEN_ALGORITHMS: '["ES256K"]' }, "jwks", 'holds "ES256K"'],
    ["TOKEN_ALGORITHMS lower case", { TOKEN_ALGORITHMS: '["rs256"]' }, "jwks", 'holds "rs256"'],
    ["TOKEN_ALGORITHMS empty", { TOKEN_ALGORITHMS: "[]" }, "jwks", "must list at least one"],
  ])("%s → ConfigurationError naming the variable", (_name, overrides, mode, message) => {
    const env = authorizerEnv(mode, overrides);

    expect(() => readSettings(env)).toThrow(ConfigurationError);
    expect(() => readSettings(env)).toThrow(message);
  });

  test("TOKEN_ALGORITHMS lists the algorithms tokens may use; unset means one per key type", () => {
    const listed = readSettings(authorizerEnv("jwks", { TOKEN_ALGORITHMS: '["PS256","ES256"]' }));
    const unset = readSettings(authorizerEnv("public-key"));

    expect(listed.tokenAlgorithms).toEqual(["PS256", "ES256"]);
    expect(unset.tokenAlgorithms).toBeUndefined();
  });

  test("reports every problem at once", () => {
    expect(() => readSettings({})).toThrow(/VERIFY_WITH.*ISSUER.*AUDIENCES/s);
  });
});
