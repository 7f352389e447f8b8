/**
 * The provider state Pulumi's mock runtime gives a resource: its inputs plus the computed
 * attributes the program reads (`arn`, `executionArn`, `invokeArn`, `invokeUrl`, …), in the formats
 * AWS uses. One implementation for the local runner (`runner.ts`) and the infrastructure tests'
 * harness (`tests/infra/mocks.ts`), so both link resources the way the AWS provider does.
 *
 * The parts AWS makes up (a `namePrefix`'s suffix, a secret ARN's suffix, a REST API's root
 * resource id) come from `names`: the runner hashes, the tests use fixed readable values.
 */

/** Where the resources live and how the parts AWS makes up are named. */
export interface MockStateOptions {
  readonly region: string;
  readonly account: string;
  /** The suffix AWS appends to a `namePrefix` to make the physical name. */
  readonly namePrefixSuffix: (type: string, name: string) => string;
  /** The suffix (after `-`) of a Secrets Manager secret's ARN. */
  readonly secretArnSuffix: (type: string, name: string) => string;
  /** A REST API's `rootResourceId`. */
  readonly rootResourceId: (type: string, name: string, id: string) => string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- engine inputs and state are untyped JSON */
/** Provider state for a resource: its inputs plus the computed attributes the program reads. */
export function mockState(
  type: string,
  name: string,
  id: string,
  inputs: any,
  options: MockStateOptions,
): Record<string, any> {
  const { region, account } = options;
  const physicalName: string =
    inputs.name ??
    (inputs.namePrefix ? `${inputs.namePrefix}${options.namePrefixSuffix(type, name)}` : name);
  const base = { ...inputs, name: physicalName };
  switch (type) {
    case "aws:apigatewayv2/api:Api":
      return {
        ...base,
        arn: `arn:aws:apigateway:${region}::/apis/${id}`,
        executionArn: `arn:aws:execute-api:${region}:${account}:${id}`,
        apiEndpoint: `https://${id}.execute-api.${region}.amazonaws.com`,
      };
    case "aws:apigatewayv2/stage:Stage": {
      const suffix = physicalName === "$default" ? "" : physicalName;
      return {
        ...base,
        arn: `arn:aws:apigateway:${region}::/apis/${inputs.apiId}/stages/${physicalName}`,
        executionArn: `arn:aws:execute-api:${region}:${account}:${inputs.apiId}/${physicalName}`,
        invokeUrl: `https://${inputs.apiId}.execute-api.${region}.amazonaws.com/${suffix}`,
      };
    }
    case "aws:apigateway/restApi:RestApi":
      return {
        ...base,
        rootResourceId: options.rootResourceId(type, name, id),
        executionArn: `arn:aws:execute-api:${region}:${account}:${id}`,
        arn: `arn:aws:apigateway:${region}::/restapis/${id}`,
      };
    case "aws:apigateway/stage:Stage":
      return {
        ...base,
        invokeUrl: `https://${inputs.restApi}.execute-api.${region}.amazonaws.com/${inputs.stageName}`,
        executionArn: `arn:aws:execute-api:${region}:${account}:${inputs.restApi}/${inputs.stageName}`,
      };
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${region}:${account}:function:${physicalName}`;
      return {
        ...base,
        arn,
        qualifiedArn: `${arn}:$LATEST`,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
      };
    }
    case "aws:secretsmanager/secret:Secret":
      return {
        ...base,
        arn: `arn:aws:secretsmanager:${region}:${account}:secret:${physicalName}-${options.secretArnSuffix(type, name)}`,
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { ...base, arn: `arn:aws:logs:${region}:${account}:log-group:${physicalName}` };
    case "aws:iam/role:Role":
      return { ...base, arn: `arn:aws:iam::${account}:role/${physicalName}` };
    default:
      return { ...base, arn: `arn:aws:mock:${region}:${account}:${type}/${id}` };
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */
