/**
 * The REST TOKEN authorizer handler, end to end in-process: real RS256 tokens from two libraries,
 * captured TOKEN events, the real core with the real Secrets Manager client against a fake
 * endpoint on 127.0.0.1. Expected outcomes come from aws-semantics.md §4.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import fc from "fast-check";
import { inspect } from "node:util";
import {
  ConfigurationError,
  createAuthorizer,
  createDecisionLogger,
  ENV,
  readSettings,
  type Authorizer,
} from "../../functions/commons";
import { createHandler, handler as deployedHandler } from "../../functions/rest-authorizer";
import { authorizerEnv, setAuthorizerEnv } from "../helpers/env";
import { fakeFetch } from "../helpers/fetch";
import { loadEvent } from "../helpers/events";
import { HS256_SECRET, jwksOf, rsaKey } from "../helpers/keys";
import { invokePolicy } from "../helpers/policy";
import {
  getSecretCalls,
  useFakeSecretsManager,
  serviceError,
  setSecretStages,
} from "../helpers/secrets-manager";
import {
  claims,
  craftToken,
  epoch,
  signWithJose,
  SIGNING_LIBRARIES,
  TEST_ISSUER,
  type Signer,
} from "../helpers/tokens";
import { EXAMPLE_ROUTES as EXAMPLE } from "../helpers/routes";

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const FROZEN = new Date("2030-01-01T00:00:00Z");
const KEY = rsaKey("primary");
const OTHER_KEY = rsaKey("attacker");
const SIGNER: Signer = { alg: "RS256", privateKey: KEY.privateKey, kid: KEY.kid };
const WRONG_SIGNER: Signer = { alg: "RS256", privateKey: OTHER_KEY.privateKey, kid: KEY.kid };

/** The captured TOKEN events the brief names; each keeps its own methodArn. */
const TOKEN_EVENTS = [
  "powertools-ts__apigw-rest__authorizer-token",
  "aws-lambda-go__apigw-custom-auth-request",
  "awsdocs__api-gateway-lambda-authorizer-input__token-event",
  "powertools-python__apiGatewayAuthorizerTokenEvent",
] as const;

/** A captured TOKEN event with `token` in place of the captured one (prefix kept, if it had one). */
function tokenEvent(
  token: string | undefined,
  fixture: (typeof TOKEN_EVENTS)[number] = TOKEN_EVENTS[0],
): APIGatewayTokenAuthorizerEvent {
  const event = loadEvent<APIGatewayTokenAuthorizerEvent>(fixture);
  const captured = event.authorizationToken;
  (event as { authorizationToken?: string }).authorizationToken =
    token === undefined ? undefined : /^bearer /i.test(captured) ? `Bearer ${token}` : token;
  return event;
}

/** An event for an arbitrary methodArn, with the token as an Authorization header value. */
function eventFor(methodArn: string, authorizationToken: string): APIGatewayTokenAuthorizerEvent {
  return { type: "TOKEN", methodArn, authorizationToken };
}

/** The environment: RS256 public key from Secrets Manager, role metadata.role ∈ [admin, ops]. */
const ENV_OVERRIDES = {
  CONTEXT_CLAIMS: JSON.stringify({ plan: "metadata.plan", org_verified: "org.verified" }),
  ROLE_CLAIM: "metadata.role",
  REQUIRED_ROLES: JSON.stringify(["admin", "ops"]),
};

/** Claims of a caller holding `role` (anything: the role checks need odd shapes). */
function callerClaims(role: unknown = "admin", extra: Record<string, unknown> = {}) {
  return claims({ metadata: { role, plan: "gold" }, org: { verified: true }, ...extra });
}

/** The stage-wide Resource a policy for `methodArn` must carry. */
function stageWildcard(methodArn: string): string {
  const [prefix, stage] = methodArn.split("/");
  return `${prefix}/${stage}/*/*`;
}

/** Asserts the exact failure API Gateway maps to 401. */
async function expectUnauthorized(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toThrow(new Error("Unauthorized"));
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toBe("Unauthorized");
  expect((err as Error).name).toBe("Error");
  expect(Object.getPrototypeOf(err)).toBe(Error.prototype);
}

/** Matches a policy Resource the way IAM does (`*` any run of characters, `?` one character). */
function resourceMatches(pattern: string, methodArn: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(methodArn);
}

const sm = useFakeSecretsManager();
let logLines: Record<string, unknown>[];
let rawLog: string[];

/** A fresh handler (its own authorizer and key cache) over `env`, logging into `logLines`. */
function makeHandler(
  env: Record<string, string> = authorizerEnv("public-key", ENV_OVERRIDES),
  deps: Parameters<typeof createAuthorizer>[1] = {},
) {
  let authorizer: Authorizer | undefined;
  return createHandler({
    getAuthorizer: () => (authorizer ??= createAuthorizer(readSettings(env), deps)),
    logger: createDecisionLogger((line) => {
      rawLog.push(line);
      logLines.push(JSON.parse(line) as Record<string, unknown>);
    }),
  });
}

