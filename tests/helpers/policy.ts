/**
 * The IAM policy document a REST TOKEN authorizer answers with, written out independently of
 * functions/ (tests compare the authorizer's output against it, so it must not reuse the code
 * under test): one `execute-api:Invoke` statement.
 */

/** `{ Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect, Resource }] }`. */
export function invokePolicy(effect: "Allow" | "Deny", resource: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
  };
}
