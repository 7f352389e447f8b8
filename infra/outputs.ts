/**
 * The stack outputs: a contract that other stacks read with `StackReference`. The keys are the same
 * in every mode; a value that does not apply to a mode is `null`, never missing. Secrets never
 * appear here.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * The invoke URL without a trailing `/`. A `$default` stage's invoke URL is the API endpoint with a
 * trailing slash (`https://{api-id}.execute-api.{region}.amazonaws.com/`; "Working with stages for
 * HTTP APIs", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html),
 * so `$URL/hello` would give `//hello`. Stripped so every mode's `apiUrl` can be joined with `/path`.
 */
export function withoutTrailingSlash(url: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(url).apply((u) => u.replace(/\/+$/, ""));
}

export interface GatewayOutputs {
  /** Invoke URL of the stage, never ending in `/`, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/dev */
  readonly apiUrl: pulumi.Output<string>;
  readonly apiId: pulumi.Output<string>;
  /** `http` for the HTTP API modes, `rest` for rest-token. */
  readonly apiType: "http" | "rest";
  readonly authMode: "http-jwt" | "http-lambda" | "rest-token";
  readonly stageName: pulumi.Output<string>;
  /** execute-api ARN prefix of the API, for IAM policies and Lambda permissions in other stacks. */
  readonly executionArn: pulumi.Output<string>;
  readonly authorizerId: pulumi.Output<string>;
  /** The authorizer Lambda's ARN (Lambda modes); null in http-jwt. */
  readonly authorizerFunctionArn: pulumi.Output<string> | null;
  /** ARN of the Secrets Manager secret holding key material (secret/public-key); null otherwise. */
  readonly secretArn: pulumi.Output<string> | null;
  /** The header names the backend receives the identity in, in mapping order. */
  readonly identityHeaders: readonly string[];
  /** The issuer tokens must come from; null where none applies. */
  readonly issuer: string | null;
  /**
   * The route table as deployed, one normalized line per route (`GET /orders/{proxy+}
   * scopes=orders:read`; the default table when `routes` is unset). `createGateway` sets it from
   * the config for every mode, so a mode component may leave it out; the stack outputs always
   * have it (`StackOutputs`).
   */
  readonly routes?: readonly string[];
}

/** The stack outputs: the contract with `routes` always present. */
export type StackOutputs = GatewayOutputs & { readonly routes: readonly string[] };