beforeAll(() => {
  // Nothing here may reach the network: the key source is Secrets Manager (the loopback fake); fetch is
  // only used by the JWKS source, which these tests do not configure.
  jest.spyOn(globalThis, "fetch").mockRejectedValue(new Error("network access in a unit test"));
});

beforeEach(() => {
  jest.useFakeTimers({ now: FROZEN });
  sm.reset();
  setSecretStages(sm, { current: KEY.publicPem });
  logLines = [];
  rawLog = [];
});

afterEach(() => {
  jest.useRealTimers();
});

afterAll(() => {
  jest.restoreAllMocks();
});

test("warm, the policy is settled when the handler returns (no await of a settled Promise); cold, it waits for the key", async () => {
  const handler = makeHandler();
  const event = tokenEvent(await signWithJose(callerClaims("admin"), SIGNER));
  const state = (p: Promise<unknown>) => (inspect(p).includes("<pending>") ? "pending" : "settled");

  const cold = handler(event); // reads the public key from Secrets Manager
  expect(state(cold)).toBe("pending");
  expect(await cold).toMatchObject({ policyDocument: { Statement: [{ Effect: "Allow" }] } });

  const warm = handler(event);
  expect(state(warm)).toBe("settled");
  expect(await warm).toMatchObject({ policyDocument: { Statement: [{ Effect: "Allow" }] } });
  const refused = handler(tokenEvent("not-a-jwt"));
  expect(state(refused)).toBe("settled");
  await expectUnauthorized(refused);
});

// ---------------------------------------------------------------------------------------------
// Allow
// ---------------------------------------------------------------------------------------------

describe("Allow", () => {
  const cases = SIGNING_LIBRARIES.flatMap(([lib, sign]) =>
    TOKEN_EVENTS.map((fixture) => [lib, fixture, sign] as const),
  );

  test.each(cases)(
    "%s token, event %s → stage-wide Allow with flat context",
    async (_lib, fixture, sign) => {
      // Prepare
      const handler = makeHandler();
      const token = await sign(callerClaims("admin"), SIGNER);
      const event = tokenEvent(token, fixture);

      // Act
      const result = await handler(event);

      // Assess
      expect(result).toEqual({
        principalId: "user-123",
        policyDocument: invokePolicy("Allow", stageWildcard(event.methodArn)),
        context: {
          customerId: "cust-42",
          customerName: "Acme Corp",
          role: "admin",
          plan: "gold",
          org_verified: "true",
        },
      });
    },
  );

  test.each([["Bearer "], ["bearer "], ["BEARER "], ["Bearer    "], [""]])(
    "authorizationToken %j + token is accepted",
    async (prefix) => {
      // Prepare
      const handler = makeHandler();
      const token = await signWithJose(callerClaims(), SIGNER);

      // Act
      const result = await handler(eventFor(tokenEvent("x").methodArn, `${prefix}${token}`));

      // Assess
      expect(result.policyDocument.Statement[0].Effect).toBe("Allow");
    },
  );

  test.each([
    ["a string", "ops", "ops"],
    ["an array holding one", ["viewer", "ops"], "ops"],
    ["an array holding both (config order wins)", ["ops", "admin"], "admin"],
  ])("role as %s → Allow with role %s", async (_name, role, expected) => {
    // Prepare
    const handler = makeHandler();
    const token = await signWithJose(callerClaims(role), SIGNER);

    // Act
    const result = await handler(tokenEvent(token));

    // Assess
    expect(result.policyDocument.Statement[0].Effect).toBe("Allow");
    expect(result.context?.role).toBe(expected);
  });

  test("principalId falls back to the customer id when there is no sub", async () => {
    // Prepare
    const handler = makeHandler();
    const token = await signWithJose(callerClaims("admin", { sub: undefined }), SIGNER);

    // Act
    const result = await handler(tokenEvent(token));

    // Assess
    expect(result.principalId).toBe("cust-42");
    expect(result.context?.customerId).toBe("cust-42");
  });

  test("an absent optional context claim is present as an empty string", async () => {
    // Prepare: the stack maps every context key to a header; a missing key would map to nothing.
    const handler = makeHandler();
    const token = await signWithJose(claims({ metadata: { role: "admin" } }), SIGNER);

    // Act
    const result = await handler(tokenEvent(token));

    // Assess
    expect(result.context).toEqual({
      customerId: "cust-42",
      customerName: "Acme Corp",
      role: "admin",
      plan: "",
      org_verified: "",
    });
  });

  test("customerName falls back to the customer id", async () => {
    const handler = makeHandler();
    const token = await signWithJose(callerClaims("admin", { customer_name: undefined }), SIGNER);

    const result = await handler(tokenEvent(token));

    expect(result.context?.customerName).toBe("cust-42");
  });

  test("an exp within the clock tolerance is still accepted", async () => {
    const handler = makeHandler();
    const token = await signWithJose(callerClaims("admin", { exp: epoch() - 3 }), SIGNER);

    const result = await handler(tokenEvent(token));

    expect(result.policyDocument.Statement[0].Effect).toBe("Allow");
  });
});

