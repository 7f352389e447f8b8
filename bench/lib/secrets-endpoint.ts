/**
 * A tiny Secrets Manager-compatible endpoint on 127.0.0.1 (AWS JSON 1.1, `GetSecretValue` only),
 * so the bundles fetch key material through the real AWS SDK v3 without AWS. Every request is
 * counted: the warm path must make none.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface BenchSecret {
  /** Name, e.g. `identity-gateway/bench/hs256`. */
  name: string;
  /** The SecretString served for AWSCURRENT. */
  value: string;
}

export interface SecretsEndpoint {
  url: string;
  /** Requests received since start (any method, any target). */
  readonly requests: number;
  /** ARN of a secret by name. */
  arnOf(name: string): string;
  close(): Promise<void>;
}

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const JSON_11 = "application/x-amz-json-1.1";

export function secretArn(name: string): string {
  return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": JSON_11,
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
  });
  res.end(text);
}

function error(res: http.ServerResponse, type: string, message: string): void {
  reply(res, 400, { __type: type, message });
}

export async function startSecretsEndpoint(secrets: BenchSecret[]): Promise<SecretsEndpoint> {
  const byId = new Map<string, BenchSecret>();
  for (const s of secrets) {
    byId.set(s.name, s);
    byId.set(secretArn(s.name), s);
  }
  let requests = 0;

  const server = http.createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST") {
        return error(res, "InvalidRequestException", `Method ${req.method} not supported.`);
      }
      const target = req.headers["x-amz-target"];
      if (target !== "secretsmanager.GetSecretValue") {
        return error(res, "UnknownOperationException", `Unknown operation ${String(target)}.`);
      }
      let body: { SecretId?: unknown; VersionStage?: unknown; VersionId?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        return error(res, "SerializationException", "Request body is not valid JSON.");
      }
      const secret = typeof body.SecretId === "string" ? byId.get(body.SecretId) : undefined;
      if (!secret) {
        return error(
          res,
          "ResourceNotFoundException",
          "Secrets Manager can't find the specified secret.",
        );
      }
      const stage = body.VersionStage ?? "AWSCURRENT";
      if (stage !== "AWSCURRENT" || (body.VersionId !== undefined && body.VersionId !== "v1")) {
        return error(
          res,
          "ResourceNotFoundException",
          "Secrets Manager can't find the specified secret value for staging label: " +
            String(stage),
        );
      }
      reply(res, 200, {
        ARN: secretArn(secret.name),
        Name: secret.name,
        SecretString: secret.value,
        VersionId: "v1",
        VersionStages: ["AWSCURRENT"],
        CreatedDate: 1718639559.08,
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    arnOf: secretArn,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The AWS environment a process needs to reach `endpointUrl` with dummy credentials. */
export function awsEnv(endpointUrl: string): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: "AKIDBENCHBENCHBENCH0",
    AWS_SECRET_ACCESS_KEY: "bench-secret-access-key-not-real",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpointUrl,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    // Node 20 here, Node 22 in Lambda (scripts/build.mjs): the SDK's Node 20 deprecation warning
    // (a stderr write at first use) would not happen there.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}
