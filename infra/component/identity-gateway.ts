/**
 * `IdentityGateway`: the whole gateway as one ComponentResource, for a Pulumi program that owns
 * other infrastructure (`import { IdentityGateway } from "identity-gateway"`), and, through
 * `provider/`, for Python, Go, .NET and YAML programs (`pulumi package add`).
 *
 * A thin layer over what the stack program runs: the arguments become the raw config that
 * `parseConfig` validates (args-config.ts), and `createGateway` builds the mode component,
 * parented to this one and named after it, so two instances never collide.
 *
 * Why the stack program (index.ts) does not construct this component: a resource's URN holds the
 * type of every component above it, so putting the existing top-level `gateway` mode component
 * under a new parent changes every URN, and `pulumi up` deletes and re-creates the API (a new
 * invoke URL) unless each resource carries an alias (Pulumi docs, "Refactoring with aliases",
 * https://www.pulumi.com/docs/iac/operations/stack-management/refactoring-with-aliases/). Both
 * build on the same `createGateway`, so they cannot drift, and deployed stacks keep their URNs
 * (tests/infra/identity-gateway-urns.test.ts, tests/infra/rest-token-urns.test.ts).
 */
import * as pulumi from "@pulumi/pulumi";

import type { StackOutputs } from "../outputs";
import { createGateway } from "../program";
import { IDENTITY_GATEWAY_TYPE, configFromArgs } from "./args-config";
import type { IdentityGatewayArgs } from "./args";

/**
 * An AWS API Gateway in front of a backend that verifies the caller's JWT at the edge and hands the
 * backend the verified identity as plain headers (X-Customer-ID, X-Customer-Name, ...). One of three
 * authorizer modes: http-jwt, http-lambda or rest-token.
 */
export class IdentityGateway extends pulumi.ComponentResource {
  /** Invoke URL of the stage, never ending in `/`. */
  readonly apiUrl: pulumi.Output<string>;
  /** Id of the HTTP API or REST API. */
  readonly apiId: pulumi.Output<string>;
  /** `http` for the HTTP API modes, `rest` for rest-token. */
  readonly apiType: pulumi.Output<string>;
  /** The authorizer mode: http-jwt, http-lambda or rest-token. */
  readonly authMode: pulumi.Output<string>;
  /** The stage name. */
  readonly stageName: pulumi.Output<string>;
  /** execute-api ARN prefix of the API, for IAM policies and Lambda permissions. */
  readonly executionArn: pulumi.Output<string>;
  /** Id of the API's authorizer. */
  readonly authorizerId: pulumi.Output<string>;
  /** The authorizer Lambda's ARN (Lambda modes); unset in http-jwt. */
  readonly authorizerFunctionArn: pulumi.Output<string | undefined>;
  /** ARN of the Secrets Manager secret holding key material (secret/public-key); unset otherwise. */
  readonly secretArn: pulumi.Output<string | undefined>;
  /** The header names the backend receives the identity in, in mapping order. */
  readonly identityHeaders: pulumi.Output<string[]>;
  /** The issuer tokens must come from; unset where none applies. */
  readonly issuer: pulumi.Output<string | undefined>;
  /** The route table as deployed, one `METHOD path rule` line per route (see the README's Per-route rules). */
  readonly routes: pulumi.Output<string[]>;

  constructor(name: string, args: IdentityGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before anything is registered: bad arguments stop the program at preview with
    // every problem named, and leave no half-built component behind.
    const config = configFromArgs(name, args);
    super(IDENTITY_GATEWAY_TYPE, name, {}, opts);

    const outputs = createGateway(config, { name, opts: { parent: this } });
    // The stack program's output contract (11 keys and routes), one property each (a `null` of the contract is an
    // unset value here, as a component's schema has no null).
    this.apiUrl = outputs.apiUrl;
    this.apiId = outputs.apiId;
    this.apiType = pulumi.output(outputs.apiType);
    this.authMode = pulumi.output(outputs.authMode);
    this.stageName = outputs.stageName;
    this.executionArn = outputs.executionArn;
    this.authorizerId = outputs.authorizerId;
    this.authorizerFunctionArn = optional(outputs.authorizerFunctionArn);
    this.secretArn = optional(outputs.secretArn);
    this.identityHeaders = pulumi.output([...outputs.identityHeaders]);
    this.issuer = optional(outputs.issuer);
    this.routes = pulumi.output([...outputs.routes]);
    // A key added to the contract (infra/outputs.ts) fails to compile here until it is a property.
    void (this satisfies Record<keyof StackOutputs, unknown>);

    this.registerOutputs({
      apiUrl: this.apiUrl,
      apiId: this.apiId,
      apiType: this.apiType,
      authMode: this.authMode,
      stageName: this.stageName,
      executionArn: this.executionArn,
      authorizerId: this.authorizerId,
      authorizerFunctionArn: this.authorizerFunctionArn,
      secretArn: this.secretArn,
      identityHeaders: this.identityHeaders,
      issuer: this.issuer,
      routes: this.routes,
    });
  }
}

function optional(value: pulumi.Output<string> | string | null): pulumi.Output<string | undefined> {
  return pulumi.output<string | undefined>(value ?? undefined);
}
