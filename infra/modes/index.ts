// One ComponentResource per authorizer mode (CDK-style: one file each).
export { HttpJwtGateway, type HttpJwtGatewayArgs } from "./http-jwt";
export { HttpLambdaGateway, type HttpLambdaGatewayArgs } from "./http-lambda";
export { RestTokenGateway, type RestTokenGatewayArgs } from "./rest-token";
