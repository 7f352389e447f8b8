/**
 * `rest-token` mode: a REST API (API Gateway v1) whose every method is guarded by a Lambda TOKEN
 * authorizer; the verified identity reaches the backend through the authorizer context.
 *
 * The mode describes its API as plain data (`restApiDefinition`: the TOKEN authorizer and its role
 * rule here, the methods, mappings and gateway responses from `components/rest-api.ts`), and
 * `createRestApi` builds the resources from it and deploys the stage whenever its hash changes.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { identityHeaderNames } from "../config";
import type { RestTokenConfig } from "../config";
import { ENV } from "../../functions/commons/env-contract";
import { formatRoute } from "../../functions/commons/routes";
import type { ApiGatewayAccount } from "../components/api-gateway-account";
import { AuthorizerFunction } from "../components/authorizer-function";
import type { EchoBackend } from "../components/echo-backend";
import { KeyMaterial } from "../components/key-material";
import { apiGatewayInvokePermission } from "../components/lambda-basics";
import {
  createRestApi,
  restGatewayResponses,
  restMethods,
  type RestApiDefinition,
} from "../components/rest-api";
import type { GatewayOutputs } from "../outputs";

// Re-exported for the tests that read them from the mode (tests/infra/rest-token.test.ts).
export { ACCESS_LOG_FORMAT, canonicalJson, deploymentHash } from "../components/rest-api";

/** Where the TOKEN authorizer reads the token. */
export const TOKEN_IDENTITY_SOURCE = "method.request.header.Authorization";

/**
 * The `identityValidationExpression` of the TOKEN authorizer: `Bearer <jwt>` (the scheme in any
 * case, RFC 6750 allows one or more spaces) or a bare JWT, where a JWT is three non-empty
 * base64url segments. API Gateway answers anything else with 401 before the Lambda runs
 * (aws-semantics.md §4), so junk headers cost no invocation and never reach the verifier.
 *
 * The first segment must start with `e[w-z0-9_-]`, which is exactly "the decoded JOSE header
 * starts with `{`" (every JWT library writes `{"alg"…`). Without it `BearereyJ…` (a missing space)
 * would pass as a *bare* token, because `Bearer` is itself valid base64url. The signature segment
 * must be non-empty, which also turns `alg: none` tokens away at the edge.
 *
 * The expression is evaluated by Java's regex engine; it is written in the subset that Java and
 * JavaScript read the same way (no inline flags, no `\z`), so the tests check it with `RegExp`.
 */
export const TOKEN_VALIDATION_EXPRESSION =
  "^([Bb][Ee][Aa][Rr][Ee][Rr] +)?e[w-z0-9_-][A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$";

/** The Lambda bundle the authorizer runs. */
export const REST_AUTHORIZER_BUNDLE = "rest-authorizer" as const;

/** Whether the table is the one a stack without `routes` gets (`ANY /`, `ANY /{proxy+}`, requiredRoles). */
function isDefaultTable(config: RestTokenConfig): boolean {
  const rule = `roles=${config.requiredRoles.join(",")}`;
  const lines = config.routes.map(formatRoute);
  return lines.length === 2 && lines[0] === `ANY / ${rule}` && lines[1] === `ANY /{proxy+} ${rule}`;
}

/**
 * The whole API as plain data, from the validated config alone: what `createRestApi` creates, and
 * what the deployment hash covers.
 */
export function restApiDefinition(config: RestTokenConfig): RestApiDefinition {
  return {
    endpointType: "REGIONAL",
    authorizer: {
      type: "TOKEN",
      identitySource: TOKEN_IDENTITY_SOURCE,
      identityValidationExpression: TOKEN_VALIDATION_EXPRESSION,
      resultTtlInSeconds: config.lambda.authorizerCacheTtl,
      function: {
        bundle: REST_AUTHORIZER_BUNDLE,
        roleClaim: config.roleClaim,
        requiredRoles: [...config.requiredRoles],
        customerIdClaims: [...config.identity.customerIdClaims],
        customerNameClaims: [...config.identity.customerNameClaims],
        contextClaims: [...config.identity.claimHeaders, ...config.identity.claimQueryParams].map(
          (m) => [m.contextKey, m.claim] as const,
        ),
        routeRules: isDefaultTable(config) ? undefined : config.routes.map(formatRoute),
      },
    },
    methods: restMethods(config),
    gatewayResponses: restGatewayResponses(config.cors),
  };
}

