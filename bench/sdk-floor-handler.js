"use strict";
// Cold-start floor for any authorizer that reads its key with the AWS SDK v3: load
// @aws-sdk/client-secrets-manager from node_modules, read the secret once, answer Allow. It
// verifies nothing; it shows how much of a cold start is the SDK and the Secrets Manager read
// alone (the `cold.sdk-floor` row), which neither the bundles nor the naive handler can go below
// while they use the SDK.
const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");

const client = new SecretsManagerClient({});
let key;

exports.handler = async (event) => {
  if (key === undefined) {
    const out = await client.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ID }));
    key = out.SecretString;
  }
  if (event.type === "TOKEN") {
    return {
      principalId: "floor",
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }],
      },
    };
  }
  return { isAuthorized: true };
};
