/**
 * A Secrets Manager-compatible endpoint on 127.0.0.1, enough for `GetSecretValue`: the authorizer
 * bundles read their key material through the AWS SDK exactly as in AWS, pointed here by
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` (see `lambda-runtime.ts`).
 *
 * Protocol: AWS JSON 1.1. `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue` and a body
 * `{SecretId, VersionId?, VersionStage?}`. The answer is `{ARN, Name, SecretString, VersionId,
 * VersionStages, CreatedDate}`; errors are status 400 with `{__type, message}` and the
 * `x-amzn-ErrorType` header, which the SDK turns into typed exceptions
 * (`ResourceNotFoundException`). Request signatures are not checked.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface StoredSecret {
  arn: string;
  name: string;
  secretString: string;
  versionId: string;
  createdDate: number;
}

/** One `GetSecretValue` call, for tests and logs. */
export interface SecretsCall {
  readonly operation: string;
  readonly secretId: string | undefined;
  /** The `VersionStage` asked for, if any. */
  readonly versionStage?: string;
  /** True when a value was returned. */
  readonly found: boolean;
}

/** The name part of a Secrets Manager ARN (`…:secret:<name>-AbCdEf` → `<name>`). */
function nameFromArn(arn: string): string {
  const m = /:secret:(.+)$/.exec(arn);
  if (!m) return arn;
  return m[1].replace(/-[A-Za-z0-9]{6}$/, "");
}

export class SecretsEndpoint {
  private readonly secrets = new Map<string, StoredSecret>();
  /** Every call received, in order. */
  readonly calls: SecretsCall[] = [];
  /** When false, every call fails with 503 (to test that authorizers fail closed). */
  available = true;

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
    readonly url: string,
  ) {}

  /** Serve on 127.0.0.1 (`port` 0 picks a free one). */
  static async start(port = 0): Promise<SecretsEndpoint> {
    const holder: { endpoint?: SecretsEndpoint } = {};
    const server = createServer((req, res) => {
      void holder.endpoint?.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    holder.endpoint = new SecretsEndpoint(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    return holder.endpoint;
  }

  /** Store (or rotate) a secret's current value; the ARN is its id. */
  putSecret(arn: string, secretString: string, name = nameFromArn(arn)): void {
    this.secrets.set(arn, {
      arn,
      name,
      secretString,
      versionId: randomUUID(),
      createdDate: Date.now() / 1000,
    });
  }

  /** Number of `GetSecretValue` calls received. */
  getSecretValueCount(secretId?: string): number {
    return this.calls.filter(
      (c) =>
        c.operation === "GetSecretValue" && (secretId === undefined || c.secretId === secretId),
    ).length;
  }

  private find(id: string): StoredSecret | undefined {
    const exact = this.secrets.get(id);
    if (exact) return exact;
    for (const s of this.secrets.values()) {
      // By name, or by a partial ARN (without the random suffix).
      if (s.name === id || s.arn.startsWith(`${id}-`)) return s;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown, errorType?: string): void => {
      const headers: Record<string, string> = {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": randomUUID(),
      };
      if (errorType) headers["x-amzn-errortype"] = errorType;
      res.writeHead(status, headers);
      res.end(JSON.stringify(body));
    };
    const error = (status: number, type: string, message: string): void =>
      send(status, { __type: type, message, Message: message }, type);

    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("secretsmanager.")
      ? target.slice("secretsmanager.".length)
      : target;
    let body: { SecretId?: unknown; VersionStage?: unknown; VersionId?: unknown } = {};
    try {
      const text = Buffer.concat(chunks).toString("utf8");
      body = text === "" ? {} : (JSON.parse(text) as typeof body);
    } catch {
      this.calls.push({ operation, secretId: undefined, found: false });
      return error(400, "SerializationException", "The request body is not valid JSON.");
    }
    const secretId = typeof body.SecretId === "string" ? body.SecretId : undefined;
    const versionStage = typeof body.VersionStage === "string" ? body.VersionStage : undefined;
    if (!this.available) {
      this.calls.push({ operation, secretId, versionStage, found: false });
      return error(503, "ServiceUnavailable", "The local Secrets Manager endpoint is disabled.");
    }
    if (req.method !== "POST" || operation !== "GetSecretValue") {
      this.calls.push({ operation, secretId, versionStage, found: false });
      return error(
        400,
        "UnknownOperationException",
        `The local Secrets Manager endpoint supports only GetSecretValue, got "${target}".`,
      );
    }
    if (secretId === undefined || secretId === "") {
      this.calls.push({ operation, secretId, versionStage, found: false });
      return error(400, "InvalidParameterException", "SecretId is required.");
    }
    const secret = this.find(secretId);
    if (!secret) {
      this.calls.push({ operation, secretId, versionStage, found: false });
      return error(
        400,
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
      );
    }
    const stage = versionStage;
    const versionId = typeof body.VersionId === "string" ? body.VersionId : undefined;
    if (
      (stage !== undefined && stage !== "AWSCURRENT") ||
      (versionId && versionId !== secret.versionId)
    ) {
      this.calls.push({ operation, secretId, versionStage, found: false });
      return error(
        400,
        "ResourceNotFoundException",
        stage !== undefined && stage !== "AWSCURRENT"
          ? `Secrets Manager can't find the specified secret value for staging label: ${stage}`
          : `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
      );
    }
    this.calls.push({ operation, secretId, versionStage, found: true });
    send(200, {
      ARN: secret.arn,
      Name: secret.name,
      SecretString: secret.secretString,
      VersionId: secret.versionId,
      VersionStages: ["AWSCURRENT"],
      CreatedDate: secret.createdDate,
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
