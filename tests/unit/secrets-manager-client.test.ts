/**
 * The authorizers' own Secrets Manager client (functions/commons/clients/secrets-manager.ts): the
 * wire format of GetSecretValue, the SigV4 signature (checked by the fake endpoint's independent
 * implementation, and against the AWS SDK's SignatureV4 for a fixed date), error mapping,
 * configuration from the environment, timeouts.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createSecretsManagerClient,
  SecretsManagerError,
} from "../../functions/commons/clients/secrets-manager";
import {
  FAKE_AWS,
  serviceError,
  setSecretStages,
  useFakeSecretsManager,
  verifySigV4,
} from "../helpers/secrets-manager";

const sm = useFakeSecretsManager();
const SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:test/key-AbCdEf";
const FIXED = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));

beforeEach(() => sm.reset());

test("sends a signed AWS JSON 1.1 GetSecretValue request and returns the value", async () => {
  // Prepare
  setSecretStages(sm, { current: "the-secret" });
  const client = createSecretsManagerClient({ now: () => FIXED });

  // Act
  const out = await client.getSecretValue({ SecretId: SECRET_ID, VersionStage: "AWSCURRENT" });

  // Assess
  expect(out.SecretString).toBe("the-secret");
  expect(out.VersionStages).toEqual(["AWSCURRENT"]);
  expect(sm.calls).toHaveLength(1);
  const [call] = sm.calls;
  expect(call.signatureValid).toBe(true);
  expect(call.target).toBe("secretsmanager.GetSecretValue");
  expect(call.headers["content-type"]).toBe("application/x-amz-json-1.1");
  expect(JSON.parse(call.body)).toEqual({ SecretId: SECRET_ID, VersionStage: "AWSCURRENT" });
  expect(call.headers["x-amz-date"]).toBe("20300102T030405Z");
  expect(call.headers["x-amz-security-token"]).toBe(FAKE_AWS.sessionToken);
  expect(call.headers.authorization).toMatch(
    new RegExp(
      `^AWS4-HMAC-SHA256 Credential=${FAKE_AWS.accessKeyId}/20300102/us-east-1/secretsmanager/aws4_request, ` +
        "SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$",
    ),
  );
  expect(call.headers.authorization).toContain("x-amz-security-token");
  expect(call.headers.authorization).toContain("x-amz-target");
});

test("known answer: the signature equals the AWS SDK's SignatureV4 over the same request", async () => {
  setSecretStages(sm, { current: "the-secret" });
  await createSecretsManagerClient({ now: () => FIXED })
    .getSecretValue({
      SecretId: SECRET_ID,
      VersionStage: "AWSPREVIOUS",
    })
    .catch(() => undefined);
  const [call] = sm.calls;
  const url = new URL(sm.url);

  const reference = await new SignatureV4({
    service: "secretsmanager",
    region: FAKE_AWS.region,
    credentials: FAKE_AWS,
    sha256: Hash.bind(null, "sha256"),
  }).sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      query: {},
      headers: {
        host: url.host,
        "content-type": "application/x-amz-json-1.1",
        "content-length": String(Buffer.byteLength(call.body)),
        "x-amz-target": "secretsmanager.GetSecretValue",
      },
      body: call.body,
    },
    { signingDate: FIXED },
  );

  expect(call.headers.authorization).toBe(reference.headers.authorization);
});

test("the fake's own SigV4 check is not vacuous: a wrong secret key is refused", async () => {
  setSecretStages(sm, { current: "the-secret" });
  const client = createSecretsManagerClient({
    env: { ...process.env, AWS_SECRET_ACCESS_KEY: "not-the-right-key" },
  });

  const err = await client.getSecretValue({ SecretId: SECRET_ID }).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(SecretsManagerError);
  expect((err as SecretsManagerError).name).toBe("InvalidSignatureException");
  expect((err as SecretsManagerError).$metadata.httpStatusCode).toBe(403);
  expect(sm.calls[0].signatureValid).toBe(false);
  // And the check accepts exactly what was signed: a changed body fails it.
  const { headers, body } = sm.calls[0];
  expect(verifySigV4("POST", "/", headers, body.replace("the", "thE"))).toBe(false);
});

test("ResourceNotFoundException keeps its name (a missing AWSPREVIOUS is normal)", async () => {
  setSecretStages(sm, { current: "the-secret" });
  const client = createSecretsManagerClient();

  const err = await client
    .getSecretValue({ SecretId: SECRET_ID, VersionStage: "AWSPREVIOUS" })
    .catch((e: unknown) => e);

  expect(err).toMatchObject({
    name: "ResourceNotFoundException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
  });
});

test("a service error is a server fault named after __type", async () => {
  setSecretStages(sm, { current: serviceError() });

  const err = await createSecretsManagerClient()
    .getSecretValue({ SecretId: SECRET_ID })
    .catch((e: unknown) => e);

  expect(err).toMatchObject({ name: "InternalServiceError", $fault: "server" });
});

test("SecretBinary is decoded from base64", async () => {
  setSecretStages(sm, { current: { binary: new Uint8Array([0, 1, 2, 255]) } });

  const out = await createSecretsManagerClient().getSecretValue({ SecretId: SECRET_ID });

  expect(out.SecretString).toBeUndefined();
  expect(Array.from(out.SecretBinary ?? [])).toEqual([0, 1, 2, 255]);
});

test("AWS_ENDPOINT_URL is used when AWS_ENDPOINT_URL_SECRETS_MANAGER is unset", async () => {
  setSecretStages(sm, { current: "via-generic-endpoint" });
  const env: Record<string, string | undefined> = { ...process.env, AWS_ENDPOINT_URL: sm.url };
  delete env.AWS_ENDPOINT_URL_SECRETS_MANAGER;

  const out = await createSecretsManagerClient({ env }).getSecretValue({ SecretId: SECRET_ID });

  expect(out.SecretString).toBe("via-generic-endpoint");
});

test("missing credentials or region fail without a request", async () => {
  const noCreds = { ...process.env, AWS_ACCESS_KEY_ID: "" };
  const noRegion = { ...process.env, AWS_REGION: "", AWS_DEFAULT_REGION: "" };

  await expect(
    createSecretsManagerClient({ env: noCreds }).getSecretValue({ SecretId: SECRET_ID }),
  ).rejects.toMatchObject({ name: "CredentialsProviderError" });
  await expect(
    createSecretsManagerClient({ env: noRegion }).getSecretValue({ SecretId: SECRET_ID }),
  ).rejects.toMatchObject({ name: "ConfigurationError" });
  expect(sm.calls).toHaveLength(0);
});

describe("against a raw HTTP server", () => {
  let server: Server;
  let url: string;
  let answer: (res: import("node:http").ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => answer(res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (requestTimeoutMs = 1500) =>
    createSecretsManagerClient({
      env: { ...process.env, AWS_ENDPOINT_URL_SECRETS_MANAGER: url },
      requestTimeoutMs,
    });

  test("a namespaced __type (`namespace#Name`) and the x-amzn-ErrorType header are understood", async () => {
    answer = (res) => {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          __type: "com.amazonaws.secretsmanager#AccessDeniedException",
          Message: "no",
        }),
      );
    };
    await expect(client().getSecretValue({ SecretId: SECRET_ID })).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: "no",
    });

    answer = (res) => {
      res.writeHead(400, { "x-amzn-errortype": "ResourceNotFoundException:http://internal/" });
      res.end("");
    };
    await expect(client().getSecretValue({ SecretId: SECRET_ID })).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  test("a server that does not answer turns into a TimeoutError", async () => {
    answer = () => undefined; // never answers
    const started = Date.now();

    await expect(client(200).getSecretValue({ SecretId: SECRET_ID })).rejects.toMatchObject({
      name: "TimeoutError",
      $fault: "server",
    });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
