/**
 * The access log: one JSON line per request, shaped after the HTTP API `$context` logging variables
 * (HLV). It NEVER contains the Authorization header, the token, the query string (an identity
 * source may be a query parameter) or any other header value (design rule 7 and style.md §14).
 */

/** One access-log record. */
export interface AccessLogRecord {
  requestId: string;
  requestTime: string;
  httpMethod: string;
  /** The path without the query string. */
  path: string;
  routeKey: string;
  status: number;
  protocol: string;
  sourceIp: string;
  responseLatency: number;
  /** `$context.authorizer.status`: what the authorizer step produced (200 when it allowed). */
  authorizerStatus?: number;
  authorizerLatency?: number;
  authorizerCached?: boolean;
  /** `$context.authorizer.error`-like reason of a gateway error (never a token). */
  error?: string;
  integrationLatency?: number;
  integrationStatus?: number;
  /** The identity established: `customerId` from the authorizer context / claims. */
  customerId?: string;
  principalId?: string;
}

/** Serializes a record; fields that are undefined are left out. */
export function formatAccessLog(record: AccessLogRecord): string {
  return JSON.stringify(record);
}
