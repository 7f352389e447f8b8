// Entry point that `pulumi up` runs (Pulumi.yaml: runtime nodejs). Everything lives in infra/.
import { loadConfig } from "./infra/config";
import { createGateway } from "./infra/program";

const outputs = createGateway(loadConfig());

// The stack outputs are a contract read by other stacks through StackReference: see infra/outputs.ts.
export const apiUrl = outputs.apiUrl;
export const apiId = outputs.apiId;
export const apiType = outputs.apiType;
export const authMode = outputs.authMode;
export const stageName = outputs.stageName;
export const executionArn = outputs.executionArn;
export const authorizerId = outputs.authorizerId;
export const authorizerFunctionArn = outputs.authorizerFunctionArn;
export const secretArn = outputs.secretArn;
export const identityHeaders = outputs.identityHeaders;
export const issuer = outputs.issuer;
export const routes = outputs.routes;
