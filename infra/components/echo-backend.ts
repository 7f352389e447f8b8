/**
 * The default backend: a Lambda that echoes the identity headers it received, so a fresh
 * deployment can be checked with one `curl`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { ECHO_ENV } from "../../functions/commons/env-contract";
import type { CorsConfig } from "../config";
import { functionCode } from "./bundle";
import {
  LAMBDA_ARCHITECTURES,
  LAMBDA_ASSUME_ROLE_POLICY,
  LAMBDA_HANDLER,
  LAMBDA_RUNTIME,
  functionLogGroup,
  logWriteStatement,
  policyDocument,
} from "./lambda-basics";

export interface EchoBackendArgs {
  /** Retention of the function's log group, in days (a CloudWatch Logs value). */
  readonly logRetentionDays: number;
  /**
   * The CORS policy the echo answers with (functions/echo-backend, `corsHeaders`). Pass it where
   * the backend must send CORS headers itself: behind a REST API, whose proxy integrations have no
   * integration response to add them (CORS for REST APIs, "Enabling CORS support for Lambda or
   * HTTP proxy integrations",
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html). Behind an HTTP
   * API leave it unset: API Gateway adds the configured headers and "ignores CORS headers returned
   * from your backend integration"
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html).
   * @default undefined (no CORS headers)
   */
  readonly cors?: CorsConfig;
}

/** The echo's environment (`ECHO_ENV`); pure, so the contract is testable without Pulumi. */
export function echoEnvironment(cors: CorsConfig | undefined): Record<string, string> | undefined {
  if (!cors) return undefined;
  return {
    [ECHO_ENV.CORS_ALLOW_ORIGINS]: JSON.stringify(cors.allowOrigins),
    [ECHO_ENV.CORS_ALLOW_HEADERS]: JSON.stringify(cors.allowHeaders),
    [ECHO_ENV.CORS_ALLOW_METHODS]: JSON.stringify(cors.allowMethods),
  };
}

export class EchoBackend extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: EchoBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("identity-gateway:shared:EchoBackend", name, {}, opts);

    this.logGroup = functionLogGroup(name, "echo-backend", args.logRetentionDays, this);
    this.role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: LAMBDA_ASSUME_ROLE_POLICY },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.name,
        policy: this.logGroup.arn.apply((arn) => policyDocument([logWriteStatement(arn)])),
      },
      { parent: this },
    );
    const variables = echoEnvironment(args.cors);
    this.function = new aws.lambda.Function(
      `${name}-fn`,
      {
        description: "identity-gateway echo backend",
        runtime: LAMBDA_RUNTIME,
        architectures: LAMBDA_ARCHITECTURES,
        handler: LAMBDA_HANDLER,
        code: functionCode("echo-backend"),
        role: this.role.arn,
        timeout: 10,
        memorySize: 256,
        loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
        environment: variables && { variables },
      },
      { parent: this, dependsOn: [policy] },
    );

    this.registerOutputs({ function: this.function, role: this.role, logGroup: this.logGroup });
  }
}
