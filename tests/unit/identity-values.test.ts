/**
 * Review: identity values that two different tokens could share once they are a header, and
 * values that look like one customer while being another. Each is refused by both Lambda
 * authorizers with every key source (HS256 secret, RS256 PEM in Secrets Manager, RS256 JWKS):
 * - a number that is not a safe integer (beyond 2^53 two ids round to one; a fraction's text is
 *   not the issuer's) → IDENTITY_CLAIM_INVALID, in the identity and in extra claims alike;
 * - a header or payload that is not valid UTF-8 (invalid bytes would all become U+FFFD)
 *   → TOKEN_MALFORMED;
 * - bidirectional controls and zero-width characters in any value that becomes a header
 *   → IDENTITY_CLAIM_INVALID.
 * Tokens are really signed; the payload is written as raw JSON text or raw bytes where a library
 * would not produce it (an integer beyond 2^53, invalid UTF-8).
 */
import type { APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import {
  createAuthorizer,
  createDecisionLogger,
  readSettings,
  type Authorizer,
} from "../../functions/commons";
import type { GetSecretValueOutput } from "../../functions/commons/clients/secrets-manager";
import { createHandler as createHttpHandler } from "../../functions/http-authorizer";
import { createHandler as createRestHandler } from "../../functions/rest-authorizer";
import { authorizerEnv } from "../helpers/env";
import { httpAuthorizerEvent } from "../helpers/events";
import { fakeFetch } from "../helpers/fetch";
import { HS256_SECRET, jwksOf, rsaKey } from "../helpers/keys";
import { claims, craftToken } from "../helpers/tokens";

const RSA = rsaKey("identity-values");
const JWKS_URI = "https://issuer.test.example/jwks.json";
const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/items";

/** One key source: the authorizer environment, its dependencies, and how it signs. */
interface Source {
  readonly name: string;
  authorizer(): Authorizer;
  sign(header: unknown, payload: unknown): string;
}

const ENV_OVERRIDES = {
  CONTEXT_CLAIMS: JSON.stringify({ plan: "plan" }),
  ROLE_CLAIM: "role",
  REQUIRED_ROLES: JSON.stringify(["admin"]),
};

/** The JOSE header: `base` plus the case's fields, or the case's raw bytes as they are. */
const joseHeader = (base: Record<string, unknown>, header: unknown) =>
  Buffer.isBuffer(header) ? header : { ...base, ...(header as object) };

const secretsManager = (secret: string) => ({
  getSecretValue: async (): Promise<GetSecretValueOutput> => ({ SecretString: secret }),
});

const SOURCES: readonly Source[] = [
  {
    name: "secret (HS256)",
    authorizer: () =>
      createAuthorizer(readSettings(authorizerEnv("secret", ENV_OVERRIDES)), {
        secretsManager: secretsManager(HS256_SECRET),
      }),
    sign: (header, payload) =>
      craftToken(joseHeader({ alg: "HS256", typ: "JWT" }, header), payload, {
        hmacKey: HS256_SECRET,
      }),
  },
  {
    name: "public-key (RS256 PEM)",
    authorizer: () =>
      createAuthorizer(readSettings(authorizerEnv("public-key", ENV_OVERRIDES)), {
        secretsManager: secretsManager(RSA.publicPem),
      }),
    sign: (header, payload) =>
      craftToken(joseHeader({ alg: "RS256", typ: "JWT" }, header), payload, {
        rsaKey: RSA.privateKey,
      }),
  },
  {
    name: "jwks (RS256)",
    authorizer: () =>
      createAuthorizer(
        readSettings(authorizerEnv("jwks", { ...ENV_OVERRIDES, JWKS_URI: JWKS_URI })),
        { fetch: fakeFetch({ [JWKS_URI]: () => jwksOf(RSA) }).fetch },
      ),
    sign: (header, payload) =>
      craftToken(joseHeader({ alg: "RS256", typ: "JWT", kid: RSA.kid }, header), payload, {
        rsaKey: RSA.privateKey,
      }),
  },
];

/**
 * A valid claims set as JSON text, with `literals` spliced in verbatim: `{ customer_id: "9…3" }`
 * writes `"customer_id":9…3`, a number no JavaScript value can hold exactly.
 */
function rawJson(literals: Record<string, string>, overrides: Record<string, unknown> = {}) {
  const base: Record<string, unknown> = claims({ role: "admin", ...overrides });
  for (const key of Object.keys(literals)) base[key] = `@@${key}@@`;
  let text = JSON.stringify(base);
  for (const [key, literal] of Object.entries(literals)) {
    text = text.replace(`"@@${key}@@"`, literal);
  }
  return text;
}

/** A valid claims set as UTF-8 bytes whose `customer_id` is "cust-" followed by `bytes`. */
function rawBytes(bytes: number[]): Buffer {
  const [before, after] = JSON.stringify(claims({ role: "admin", customer_id: "cust-@@" })).split(
    "@@",
  );
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
}

const payload = (overrides: Record<string, unknown>) => claims({ role: "admin", ...overrides });

// [what, header, payload, expected code, expected message]
type Case = readonly [string, Record<string, unknown> | Buffer, unknown, string, string];

const REFUSED: readonly Case[] = [
  // Numbers that are not safe integers.
  [
    "a customer id of 2^53 + 1",
    {},
    rawJson({ customer_id: "9007199254740993" }),
    "IDENTITY_CLAIM_INVALID",
    'Claim "customer_id" is a number that is not a safe integer.',
  ],
  [
    "a customer id of 2^53",
    {},
    rawJson({ customer_id: "9007199254740992" }),
    "IDENTITY_CLAIM_INVALID",
    'Claim "customer_id" is a number that is not a safe integer.',
  ],
  [
    "a fractional customer id",
    {},
    rawJson({ customer_id: "1.10" }),
    "IDENTITY_CLAIM_INVALID",
    'Claim "customer_id" is a number that is not a safe integer.',
  ],
  [
    "a customer id in exponent notation beyond 2^53",
    {},
    rawJson({ customer_id: "1e21" }),
    "IDENTITY_CLAIM_INVALID",
    'Claim "customer_id" is a number that is not a safe integer.',
  ],
  [
    "a numeric sub used as the customer id",
    {},
    rawJson({ sub: "18446744073709551615" }, { customer_id: undefined }),
    "IDENTITY_CLAIM_INVALID",
    'Claim "sub" is a number that is not a safe integer.',
  ],
  [
    "a huge customer name",
    {},
    rawJson({ customer_name: "12345678901234567890" }),
    "IDENTITY_CLAIM_INVALID",
    'Claim "customer_name" is a number that is not a safe integer.',
  ],
  [
    "a fractional extra claim",
    {},
    rawJson({ plan: "0.1" }),
    "IDENTITY_CLAIM_INVALID",
    'Claim "plan" is a number that is not a safe integer.',
  ],
  [
    "a huge extra claim",
    {},
    rawJson({ plan: "9007199254740993" }),
    "IDENTITY_CLAIM_INVALID",
    'Claim "plan" is a number that is not a safe integer.',
  ],
  // Not UTF-8.
  [
    "a payload byte 0xFF",
    {},
    rawBytes([0xff]),
    "TOKEN_MALFORMED",
    "Token payload is not valid UTF-8.",
  ],
  [
    "a payload with a truncated sequence",
    {},
    rawBytes([0xe5, 0xb1]),
    "TOKEN_MALFORMED",
    "Token payload is not valid UTF-8.",
  ],
  [
    "a payload with an overlong '/'",
    {},
    rawBytes([0xc0, 0xaf]),
    "TOKEN_MALFORMED",
    "Token payload is not valid UTF-8.",
  ],
  [
    "a payload with an encoded surrogate",
    {},
    rawBytes([0xed, 0xa0, 0x80]),
    "TOKEN_MALFORMED",
    "Token payload is not valid UTF-8.",
  ],
  [
    "a header byte 0xFE",
    Buffer.concat([Buffer.from('{"typ":"JWT","x":"'), Buffer.from([0xfe]), Buffer.from('"}')]),
    payload({}),
    "TOKEN_MALFORMED",
    "Token header is not valid UTF-8.",
  ],
  // Bidirectional controls and zero-width characters.
  ...(
    [
      ["U+202E (RLO) in the customer id", { customer_id: "cust-\u202e24" }, "customer_id"],
      ["U+202A (LRE) in the customer id", { customer_id: "\u202acust-42" }, "customer_id"],
      ["U+2066 (LRI) in the customer name", { customer_name: "Acme \u2066Corp" }, "customer_name"],
      ["U+2069 (PDI) in an extra claim", { plan: "gold\u2069" }, "plan"],
      ["U+200B (ZWSP) in the customer id", { customer_id: "cust-42\u200b" }, "customer_id"],
      ["U+200C (ZWNJ) in the customer id", { customer_id: "cu\u200cst-42" }, "customer_id"],
      ["U+200D (ZWJ) in the customer name", { customer_name: "Ac\u200dme" }, "customer_name"],
      ["U+FEFF (BOM) in the customer id", { customer_id: "\ufeffcust-42" }, "customer_id"],
      ["U+200F (RLM) in an extra claim", { plan: "\u200fgold" }, "plan"],
      ["U+2060 (WJ) in the sub used as id", { customer_id: undefined, sub: "u\u2060-1" }, "sub"],
    ] as const
  ).map(([what, overrides, path]): Case => [
    what,
    {},
    payload(overrides),
    "IDENTITY_CLAIM_INVALID",
    `Claim "${path}" contains invisible or bidirectional formatting characters.`,
  ]),
];

// [what, payload, expected customerId, expected plan]
const ACCEPTED = [
  ["a safe integer customer id", rawJson({ customer_id: "9007199254740991" }), "9007199254740991"],
  ["a negative integer customer id", rawJson({ customer_id: "-42" }), "-42"],
  ["an integer written with a fraction of zero", rawJson({ customer_id: "42.0" }), "42"],
  ["a name in another script and an emoji", payload({ customer_name: "山田 Zoë 🦔" }), "cust-42"],
] as const;

test("the premise: 2^53 + 1 and 2^53 are one header value once parsed as JSON numbers", () => {
  const header = (json: string) => String((JSON.parse(json) as { id: number }).id);
  expect(header('{"id":9007199254740993}')).toBe(header('{"id":9007199254740992}'));
});

test("the premise: a lenient UTF-8 decode makes two different payload bytes one customer id", () => {
  const lenient = (b: Buffer) => b.toString("utf8");
  expect(lenient(rawBytes([0xff]))).toBe(lenient(rawBytes([0xfe])));
});

describe.each(SOURCES)("key source $name", (source) => {
  const lines: string[] = [];
  let authorizer: Authorizer;
  const logger = createDecisionLogger((line) => lines.push(line));
  const lastReason = () => (JSON.parse(lines[lines.length - 1]) as { reason: string }).reason;

  beforeAll(() => {
    authorizer = source.authorizer();
  });
  beforeEach(() => {
    lines.length = 0;
  });

  test.each(REFUSED)("%s is refused", async (_what, header, body, code, message) => {
    // Prepare
    const token = source.sign(header, body);
    const http = createHttpHandler({ getAuthorizer: () => authorizer, logger });
    const rest = createRestHandler({ getAuthorizer: () => authorizer, logger });
    const restEvent: APIGatewayTokenAuthorizerEvent = {
      type: "TOKEN",
      authorizationToken: `Bearer ${token}`,
      methodArn: METHOD_ARN,
    };

    // Act
    const core = await authorizer.authorize(token);
    const httpResult = await http(httpAuthorizerEvent(`Bearer ${token}`));
    const httpReason = lastReason();
    const restResult = rest(restEvent);
    await expect(restResult).rejects.toThrow(/^Unauthorized$/);
    const restReason = lastReason();

    // Assess
    expect(core.ok).toBe(false);
    if (!core.ok) {
      expect(core.reason.code).toBe(code);
      expect(core.reason.message).toBe(message);
    }
    expect(httpResult).toEqual({ isAuthorized: false });
    expect([httpReason, restReason]).toEqual([code, code]);
    // The refused value is never logged.
    for (const line of lines) expect(line).not.toMatch(/cust-.|9007199254740993|Acme/);
  });

  test.each(ACCEPTED)("%s is accepted", async (_what, body, customerId) => {
    const result = await authorizer.authorize(source.sign({}, body));

    expect(result.ok && result.identity.customerId).toBe(customerId);
  });
});
