/**
 * Identity-provider presets: one config key that stands for an issuer. Each preset turns its value
 * into the issuer URL the provider writes into `iss` (an exact string: a missing trailing slash is
 * another issuer), and, where the provider documents it, the JWKS URL the Lambda modes read keys
 * from (otherwise OIDC discovery from the issuer, as API Gateway's JWT authorizer does). Every
 * fact here comes from the provider's own documentation, cited beside it; the README's
 * "Identity provider presets" section repeats the sources.
 *
 * Pure data and pure functions: `parse.ts` applies them, the tests call them directly.
 */
import { isHttpsUrl } from "./urls";

/** What a preset's value stands for. */
export interface PresetTarget {
  /** The exact `iss` the provider's tokens carry. */
  readonly issuer: string;
  /** Lambda modes (`verifyWith jwks`): where the keys are; undefined: OIDC discovery. */
  readonly jwksUri?: string;
  /**
   * The `aud` every token of this provider carries whatever the application (Firebase: the
   * project id), so `audiences` must list it.
   */
  readonly fixedAudience?: string;
}

export interface Preset {
  /** Short provider id (`HttpJwtConfig.provider`). */
  readonly id: string;
  /** The provider's name, for messages and notes. */
  readonly provider: string;
  /** The issuer for a value, or why the value is not one (a sentence naming the fix). */
  resolve(value: string): PresetTarget | { readonly problem: string };
  /**
   * The provider signs with a non-RSA algorithm by default (Supabase: ES256), which API
   * Gateway's JWT authorizer cannot verify ("Currently, only RSA-based algorithms are supported",
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html), so
   * the preset is refused in http-jwt.
   */
  readonly nonRsaDefault?: string;
  /** The provider can sign with an HS256 shared secret, so `verifyWith secret` is allowed. */
  readonly sharedSecret?: boolean;
  /** How to find the value `audiences` must list, for the "audiences is required" message. */
  readonly audienceHint: string;
}

const URLISH = /^[a-z]+:\/\//i;