// ---------------------------------------------------------------------------------------------
// Cache-safe Resource
// ---------------------------------------------------------------------------------------------

describe("the Resource is the stage wildcard, whatever methodArn was", () => {
  const API = "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9";
  const methodArns = [
    `${API}/prod/GET/`,
    `${API}/prod/POST/lambda-token`,
    `${API}/prod/DELETE/pets/42`,
    `${API}/prod/PUT/a/b/c`,
    `${API}/prod/OPTIONS/`,
    `${API}/prod/PATCH/items/urn:thing:1`,
    `${API}/dev_2-x/GET/health`,
    `${API}/*/GET/`,
  ];

  test.each(methodArns)("Allow for %s", async (methodArn) => {
    // Prepare
    const handler = makeHandler();
    const token = await signWithJose(callerClaims(), SIGNER);

    // Act
    const result = await handler(eventFor(methodArn, `Bearer ${token}`));

    // Assess
    const resource = result.policyDocument.Statement[0] as { Resource: string };
    expect(resource.Resource).toBe(stageWildcard(methodArn));
    expect(resource.Resource).not.toBe(methodArn);
    expect(resource.Resource.length).toBeLessThanOrEqual(512);
  });

  test.each(methodArns)("explicit Deny for %s also covers the whole stage", async (methodArn) => {
    // Prepare
    const handler = makeHandler();
    const token = await signWithJose(callerClaims("viewer"), SIGNER);

    // Act
    const result = await handler(eventFor(methodArn, `Bearer ${token}`));

    // Assess
    expect(result.policyDocument.Statement).toEqual([
      { Action: "execute-api:Invoke", Effect: "Deny", Resource: stageWildcard(methodArn) },
    ]);
  });

  test("a policy cached from the first call allows the same token's other methods, and no other stage", async () => {
    // Prepare: API Gateway caches the first answer per token and reuses it for every method.
    const handler = makeHandler();
    const token = await signWithJose(callerClaims(), SIGNER);
    const first = await handler(eventFor(`${API}/prod/GET/`, `Bearer ${token}`));
    const { Resource } = first.policyDocument.Statement[0] as { Resource: string };

    // Act + Assess
    for (const later of methodArns.filter((a) => a.includes("/prod/"))) {
      expect(resourceMatches(Resource, later)).toBe(true);
    }
    expect(resourceMatches(Resource, `${API}/staging/GET/`)).toBe(false);
    expect(resourceMatches(Resource, `${API.replace("puhdx84jy9", "otherapi01")}/prod/GET/`)).toBe(
      false,
    );
  });

  test.each([
    ["empty", ""],
    ["not an ARN", "not-an-arn"],
    ["another service", "arn:aws:lambda:eu-west-1:123456789012:function:f"],
    ["no stage", `${API}`],
    ["no method", `${API}/prod`],
    ["CR/LF", `${API}/prod/GET/\r\nx`],
    ["a stage too long for a 512-char Resource", `${API}/${"s".repeat(500)}/GET/`],
  ])("malformed methodArn (%s) → Unauthorized, not a crash", async (_name, methodArn) => {
    // Prepare
    const handler = makeHandler();
    const token = await signWithJose(callerClaims(), SIGNER);

    // Act + Assess
    await expectUnauthorized(handler(eventFor(methodArn, `Bearer ${token}`)));
    expect(logLines).toEqual([expect.objectContaining({ reason: "METHOD_ARN_INVALID" })]);
  });

  test("methodArn missing altogether → Unauthorized", async () => {
    const handler = makeHandler();
    const token = await signWithJose(callerClaims(), SIGNER);
    const event = { type: "TOKEN", authorizationToken: `Bearer ${token}` };

    await expectUnauthorized(handler(event as APIGatewayTokenAuthorizerEvent));
  });
});

// ---------------------------------------------------------------------------------------------
// Explicit Deny by role
// ---------------------------------------------------------------------------------------------

