/**
 * Trusted issuers: which `iss` values the authorizer accepts, and for each its audiences, its key
 * source and its provider's token rules. With several issuers (`ISSUERS`), the token's `iss`, read
 * from the payload before anything is verified and compared as an exact string, selects the issuer
 * before any key is looked up: an unknown `iss` is refused without a JWKS request, and each issuer
 * has its own JWKS cache and kid-refetch cooldown, so tokens naming issuer A (forged kids included)
 * never cost issuer B a fetch or a cooldown. The selection is one `Map` lookup on the warm path.
 */
import {
  ASYMMETRIC_ALGORITHMS,
  isAsymmetricAlgorithm,
  type AsymmetricAlgorithm,
} from "./algorithms";
import { IssuerMismatchError } from "./errors";
import type { ClaimOptions } from "./jwt";
import type { KeySource } from "./keys";

/** One trusted issuer, as the `ISSUERS` environment variable lists it. */
export interface IssuerSettings {
  /** The exact `iss`; with `jwks` and no `jwksUri`, also the OIDC discovery base. */
  readonly issuer: string;
  /** Accepted `aud` values; empty turns the audience check off (explicitly configured). */
  readonly audiences: readonly string[];
  /** JWKS URL; undefined: discovered from the issuer. */
  readonly jwksUri?: string;
  /** The algorithms this issuer's tokens may use; undefined: the stack's `TOKEN_ALGORITHMS`. */
  readonly algorithms?: readonly AsymmetricAlgorithm[];
}

/**
 * Amazon Cognito user pool issuers (`https://cognito-idp.<region>.amazonaws.com/<region>_<id>`,
 * "Verifying JSON web tokens", Amazon Cognito Developer Guide,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).
 */
const COGNITO_ISSUER =
  /^https:\/\/cognito-idp\.[a-z]{2}(?:-[a-z]+)+-\d+\.amazonaws\.com\/[a-z]{2}(?:-[a-z]+)+-\d+_[0-9A-Za-z]+$/;

/**
 * The token rules a provider adds to the registered claims, chosen by the issuer URL itself so a
 * preset, a plain `issuer` and an `ISSUERS` entry with the same URL are checked alike.
 *
 * Cognito: access tokens carry no `aud`; their app client id is in `client_id`. API Gateway's own
 * JWT authorizer accepts "aud or client_id", reading `client_id` only when `aud` is absent
 * ("Troubleshooting HTTP API JWT authorizers",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html;
 * aws-semantics.md §1), and the same rule is applied here. `token_use` must be `id` or `access`
 * ("Check the token_use claim ... If you are using both tokens, the value is either id or
 * access", Cognito "Verifying JSON web tokens", above), which keeps any other Cognito JWT out.
 */
export function issuerClaimRules(
  issuer: string,
): Pick<ClaimOptions, "clientIdAudience" | "tokenUse"> {
  return COGNITO_ISSUER.test(issuer) ? { clientIdAudience: true, tokenUse: ["id", "access"] } : {};
}

/** An issuer ready for the hot path: its claim checks and its own key source. */
export interface TrustedIssuer {
  readonly claims: ClaimOptions;
  readonly keySource: KeySource;
}

/** The issuers an authorizer trusts, looked up by the token's unverified `iss`. */
export interface TrustedIssuers {
  /**
   * The issuer whose `iss` equals `iss` exactly (no case folding, no trailing-slash tolerance:
   * RFC 7519 §4.1.1 makes `iss` a case-sensitive string, and the issuer's own value is what is
   * configured).
   * @throws IssuerMismatchError for any other value, before any key is touched.
   */
  select(iss: unknown): TrustedIssuer;
  /** Every trusted issuer, in configuration order. */
  readonly all: readonly TrustedIssuer[];
}

/** Builds the lookup. The `Map` makes selection O(1) however many issuers there are. */
export function trustedIssuers(issuers: readonly TrustedIssuer[]): TrustedIssuers {
  const byIss = new Map<string, TrustedIssuer>();
  for (const i of issuers) if (!byIss.has(i.claims.issuer)) byIss.set(i.claims.issuer, i);
  return {
    all: issuers,
    select(iss) {
      const found = typeof iss === "string" ? byIss.get(iss) : undefined;
      // The token's iss is not echoed: messages never hold token content.
      if (found === undefined)
        throw new IssuerMismatchError("Token issuer is not a trusted issuer.");
      return found;
    },
  };
}

/**
 * Parses the `ISSUERS` environment value (already JSON-decoded). Returns the entries, or reports
 * each problem through `fail` (naming the entry) and returns undefined.
 */
export function parseIssuerList(
  value: unknown,
  fail: (why: string) => void,
): IssuerSettings[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    fail("must be a non-empty JSON array of {issuer, audiences, jwksUri?, algorithms?}.");
    return undefined;
  }
  const out: IssuerSettings[] = [];
  let ok = true;
  const seen = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const bad = (why: string): void => {
      ok = false;
      fail(`[${i}] ${why}`);
    };
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      return bad("must be an object.");
    }
    const e = entry as Record<string, unknown>;
    if (typeof e.issuer !== "string" || !isHttpUrl(e.issuer)) {
      return bad("issuer must be an http(s) URL (the discovery base).");
    }
    if (seen.has(e.issuer)) return bad("issuer is listed twice.");
    seen.add(e.issuer);
    if (!Array.isArray(e.audiences) || !e.audiences.every((a) => typeof a === "string" && a)) {
      return bad("audiences must be an array of non-empty strings.");
    }
    if (e.jwksUri !== undefined && (typeof e.jwksUri !== "string" || !isHttpUrl(e.jwksUri))) {
      return bad("jwksUri must be an http(s) URL.");
    }
    if (
      e.algorithms !== undefined &&
      (!Array.isArray(e.algorithms) ||
        e.algorithms.length === 0 ||
        !e.algorithms.every((a) => typeof a === "string" && isAsymmetricAlgorithm(a)))
    ) {
      return bad(`algorithms must list some of ${ASYMMETRIC_ALGORITHMS.join(", ")}.`);
    }
    out.push({
      issuer: e.issuer,
      audiences: e.audiences as string[],
      jwksUri: e.jwksUri as string | undefined,
      algorithms: e.algorithms as AsymmetricAlgorithm[] | undefined,
    });
  });
  return ok ? out : undefined;
}

/** An absolute http or https URL (an issuer, a JWKS URI). */
export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}
