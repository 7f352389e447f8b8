import fc from "fast-check";
import { matchRole } from "../../functions/rest-authorizer/roles";

describe("matchRole", () => {
  const required = ["admin", "operator"];

  test.each([
    ["a string role", { metadata: { role: "admin" } }, "admin"],
    ["the second required role", { metadata: { role: "operator" } }, "operator"],
    ["an array holding one", { metadata: { role: ["viewer", "operator"] } }, "operator"],
    [
      "an array holding both: config order wins",
      { metadata: { role: ["operator", "admin"] } },
      "admin",
    ],
  ])("%s → %s", (_name, claims, expected) => {
    // Act
    const role = matchRole(claims, "metadata.role", required);

    // Assess
    expect(role).toBe(expected);
  });

  test.each([
    ["no metadata", {}],
    ["no role", { metadata: {} }],
    ["a wrong role", { metadata: { role: "viewer" } }],
    ["a different case", { metadata: { role: "Admin" } }],
    ["a padded role", { metadata: { role: " admin" } }],
    ["an array without one", { metadata: { role: ["viewer", "guest"] } }],
    ["an empty array", { metadata: { role: [] } }],
    ["an array with a non-string", { metadata: { role: ["admin", 1] } }],
    ["a nested array", { metadata: { role: [["admin"]] } }],
    ["an object", { metadata: { role: { admin: true } } }],
    ["an object with a name", { metadata: { role: { name: "admin" } } }],
    ["a number", { metadata: { role: 1 } }],
    ["a boolean", { metadata: { role: true } }],
    ["null", { metadata: { role: null } }],
    ["metadata a string", { metadata: "admin" }],
    ["metadata an array", { metadata: ["admin"] }],
    ["an inherited property", { metadata: Object.create({ role: "admin" }) }],
    ["a comma-joined string", { metadata: { role: "admin,viewer" } }],
  ])("%s → no role", (_name, claims) => {
    expect(matchRole(claims as Record<string, unknown>, "metadata.role", required)).toBeUndefined();
  });

  test("an exact top-level key wins over the dot path (namespaced claims, core getClaim)", () => {
    expect(matchRole({ "metadata.role": "admin" }, "metadata.role", ["admin"])).toBe("admin");
    expect(
      matchRole({ "https://example.com/roles": ["admin"] }, "https://example.com/roles", ["admin"]),
    ).toBe("admin");
  });

  test("a top-level claim path", () => {
    expect(matchRole({ roles: ["admin"] }, "roles", ["admin"])).toBe("admin");
  });

  test("a __proto__ path never reaches Object.prototype", () => {
    expect(matchRole({}, "__proto__.role", ["admin"])).toBeUndefined();
    expect(matchRole({}, "constructor.name", ["Object"])).toBeUndefined();
  });

  test("property: the answer is undefined or one of the required roles held by the caller", () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.array(fc.string({ minLength: 1 }), { minLength: 1 }),
        (role, roles) => {
          const got = matchRole({ metadata: { role } }, "metadata.role", roles);
          if (got !== undefined) {
            expect(roles).toContain(got);
            expect(role === got || (Array.isArray(role) && role.includes(got))).toBe(true);
          }
        },
      ),
    );
  });
});
