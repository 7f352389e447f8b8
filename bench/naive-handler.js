"use strict";
// The naive authorizer the cold-start row compares against: what a Lambda authorizer commonly looks
// like when written by hand. `jsonwebtoken` required from node_modules (not bundled), the key read
// from Secrets Manager with the same AWS SDK v3 client the bundles use, RS256 pinned, iss/aud
// checked, an IAM policy (TOKEN) or a simple response (REQUEST v2) returned. It does the same job
// as the bundles, so the cold-start difference is packaging and verification code, not the SDK.
const jwt = require("jsonwebtoken");
const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");

const client = new SecretsManagerClient({});
let publicKey;

exports.handler = async (event) => {
  if (publicKey === undefined) {
    const out = await client.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ID }));
    publicKey = out.SecretString;
  }
  const raw = event.authorizationToken || (event.headers && event.headers.authorization) || "";
  const token = raw.replace(/^Bearer\s+/i, "");
  let claims;
  try {
    claims = jwt.verify(token, publicKey, {
      algorithms: ["RS256"],
      issuer: process.env.ISSUER,
      audience: JSON.parse(process.env.AUDIENCES),
    });
  } catch {
    if (event.type === "TOKEN") throw new Error("Unauthorized");
    return { isAuthorized: false };
  }
  const context = { customerId: String(claims.customer_id || claims.sub) };
  if (event.type === "TOKEN") {
    return {
      principalId: context.customerId,
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }],
      },
      context,
    };
  }
  return { isAuthorized: true, context };
};
