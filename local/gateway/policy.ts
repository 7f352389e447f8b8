/**
 * IAM policy evaluation, as API Gateway applies a Lambda authorizer's policy. The pure evaluation
 * lives in functions/commons/iam-policy.ts, shared with rest-token's preview check.
 */
export {
  evaluatePolicy,
  MalformedPolicyError,
  type PolicyDecision,
} from "../../functions/commons/iam-policy";
