/**
 * Review: identity claims holding a lone UTF-16 surrogate (a JSON "\ud800" escape in a signed
 * token). Such a value has no UTF-8 encoding: on its way into a header it becomes U+FFFD, so two
 * different customer ids would reach the backend as one. The Lambda authorizers deny it (design
 * rule 5); well-formed text, emoji included, still passes.
 */
import { resolveIdentity } from "../../functions/commons";
import { createHandler as createRestHandler } from "../../functions/rest-authorizer";
import { HS256_SECRET } from "../helpers/keys";
import { claims, craftToken } from "../helpers/tokens";
import { hs256Authorizer, hs256Settings } from "../helpers/authorizer";

const SETTINGS = hs256Settings({ contextClaims: { plan: "plan" } });

const authorizer = hs256Authorizer(SETTINGS);

/** A signed token; craftToken's JSON.stringify writes a lone surrogate as a "\udXXX" escape. */
const token = (overrides: Record<string, unknown>) =>
  craftToken({ alg: "HS256", typ: "JWT" }, claims(overrides), { hmacKey: HS256_SECRET });

test("two customer ids that differ only in a lone surrogate would collapse into one header value", () => {
  // The premise: this is what UTF-8 encoding (a header on the wire) makes of them.
  const wire = (s: string) => Buffer.from(s, "utf8").toString("utf8");
  expect(wire("cust-\ud800")).toBe(wire("cust-\udc00"));
});

test.each([
  ["the customer id (high surrogate)", { customer_id: "cust-\ud800" }, "customer_id"],
  ["the customer id (low surrogate)", { customer_id: "\udc00cust" }, "customer_id"],
  ["the customer name", { customer_name: "Acme\ud83d" }, "customer_name"],
  ["an extra context claim", { plan: "pro\udfff" }, "plan"],
  ["the sub used as the id", { customer_id: undefined, sub: "u\ud800" }, "sub"],
])("a lone surrogate in %s is denied, naming the claim", async (_what, overrides, path) => {
  const result = await authorizer.authorize(token(overrides));

  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.reason.code).toBe("IDENTITY_CLAIM_INVALID");
    expect(result.reason.message).toBe(`Claim "${path}" is not valid Unicode text.`);
  }
});

test("well-formed text outside the BMP (a surrogate pair) is still accepted", () => {
  expect(
    resolveIdentity({ customer_id: "🦔-42", customer_name: "Ёжик 🦔", plan: "山田" }, SETTINGS),
  ).toEqual({ customerId: "🦔-42", customerName: "Ёжик 🦔", extra: { plan: "山田" } });
});

test("the REST authorizer answers Unauthorized (401), not a policy, for a lone-surrogate sub", async () => {
  const handler = createRestHandler({
    getAuthorizer: () => authorizer,
    logger: { decision: () => undefined },
  });
  const event = {
    type: "TOKEN" as const,
    authorizationToken: `Bearer ${token({ sub: "\ud800", metadata: { role: "admin" } })}`,
    methodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/items",
  };

  await expect(handler(event)).rejects.toThrow(/^Unauthorized$/);
});
