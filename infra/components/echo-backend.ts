/**
 * The default backend: a Lambda that echoes the identity headers it received, so a fresh
 * deployment can be checked with one `curl`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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
      },
      { parent: this, dependsOn: [policy] },
    );

    this.registerOutputs({ function: this.function, role: this.role, logGroup: this.logGroup });
  }
}
