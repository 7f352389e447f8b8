import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/**
 * The Secrets Manager client, created once per Lambda container (cold start) and reused.
 *
 * Region and endpoint come from the standard SDK configuration; the local gateway points it at its
 * emulator with `AWS_ENDPOINT_URL_SECRETS_MANAGER`, so there is no local-only code path. Attempts
 * and timeouts are kept short because a request is waiting: API Gateway gives a Lambda authorizer
 * 10 s, and a slow Secrets Manager must turn into a quick deny, not a gateway timeout.
 */
export const secretsManager = new SecretsManagerClient({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 1500 },
});
