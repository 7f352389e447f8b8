/**
 * Secrets Manager through the real AWS SDK v3 client, stubbed with aws-sdk-client-mock
 * (`mockClient(SecretsManagerClient)` patches every instance, including the handlers' module-scope
 * client). Stages are set per test to simulate rotation and outages.
 */
import {
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";

/** Stubs every SecretsManagerClient. Call `.reset()` in `beforeEach`, `.restore()` in `afterAll`. */
export function mockSecretsManager() {
  return mockClient(SecretsManagerClient);
}

/** The stub type returned by `mockSecretsManager`. */
export type SecretsManagerMock = ReturnType<typeof mockSecretsManager>;

/** What each version stage holds; `undefined` previous → ResourceNotFoundException (never rotated). */
export interface SecretStages {
  readonly current: string | Error;
  readonly previous?: string | Error;
}

/** Configures `sm` so GetSecretValue answers per stage. */
export function setSecretStages(sm: SecretsManagerMock, stages: SecretStages): void {
  sm.on(GetSecretValueCommand).rejects(new Error("unexpected GetSecretValue input"));
  const answer = (stage: "AWSCURRENT" | "AWSPREVIOUS", value: string | Error | undefined) => {
    const stub = sm.on(GetSecretValueCommand, { VersionStage: stage });
    if (value instanceof Error) stub.rejects(value);
    else if (value === undefined) {
      stub.rejects(
        new ResourceNotFoundException({
          message:
            "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
          $metadata: {},
        }),
      );
    } else stub.resolves({ SecretString: value, VersionStages: [stage] });
  };
  answer("AWSCURRENT", stages.current);
  answer("AWSPREVIOUS", stages.previous);
}

/** A Secrets Manager outage as the SDK reports it. */
export function serviceError(): Error {
  return new InternalServiceError({
    message: "Secrets Manager is having a bad day",
    $metadata: {},
  });
}

/** Number of GetSecretValue calls for `stage` so far. */
export function getSecretCalls(
  sm: SecretsManagerMock,
  stage: "AWSCURRENT" | "AWSPREVIOUS",
): number {
  return sm.commandCalls(GetSecretValueCommand, { VersionStage: stage }).length;
}
