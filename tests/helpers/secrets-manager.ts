/**
 * A fake Secrets Manager on 127.0.0.1 for unit tests: the real client
 * (functions/commons/clients/secrets-manager.ts) and the built bundles talk to it over HTTP, pointed
 * here by `AWS_ENDPOINT_URL_SECRETS_MANAGER`. It speaks AWS JSON 1.1 `GetSecretValue`, answers per
 * version stage (to simulate rotation and outages), records every call, and checks each request's
 * SigV4 signature with an implementation of its own (node:crypto, not the signer under test),
 * answering 403 `InvalidSignatureException` like AWS when it does not match.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Credentials and region the fake expects (and `useFakeSecretsManager` puts in process.env). */
export const FAKE_AWS = {
  region: "us-east-1",
  accessKeyId: "AKIDUNITTESTUNITTEST",
  secretAccessKey: "unit-test-secret-access-key-not-real",
  sessionToken: "unit-test-session-token",
} as const;

/** A stage's value: a SecretString, SecretBinary bytes, or an error the service answers with. */
export type StageValue = string | { readonly binary: Uint8Array } | Error;

/** What each version stage holds; `undefined` previous → ResourceNotFoundException (never rotated). */
export interface SecretStages {
  readonly current: StageValue;
  readonly previous?: StageValue;
}

/** One request as received. */
export interface FakeCall {
  readonly target: string | undefined;
  readonly input: { SecretId?: unknown; VersionStage?: unknown; VersionId?: unknown };
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Whether the SigV4 signature verified. */
  readonly signatureValid: boolean;
}

export interface FakeSecretsManager {
  /** `http://127.0.0.1:<port>`; valid after the suite's beforeAll. */
  readonly url: string;
  /** Every request received since the last reset. */
  readonly calls: FakeCall[];
  /** Stage answers; unset → every call fails. */
  stages: SecretStages | undefined;
  /** Forgets calls and stages. */
  reset(): void;
}

/** An outage as Secrets Manager reports it (HTTP 500, `InternalServiceError`). */
export function serviceError(): Error {
  return Object.assign(new Error("Secrets Manager is having a bad day"), {
    name: "InternalServiceError",
  });
}

/** Configures `sm` so GetSecretValue answers per stage. */
export function setSecretStages(sm: FakeSecretsManager, stages: SecretStages): void {
  sm.stages = stages;
}

/** Number of GetSecretValue calls for `stage` so far. */
export function getSecretCalls(
  sm: FakeSecretsManager,
  stage: "AWSCURRENT" | "AWSPREVIOUS",
): number {
  return sm.calls.filter((c) => c.input.VersionStage === stage).length;
}

/**
 * Starts a fake for the current test file (jest `beforeAll`/`afterAll` hooks, registered where this
 * is called, so before the file's own hooks) and points process.env at it: endpoint, region and
 * credentials, as Lambda sets them. Call `reset()` between tests as needed.
 */
export function useFakeSecretsManager(): FakeSecretsManager {
  const state = {
    url: "",
    calls: [] as FakeCall[],
    stages: undefined as SecretStages | undefined,
    reset() {
      state.calls.length = 0;
      state.stages = undefined;
    },
  };
  let server: Server | undefined;
  const saved: Record<string, string | undefined> = {};
  const env: Record<string, string> = {
    AWS_REGION: FAKE_AWS.region,
    AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey,
    AWS_SESSION_TOKEN: FAKE_AWS.sessionToken,
  };

  beforeAll(async () => {
    server = await startFake(state);
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    env.AWS_ENDPOINT_URL_SECRETS_MANAGER = state.url;
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (server) {
      const closed = new Promise((resolve) => server?.close(resolve));
      server.closeAllConnections();
      await closed;
    }
  });
  return state;
}

