/**
 * A small Secrets Manager client: `GetSecretValue` only, over `node:https`, signed with SigV4.
 *
 * Why not `@aws-sdk/client-secrets-manager`: loading the SDK client costs ~100 ms of a cold start
 * (its middleware stack, protocol and credential chain), far more than the authorizer itself, and
 * an authorizer reads one secret. The request is the SDK's own wire format (AWS JSON 1.1:
 * `POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`, body `{SecretId, VersionStage}`), and
 * the signature comes from the SDK's signer package (`@smithy/signature-v4`), so nothing
 * security-relevant is hand-rolled.
 *
 * Configuration is the standard environment Lambda sets, read at each call (the cold path only,
 * the key cache sits in front): credentials `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`; region `AWS_REGION`; endpoint `AWS_ENDPOINT_URL_SECRETS_MANAGER` ??
 * `AWS_ENDPOINT_URL` ?? `https://secretsmanager.{region}.amazonaws.com`. The local gateway points
 * it at its emulator with `AWS_ENDPOINT_URL_SECRETS_MANAGER`, so there is no local-only code path.
 *
 * Timeouts are short because a request is waiting: API Gateway gives a Lambda authorizer 10 s, and a
 * slow Secrets Manager must turn into a quick deny (the key source then backs off and retries).
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import * as http from "node:http";
import * as https from "node:https";

/** `GetSecretValue` input (the subset the authorizer uses). */
export interface GetSecretValueInput {
  readonly SecretId: string;
  readonly VersionStage?: string;
  readonly VersionId?: string;
}

/** `GetSecretValue` output (the fields the authorizer reads, plus identification). */
export interface GetSecretValueOutput {
  readonly ARN?: string;
  readonly Name?: string;
  readonly VersionId?: string;
  readonly VersionStages?: readonly string[];
  readonly SecretString?: string;
  /** Decoded from the base64 the service sends. */
  readonly SecretBinary?: Uint8Array;
}

/** What the key source needs from a Secrets Manager client. */
export interface SecretsManagerClient {
  getSecretValue(input: GetSecretValueInput): Promise<GetSecretValueOutput>;
}

/**
 * A failed call. `name` is the service's error type (`ResourceNotFoundException`,
 * `AccessDeniedException`, …) as the SDK would name its exception, or `TimeoutError` /
 * `NetworkError` / `SecretsManagerError` for failures without a service answer. Messages never
 * hold secret material (error answers carry none).
 */
export class SecretsManagerError extends Error {
  /** `server` for 5xx, timeouts and network failures; `client` for 4xx. */
  readonly $fault: "client" | "server";
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string };

  constructor(
    name: string,
    message: string,
    fault: "client" | "server",
    metadata: { httpStatusCode?: number; requestId?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = name;
    this.$fault = fault;
    this.$metadata = metadata;
  }
}

/** Options of `createSecretsManagerClient`. */
export interface SecretsManagerClientOptions {
  /** Where configuration is read from, at each call. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Time to establish a connection. @default 1000 */
  readonly connectTimeoutMs?: number;
  /** Time for the whole request, connection included. @default 1500 */
  readonly requestTimeoutMs?: number;
  /** Signing clock (tests). @default () => new Date() */
  readonly now?: () => Date;
}

/** Largest response accepted; a secret value is at most 64 KB. */
const MAX_RESPONSE_BYTES = 1 << 20;
const JSON_11 = "application/x-amz-json-1.1";

// One keep-alive agent per protocol for the container's lifetime: a TTL refresh reuses the
// connection when the service kept it open. Created on first use, so loading costs nothing.
let httpsAgent: https.Agent | undefined;
let httpAgent: http.Agent | undefined;

/** Creates a client; `secretsManager` below is the one the key source uses by default. */
export function createSecretsManagerClient(
  options: SecretsManagerClientOptions = {},
): SecretsManagerClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 1500;
  const now = options.now ?? (() => new Date());

  return {
    async getSecretValue(input) {
      const env = options.env ?? process.env;
      const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
      const accessKeyId = env.AWS_ACCESS_KEY_ID;
      const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
      if (!region)
        throw new SecretsManagerError("ConfigurationError", "AWS_REGION is not set.", "client");
      if (!accessKeyId || !secretAccessKey) {
        throw new SecretsManagerError(
          "CredentialsProviderError",
          "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set.",
          "client",
        );
      }
      const endpoint = new URL(
        env.AWS_ENDPOINT_URL_SECRETS_MANAGER ||
          env.AWS_ENDPOINT_URL ||
          `https://secretsmanager.${region}.amazonaws.com`,
      );
      if (endpoint.protocol !== "https:" && endpoint.protocol !== "http:") {
        throw new SecretsManagerError(
          "ConfigurationError",
          "The Secrets Manager endpoint is not an http(s) URL.",
          "client",
        );
      }

      const body = JSON.stringify({
        SecretId: input.SecretId,
        VersionStage: input.VersionStage,
        VersionId: input.VersionId,
      });
      const signer = new SignatureV4({
        service: "secretsmanager",
        region,
        credentials: {
          accessKeyId,
          secretAccessKey,
          sessionToken: env.AWS_SESSION_TOKEN || undefined,
        },
        sha256: Hash.bind(null, "sha256"),
      });
      const path = endpoint.pathname || "/";
      const signed = await signer.sign(
        {
          method: "POST",
          protocol: endpoint.protocol,
          hostname: endpoint.hostname,
          port: endpoint.port ? Number(endpoint.port) : undefined,
          path,
          query: {},
          headers: {
            host: endpoint.host,
            "content-type": JSON_11,
            "content-length": String(Buffer.byteLength(body)),
            "x-amz-target": "secretsmanager.GetSecretValue",
          },
          body,
        },
        { signingDate: now() },
      );

      const request = (): Promise<{
        status: number;
        headers: http.IncomingHttpHeaders;
        text: string;
      }> => send(endpoint, path, signed.headers, body, connectTimeoutMs, requestTimeoutMs);
      let res;
      try {
        res = await request();
      } catch (err) {
        // A keep-alive connection the service (or a frozen Lambda) dropped fails on first use:
        // retry once on a fresh connection, as the SDK's handler does.
        if (!(err instanceof StaleSocketError)) throw err;
        res = await request();
      }
      return parseResponse(res.status, res.headers, res.text);
    },
  };
}

