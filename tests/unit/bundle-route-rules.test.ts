/**
 * The BUILT http-authorizer bundle with a route table (ROUTE_RULES, ROLE_CLAIM in its environment,
 * as the program deploys it): the rule of the event's routeKey decides, ROUTE_NOT_ALLOWED is
 * logged. Its own file: the bundle reads its environment once per module instance, and each Jest
 * test file has its own module registry.
 */
import { authorizerEnv } from "../helpers/env";
import { httpAuthorizerEvent } from "../helpers/events";
import { loadBuiltHttpAuthorizer, type BuiltHttpHandler } from "../helpers/http-bundle";
import { HS256_SECRET } from "../helpers/keys";
import { useFakeSecretsManager, setSecretStages } from "../helpers/secrets-manager";
import { claims, signWithJsonwebtoken } from "../helpers/tokens";

const sm = useFakeSecretsManager();
let restoreEnv: () => void = () => undefined;
let handler: BuiltHttpHandler;

beforeAll(() => {
  setSecretStages(sm, { current: HS256_SECRET });
  ({ handler, restoreEnv } = loadBuiltHttpAuthorizer(
    authorizerEnv("secret", {
      ROLE_CLAIM: "metadata.role",
      ROUTE_RULES: JSON.stringify([
        "GET /health public",
        "ANY /admin/{proxy+} roles=admin",
        "GET /orders/{proxy+} scopes=orders:read",
        "ANY /{proxy+} authenticated",
      ]),
    }),
  ));
});

afterAll(() => restoreEnv());

function eventFor(routeKey: string, extra: Record<string, unknown>) {
  const token = signWithJsonwebtoken(claims(extra), { alg: "HS256", secret: HS256_SECRET });
  const event = httpAuthorizerEvent(`Bearer ${token}`);
  event.routeKey = routeKey;
  event.requestContext.routeKey = routeKey;
  return event;
}

test.each<[string, Record<string, unknown>, boolean]>([
  ["ANY /admin/{proxy+}", { metadata: { role: "admin" } }, true],
  ["ANY /admin/{proxy+}", { metadata: { role: "viewer" } }, false],
  ["GET /orders/{proxy+}", { scope: "orders:read" }, true],
  ["GET /orders/{proxy+}", { metadata: { role: "admin" } }, false],
  ["ANY /{proxy+}", {}, true],
  ["PUT /not-in-the-table", { metadata: { role: "admin" }, scope: "orders:read" }, false],
])("%s with %j: allowed %s", async (routeKey, extra, allowed) => {
  // Prepare: the bundle batches its decision lines into one stdout write after the tick.
  const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);

  try {
    // Act
    const result = await handler(eventFor(routeKey, extra));
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(result.isAuthorized).toBe(allowed);
    const logged = write.mock.calls.map((c) => String(c[0])).join("");
    expect(logged).toContain(`"reason":"${allowed ? "ok" : "ROUTE_NOT_ALLOWED"}"`);
    expect(logged).toContain(`"route":${JSON.stringify(routeKey)}`);
  } finally {
    write.mockRestore();
  }
});
