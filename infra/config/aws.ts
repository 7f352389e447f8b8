/**
 * What AWS (and the authorizer context contract) fixes about configuration values: reserved
 * headers, CloudWatch retention values, quotas, ARN shapes. Each rule cites its source.
 */
import type { IdentityConfig } from "./types";

/**
 * Headers HTTP API parameter mapping refuses (aws-semantics.md §3, "Reserved headers"). Refusing
 * them here turns a late CreateIntegration failure into a preview-time message.
 */
const RESERVED_HEADER_PREFIXES = ["access-control-", "apigw-", "x-amz-", "x-amzn-"];
const RESERVED_HEADERS = new Set([
  "authorization",
  "connection",
  "content-encoding",
  "content-length",
  "content-location",
  "forwarded",
  "keep-alive",
  "origin",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailers",
  "transfer-encoding",
  "upgrade",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "via",
]);

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/** HTTP API JWT authorizer quotas (aws-semantics.md §1). */
export const MAX_JWT_AUDIENCES = 50;
/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output, 256 bits. */
export const MIN_HS256_SECRET_BYTES = 32;
export const MAX_ROUTE_SCOPES = 10;

export const CONTEXT_KEY_CUSTOMER_ID = "customerId";
export const CONTEXT_KEY_CUSTOMER_NAME = "customerName";
export const CONTEXT_KEY_ROLE = "role";
export const RESERVED_CONTEXT_KEYS = new Set([
  CONTEXT_KEY_CUSTOMER_ID,
  CONTEXT_KEY_CUSTOMER_NAME,
  CONTEXT_KEY_ROLE,
  "principalId",
  "integrationLatency",
  "claims",
]);

export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || RESERVED_HEADER_PREFIXES.some((p) => lower.startsWith(p));
}

/**
 * Whether a Secrets Manager secret ARN is partial, i.e. lacks the `-` and six random characters
 * Secrets Manager appends to the secret's name. GetSecretValue accepts a partial ARN "as long as
 * it uniquely matches only one secret" (Secrets Manager API Reference, GetSecretValue, `SecretId`,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html, and its
 * link "Finding a secret from a partial ARN").
 *
 * The rule is AWS's own: a name that ends in `-` plus six letters or digits is read as a complete
 * ARN. AWS documents the ambiguity this leaves: for a secret whose *name* ends that way (e.g.
 * `jwt-key-abcdef`), its partial ARN "cause[s] Secrets Manager to assume that you're specifying a
 * complete ARN", so GetSecretValue with it fails anyway. Such secrets must be given by their
 * complete ARN, which this rule then keeps exact (README, `secretArn`).
 */
export function isPartialSecretArn(arn: string): boolean {
  const name = arn.slice(arn.indexOf(":secret:") + ":secret:".length);
  return !/-[A-Za-z0-9]{6}$/.test(name);
}

/** The partition and Region of an ARN (`arn:<partition>:<service>:<region>:…`). */
export function arnPartitionAndRegion(arn: string): { partition: string; region: string } {
  const [, partition = "", , region = ""] = arn.split(":");
  return { partition, region };
}

/** The authorizer-context key for a claim path: `metadata.plan` → `metadata_plan`. */
export function contextKeyForClaim(claim: string): string {
  return claim.replace(/[^A-Za-z0-9_]/g, "_");
}

/** The header names the backend receives the identity in, in mapping order (the `identityHeaders` output). */
export function identityHeaderNames(identity: IdentityConfig): string[] {
  return [
    identity.customerIdHeader,
    identity.customerNameHeader,
    ...identity.claimHeaders.map((m) => m.target),
  ];
}