export interface RestTokenGatewayArgs {
  /** The validated stack config (`parseConfig`) for this mode. */
  readonly config: RestTokenConfig;
}

/** A REST API whose methods are authorized by a Lambda TOKEN authorizer with role checks. */
export class RestTokenGateway extends pulumi.ComponentResource {
  /** The stack-output contract (infra/outputs.ts). */
  readonly outputs: GatewayOutputs;
  /** The plain description this gateway was built from (and whose hash triggers redeployment). */
  readonly definition: RestApiDefinition;
  readonly restApi: aws.apigateway.RestApi;
  readonly authorizer: aws.apigateway.Authorizer;
  readonly authorizerFunction: AuthorizerFunction;
  readonly keyMaterial: KeyMaterial;
  /** The bundled echo backend; undefined when `backendUrl` is set. */
  readonly echoBackend?: EchoBackend;
  readonly deployment: aws.apigateway.Deployment;
  readonly stage: aws.apigateway.Stage;
  /** The stage's access-log group; undefined when `accessLogging` is false. */
  readonly accessLogGroup?: aws.cloudwatch.LogGroup;
  /** The account-level CloudWatch Logs role and setting; only with `manageApiGatewayAccount`. */
  readonly apiGatewayAccount?: ApiGatewayAccount;
  /** Lets this API's authorizer, and nothing else, invoke the authorizer function. */
  readonly invokePermission: aws.lambda.Permission;

  constructor(name: string, args: RestTokenGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("identity-gateway:modes:RestTokenGateway", name, {}, opts);
    const { config } = args;
    this.definition = restApiDefinition(config);

    // Resource names (`<name>-key`, `<name>-authorizer`) differ from http-lambda's (`-keys`,
    // `-authz`): they are what deployed stacks hold (tests/infra/rest-token-urns.test.ts).
    this.keyMaterial = new KeyMaterial(
      `${name}-key`,
      { keySource: config.lambda.keySource },
      { parent: this },
    );
    this.authorizerFunction = new AuthorizerFunction(
      `${name}-authorizer`,
      {
        bundle: REST_AUTHORIZER_BUNDLE,
        lambda: config.lambda,
        identity: config.identity,
        secretArn: this.keyMaterial.secretArn,
        environment: {
          [ENV.ROLE_CLAIM]: config.roleClaim,
          [ENV.REQUIRED_ROLES]: JSON.stringify(config.requiredRoles),
          [ENV.ROUTE_RULES]: JSON.stringify(config.routes.map(formatRoute)),
        },
        logRetentionDays: config.stage.logRetentionDays,
      },
      { parent: this },
    );
    const authFn = this.authorizerFunction.function;

    const rest = createRestApi(name, this, {
      definition: this.definition,
      authMode: "rest-token",
      stackName: config.stackName,
      stage: config.stage,
      authorizerUri: authFn.invokeArn,
      cors: config.cors,
      manageApiGatewayAccount: config.manageApiGatewayAccount,
    });
    this.restApi = rest.restApi;
    this.authorizer = rest.authorizer;
    this.echoBackend = rest.echoBackend;
    this.deployment = rest.deployment;
    this.stage = rest.stage;
    this.accessLogGroup = rest.accessLogGroup;
    this.apiGatewayAccount = rest.apiGatewayAccount;
    const api = this.restApi;

    // Only this API's authorizer may invoke the authorizer function (design rule 7).
    this.invokePermission = apiGatewayInvokePermission(
      `${name}-authorizer-invoke`,
      authFn,
      pulumi.interpolate`${api.executionArn}/authorizers/${this.authorizer.id}`,
      this,
    );

    this.outputs = {
      apiUrl: this.stage.invokeUrl,
      apiId: api.id,
      apiType: "rest",
      authMode: "rest-token",
      stageName: this.stage.stageName,
      executionArn: api.executionArn,
      authorizerId: this.authorizer.id,
      authorizerFunctionArn: authFn.arn,
      secretArn: this.keyMaterial.secretArn ?? null,
      identityHeaders: identityHeaderNames(config.identity),
      issuer: config.lambda.issuer,
    };
    this.registerOutputs({ ...this.outputs });
  }
}
