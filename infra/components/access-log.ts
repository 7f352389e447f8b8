/**
 * The stage access log both API families share: the log group (or none, with
 * `accessLogging: false`) and the check that a format never logs a credential. The fields
 * themselves differ: HTTP APIs and REST APIs have different `$context` variables
 * (`components/http-api.ts`, `components/rest-api.ts`).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

import type { StageConfig } from "../config";

/**
 * An access-log format: one JSON object per request, with `fields` in their order.
 * @throws Error when a field would log a credential (`Authorization`, cookies, the raw identity
 *   source): access logs must never hold a token.
 */
export function jsonAccessLogFormat(fields: Readonly<Record<string, string>>): string {
  for (const [key, value] of Object.entries(fields)) {
    if (/authorization|cookie|identitySource|\$request\.header/i.test(value)) {
      throw new Error(`accessLogFormat: [${key}] would log a credential (${value})`);
    }
  }
  return JSON.stringify(fields);
}

/**
 * The stage's access-log group, `<name>-access-logs` with the stack's retention; undefined when
 * `stage.accessLogging` is false, so the stage gets no access-log settings either.
 */
export function accessLogGroup(
  name: string,
  stage: StageConfig,
  parent: pulumi.Resource,
): aws.cloudwatch.LogGroup | undefined {
  if (stage.accessLogging === false) return undefined;
  return new aws.cloudwatch.LogGroup(
    `${name}-access-logs`,
    { retentionInDays: stage.logRetentionDays },
    { parent },
  );
}
