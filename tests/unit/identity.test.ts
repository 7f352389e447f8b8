import {
  MAX_CLAIM_VALUE_LENGTH,
  getClaim,
  resolveIdentity,
  type AuthorizerSettings,
} from "../../functions/commons";

const SETTINGS: Pick<
  AuthorizerSettings,
  "customerIdClaims" | "customerNameClaims" | "contextClaims"
> = {
  customerIdClaims: ["customer_id", "org.id", "sub"],
  customerNameClaims: ["customer_name", "name"],
  contextClaims: {
    plan: "metadata.plan",
    verified: "email_verified",
    tenant: "https://example.com/tenant",
  },
};

describe("getClaim", () => {
  const claims = {
    sub: "u1",
    metadata: { role: "admin", nested: { deep: 1 } },
    "https://example.com/tenant": "t-9",
    list: ["a"],
  };

  test.each<[string, unknown]>([
    ["sub", "u1"],
    ["metadata.role", "admin"],
    ["metadata.nested.deep", 1],
    ["https://example.com/tenant", "t-9"],
    ["metadata.missing", undefined],
    ["sub.length", undefined],
    ["list.0", undefined],
    ["constructor", undefined],
    ["__proto__", undefined],
    ["metadata.constructor.name", undefined],
    ["toString", undefined],
  ])("%s → %p", (path, expected) => {
    expect(getClaim(claims, path)).toEqual(expected);
  });
});

describe("resolveIdentity", () => {
  test("maps id, name and extra claims", () => {
    const identity = resolveIdentity(
      {
        customer_id: "c1",
        customer_name: "Acme",
        metadata: { plan: "pro" },
        email_verified: true,
        "https://example.com/tenant": 42,
      },
      SETTINGS,
    );

    expect(identity).toEqual({
      customerId: "c1",
      customerName: "Acme",
      extra: { plan: "pro", verified: "true", tenant: "42" },
    });
  });

  test("absent optional context claims are omitted", () => {
    expect(resolveIdentity({ sub: "u1" }, SETTINGS)).toEqual({
      customerId: "u1",
      customerName: "u1",
      extra: {},
    });
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["first present id claim wins", { customer_id: "c", sub: "s" }, { customerId: "c" }],
    ["nested id claim", { org: { id: "o-1" }, sub: "s" }, { customerId: "o-1" }],
    ["empty string counts as absent", { customer_id: "", sub: "s" }, { customerId: "s" }],
    ["null counts as absent", { customer_id: null, sub: "s" }, { customerId: "s" }],
    ["number stringified", { customer_id: 7 }, { customerId: "7" }],
    ["zero is present", { customer_id: 0 }, { customerId: "0" }],
    ["unicode allowed", { customer_id: "c", name: "José Ñandú" }, { customerName: "José Ñandú" }],
    ["max length allowed", { customer_id: "x".repeat(MAX_CLAIM_VALUE_LENGTH) }, {}],
  ])("%s", (_name, claims, expected) => {
    expect(resolveIdentity(claims, SETTINGS)).toMatchObject(expected);
  });

  test.each<[string, Record<string, unknown>]>([
    ["no id claim at all", { name: "n" }],
    ["id is an object", { customer_id: { id: 1 } }],
    ["id is an array", { customer_id: ["c"] }],
    ["id is a boolean", { customer_id: true }],
    ["id is Infinity", { customer_id: Infinity }],
    ["id with CR", { customer_id: "a\rb" }],
    ["id with LF", { customer_id: "a\nb" }],
    ["id with NUL", { customer_id: "a\u0000b" }],
    ["id with DEL", { customer_id: "a\u007fb" }],
    ["id with a C1 control", { customer_id: "a\u0085b" }],
    ["id with U+2028", { customer_id: "a\u2028b" }],
    ["id too long", { customer_id: "x".repeat(MAX_CLAIM_VALUE_LENGTH + 1) }],
    ["present but invalid id does not fall through", { customer_id: {}, sub: "s" }],
    ["name is an object", { customer_id: "c", customer_name: { first: "A" } }],
    ["name with CRLF", { customer_id: "c", name: "A\r\nSet-Cookie: x" }],
    ["extra claim is an object", { customer_id: "c", metadata: { plan: { tier: 1 } } }],
    ["extra claim with LF", { customer_id: "c", metadata: { plan: "pro\n" } }],
  ])("denies: %s", (_name, claims) => {
    expect(() => resolveIdentity(claims, SETTINGS)).toThrow(
      expect.objectContaining({ code: "IDENTITY_CLAIM_INVALID" }),
    );
  });

  test("error messages name the claim, never its value", () => {
    expect(() => resolveIdentity({ customer_id: "secret\nvalue" }, SETTINGS)).toThrow(
      /^Claim "customer_id" contains control characters\.$/,
    );
  });
});
