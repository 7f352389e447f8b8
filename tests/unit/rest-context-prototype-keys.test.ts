/**
 * Review: REST TOKEN authorizer context keys that are also names every JavaScript object inherits.
 * A claim mapped under `constructor` or `toString` that is absent from the token must give "" in
 * the context like any other absent claim, not Object.prototype's function (a non-flat context,
 * which the handler refused, so every caller got 401).
 */
import { createHandler } from "../../functions/rest-authorizer";
import { HS256_SECRET } from "../helpers/keys";
import { claims, craftToken } from "../helpers/tokens";
import { hs256Authorizer, hs256Settings } from "../helpers/authorizer";

const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/items";

function handlerWith(contextClaims: Record<string, string>) {
  const authorizer = hs256Authorizer(hs256Settings({ contextClaims }));
  return createHandler({ getAuthorizer: () => authorizer, logger: { decision: () => undefined } });
}

// craftToken: jsonwebtoken itself cannot sign a payload with a `constructor` claim.
const admin = (extra: Record<string, unknown> = {}) =>
  craftToken({ alg: "HS256", typ: "JWT" }, claims({ metadata: { role: "admin" }, ...extra }), {
    hmacKey: HS256_SECRET,
  });

test.each(["constructor", "toString", "valueOf", "hasOwnProperty"])(
  "context key %s: absent claim → Allow with an empty string",
  async (key) => {
    const handler = handlerWith({ [key]: key, plan: "plan" });

    const result = await handler({
      type: "TOKEN",
      authorizationToken: `Bearer ${admin()}`,
      methodArn: METHOD_ARN,
    });

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: "Allow" });
    expect(Object.hasOwn(result.context!, key)).toBe(true);
    expect(result.context![key]).toBe("");
    expect(result.context!.plan).toBe("");
  },
);

test("context key constructor: a present claim is passed on", async () => {
  const handler = handlerWith({ constructor: "constructor" });

  const result = await handler({
    type: "TOKEN",
    authorizationToken: `Bearer ${admin({ constructor: "c-1" })}`,
    methodArn: METHOD_ARN,
  });

  expect(result.context).toMatchObject({ constructor: "c-1", customerId: "cust-42" });
});
