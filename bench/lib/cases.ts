/** What the bench measures: the bundle configurations and the baselines, by stable row id. */
import type { EventKind } from "./events";
import { ROLE_CLAIM, REQUIRED_ROLE } from "./tokens";
import { secretArn } from "./secrets-endpoint";

export const HS_SECRET_NAME = "identity-gateway/bench/hs256-secret";
export const PEM_SECRET_NAME = "identity-gateway/bench/rs256-public-key";
export const ES_PEM_SECRET_NAME = "identity-gateway/bench/es256-public-key";
export const ED_PEM_SECRET_NAME = "identity-gateway/bench/eddsa-public-key";

export type Alg = "hs256" | "rs256" | "es256" | "eddsa";

/** The Secrets Manager secret each algorithm's bundle configuration reads its key from. */
export const SECRET_NAME: Record<Alg, string> = {
  hs256: HS_SECRET_NAME,
  rs256: PEM_SECRET_NAME,
  es256: ES_PEM_SECRET_NAME,
  eddsa: ED_PEM_SECRET_NAME,
};

export interface BundleCase {
  kind: "bundle";
  id: string;
  label: string;
  bundle: "http-authorizer" | "rest-authorizer";
  alg: Alg;
  event: EventKind;
  /** The authorizer's environment (functions/commons/env-contract.ts), without AWS_*. */
  env: Record<string, string>;
  /**
   * Diagnostic variant: the handler's stdout is /dev/null instead of a drained pipe, to show what
   * its per-decision log line costs (the `diag.` rows; no target applies to them).
   */
  stdoutDevNull?: boolean;
}

export interface BaselineCase {
  kind: "baseline";
  id: string;
  label: string;
  impl: "aws-jwt-verify" | "jsonwebtoken" | "crypto";
  alg: Alg;
}

export type WarmCase = BundleCase | BaselineCase;

function authorizerEnv(
  alg: Alg,
  issuer: string,
  audience: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    VERIFY_WITH: alg === "hs256" ? "secret" : "public-key",
    // The PEM's type pins the algorithm (TOKEN_ALGORITHMS unset: one per key type).
    SECRET_ID: secretArn(SECRET_NAME[alg]),
    SECRET_CACHE_TTL_SECONDS: "300",
    ISSUER: issuer,
    AUDIENCES: JSON.stringify([audience]),
    CLOCK_TOLERANCE_SECONDS: "5",
    CUSTOMER_ID_CLAIMS: JSON.stringify(["customer_id", "sub"]),
    CUSTOMER_NAME_CLAIMS: JSON.stringify(["customer_name"]),
    CONTEXT_CLAIMS: JSON.stringify({ subject: "sub" }),
    ...extra,
  };
}

export function bundleCases(issuer: string, audience: string): BundleCase[] {
  const rest = { ROLE_CLAIM, REQUIRED_ROLES: JSON.stringify([REQUIRED_ROLE]) };
  return [
    {
      kind: "bundle",
      id: "warm.http-authorizer.hs256",
      label: "ours: http-authorizer HS256 (REQUEST v2)",
      bundle: "http-authorizer",
      alg: "hs256",
      event: "http-request-v2",
      env: authorizerEnv("hs256", issuer, audience),
    },
    {
      kind: "bundle",
      id: "warm.http-authorizer.rs256",
      label: "ours: http-authorizer RS256 public key (REQUEST v2)",
      bundle: "http-authorizer",
      alg: "rs256",
      event: "http-request-v2",
      env: authorizerEnv("rs256", issuer, audience),
    },
    {
      kind: "bundle",
      id: "warm.rest-authorizer.rs256",
      label: "ours: rest-authorizer RS256 public key (TOKEN, role check)",
      bundle: "rest-authorizer",
      alg: "rs256",
      event: "rest-token",
      env: authorizerEnv("rs256", issuer, audience, rest),
    },
    ...(["es256", "eddsa"] as const).flatMap((alg): BundleCase[] => {
      const name = alg === "es256" ? "ES256 (P-256)" : "EdDSA (Ed25519)";
      return [
        {
          kind: "bundle",
          id: `warm.http-authorizer.${alg}`,
          label: `ours: http-authorizer ${name} public key (REQUEST v2)`,
          bundle: "http-authorizer",
          alg,
          event: "http-request-v2",
          env: authorizerEnv(alg, issuer, audience),
        },
        {
          kind: "bundle",
          id: `warm.rest-authorizer.${alg}`,
          label: `ours: rest-authorizer ${name} public key (TOKEN, role check)`,
          bundle: "rest-authorizer",
          alg,
          event: "rest-token",
          env: authorizerEnv(alg, issuer, audience, rest),
        },
      ];
    }),
  ];
}

/** The same configuration as `warm.<bundle>.<alg>`, with the handler's stdout on /dev/null. */
export function diagnosticCase(c: BundleCase): BundleCase {
  return {
    ...c,
    id: `diag.${c.bundle}.${c.alg}.stdout-devnull`,
    label: `${c.label}, stdout on /dev/null (diagnostic)`,
    stdoutDevNull: true,
  };
}

export const BASELINE_CASES: BaselineCase[] = [
  {
    kind: "baseline",
    id: "baseline.aws-jwt-verify.rs256",
    label: "aws-jwt-verify JwtRsaVerifier.verifySync (cached JWKS)",
    impl: "aws-jwt-verify",
    alg: "rs256",
  },
  {
    kind: "baseline",
    id: "baseline.jsonwebtoken.rs256",
    label: "jsonwebtoken.verify RS256 (KeyObject, iss/aud)",
    impl: "jsonwebtoken",
    alg: "rs256",
  },
  {
    kind: "baseline",
    id: "baseline.jsonwebtoken.hs256",
    label: "jsonwebtoken.verify HS256 (KeyObject, iss/aud)",
    impl: "jsonwebtoken",
    alg: "hs256",
  },
  {
    kind: "baseline",
    id: "baseline.crypto.rs256",
    label: "node:crypto RSA-SHA256 signature only (floor)",
    impl: "crypto",
    alg: "rs256",
  },
  {
    kind: "baseline",
    id: "baseline.crypto.hs256",
    label: "node:crypto HMAC-SHA256 + timingSafeEqual (floor)",
    impl: "crypto",
    alg: "hs256",
  },
  // jsonwebtoken has ES256 but no EdDSA; the targets for these two compare with aws-jwt-verify.
  {
    kind: "baseline",
    id: "baseline.aws-jwt-verify.es256",
    label: "aws-jwt-verify JwtVerifier.verifySync ES256 (cached JWKS)",
    impl: "aws-jwt-verify",
    alg: "es256",
  },
  {
    kind: "baseline",
    id: "baseline.aws-jwt-verify.eddsa",
    label: "aws-jwt-verify JwtVerifier.verifySync EdDSA (cached JWKS)",
    impl: "aws-jwt-verify",
    alg: "eddsa",
  },
  {
    kind: "baseline",
    id: "baseline.crypto.es256",
    label: "node:crypto ECDSA P-256 SHA-256 (R||S) signature only (floor)",
    impl: "crypto",
    alg: "es256",
  },
  {
    kind: "baseline",
    id: "baseline.crypto.eddsa",
    label: "node:crypto Ed25519 signature only (floor)",
    impl: "crypto",
    alg: "eddsa",
  },
];