describe("explicit Deny (403) for a valid token without a required role", () => {
  const noRole = Symbol("no role");
  test.each([
    ["role missing", noRole],
    ["wrong role", "viewer"],
    ["a different case", "Admin"],
    ["role array without a required one", ["viewer", "guest"]],
    ["empty role array", []],
    ["role array holding a non-string", ["admin", 7]],
    ["role as object", { name: "admin" }],
    ["role as object keyed by role", { admin: true }],
    ["role as number", 1],
    ["role as boolean", true],
    ["role null", null],
  ])("%s", async (_name, role) => {
    // Prepare
    const handler = makeHandler();
    const payload =
      role === noRole ? claims({ metadata: { plan: "gold" } }) : callerClaims(role as unknown);
    const token = await signWithJose(payload, SIGNER);
    const event = tokenEvent(token);

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual({
      principalId: "user-123",
      policyDocument: invokePolicy("Deny", stageWildcard(event.methodArn)),
    });
    expect(logLines).toEqual([
      expect.objectContaining({ decision: "deny", reason: "ROLE_MISSING", customerId: "cust-42" }),
    ]);
  });

  test("metadata itself not an object → Deny", async () => {
    const handler = makeHandler();
    const token = await signWithJose(claims({ metadata: "admin" }), SIGNER);

    const result = await handler(tokenEvent(token));

    expect(result.policyDocument.Statement[0].Effect).toBe("Deny");
  });

  test("a custom ROLE_CLAIM path is honoured", async () => {
    // Prepare
    const env = authorizerEnv("public-key", {
      ROLE_CLAIM: "realm_access.roles",
      REQUIRED_ROLES: JSON.stringify(["billing"]),
    });
    const handler = makeHandler(env);
    const allowed = await signWithJose(claims({ realm_access: { roles: ["billing"] } }), SIGNER);
    const denied = await signWithJose(claims({ metadata: { role: "billing" } }), SIGNER);

    // Act
    const allow = await handler(tokenEvent(allowed));
    const deny = await handler(tokenEvent(denied));

    // Assess
    expect(allow.policyDocument.Statement[0].Effect).toBe("Allow");
    expect(allow.context?.role).toBe("billing");
    expect(deny.policyDocument.Statement[0].Effect).toBe("Deny");
  });
});

// ---------------------------------------------------------------------------------------------
// Unauthorized
// ---------------------------------------------------------------------------------------------