function startFake(state: FakeSecretsManager): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const reply = (status: number, payload: unknown, errorType?: string): void => {
        const text = JSON.stringify(payload);
        res.writeHead(status, {
          "content-type": "application/x-amz-json-1.1",
          "content-length": Buffer.byteLength(text),
          "x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
          ...(errorType ? { "x-amzn-errortype": errorType } : {}),
        });
        res.end(text);
      };
      const error = (status: number, type: string, message: string): void =>
        reply(status, { __type: type, message }, type);

      let input: FakeCall["input"];
      try {
        input = JSON.parse(body || "{}") as FakeCall["input"];
      } catch {
        input = {};
      }
      const signatureValid = verifySigV4(req.method ?? "", req.url ?? "", req.headers, body);
      const target = req.headers["x-amz-target"] as string | undefined;
      state.calls.push({ target, input, headers: req.headers, body, signatureValid });

      if (!signatureValid) {
        return error(403, "InvalidSignatureException", "The request signature does not match.");
      }
      if (req.method !== "POST" || target !== "secretsmanager.GetSecretValue") {
        return error(400, "UnknownOperationException", "Only GetSecretValue is supported.");
      }
      if (req.headers["content-type"] !== "application/x-amz-json-1.1") {
        return error(400, "SerializationException", "Wrong content type.");
      }
      const stage = input.VersionStage ?? "AWSCURRENT";
      const value =
        stage === "AWSCURRENT"
          ? state.stages?.current
          : stage === "AWSPREVIOUS"
            ? state.stages?.previous
            : undefined;
      if (state.stages === undefined) {
        return error(400, "ResourceNotFoundException", "Secrets Manager can't find the secret.");
      }
      if (value === undefined) {
        return error(
          400,
          "ResourceNotFoundException",
          `Secrets Manager can't find the specified secret value for staging label: ${String(stage)}`,
        );
      }
      if (value instanceof Error) {
        const status = value.name === "InternalServiceError" ? 500 : 400;
        return error(status, value.name, value.message);
      }
      const common = {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${String(input.SecretId)}-AbCdEf`,
        Name: String(input.SecretId),
        VersionId: `v-${String(stage)}`,
        VersionStages: [stage],
        CreatedDate: 1718639559.08,
      };
      if (typeof value === "string") return reply(200, { ...common, SecretString: value });
      return reply(200, { ...common, SecretBinary: Buffer.from(value.binary).toString("base64") });
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// -------------------------------------------------------------------------------------------------
// SigV4 verification, written from the AWS specification (header-based auth, single-chunk payload)
// -------------------------------------------------------------------------------------------------

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac("sha256", key).update(data, "utf8").digest();

/** True when `headers.authorization` is a valid SigV4 signature of this request by FAKE_AWS. */
export function verifySigV4(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: string,
  expected: { accessKeyId: string; secretAccessKey: string; region: string } = FAKE_AWS,
): boolean {
  const m = AUTH.exec(String(headers.authorization ?? ""));
  if (!m) return false;
  const [, keyId, date, region, service, signedHeaders, signature] = m;
  const amzDate = String(headers["x-amz-date"] ?? "");
  if (keyId !== expected.accessKeyId || region !== expected.region) return false;
  if (service !== "secretsmanager" || !amzDate.startsWith(date)) return false;
  const names = signedHeaders.split(";");
  // host and x-amz-date must be signed, and so must the session token when one is sent.
  if (!names.includes("host") || !names.includes("x-amz-date")) return false;
  if (headers["x-amz-security-token"] !== undefined && !names.includes("x-amz-security-token")) {
    return false;
  }
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(headers[n] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const [path, query = ""] = url.split("?");
  const canonicalRequest = [
    method,
    path,
    query,
    canonicalHeaders,
    signedHeaders,
    sha256(body),
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${expected.secretAccessKey}`, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, "aws4_request");
  const mine = hmac(key, stringToSign);
  return timingSafeEqual(mine, Buffer.from(signature, "hex"));
}