/** A request on a reused keep-alive socket failed before any answer: safe to retry once. */
class StaleSocketError extends Error {}

function send(
  endpoint: URL,
  path: string,
  headers: Record<string, string>,
  body: string,
  connectTimeoutMs: number,
  requestTimeoutMs: number,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const secure = endpoint.protocol === "https:";
  const agent = secure
    ? (httpsAgent ??= new https.Agent({ keepAlive: true, maxSockets: 50 }))
    : (httpAgent ??= new http.Agent({ keepAlive: true, maxSockets: 50 }));
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      clearTimeout(connecting);
      req.destroy();
      reject(err);
    };
    const req = (secure ? https : http).request({
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: endpoint.port || undefined,
      path,
      headers,
      agent,
    });
    let connecting: NodeJS.Timeout | undefined;
    const overall = setTimeout(
      () =>
        fail(
          new SecretsManagerError("TimeoutError", "Secrets Manager request timed out.", "server"),
        ),
      requestTimeoutMs,
    );
    req.once("socket", (socket) => {
      if (!socket.connecting) return;
      connecting = setTimeout(
        () =>
          fail(
            new SecretsManagerError(
              "TimeoutError",
              "Secrets Manager connection timed out.",
              "server",
            ),
          ),
        connectTimeoutMs,
      );
      socket.once(secure ? "secureConnect" : "connect", () => clearTimeout(connecting));
    });
    req.once("error", (cause) => {
      if (req.reusedSocket && !settled && (cause as NodeJS.ErrnoException).code === "ECONNRESET") {
        return fail(new StaleSocketError("stale keep-alive socket", { cause }));
      }
      fail(
        new SecretsManagerError(
          "NetworkError",
          "Secrets Manager request failed.",
          "server",
          {},
          { cause },
        ),
      );
    });
    req.once("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          fail(new SecretsManagerError("SecretsManagerError", "Response too large.", "server"));
          return;
        }
        chunks.push(chunk);
      });
      res.once("error", (cause) =>
        fail(new SecretsManagerError("NetworkError", "Response failed.", "server", {}, { cause })),
      );
      res.once("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(overall);
        clearTimeout(connecting);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    req.end(body);
  });
}

function parseResponse(
  status: number,
  headers: http.IncomingHttpHeaders,
  text: string,
): GetSecretValueOutput {
  const requestId = headerValue(headers["x-amzn-requestid"]);
  let json: Record<string, unknown> | undefined;
  try {
    const value: unknown = text === "" ? {} : JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      json = value as Record<string, unknown>;
    }
  } catch {
    json = undefined;
  }
  if (status === 200 && json) {
    const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
    return {
      ARN: str(json.ARN),
      Name: str(json.Name),
      VersionId: str(json.VersionId),
      VersionStages: Array.isArray(json.VersionStages)
        ? json.VersionStages.filter((s): s is string => typeof s === "string")
        : undefined,
      SecretString: str(json.SecretString),
      SecretBinary:
        typeof json.SecretBinary === "string"
          ? new Uint8Array(Buffer.from(json.SecretBinary, "base64"))
          : undefined,
    };
  }
  // AWS JSON 1.1 errors: `__type` (possibly `namespace#Name`) in the body, or the
  // `x-amzn-ErrorType` header (possibly `Name:uri`).
  const rawType =
    (json && typeof json.__type === "string" ? json.__type : undefined) ??
    headerValue(headers["x-amzn-errortype"]) ??
    "";
  const type = rawType.split("#").pop()?.split(":")[0] ?? "";
  const name = /^[A-Za-z][A-Za-z0-9]{0,99}$/.test(type) ? type : "SecretsManagerError";
  const message =
    json && typeof json.message === "string"
      ? json.message
      : json && typeof json.Message === "string"
        ? json.Message
        : `Secrets Manager answered ${status}.`;
  throw new SecretsManagerError(
    name,
    message,
    status >= 500 || status === 0 ? "server" : "client",
    {
      httpStatusCode: status,
      requestId,
    },
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The client the key source uses by default, created once per Lambda container. */
export const secretsManager: SecretsManagerClient = createSecretsManagerClient();
