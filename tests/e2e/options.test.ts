/**
 * The `npm start` options through `startLocal`: an external OIDC issuer, a real backend, an HS256
 * secret file, the stack file as the one source of mappings, the Secrets Manager endpoint used by
 * the real authorizer bundle, and `npm run token`.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { banner } from "../../local/cli";
import { DevIssuer, generateDevKeys, mintToken, type DevKeys } from "../../local/dev-issuer";
import { ROOT, startLocal, type LocalGateway } from "../../local/server";
import { tokenFromArgs } from "../../local/token-cli";
import { bearer, distinctValues, request, startBackend } from "./helpers";

const tmp = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

describe("--issuer/--audience: an external OIDC issuer on loopback", () => {
  let keys: DevKeys;
  let issuer: DevIssuer;
  beforeAll(async () => {
    keys = generateDevKeys();
    issuer = await DevIssuer.start(keys);
  });
  afterAll(() => issuer.close());

  it.each(["http-lambda", "http-jwt", "rest-token"])(
    "%s verifies the issuer's tokens through its discovery document",
    async (mode) => {
      const gw = await startLocal({ port: 0, mode, issuer: issuer.url, audience: "ext-api" });
      try {
        expect(gw.devIssuer).toBeUndefined();
        // Its discovery document answered at start: no warning about it.
        expect(gw.warnings.filter((w) => w.startsWith("--issuer"))).toEqual([]);
        expect(() => gw.mintToken()).toThrow(/ask it for one/);
        const profile = { issuer: issuer.url, audience: "ext-api", alg: "RS256" as const };
        const claims = { metadata: { role: "admin" }, name: "Ext" };
        const ok = mintToken(keys, profile, { sub: `ext-${mode}`, claims });
        const res = await request(`${gw.stageUrl}/hello`, { headers: bearer(ok) });
        expect(res.status).toBe(200);
        expect(JSON.stringify(res.json)).toContain(`ext-${mode}`);
        const wrongAud = mintToken(keys, { ...profile, audience: "other" }, { claims });
        expect((await request(`${gw.stageUrl}/hello`, { headers: bearer(wrongAud) })).status).toBe(
          mode === "http-lambda" ? 403 : 401,
        );
        expect(issuer.requests["/.well-known/openid-configuration"]).toBeGreaterThan(0);
      } finally {
        await gw.close();
      }
    },
  );

  it("refuses an http issuer that is not on loopback", async () => {
    await expect(
      startLocal({ port: 0, mode: "http-jwt", issuer: "http://issuer.example.com", audience: "a" }),
    ).rejects.toThrow(/issuer.*https/s);
  });
});

describe("--backend-url: a real HTTP backend", () => {
  let backend: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    backend = await startBackend();
  });
  afterAll(() => backend.close());

  it.each(["http-lambda", "http-jwt", "rest-token"])(
    "%s: the backend receives X-Customer-ID from the token, never the client's",
    async (mode) => {
      const gw = await startLocal({ port: 0, mode, backendUrl: backend.url });
      try {
        backend.requests.length = 0;
        const res = await request(`${gw.stageUrl}/orders/42?x=1`, {
          headers: {
            ...bearer(gw.mintToken({ sub: `backend-${mode}` })),
            "x-customer-id": "someone-else",
            "X-Customer-Name": "Mallory",
          },
        });
        expect(res.status).toBe(200);
        expect(backend.requests).toHaveLength(1);
        const received = backend.requests[0];
        expect(distinctValues(received, "x-customer-id")).toEqual([`backend-${mode}`]);
        expect(distinctValues(received, "x-customer-name")).toEqual(["Dev Customer"]);
        expect(JSON.stringify(received.headers)).not.toMatch(/someone-else|Mallory/);
        expect(received.url).toBe("/orders/42?x=1");
        expect(gw.invocations.backend()).toBe(0);
      } finally {
        await gw.close();
      }
    },
  );
});

describe("--secret-file: HS256 in http-lambda, key material through the Secrets Manager endpoint", () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    const file = join(tmp("secret-"), "jwt.secret");
    writeFileSync(file, "e2e-shared-secret-0123456789-abcdefghijklmnopqrstuvwxyz\n");
    gw = await startLocal({ port: 0, mode: "http-lambda", secretFile: file });
  });
  afterAll(() => gw.close());

  it("accepts HS256 tokens signed with the file's secret, and refuses others", async () => {
    expect(gw.profile.alg).toBe("HS256");
    const good = await request(`${gw.stageUrl}/hello`, {
      headers: bearer(gw.mintToken({ sub: "hs-user" })),
    });
    expect(good.status).toBe(200);
    expect(good.json.identity.customerId).toBe("hs-user");
    const other = mintToken(generateDevKeys(), gw.profile, { sub: "hs-user" });
    expect((await request(`${gw.stageUrl}/hello`, { headers: bearer(other) })).status).toBe(403);
  });

  it("the authorizer bundle reads its secret with GetSecretValue once per cold start, not per request", async () => {
    const [secret] = gw.program.secrets;
    expect(secret.secretString).toBe("e2e-shared-secret-0123456789-abcdefghijklmnopqrstuvwxyz");
    const authorizer = gw.model.authorizers[0];
    if (authorizer.kind === "jwt") throw new Error("expected a Lambda authorizer");
    expect(authorizer.function.environment.SECRET_ID).toBe(secret.arn);
    // No key in the function's environment: only the secret's ARN.
    expect(JSON.stringify(authorizer.function.environment)).not.toContain("e2e-shared-secret");

    const reads = (): number =>
      gw.secrets.calls.filter((c) => c.secretId === secret.arn && c.versionStage !== "AWSPREVIOUS")
        .length;
    const readsBefore = reads();
    const invocationsBefore = gw.invocations.authorizer();
    for (let i = 0; i < 4; i++) {
      // A new token each time: the authorizer runs every time (no result-cache hit).
      const res = await request(`${gw.stageUrl}/r/${i}`, {
        headers: bearer(gw.mintToken({ sub: `hs-${i}` })),
      });
      expect(res.status).toBe(200);
    }
    expect(gw.invocations.authorizer() - invocationsBefore).toBe(4);
    // The environment is warm: the key was read at the first invocation and is still cached.
    expect(reads() - readsBefore).toBe(0);
    const coldStarts = gw.invocations.records.filter(
      (r) => r.coldStart && r.functionName === authorizer.function.name,
    ).length;
    expect(coldStarts).toBe(1);
    expect(reads()).toBe(coldStarts);
    // Every call the bundle made was answered by the endpoint (AWSPREVIOUS: not found, never rotated).
    expect(gw.secrets.calls.every((c) => c.operation === "GetSecretValue")).toBe(true);
  });
});

describe("the stack file is the one source of truth", () => {
  let root: string;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  const stackFile = (extra: string): void =>
    writeFileSync(
      join(root, "Pulumi.e2e.yaml"),
      `config:
  identity-gateway:authMode: http-lambda
  identity-gateway:verifyWith: secret
  identity-gateway:jwtSecret:
    secure: v1:bm90LWRlY3J5cHRhYmxlLWhlcmU=
  identity-gateway:issuer: https://auth.example.com
  identity-gateway:audiences:
    - e2e-api
  identity-gateway:stageName: v1
${extra}`,
    );
  beforeAll(async () => {
    root = tmp("stack-");
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
    backend = await startBackend();
  });
  afterAll(() => backend.close());

  async function plan(): Promise<string | string[] | undefined> {
    const gw = await startLocal({ root, stack: "e2e", port: 0, backendUrl: backend.url });
    try {
      backend.requests.length = 0;
      const token = gw.mintToken({ sub: "plan-user", claims: { plan: "pro" } });
      const res = await request(`${gw.stageUrl}/hello`, {
        headers: { ...bearer(token), "X-Customer-Plan": "free-forever" },
      });
      expect(res.status).toBe(200);
      expect(gw.stageUrl.endsWith("/v1")).toBe(true);
      // The encrypted jwtSecret was replaced by development key material, served to the bundle.
      expect(gw.profile).toMatchObject({ issuer: "https://auth.example.com", alg: "HS256" });
      expect(gw.secrets.calls.filter((c) => c.found)).toHaveLength(1);
      return backend.requests[0].headers["x-customer-plan"];
    } finally {
      await gw.close();
    }
  }

  it("a claimHeaders mapping added to Pulumi.<stack>.yaml reaches the backend; removed, it is gone", async () => {
    stackFile(`  identity-gateway:claimHeaders:\n    - X-Customer-Plan=plan\n`);
    expect(await plan()).toBe("pro");
    stackFile("");
    expect(await plan()).toBe("free-forever");
  });

  it.each(["http-jwt", "rest-token"])("%s follows a claimHeaders override too", async (mode) => {
    const gw = await startLocal({
      port: 0,
      mode,
      backendUrl: backend.url,
      config: { claimHeaders: JSON.stringify(["X-Customer-Plan=plan"]) },
    });
    try {
      backend.requests.length = 0;
      const token = gw.mintToken({ sub: "p", claims: { plan: "team" } });
      const res = await request(`${gw.stageUrl}/x`, { headers: bearer(token) });
      expect(res.status).toBe(200);
      expect(distinctValues(backend.requests[0], "x-customer-plan")).toEqual(["team"]);
    } finally {
      await gw.close();
    }
  });
});

describe("npm run token", () => {
  it("prints a token the running gateway accepts, with nested claims", async () => {
    const stateDir = tmp("state-");
    const gw = await startLocal({ port: 0, mode: "rest-token", stateDir });
    try {
      const admin = tokenFromArgs(
        ["--sub", "cli-user", "--claim", "metadata.role=admin", "--expires-in", "15m"],
        stateDir,
      );
      const res = await request(`${gw.stageUrl}/hello`, { headers: bearer(admin) });
      expect(res.status).toBe(200);
      expect(res.json.authorizer.customerId).toBe("cli-user");
      const payload = JSON.parse(Buffer.from(admin.split(".")[1], "base64url").toString());
      expect(payload.exp - payload.iat).toBe(900);
      const viewer = tokenFromArgs(["--sub", "v", "--claim", "metadata.role=viewer"], stateDir);
      expect((await request(`${gw.stageUrl}/hello`, { headers: bearer(viewer) })).status).toBe(403);
    } finally {
      await gw.close();
    }
    expect(() => tokenFromArgs([], stateDir)).toThrow(/npm start/);
  });
});

describe("fail closed (design rule 9)", () => {
  it("denies while Secrets Manager is unreachable and recovers by itself", async () => {
    const gw = await startLocal({
      port: 0,
      mode: "http-lambda",
      config: { verifyWith: "secret", authorizerCacheTtl: "0", secretCacheTtlSeconds: "0" },
    });
    try {
      const call = async (): Promise<number> =>
        (await request(`${gw.stageUrl}/x`, { headers: bearer(gw.mintToken({ sub: "fc" })) }))
          .status;
      expect(await call()).toBe(200);
      gw.secrets.available = false;
      // A Lambda error (500), not a deny API Gateway could cache (see key-source-outage.test.ts).
      expect(await call()).toBe(500);
      gw.secrets.available = true;
      // The authorizer backs off briefly after a failed read, then reads again by itself.
      const deadline = Date.now() + 15_000;
      let status = await call();
      while (status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        status = await call();
      }
      expect(status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe("two gateways, one state directory", () => {
  it("each has its own session: npm run token --port N mints for that one, and stopping one leaves the other", async () => {
    const stateDir = tmp("two-");
    const first = await startLocal({ port: 0, stateDir });
    const second = await startLocal({ port: 0, stateDir });
    try {
      for (const gw of [first, second]) {
        const port = new URL(gw.url).port;
        const token = tokenFromArgs(["--port", port, "--sub", `on-${port}`], stateDir);
        const res = await request(`${gw.stageUrl}/hello`, { headers: bearer(token) });
        expect(res.status).toBe(200);
        expect(res.json.identity.customerId).toBe(`on-${port}`);
      }
      expect(() => tokenFromArgs([], stateDir)).toThrow(/2 local gateways are running.*--port N/);
      await second.close();
      // The first one's session survives the second one's shutdown; --port is not needed now.
      const token = tokenFromArgs(["--sub", "after"], stateDir);
      expect((await request(`${first.stageUrl}/hello`, { headers: bearer(token) })).status).toBe(
        200,
      );
    } finally {
      await second.close();
      await first.close();
    }
    expect(() => tokenFromArgs([], stateDir)).toThrow(/No local gateway is running/);
  });
});

describe("npm run token options", () => {
  let stateDir: string;
  let gw: LocalGateway;
  beforeAll(async () => {
    stateDir = tmp("token-");
    gw = await startLocal({ port: 0, mode: "rest-token", stateDir });
  });
  afterAll(() => gw.close());

  it("--expires-in -5m mints an expired token (as the help says), which the gateway refuses", async () => {
    const expired = tokenFromArgs(["--expires-in", "-5m"], stateDir);
    const payload = JSON.parse(Buffer.from(expired.split(".")[1], "base64url").toString());
    expect(payload.exp).toBeLessThan(Date.now() / 1000 - 250);
    expect((await request(`${gw.stageUrl}/hello`, { headers: bearer(expired) })).status).toBe(401);
  });

  it("--no-default-claims leaves out rest-token's admin role: 403, as the banner says", async () => {
    const bare = tokenFromArgs(["--no-default-claims"], stateDir);
    const payload = JSON.parse(Buffer.from(bare.split(".")[1], "base64url").toString());
    expect(payload.metadata).toBeUndefined();
    expect((await request(`${gw.stageUrl}/hello`, { headers: bearer(bare) })).status).toBe(403);
    const text = banner(gw, "dev", 0);
    expect(text).toContain("It carries metadata.role=admin");
    expect(text).toContain(
      `npm run -s token -- --port ${new URL(gw.url).port} --no-default-claims`,
    );
  });
});

describe("what npm start tells the user", () => {
  it("one line per substitution, naming the flag that chooses instead", async () => {
    const gw = await startLocal({
      port: 0,
      mode: "http-lambda",
      config: { verifyWith: "secret" },
    });
    try {
      expect(gw.substitutions).toEqual([
        "jwtSecret: using a generated development secret; --secret-file to choose",
      ]);
    } finally {
      await gw.close();
    }
    const jwt = await startLocal({ port: 0, mode: "http-jwt" });
    try {
      expect(jwt.substitutions).toEqual([
        `issuer: using the built-in development issuer ${jwt.devIssuer?.url} instead of https://auth.example.com; --issuer to choose`,
      ]);
      expect(banner(jwt, "dev", 0)).toContain(
        `issuer ${jwt.devIssuer?.url} (built-in development issuer), audience identity-gateway-dev, RS256`,
      );
    } finally {
      await jwt.close();
    }
  });

  it("an unreachable --issuer: a warning at start, and the gateway serves (denying) anyway", async () => {
    // A port nobody listens on: bind one, then free it.
    const probe = await startBackend();
    await probe.close();
    const issuer = probe.url;
    const gw = await startLocal({ port: 0, mode: "http-jwt", issuer, audience: "a" });
    try {
      expect(gw.warnings.filter((w) => w.startsWith("--issuer"))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^--issuer ${issuer}: cannot read ${issuer}/\\.well-known/openid-configuration \\(ECONNREFUSED\\); every request is denied`,
          ),
        ),
      ]);
      // No token is printed, but the issuer and audience to mint one for are.
      expect(banner(gw, "dev", 0)).toContain(`issuer ${issuer}, audience a, RS256`);
      const forged = mintToken(generateDevKeys(), gw.profile, { sub: "x" });
      expect((await request(`${gw.stageUrl}/hello`, { headers: bearer(forged) })).status).toBe(401);
    } finally {
      await gw.close();
    }
  });

  it.each([
    [{ secretFile: "/nonexistent/secret" }, "--secret-file: cannot read /nonexistent/secret"],
    [{ publicKeyFile: "/nonexistent/pub.pem" }, "--public-key-file: cannot read"],
    [{ issuer: "http://issuer.example.com" }, "--issuer must be an https URL"],
    [{ backendUrl: "http://127.0.0.1:3000/?debug=1" }, "--backend-url expects"],
    [{ mode: "http-jwks" }, "--mode expects"],
  ])("a bad flag is reported by its name: %j", async (options, message) => {
    await expect(startLocal({ port: 0, mode: "http-lambda", ...options })).rejects.toThrow(message);
  });
});