describe("Unauthorized (401) for every token that cannot be accepted", () => {
  const hostile: [string, () => Promise<string | undefined>][] = [
    ["expired", () => signWithJose(callerClaims("admin", { exp: epoch() - 60 }), SIGNER)],
    ["exp missing", () => signWithJose(callerClaims("admin", { exp: undefined }), SIGNER)],
    [
      "nbf in the future",
      () => signWithJose(callerClaims("admin", { nbf: epoch() + 600 }), SIGNER),
    ],
    [
      "iat in the future",
      () => signWithJose(callerClaims("admin", { iat: epoch() + 600 }), SIGNER),
    ],
    [
      "wrong issuer",
      () => signWithJose(callerClaims("admin", { iss: "https://evil.example" }), SIGNER),
    ],
    [
      "issuer with a trailing slash",
      () => signWithJose(callerClaims("admin", { iss: `${TEST_ISSUER}/` }), SIGNER),
    ],
    ["wrong audience", () => signWithJose(callerClaims("admin", { aud: "someone-else" }), SIGNER)],
    ["no audience", () => signWithJose(callerClaims("admin", { aud: undefined }), SIGNER)],
    ["wrong key (jose)", () => signWithJose(callerClaims(), WRONG_SIGNER)],
    ["wrong key (jsonwebtoken)", () => SIGNING_LIBRARIES[0][1](callerClaims(), WRONG_SIGNER)],
    [
      "alg none",
      async () => craftToken({ alg: "none", typ: "JWT" }, callerClaims(), { none: true }),
    ],
    [
      "alg none (jose UnsecuredJWT)",
      async () => {
        const { loadJose } = await import("../helpers/jose");
        return new (loadJose().UnsecuredJWT)(callerClaims()).encode();
      },
    ],
    [
      "HS256 keyed with the public key PEM (alg confusion)",
      async () =>
        craftToken({ alg: "HS256", typ: "JWT" }, callerClaims(), { hmacKey: KEY.publicPem }),
    ],
    [
      "HS256 keyed with the public key PEM via jose",
      () => signWithJose(callerClaims(), { alg: "HS256", secret: Buffer.from(KEY.publicPem) }),
    ],
    [
      "embedded jwk of the attacker's key",
      async () =>
        craftToken({ alg: "RS256", jwk: OTHER_KEY.publicJwk }, callerClaims(), {
          rsaKey: OTHER_KEY.privateKey,
        }),
    ],
    [
      "a valid signature with a tampered payload",
      async () => {
        const [h, , s] = (await signWithJose(callerClaims("viewer"), SIGNER)).split(".");
        const p = Buffer.from(JSON.stringify(callerClaims("admin"))).toString("base64url");
        return `${h}.${p}.${s}`;
      },
    ],
    ["garbage", async () => "garbage"],
    ["three garbage segments", async () => "a.b.c"],
    [
      "a non-JSON payload",
      async () => craftToken({ alg: "RS256" }, "not json", { rsaKey: KEY.privateKey }),
    ],
    [
      "an array payload",
      async () => craftToken({ alg: "RS256" }, [1, 2], { rsaKey: KEY.privateKey }),
    ],
    ["empty", async () => ""],
    ["whitespace", async () => "   "],
    ["two tokens", async () => `${await signWithJose(callerClaims(), SIGNER)} extra`],
    ["undefined", async () => undefined],
    [
      "missing identity claim",
      () =>
        signWithJose(
          callerClaims("admin", { sub: undefined, customer_id: undefined, tenant_id: undefined }),
          SIGNER,
        ),
    ],
    [
      "identity claim as object",
      () => signWithJose(callerClaims("admin", { customer_id: { id: 1 } }), SIGNER),
    ],
    [
      "identity claim as array",
      () => signWithJose(callerClaims("admin", { customer_id: ["a"] }), SIGNER),
    ],
    [
      "CR/LF in identity claim",
      () => signWithJose(callerClaims("admin", { customer_id: "a\r\nX-Admin: 1" }), SIGNER),
    ],
    [
      "LF in customer name",
      () => signWithJose(callerClaims("admin", { customer_name: "Acme\nCorp" }), SIGNER),
    ],
    [
      "NUL in identity claim",
      () => signWithJose(callerClaims("admin", { customer_id: "a\u0000b" }), SIGNER),
    ],
    [
      "identity claim too long",
      () => signWithJose(callerClaims("admin", { customer_id: "x".repeat(257) }), SIGNER),
    ],
    [
      "CR/LF in sub (the principalId)",
      () => signWithJose(callerClaims("admin", { sub: "u\r\nx" }), SIGNER),
    ],
    [
      "mapped context claim as object",
      () =>
        signWithJose(
          callerClaims("admin", { metadata: { role: "admin", plan: { tier: 1 } } }),
          SIGNER,
        ),
    ],
  ];

  test.each(hostile)("%s", async (_name, mint) => {
    // Prepare
    const handler = makeHandler();
    const token = await mint();
    const event = tokenEvent("placeholder");
    (event as { authorizationToken?: string }).authorizationToken =
      token === undefined ? undefined : `Bearer ${token}`;

    // Act + Assess
    await expectUnauthorized(handler(event));
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toMatchObject({ decision: "deny" });
    expect(logLines[0].reason).toMatch(/^[A-Z_]+$/);
  });

  test.each(SIGNING_LIBRARIES)(
    "%s: an expired bare token (no Bearer prefix) fails too",
    async (_lib, sign) => {
      const handler = makeHandler();
      const expired = await sign(callerClaims("admin", { exp: epoch() - 60 }), SIGNER);

      await expectUnauthorized(handler(tokenEvent(expired, TOKEN_EVENTS[1])));
    },
  );

  test("expiry follows the clock: the same token allows, then fails once exp passes", async () => {
    // Prepare
    const handler = makeHandler();
    const token = await signWithJose(callerClaims("admin", { exp: epoch() + 60 }), SIGNER);
    const allowed = await handler(tokenEvent(token));

    // Act
    jest.setSystemTime(FROZEN.getTime() + 120_000);

    // Assess
    expect(allowed.policyDocument.Statement[0].Effect).toBe("Allow");
    await expectUnauthorized(handler(tokenEvent(token)));
  });
});

// ---------------------------------------------------------------------------------------------
// Key source failures
// ---------------------------------------------------------------------------------------------

describe("Secrets Manager unavailable", () => {
  test("→ Unauthorized (fail closed), logged as KEY_SOURCE_UNAVAILABLE, and recovers", async () => {
    // Prepare
    setSecretStages(sm, { current: serviceError(), previous: serviceError() });
    const handler = makeHandler();
    const token = await signWithJose(callerClaims(), SIGNER);

    // Act + Assess: down
    await expectUnauthorized(handler(tokenEvent(token)));
    expect(logLines[0]).toMatchObject({
      level: "error",
      decision: "deny",
      reason: "KEY_SOURCE_UNAVAILABLE",
    });
    expect(String(logLines[0].detail)).toContain("InternalServiceError");

    // Act + Assess: back, after the core's retry backoff
    sm.reset();
    setSecretStages(sm, { current: KEY.publicPem });
    jest.setSystemTime(FROZEN.getTime() + 11_000);
    const token2 = await signWithJose(callerClaims(), SIGNER);
    const result = await handler(tokenEvent(token2));
    expect(result.policyDocument.Statement[0].Effect).toBe("Allow");
  });

  test.each([
    ["not a PEM", "hello"],
    ["empty", ""],
  ])("a secret that is %s → Unauthorized", async (_name, secret) => {
    setSecretStages(sm, { current: secret });
    const handler = makeHandler();
    const token = await signWithJose(callerClaims(), SIGNER);

    await expectUnauthorized(handler(tokenEvent(token)));
    expect(logLines[0]).toMatchObject({ reason: "KEY_SOURCE_UNAVAILABLE" });
  });

  test("the key is read once and cached across requests", async () => {
    const handler = makeHandler();
    for (let i = 0; i < 5; i++) {
      await handler(tokenEvent(await signWithJose(callerClaims(), SIGNER)));
    }

    expect(getSecretCalls(sm, "AWSCURRENT")).toBe(1);
  });
});