/** A DNS host name (labels of letters, digits and hyphens), lower case as issuers write it. */
const HOST =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export const PRESETS = {
  /**
   * Passage: issuer `https://auth.passage.id/v1/apps/<app id>` (the http-jwt preset this program
   * had from the start; Passage's discovery document gives the keys).
   */
  passageAppId: {
    id: "passage",
    provider: "Passage",
    audienceHint:
      "set it to your Passage app's authentication origin: pulumi config set --path 'audiences[0]' https://your-app.example.com.",
    resolve: (v) =>
      /^[A-Za-z0-9_-]+$/.test(v)
        ? { issuer: `https://auth.passage.id/v1/apps/${v}` }
        : { problem: `"${v}" is not a Passage app id.` },
  },
  /** Clerk: the Frontend API URL is the issuer, written without a trailing slash. */
  clerkFrontendApiUrl: {
    id: "clerk",
    provider: "Clerk",
    audienceHint:
      'Clerk session tokens carry no aud unless a JWT template adds one: create a template with {"aud": "ClerkJwtAuthorizer"} in the Clerk dashboard, then pulumi config set --path \'audiences[0]\' ClerkJwtAuthorizer.',
    resolve: (v) =>
      isHttpsUrl(v)
        ? { issuer: v.replace(/\/+$/, "") }
        : { problem: `must be the https Frontend API URL from the Clerk dashboard, got "${v}".` },
  },
  /**
   * Amazon Cognito user pool `<region>_<id>`: "a user pool created in the us-east-1 Region will
   * have an iss value of `https://cognito-idp.us-east-1.amazonaws.com/<userpoolID>`", keys at
   * `https://cognito-idp.<Region>.amazonaws.com/<userPoolId>/.well-known/jwks.json` (Amazon
   * Cognito Developer Guide, "Verifying JSON web tokens", steps "Verify the claims" and "Verify
   * the signature",
   * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).
   * The pool id starts with its Region, so the Region needs no key of its own.
   */
  cognitoUserPoolId: {
    id: "cognito",
    provider: "Amazon Cognito",
    audienceHint:
      "list the app client id(s) of the pool (Cognito console → App integration → App clients): pulumi config set --path 'audiences[0]' <client-id>. Access tokens carry it as client_id, ID tokens as aud.",
    resolve: (v) => {
      const m = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/.exec(v);
      if (m === null) {
        return {
          problem: `"${v}" is not a Cognito user pool id (<region>_<id>, e.g. eu-west-1_AbCdEf123: Cognito console → User pools → User pool ID).`,
        };
      }
      const issuer = `https://cognito-idp.${m[1]}.amazonaws.com/${v}`;
      return { issuer, jwksUri: `${issuer}/.well-known/jwks.json` };
    },
  },
  /**
   * Auth0 tenant domain (`<tenant>.<region>.auth0.com` or a custom domain). Auth0 writes `iss`
   * with a trailing slash, `https://<domain>/`, and publishes its keys at
   * `https://<domain>/.well-known/jwks.json` (Auth0 Docs, "Validate Access Tokens" and "JSON Web
   * Key Sets", https://auth0.com/docs/secure/tokens/access-tokens/validate-access-tokens,
   * https://auth0.com/docs/secure/tokens/json-web-tokens/json-web-key-sets). Auth0 signs with
   * RS256 by default and can sign with HS256 ("Signing Algorithms",
   * https://auth0.com/docs/get-started/applications/signing-algorithms).
   */
  auth0Domain: {
    id: "auth0",
    provider: "Auth0",
    sharedSecret: true,
    audienceHint:
      "list your API's Identifier (Auth0 dashboard → Applications → APIs), the aud of its access tokens: pulumi config set --path 'audiences[0]' https://api.example.com.",
    resolve: (v) => {
      if (URLISH.test(v)) {
        return {
          problem: `give the domain only, e.g. my-tenant.eu.auth0.com, not a URL (got "${v}"); the issuer becomes https://<domain>/.`,
        };
      }
      if (!HOST.test(v)) {
        return {
          problem: `"${v}" is not a domain name in lower case (Auth0 dashboard → Settings → Domain, e.g. my-tenant.eu.auth0.com).`,
        };
      }
      return { issuer: `https://${v}/`, jwksUri: `https://${v}/.well-known/jwks.json` };
    },
  },
  /**
   * Okta authorization server issuer: the org authorization server `https://<org>.okta.com` or a
   * custom one `https://<org>.okta.com/oauth2/<authorizationServerId>` (`default` is the one every
   * org has). "Each authorization server has a unique issuer URI and its own signing key" (Okta
   * Developer, "Authorization servers", https://developer.okta.com/docs/concepts/auth-servers/);
   * access tokens for your own APIs come from a custom authorization server, the org server's
   * are meant for Okta's APIs (same page, "Org authorization server"). Keys by discovery.
   */
  oktaIssuer: {
    id: "okta",
    provider: "Okta",
    audienceHint:
      "list the Audience of the authorization server (Okta Admin Console → Security → API → Authorization Servers, e.g. api://default): pulumi config set --path 'audiences[0]' api://default.",
    resolve: (v) => {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        return { problem: `expected the authorization server's issuer URL, got "${v}".` };
      }
      if (u.protocol !== "https:" || u.search !== "" || u.hash !== "" || u.username !== "") {
        return {
          problem: `must be an https issuer URL without query or fragment, e.g. https://example.okta.com/oauth2/default, got "${v}".`,
        };
      }
      const path = v.slice(`${u.protocol}//${u.host}`.length);
      if (path !== "" && !/^\/oauth2\/[A-Za-z0-9]+$/.test(path)) {
        return {
          problem: `must be the org authorization server (https://<org>.okta.com) or a custom one (https://<org>.okta.com/oauth2/<id>), written exactly as the server's Issuer (no trailing slash), got "${v}".`,
        };
      }
      return { issuer: v };
    },
  },
  /**
   * Microsoft Entra ID tenant (directory) id. v2.0 tokens carry
   * `iss: https://login.microsoftonline.com/<tenant id>/v2.0` and `aud` = the application (client)
   * id; v1.0 tokens carry `https://sts.windows.net/<tenant id>/` and are refused here (Microsoft
   * identity platform, "Access token claims reference", `iss`, `aud`, `ver`,
   * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference; the version
   * follows the API's `requestedAccessTokenVersion` in its manifest, "Access tokens",
   * https://learn.microsoft.com/entra/identity-platform/access-tokens). The `iss` holds the
   * tenant's GUID, never its domain, so only a GUID is accepted; `common`/`organizations`/
   * `consumers` have no single issuer. Keys by discovery.
   */
  entraTenantId: {
    id: "entra",
    provider: "Microsoft Entra ID",
    audienceHint:
      "list the Application (client) ID of the API's app registration, the aud of v2.0 access tokens: pulumi config set --path 'audiences[0]' <application-id>.",
    resolve: (v) => {
      if (/^(common|organizations|consumers)$/i.test(v)) {
        return {
          problem: `"${v}" is a multi-tenant endpoint with no single issuer; give your Directory (tenant) ID (a GUID, Entra admin center → Overview).`,
        };
      }
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v)) {
        return {
          problem: `"${v}" is not a Directory (tenant) ID: give the GUID in lower case (Entra admin center → Overview); tokens carry the GUID in iss, never the tenant's domain.`,
        };
      }
      return { issuer: `https://login.microsoftonline.com/${v}/v2.0` };
    },
  },
  /**
   * Firebase project id: ID tokens carry `iss: https://securetoken.google.com/<projectId>` and
   * `aud: <projectId>` (Firebase, "Verify ID tokens", "Verify ID tokens using a third-party JWT
   * library", https://firebase.google.com/docs/auth/admin/verify-id-tokens). That page names only
   * the X.509 certificate URL; the JWKS URL below is the `jwks_uri` of the issuer's own discovery
   * document (`https://securetoken.google.com/<projectId>/.well-known/openid-configuration`), one
   * of the key formats Google publishes for a service account ("JSON Web Key (JWK)",
   * https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/signJwt).
   * Project ids: 6–30 lower-case letters, digits and hyphens, starting with a letter, not ending
   * with a hyphen (Google Cloud, "Creating and managing projects",
   * https://cloud.google.com/resource-manager/docs/creating-managing-projects).
   */
  firebaseProjectId: {
    id: "firebase",
    provider: "Firebase Authentication",
    audienceHint:
      "Firebase ID tokens carry the project id as aud: pulumi config set --path 'audiences[0]' <project-id>.",
    resolve: (v) =>
      /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(v)
        ? {
            issuer: `https://securetoken.google.com/${v}`,
            jwksUri:
              "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com",
            fixedAudience: v,
          }
        : {
            problem: `"${v}" is not a Firebase project id (6-30 lower-case letters, digits and hyphens, from Project settings → General → Project ID).`,
          },
  },
  /**
   * Supabase project ref: tokens carry `iss: https://<project-ref>.supabase.co/auth/v1` and `aud:
   * authenticated` for signed-in users (Supabase, "JWT Claims Reference",
   * https://supabase.com/docs/guides/auth/jwt-fields). With the JWT signing keys system the keys
   * are asymmetric (ES256 by default, or RS256) and published at
   * `https://<project-ref>.supabase.co/auth/v1/.well-known/jwks.json`; the legacy system signs
   * HS256 with the project's JWT secret (Supabase, "JWT Signing Keys",
   * https://supabase.com/docs/guides/auth/signing-keys).
   */
  supabaseProjectRef: {
    id: "supabase",
    provider: "Supabase",
    nonRsaDefault: "ES256",
    sharedSecret: true,
    audienceHint:
      "signed-in users' tokens carry aud authenticated: pulumi config set --path 'audiences[0]' authenticated.",
    resolve: (v) => {
      if (URLISH.test(v) || v.includes(".")) {
        return {
          problem: `give the project ref only (the <ref> of https://<ref>.supabase.co), got "${v}".`,
        };
      }
      if (!/^[a-z0-9]{20}$/.test(v)) {
        return {
          problem: `"${v}" is not a Supabase project ref (20 lower-case characters: Project Settings → General → Project ID).`,
        };
      }
      const issuer = `https://${v}.supabase.co/auth/v1`;
      return { issuer, jwksUri: `${issuer}/.well-known/jwks.json` };
    },
  },
} as const satisfies Record<string, Preset>;

export type PresetKey = keyof typeof PRESETS;

/** The short id of each preset's provider. */
export type ProviderId = (typeof PRESETS)[PresetKey]["id"];

/** Every preset key, in declaration order. */
export const PRESET_KEYS = Object.keys(PRESETS) as PresetKey[];

/** The preset of `key` (widened, for code that handles every preset). */
export function preset(key: PresetKey): Preset {
  return PRESETS[key];
}
