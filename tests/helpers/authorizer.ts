/**
 * An in-memory HS256 authorizer for tests that exercise the core without Secrets Manager: the
 * settings the test tokens (tests/helpers/tokens.ts) satisfy, and a static key source.
 */
import { createSecretKey } from "node:crypto";

import {
  createAuthorizer,
  createStaticKeySource,
  type AuthorizerSettings,
} from "../../functions/commons";
import { HS256_SECRET } from "./keys";
import { TEST_AUDIENCE, TEST_ISSUER } from "./tokens";

/** Settings matching the test tokens: HS256, TEST_ISSUER, TEST_AUDIENCE, the default claims. */
export function hs256Settings(overrides: Partial<AuthorizerSettings> = {}): AuthorizerSettings {
  return {
    verifyWith: "secret",
    secretCacheTtlSeconds: 300,
    issuer: TEST_ISSUER,
    audiences: [TEST_AUDIENCE],
    clockToleranceSeconds: 5,
    customerIdClaims: ["customer_id", "sub"],
    customerNameClaims: ["customer_name", "name"],
    contextClaims: {},
    ...overrides,
  };
}

/** An authorizer over `settings` whose only key is HS256_SECRET. */
export function hs256Authorizer(settings: AuthorizerSettings = hs256Settings()) {
  return createAuthorizer(settings, {
    keySource: createStaticKeySource("HS256", [
      { alg: "HS256", key: createSecretKey(Buffer.from(HS256_SECRET)) },
    ]),
  });
}
