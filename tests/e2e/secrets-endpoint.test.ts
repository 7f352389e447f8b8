import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";

import { SecretsEndpoint } from "../../local/secrets-endpoint";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway-key-secret-AbCdEf";

describe("local Secrets Manager endpoint", () => {
  let endpoint: SecretsEndpoint;
  let client: SecretsManagerClient;

  beforeEach(async () => {
    endpoint = await SecretsEndpoint.start();
    endpoint.putSecret(ARN, "s3cret");
    client = new SecretsManagerClient({
      endpoint: endpoint.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIA", secretAccessKey: "x" },
    });
  });
  afterEach(async () => {
    client.destroy();
    await endpoint.close();
  });

  it("answers GetSecretValue through the AWS SDK by ARN, by name and for AWSCURRENT", async () => {
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: ARN }));
    expect(byArn).toMatchObject({
      ARN,
      Name: "gateway-key-secret",
      SecretString: "s3cret",
      VersionStages: ["AWSCURRENT"],
    });
    expect(byArn.VersionId).toEqual(expect.any(String));
    expect(byArn.CreatedDate).toBeInstanceOf(Date);
    const byName = await client.send(
      new GetSecretValueCommand({ SecretId: "gateway-key-secret", VersionStage: "AWSCURRENT" }),
    );
    expect(byName.SecretString).toBe("s3cret");
    expect(endpoint.getSecretValueCount()).toBe(2);
    expect(endpoint.getSecretValueCount(ARN)).toBe(1);
  });

  it("answers an unknown secret or stage with ResourceNotFoundException (400)", async () => {
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: "nope" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: ARN, VersionStage: "AWSPENDING" })),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("speaks the JSON 1.1 wire format", async () => {
    const res = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "x-amz-target": "secretsmanager.GetSecretValue",
        "content-type": "application/x-amz-json-1.1",
      },
      body: JSON.stringify({ SecretId: "missing" }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(await res.json()).toMatchObject({ __type: "ResourceNotFoundException" });
    const other = await fetch(endpoint.url, {
      method: "POST",
      headers: { "x-amz-target": "secretsmanager.DeleteSecret" },
      body: "{}",
    });
    expect(other.status).toBe(400);
  });

  it("serves a rotated value and can be made unavailable", async () => {
    endpoint.putSecret(ARN, "rotated");
    expect((await client.send(new GetSecretValueCommand({ SecretId: ARN }))).SecretString).toBe(
      "rotated",
    );
    endpoint.available = false;
    await expect(client.send(new GetSecretValueCommand({ SecretId: ARN }))).rejects.toBeDefined();
  });
});
