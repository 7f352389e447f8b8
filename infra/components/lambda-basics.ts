/**
 * What every Lambda of this program shares: an execution role that only Lambda can assume, a log
 * group with retention that the function writes to (`loggingConfig.logGroup`), and a role policy
 * scoped to that one log group. No managed policy: `AWSLambdaBasicExecutionRole` allows writing
 * to every log group of the account.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { FunctionName } from "./bundle";

/** Runtime settings shared by every function of the program. */
// nodejs24.x: nodejs22.x reaches end of life in April 2027 (Lambda runtimes,
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
export const LAMBDA_RUNTIME = "nodejs24.x";
export const LAMBDA_ARCHITECTURES = ["arm64"];
export const LAMBDA_HANDLER = "index.handler";

/** Trust policy: only the Lambda service may assume the role. */
export const LAMBDA_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ],
});

/** An IAM policy statement. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * Writing to one log group: the group's ARN and its streams (`<arn>:log-stream:<name>`, matched
 * by `<arn>:*`). Log groups are created by Pulumi, so there is no `logs:CreateLogGroup`.
 */
export function logWriteStatement(logGroupArn: string): PolicyStatement {
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [logGroupArn, `${logGroupArn}:*`],
  };
}

/** A policy document from statements. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * The log group a function writes to, named under `/aws/lambda/` (CloudWatch's convention) with
 * a unique suffix so stacks never collide, and with retention.
 */
export function functionLogGroup(
  name: string,
  bundle: FunctionName,
  retentionInDays: number,
  parent: pulumi.Resource,
): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { namePrefix: `/aws/lambda/${bundle}-`, retentionInDays },
    { parent },
  );
}

/**
 * Lets API Gateway invoke `fn`, and only from `sourceArn` (an `execute-api` ARN pattern): every
 * stage and method of one API (`<executionArn>/<stage>/<method>`, both wildcards) for a backend,
 * one authorizer (`<executionArn>/authorizers/<id>`) for an authorizer (design.md, rule 7).
 */
export function apiGatewayInvokePermission(
  name: string,
  fn: aws.lambda.Function,
  sourceArn: pulumi.Input<string>,
  parent: pulumi.Resource,
): aws.lambda.Permission {
  return new aws.lambda.Permission(
    name,
    {
      action: "lambda:InvokeFunction",
      function: fn.name,
      principal: "apigateway.amazonaws.com",
      sourceArn,
    },
    { parent },
  );
}