describe("other key sources", () => {
  const JWKS_URI = "https://issuer.test.example/.well-known/jwks.json";

  test("JWKS: allow, then the JWKS endpoint down → Unauthorized (fail closed)", async () => {
    // Prepare
    const fetcher = fakeFetch({ [JWKS_URI]: () => jwksOf(KEY) });
    const env = authorizerEnv("jwks", { ...ENV_OVERRIDES, JWKS_URI });
    const token = await signWithJose(callerClaims(), SIGNER);

    // Act + Assess: up
    const up = await makeHandler(env, { fetch: fetcher.fetch })(tokenEvent(token));
    expect(up.policyDocument.Statement[0].Effect).toBe("Allow");

    // Act + Assess: a cold container while the endpoint is down
    fetcher.routes.set(JWKS_URI, () => {
      throw new TypeError("fetch failed");
    });
    await expectUnauthorized(makeHandler(env, { fetch: fetcher.fetch })(tokenEvent(token)));
    expect(logLines.at(-1)).toMatchObject({ reason: "KEY_SOURCE_UNAVAILABLE", level: "error" });
  });

  test("HS256 secret: allow; an RS256 token is refused (algorithm pinned per key source)", async () => {
    // Prepare
    setSecretStages(sm, { current: HS256_SECRET });
    const handler = makeHandler(authorizerEnv("secret", ENV_OVERRIDES));
    const hs = await signWithJose(callerClaims(), { alg: "HS256", secret: HS256_SECRET });
    const rs = await signWithJose(callerClaims(), SIGNER);

    // Act
    const allowed = await handler(tokenEvent(hs));

    // Assess
    expect(allowed.policyDocument.Statement[0].Effect).toBe("Allow");
    await expectUnauthorized(handler(tokenEvent(rs)));
    expect(logLines.at(-1)).toMatchObject({ reason: "ALG_NOT_ALLOWED" });
  });
});

// ---------------------------------------------------------------------------------------------
// Flat context (property)
// ---------------------------------------------------------------------------------------------

