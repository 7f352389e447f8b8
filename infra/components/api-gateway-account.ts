/**
 * The account-level API Gateway CloudWatch Logs role, created only when a stack opts in with
 * `manageApiGatewayAccount: true` (rest-token).
 *
 * Why it exists: a REST API stage with access logging cannot be created until the account's
 * `cloudwatchRoleArn` names a role that API Gateway may assume. AWS: "create an IAM role with
 * apigateway.amazonaws.com as its trusted entity, attach [AmazonAPIGatewayPushToCloudWatchLogs]
 * to the role, and set the IAM role ARN on the cloudWatchRoleArn property on your Account" (API
 * Gateway Developer Guide, "Set up CloudWatch logging for REST APIs in API Gateway", "Permissions
 * for CloudWatch logging", https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
 *
 * Why it is opt-in and loud: that setting is one per account and Region. "To avoid overwriting
 * other roles, you should only have one AWS::ApiGateway::Account resource per region per account"
 * (CloudFormation User Guide, AWS::ApiGateway::Account,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-account.html).
 * Creating it replaces whatever role every other REST API in that account and Region logs with.
 *
 * What `pulumi destroy` does: since terraform-provider-aws v6 (the base of @pulumi/aws v7, whose
 * `Account` has no `resetOnDelete` argument any more), deleting the resource *clears*
 * `cloudwatchRoleArn` (hashicorp/terraform-provider-aws#42226, "The default behavior of this
 * resource is now to always reset account settings upon destruction"). Clearing it, or deleting
 * the role it names, would break access logging of every other REST API in the Region that came
 * to rely on it. So the role, its policy attachment and the account setting are created with
 * `retainOnDelete`: `pulumi destroy` (or setting the key back to false) leaves all three in place,
 * and the README says how to remove them by hand.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { PROJECT } from "../config";

/** Trust policy: only API Gateway may assume the role. */
export const APIGATEWAY_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "apigateway.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ],
});

/** The AWS managed policy AWS names for this role (set-up-logging.html), in the given partition. */
export function pushToCloudWatchLogsPolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`;
}

/** What `pulumi preview` prints when the stack takes over the account setting. */
export const API_GATEWAY_ACCOUNT_WARNING =
  `${PROJECT}:manageApiGatewayAccount is true: this stack sets the API Gateway CloudWatch Logs ` +
  `role (cloudwatchRoleArn) of the WHOLE AWS account in this Region. It replaces the role every ` +
  `other REST API here logs with, and it stays in place after pulumi destroy (the role too). ` +
  `If the account already has a working role, set manageApiGatewayAccount to false instead.`;

export class ApiGatewayAccount extends pulumi.ComponentResource {
  /** The role API Gateway assumes to write REST execution and access logs. */
  readonly role: aws.iam.Role;
  readonly policyAttachment: aws.iam.RolePolicyAttachment;
  /** The account's API Gateway settings for this Region (`cloudwatchRoleArn`). */
  readonly account: aws.apigateway.Account;

  constructor(name: string, args: object = {}, opts?: pulumi.ComponentResourceOptions) {
    super("identity-gateway:shared:ApiGatewayAccount", name, args, opts);
    pulumi.log.warn(API_GATEWAY_ACCOUNT_WARNING, this);

    // Retained on delete: see the file comment.
    const retained = { parent: this, retainOnDelete: true };
    this.role = new aws.iam.Role(
      `${name}-cloudwatch-role`,
      {
        description:
          "API Gateway CloudWatch Logs role of this account and Region (set by identity-gateway manageApiGatewayAccount; kept after pulumi destroy)",
        assumeRolePolicy: APIGATEWAY_ASSUME_ROLE_POLICY,
      },
      retained,
    );
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    this.policyAttachment = new aws.iam.RolePolicyAttachment(
      `${name}-push-to-cloudwatch-logs`,
      { role: this.role.name, policyArn: partition.apply(pushToCloudWatchLogsPolicyArn) },
      retained,
    );
    // After the attachment: the role must already hold its permissions when API Gateway is told
    // to use it.
    this.account = new aws.apigateway.Account(
      name,
      { cloudwatchRoleArn: this.role.arn },
      { ...retained, dependsOn: [this.policyAttachment] },
    );

    this.registerOutputs({
      role: this.role,
      policyAttachment: this.policyAttachment,
      account: this.account,
    });
  }
}