describe("context values are always flat", () => {
  /** JSON values of every shape, as a token's claims can hold. */
  const json = fc.jsonValue({ maxDepth: 3 });
  const claimKeys = fc.constantFrom(
    "sub",
    "customer_id",
    "tenant_id",
    "customer_name",
    "name",
    "metadata",
    "org",
    "role",
    "__proto__",
    "constructor",
  );

  test("property: arbitrary claims → exactly Unauthorized, or a policy with a flat context", async () => {
    const handler = makeHandler();
    const outcomes = { allow: 0, deny: 0, unauthorized: 0 };

    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.oneof(claimKeys, fc.string()), json, { maxKeys: 6 }),
        fc.record(
          {
            role: fc.oneof(
              fc.constantFrom("admin", "ops", "viewer"),
              fc.array(fc.oneof(fc.constantFrom("admin", "ops", "viewer"), json), { maxLength: 3 }),
              json,
            ),
            plan: fc.oneof(fc.string(), json),
          },
          { requiredKeys: [] },
        ),
        async (top, metadata) => {
          // Prepare: a valid envelope around arbitrary identity, role and context claims.
          const payload: Record<string, unknown> = { ...callerClaims(), metadata };
          for (const [k, v] of Object.entries(top)) {
            if (!["iss", "aud", "exp", "iat", "nbf"].includes(k)) payload[k] = v;
          }
          const token = await signWithJose(JSON.parse(JSON.stringify(payload)), SIGNER);

          // Act
          let result: APIGatewayAuthorizerResult | undefined;
          try {
            result = await handler(tokenEvent(token));
          } catch (err) {
            // Assess: the only failure is exactly Unauthorized.
            expect(err).toBeInstanceOf(Error);
            expect((err as Error).message).toBe("Unauthorized");
            outcomes.unauthorized++;
            return;
          }

          // Assess: a policy over the stage; context values flat and header-safe.
          const stmt = result.policyDocument.Statement[0] as { Effect: string; Resource: string };
          expect(stmt.Resource).toBe(stageWildcard(tokenEvent("x").methodArn));
          expect(typeof result.principalId).toBe("string");
          if (stmt.Effect === "Deny") outcomes.deny++;
          else outcomes.allow++;
          for (const value of Object.values(result.context ?? {})) {
            expect(["string", "number", "boolean"]).toContain(typeof value);
            // eslint-disable-next-line no-control-regex
            if (typeof value === "string") expect(value).not.toMatch(/[\u0000-\u001f\u007f]/);
          }
          if (stmt.Effect === "Allow") {
            expect(["admin", "ops"]).toContain(result.context?.role);
          }
        },
      ),
      { numRuns: 150 },
    );

    // The generator must exercise every outcome, or the property proves little.
    expect(outcomes.allow).toBeGreaterThan(0);
    expect(outcomes.deny).toBeGreaterThan(0);
    expect(outcomes.unauthorized).toBeGreaterThan(0);
  });

  test("a claim holding an object never reaches the context", async () => {
    // Prepare: `metadata` is an object; only the mapped leaf paths may appear.
    const handler = makeHandler();
    const token = await signWithJose(callerClaims("admin"), SIGNER);

    // Act
    const result = await handler(tokenEvent(token));

    // Assess
    expect(Object.keys(result.context ?? {}).sort()).toEqual(
      ["customerId", "customerName", "org_verified", "plan", "role"].sort(),
    );
    for (const value of Object.values(result.context ?? {})) {
      expect(typeof value).toBe("string");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Logging
// ---------------------------------------------------------------------------------------------

describe("decision log", () => {
  test("one JSON line per decision, none holding the token", async () => {
    // Prepare
    const handler = makeHandler();
    const allowToken = await signWithJose(callerClaims("admin"), SIGNER);
    const denyToken = await signWithJose(callerClaims("viewer"), SIGNER);
    const badToken = await signWithJose(callerClaims("admin", { exp: epoch() - 60 }), SIGNER);
    const event = tokenEvent("x");

    // Act
    await handler(tokenEvent(allowToken));
    await handler(tokenEvent(denyToken));
    await handler(tokenEvent(badToken)).catch(() => undefined);

    // Assess
    expect(logLines).toEqual([
      expect.objectContaining({
        decision: "allow",
        reason: "ok",
        customerId: "cust-42",
        route: event.methodArn,
      }),
      expect.objectContaining({ decision: "deny", reason: "ROLE_MISSING", customerId: "cust-42" }),
      expect.objectContaining({ decision: "deny", reason: "TOKEN_EXPIRED" }),
    ]);
    expect(rawLog.every((line) => line.endsWith("\n") && !line.slice(0, -1).includes("\n"))).toBe(
      true,
    );
    for (const token of [allowToken, denyToken, badToken]) {
      for (const part of token.split(".")) {
        expect(rawLog.join("")).not.toContain(part);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Configuration and the deployed handler
// ---------------------------------------------------------------------------------------------

describe("configuration", () => {
  test.each([
    ["REQUIRED_ROLES not JSON", { REQUIRED_ROLES: "admin" }],
    ["REQUIRED_ROLES empty", { REQUIRED_ROLES: "[]" }],
    ["ROLE_CLAIM not a claim path", { ROLE_CLAIM: "metadata..role" }],
    ["ISSUER missing", { ISSUER: undefined }],
  ])("%s → ConfigurationError (500: a misdeployment must be loud)", async (_name, overrides) => {
    // Prepare
    const env = authorizerEnv("public-key", { ...ENV_OVERRIDES, ...overrides });
    const handler = makeHandler(env);
    const token = await signWithJose(callerClaims(), SIGNER);

    // Act + Assess
    await expect(handler(tokenEvent(token))).rejects.toThrow(ConfigurationError);
  });

  test("defaults: ROLE_CLAIM metadata.role, REQUIRED_ROLES [admin]", async () => {
    // Prepare
    const handler = makeHandler(authorizerEnv("public-key"));

    // Act
    const admin = await handler(tokenEvent(await signWithJose(callerClaims("admin"), SIGNER)));
    const ops = await handler(tokenEvent(await signWithJose(callerClaims("ops"), SIGNER)));

    // Assess
    expect(admin.policyDocument.Statement[0].Effect).toBe("Allow");
    expect(ops.policyDocument.Statement[0].Effect).toBe("Deny");
  });
});

describe("the exported handler", () => {
  let restoreEnv: () => void;

  beforeAll(() => {
    restoreEnv = setAuthorizerEnv(authorizerEnv("public-key", ENV_OVERRIDES));
    // The deployed logger writes to stdout; keep the test output clean.
    jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  });

  afterAll(() => restoreEnv());

  test("reads the environment once and answers allow, deny and Unauthorized", async () => {
    // Prepare
    const allow = await signWithJose(callerClaims("admin"), SIGNER);
    const deny = await signWithJose(callerClaims("viewer"), SIGNER);

    // Act
    const a = await deployedHandler(tokenEvent(allow));
    const d = await deployedHandler(tokenEvent(deny));
    process.env[ENV.REQUIRED_ROLES] = JSON.stringify(["viewer"]); // ignored: read at first call
    const d2 = await deployedHandler(tokenEvent(deny));

    // Assess
    expect(a.policyDocument.Statement[0].Effect).toBe("Allow");
    expect(d.policyDocument.Statement[0].Effect).toBe("Deny");
    expect(d2.policyDocument.Statement[0].Effect).toBe("Deny");
    await expectUnauthorized(deployedHandler(tokenEvent("garbage")));
    expect(getSecretCalls(sm, "AWSCURRENT")).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Per-route rules (ROUTE_RULES)
// ---------------------------------------------------------------------------------------------

describe("per-route rules (ROUTE_RULES): one policy right for every route", () => {
  const PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod";
  const withRoutes = (lines: readonly string[]) =>
    authorizerEnv("public-key", { ...ENV_OVERRIDES, ROUTE_RULES: JSON.stringify(lines) });

  /** Whether the (cached) policy lets `method path` through, with IAM's rule: Deny wins. */
  function allows(result: APIGatewayAuthorizerResult, method: string, path: string): boolean {
    const arn = `${PREFIX}/${method}/${path.replace(/^\//, "")}`;
    const hits = (effect: string) =>
      result.policyDocument.Statement.some(
        (s) =>
          s.Effect === effect &&
          [(s as { Resource: string | string[] }).Resource]
            .flat()
            .some((r) => resourceMatches(r, arn)),
      );
    return !hits("Deny") && hits("Allow");
  }

  test.each<[string, Record<string, unknown>, Record<string, boolean>]>([
    [
      "viewer with orders:read",
      { metadata: { role: "viewer" }, scope: "orders:read" },
      {
        "GET /orders/1": true,
        "GET /profile": true,
        "GET /admin/x": false,
        "GET /x/admin/y": true,
      },
    ],
    [
      "viewer without the scope",
      { metadata: { role: "viewer" } },
      {
        "GET /orders/1": false,
        "DELETE /me": true,
        "POST /admin/x": false,
        "GET /x/orders/1": true,
      },
    ],
    [
      "admin without the scope",
      { metadata: { role: "admin" } },
      { "GET /orders/1": false, "PUT /admin/a/b": true, "GET /profile": true },
    ],
  ])("%s: the policy for the first methodArn decides every route", async (_who, extra, want) => {
    // Prepare
    const handler = makeHandler(withRoutes(EXAMPLE));
    const token = await signWithJose(claims(extra), SIGNER);

    // Act: the methodArn of the call that fills the cache
    const result = await handler(eventFor(`${PREFIX}/GET/profile`, token));

    // Assess
    for (const [request, allowed] of Object.entries(want)) {
      const [method, path] = request.split(" ");
      expect([request, allows(result, method, path)]).toEqual([request, allowed]);
    }
    expect(result.context).toMatchObject({ customerId: "cust-42" });
  });

  test("a caller no route allows: explicit Deny of the whole stage, ROUTE_NOT_ALLOWED", async () => {
    // Prepare
    const handler = makeHandler(
      withRoutes([
        "GET /health public",
        "ANY /admin/{proxy+} roles=admin",
        "GET /orders/{proxy+} scopes=orders:read",
      ]),
    );
    const token = await signWithJose(claims({ metadata: { role: "viewer" } }), SIGNER);

    // Act
    const result = await handler(eventFor(`${PREFIX}/GET/orders/1`, token));

    // Assess
    expect(result).toEqual({
      principalId: "user-123",
      policyDocument: invokePolicy("Deny", `${PREFIX}/*/*`),
    });
    expect(logLines).toEqual([
      expect.objectContaining({ decision: "deny", reason: "ROUTE_NOT_ALLOWED" }),
    ]);
  });

  test("uniform rules keep today's shape: the stage wildcard, Allow or Deny", async () => {
    // Prepare
    const handler = makeHandler(withRoutes(["GET /health public", "ANY /{proxy+} scopes=api"]));
    const yes = await signWithJose(claims({ scope: "api other" }), SIGNER);
    const no = await signWithJose(claims({ scope: "other" }), SIGNER);

    // Act
    const allowed = await handler(eventFor(`${PREFIX}/GET/x`, yes));
    const denied = await handler(eventFor(`${PREFIX}/GET/x`, no));

    // Assess
    expect(allowed.policyDocument).toEqual(invokePolicy("Allow", `${PREFIX}/*/*`));
    expect(denied.policyDocument).toEqual(invokePolicy("Deny", `${PREFIX}/*/*`));
  });

  test("a bad token is still exactly Unauthorized", async () => {
    const handler = makeHandler(withRoutes(EXAMPLE));
    await expectUnauthorized(handler(eventFor(`${PREFIX}/GET/profile`, "garbage")));
  });
});
