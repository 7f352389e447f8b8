/**
 * Runs the Pulumi program itself (`createGateway(loadConfig())` from `infra/`) in-process under
 * Pulumi's mock runtime with a stack's config, records every resource it declares, and turns the
 * API Gateway resources into the {@link ApiModel} the local gateway serves. There is no second,
 * hand-written description of the API: a mapping changed in `infra/` or in the stack config
 * changes the local gateway too.
 *
 * Linking works like the AWS provider: the mocks give every resource an id and ARNs
 * (`executionArn`, `invokeArn`, `arn`; `mock-state.ts`, shared with the infra tests), the
 * program passes them between resources (a route's `target` is `integrations/<id>`, an
 * authorizer's `authorizerUri` is a function's `invokeArn`), and `buildModel` follows them back. A Lambda's bundle is the `index.js` FileAsset of its code
 * archive; a secret's value is the `secretString` of its SecretVersion (served locally by
 * `secrets-endpoint.ts` under the secret's ARN).
 */
import { createHash } from "node:crypto";

import * as pulumi from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";

import NodeModule from "node:module";
import { join } from "node:path";

import { LOCAL_RUN_HOOK, type LocalRunHook } from "../infra/component/args-config";
import { parseConfig, type AppConfig, type ParseOptions } from "../infra/config";
import type { GatewayOutputs } from "../infra/outputs";
import type {
  ApiModel,
  AuthorizerModel,
  CorsModel,
  GatewayResponseModel,
  IntegrationModel,
  LambdaRef,
  RouteModel,
} from "./model";
import { mockState } from "./mock-state";

export const DEFAULT_REGION = "us-east-1";
export const ACCOUNT_ID = "123456789012";

/** A resource the program declared, with the inputs the engine received and the mocked state. */
export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  // Plain JSON-like values (Outputs resolved, assets as Pulumi asset objects).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inputs: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly state: Record<string, any>;
}

/** A Secrets Manager secret the program created, with the value its SecretVersion holds. */
export interface DeclaredSecret {
  readonly arn: string;
  readonly name: string;
  readonly secretString: string;
}

export interface RunProgramOptions {
  /** Stack name (`pulumi.getStack()`; the default stage name). */
  readonly stack: string;
  /** Project name. @default "identity-gateway" */
  readonly project?: string;
  /**
   * The whole config, fully qualified (`identity-gateway:authMode`), values as Pulumi hands them
   * to programs (lists as JSON). Secure values must already be replaced by plain ones.
   */
  readonly config: Readonly<Record<string, string>>;
  /** Fully qualified keys that are secrets (Pulumi marks their Outputs secret). */
  readonly secretKeys?: readonly string[];
  /** Passed to `loadConfig` (the local runner allows loopback http issuers). */
  readonly parseOptions?: ParseOptions;
  /**
   * A user's Pulumi program to run instead of this repository's (`npm start -- --program`): a file
   * that creates one `IdentityGateway`. Its `identity-gateway`, `@pulumi/pulumi` and `@pulumi/aws`
   * are this checkout's, so the component it builds is the one the mocks record.
   */
  readonly program?: string;
  /**
   * With `program`: the config the IdentityGateway runs with locally, from the raw config its
   * arguments stand for (after they passed the deployed rules). @default the arguments as given
   */
  readonly argsHook?: LocalRunHook;
}

export interface ProgramRun {
  /** What the local gateway serves. */
  readonly model: ApiModel;
  /** The validated config the program ran with. */
  readonly appConfig: AppConfig;
  /** Secrets the program created and the values it stored in them. */
  readonly secrets: DeclaredSecret[];
  /** The stack outputs, resolved. */
  readonly outputs: Record<string, unknown>;
  /** Every resource the program declared. */
  readonly resources: DeclaredResource[];
}

/** A short stable id, like the ones AWS assigns (`a1b2c3d4e5`). */
function fakeId(type: string, name: string, length = 10): string {
  return BigInt(`0x${createHash("sha256").update(`${type}\0${name}`).digest("hex").slice(0, 15)}`)
    .toString(36)
    .padStart(length, "0")
    .slice(0, length);
}

// Pulumi's runtime state is process-global: one program run at a time.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Run the Pulumi program under mocks with `options.config` and build the model it declares.
 * @throws the program's own errors, e.g. `ConfigError` naming the bad key.
 */
export function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
  const run = queue.then(() => runExclusive(options));
  queue = run.catch(() => undefined);
  return run;
}

async function runExclusive(options: RunProgramOptions): Promise<ProgramRun> {
  const project = options.project ?? "identity-gateway";
  const region = options.config["aws:region"] ?? DEFAULT_REGION;
  const resources: DeclaredResource[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource(args: MockResourceArgs): {
        id: string | undefined;
        state: Record<string, unknown>;
      } {
        if (args.custom === false) {
          resources.push({
            type: args.type,
            name: args.name,
            id: "",
            inputs: args.inputs,
            state: args.inputs,
          });
          return { id: undefined, state: args.inputs };
        }
        const id = fakeId(args.type, args.name);
        const state = mockState(args.type, args.name, id, args.inputs, {
          region,
          account: ACCOUNT_ID,
          namePrefixSuffix: (type, name) => fakeId(type, name, 6),
          secretArnSuffix: (type, name) => fakeId(type, name, 6),
          rootResourceId: (type, name) => fakeId(type, `${name}/root`),
        });
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        resources.push({ type: args.type, name: args.name, id, inputs, state });
        return { id, state };
      },
      call(args: MockCallArgs): Record<string, unknown> {
        switch (args.token) {
          case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region };
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
              accountId: ACCOUNT_ID,
              arn: `arn:aws:iam::${ACCOUNT_ID}:user/local`,
              userId: "local",
            };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
          default:
            throw new Error(`the local runner does not emulate the data source ${args.token}`);
        }
      },
    },
    project,
    options.stack,
    false,
  );
  pulumi.runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);

  // Loaded only now, with the mocks and the config in place.
  let appConfig: AppConfig;
  let outputs: Record<string, unknown>;
  if (options.program === undefined) {
    const { loadConfig } = await import("../infra/config");
    const { createGateway } = await import("../infra/program");
    appConfig = loadConfig(options.parseOptions);
    outputs = await resolveOutputs(createGateway(appConfig));
  } else {
    const run = runUserProgram(
      options.program,
      options.argsHook ?? ((_n, raw) => ({ raw, options: options.parseOptions ?? {} })),
    );
    appConfig = run.appConfig;
    outputs = await resolveOutputs(run.exports);
  }
  await settle(() => resources.length);

  await resolveAssets(resources);
  const { model, secrets } = buildModel(resources, region);
  return { model, appConfig, secrets, outputs, resources };
}

/** This checkout's copies of what a user's program imports, so there is one Pulumi runtime. */
const REPO_ROOT = join(__dirname, "..");
const COMPONENT_ENTRY = join(REPO_ROOT, "infra", "component", "index.ts");

/**
 * Load a user's program with the local-run hook installed, and return its exports (its stack
 * outputs) and the config of the one IdentityGateway it created.
 * @throws ModelError when it creates none, or more than one
 */
function runUserProgram(
  path: string,
  hook: LocalRunHook,
): { appConfig: AppConfig; exports: Record<string, unknown> } {
  let appConfig: AppConfig | undefined;
  const global = globalThis as Record<symbol, unknown>;
  global[LOCAL_RUN_HOOK] = ((name, raw) => {
    if (appConfig !== undefined) {
      throw new ModelError(
        `the program creates more than one IdentityGateway ("${name}"); serve one at a time`,
      );
    }
    const local = hook(name, raw);
    appConfig = parseConfig(local.raw, local.options);
    return local;
  }) satisfies LocalRunHook;
  // Node's resolver, for the program's imports under tsx (Jest resolves through its own mapper).
  type Resolve = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
  const Module = NodeModule as unknown as { _resolveFilename: Resolve };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (this: unknown, request, parent, isMain, options) {
    if (request === "identity-gateway") {
      return resolve.call(this, COMPONENT_ENTRY, parent, isMain, options);
    }
    if (/^@pulumi\/(pulumi|aws)(\/|$)/.test(request)) {
      return resolve.call(this, request, parent, isMain, { paths: [REPO_ROOT] });
    }
    return resolve.call(this, request, parent, isMain, options);
  };
  let exports: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exports = { ...(require(path) as Record<string, unknown>) };
  } finally {
    Module._resolveFilename = resolve;
    delete global[LOCAL_RUN_HOOK];
  }
  if (appConfig === undefined) {
    throw new ModelError(
      `${path} creates no IdentityGateway (import { IdentityGateway } from "identity-gateway")`,
    );
  }
  return { appConfig, exports };
}

async function resolveOutputs(
  gateway: GatewayOutputs | Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(gateway).map(async ([key, value]) => {
      if (value === null || value === undefined) return [key, null] as const;
      if (pulumi.Output.isInstance(value)) {
        const resolved = await new Promise<unknown>((resolve) =>
          (value as pulumi.Output<unknown>).apply((v) => {
            resolve(v);
            return v;
          }),
        );
        return [key, resolved] as const;
      }
      return [key, value] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Asset archives reach the mocks with promises inside (`assets`, each asset's `path`): replace
 * every Lambda's `code` by plain data, `{ assets: { "index.js": { path } } }`.
 */
async function resolveAssets(resources: DeclaredResource[]): Promise<void> {
  for (const r of resources) {
    if (r.type !== T.fn || !r.inputs.code) continue;
    const code = r.inputs.code;
    const assets: Record<string, { path?: unknown }> = (await code.assets) ?? {};
    const plain: Record<string, { path?: string }> = {};
    for (const [name, asset] of Object.entries(assets)) {
      const path = await asset?.path;
      plain[name] = { path: typeof path === "string" ? path : undefined };
    }
    r.inputs.code = { assets: plain, path: await code.path };
  }
}

/** Wait until no registration is pending: the RPC queue drained and the count stable. */
async function settle(count: () => number): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  let last = -1;
  let stable = 0;
  while (stable < 3) {
    if (runtime.waitForRPCs) await runtime.waitForRPCs();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 2));
    if (count() === last) stable++;
    else {
      stable = 0;
      last = count();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Resources → ApiModel
// ---------------------------------------------------------------------------------------------

const T = {
  httpApi: "aws:apigatewayv2/api:Api",
  httpStage: "aws:apigatewayv2/stage:Stage",
  httpRoute: "aws:apigatewayv2/route:Route",
  httpIntegration: "aws:apigatewayv2/integration:Integration",
  httpAuthorizer: "aws:apigatewayv2/authorizer:Authorizer",
  restApi: "aws:apigateway/restApi:RestApi",
  restResource: "aws:apigateway/resource:Resource",
  restMethod: "aws:apigateway/method:Method",
  restIntegration: "aws:apigateway/integration:Integration",
  restIntegrationResponse: "aws:apigateway/integrationResponse:IntegrationResponse",
  restAuthorizer: "aws:apigateway/authorizer:Authorizer",
  restResponse: "aws:apigateway/response:Response",
  restStage: "aws:apigateway/stage:Stage",
  fn: "aws:lambda/function:Function",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
} as const;

export class ModelError extends Error {
  constructor(message: string) {
    super(`The local gateway cannot serve this program: ${message}`);
    this.name = "ModelError";
  }
}

/** Pulumi's wire signature of a secret value (`{ <sig>: <secret sig>, value }`). */
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Inputs with the values the program marked secret (`pulumi.secret`) in plain: the local gateway
 * needs them (the SecretVersion's `secretString` is what its Secrets Manager endpoint serves).
 * Only plain objects and arrays are walked; assets are left as they are.
 */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const v = value as Record<string, unknown>;
  if (v[SPECIAL_SIG_KEY] === SECRET_SIG) return unwrapSecrets(v.value);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
}

/** The single path of a FileAsset inside a Lambda code archive (`{ "index.js": FileAsset }`). */
function bundlePathOf(fn: DeclaredResource): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const code: any = fn.inputs.code;
  const assets = code?.assets ?? code;
  const candidates: unknown[] = [];
  if (assets && typeof assets === "object") {
    const entry = assets["index.js"] ?? Object.values(assets)[0];
    candidates.push(entry?.path);
  }
  candidates.push(code?.path);
  const path = candidates.find((c): c is string => typeof c === "string" && c.endsWith(".js"));
  if (!path) {
    throw new ModelError(
      `the function ${fn.name} has no index.js FileAsset in its code archive (got ${JSON.stringify(code)})`,
    );
  }
  return path;
}

function lambdaRef(fn: DeclaredResource): LambdaRef {
  const variables: Record<string, unknown> = fn.inputs.environment?.variables ?? {};
  return {
    name: fn.state.name ?? fn.name,
    bundlePath: bundlePathOf(fn),
    environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
    timeoutMs: Number(fn.inputs.timeout ?? 3) * 1000,
  };
}

/** Build the model (and the secrets to serve) from the declared resources. */
export function buildModel(
  resources: readonly DeclaredResource[],
  region = DEFAULT_REGION,
): { model: ApiModel; secrets: DeclaredSecret[] } {
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const functionsByInvokeArn = new Map<string, DeclaredResource>();
  for (const f of ofType(T.fn)) {
    functionsByInvokeArn.set(f.state.invokeArn, f);
    functionsByInvokeArn.set(f.state.arn, f);
  }
  const functionFor = (uri: string, what: string): LambdaRef => {
    const fn = functionsByInvokeArn.get(uri);
    if (!fn) throw new ModelError(`${what} points at ${uri}, which is no function of the program`);
    return lambdaRef(fn);
  };

  const secrets: DeclaredSecret[] = [];
  const secretById = new Map(ofType(T.secret).map((s) => [s.id, s] as const));
  for (const version of ofType(T.secretVersion)) {
    const secret =
      secretById.get(version.inputs.secretId) ??
      ofType(T.secret).find((s) => s.state.arn === version.inputs.secretId);
    const secretString = version.inputs.secretString;
    if (!secret || typeof secretString !== "string") continue;
    secrets.push({ arn: secret.state.arn, name: secret.state.name, secretString });
  }

  const httpApis = ofType(T.httpApi);
  const restApis = ofType(T.restApi);
  if (httpApis.length + restApis.length !== 1) {
    throw new ModelError(
      `expected exactly one API, found ${httpApis.length} HTTP and ${restApis.length} REST APIs`,
    );
  }
  const model = httpApis.length === 1 ? httpModel(httpApis[0]) : restModel(restApis[0]);
  return { model, secrets };

  function httpModel(api: DeclaredResource): ApiModel {
    const stage = ofType(T.httpStage).find((s) => s.inputs.apiId === api.id);
    if (!stage) throw new ModelError(`the HTTP API ${api.name} has no stage`);
    const authorizers: AuthorizerModel[] = ofType(T.httpAuthorizer)
      .filter((a) => a.inputs.apiId === api.id)
      .map((a): AuthorizerModel => {
        const i = a.inputs;
        if (i.authorizerType === "JWT") {
          return {
            kind: "jwt",
            id: a.id,
            name: a.name,
            identitySource: (i.identitySources ?? [])[0] ?? "$request.header.Authorization",
            issuer: i.jwtConfiguration?.issuer ?? "",
            audiences: [...(i.jwtConfiguration?.audience ?? i.jwtConfiguration?.audiences ?? [])],
          };
        }
        if (i.authorizerPayloadFormatVersion !== "2.0") {
          throw new ModelError(
            `authorizer ${a.name}: only payload format 2.0 is emulated, got ${i.authorizerPayloadFormatVersion}`,
          );
        }
        return {
          kind: "lambda-request",
          id: a.id,
          name: a.name,
          identitySources: [...(i.identitySources ?? [])],
          resultTtlSeconds: Number(i.authorizerResultTtlInSeconds ?? 0),
          payloadFormatVersion: "2.0",
          simpleResponses: i.enableSimpleResponses === true,
          function: functionFor(i.authorizerUri, `authorizer ${a.name}`),
        };
      });
    const integrations = new Map<string, IntegrationModel>();
    for (const it of ofType(T.httpIntegration).filter((x) => x.inputs.apiId === api.id)) {
      const i = it.inputs;
      const common = {
        requestParameters: { ...(i.requestParameters ?? {}) },
        timeoutMs: i.timeoutMilliseconds !== undefined ? Number(i.timeoutMilliseconds) : undefined,
      };
      if (i.integrationType === "AWS_PROXY") {
        integrations.set(it.id, {
          kind: "lambda-proxy",
          ...common,
          function: functionFor(i.integrationUri, `integration ${it.name}`),
          payloadFormatVersion: i.payloadFormatVersion === "1.0" ? "1.0" : "2.0",
        });
      } else if (i.integrationType === "HTTP_PROXY" && i.connectionType !== "VPC_LINK") {
        integrations.set(it.id, {
          kind: "http-proxy",
          ...common,
          uri: i.integrationUri,
          method: i.integrationMethod ?? "ANY",
        });
      } else {
        throw new ModelError(
          `integration ${it.name}: ${i.connectionType === "VPC_LINK" ? "a VPC link backend is private to AWS; use --backend-url" : `type ${i.integrationType} is not emulated`}`,
        );
      }
    }
    const routes: RouteModel[] = ofType(T.httpRoute)
      .filter((r) => r.inputs.apiId === api.id)
      .map((r): RouteModel => {
        const key: string = r.inputs.routeKey;
        const [method, path] = key === "$default" ? ["ANY", "$default"] : key.split(" ");
        const target: string | undefined = r.inputs.target;
        let integration: IntegrationModel;
        if (target === undefined) {
          // A route without a target (the CORS preflight routes): the gateway answers preflights
          // from the API's corsConfiguration; anything else finds no integration.
          integration = {
            kind: "mock",
            requestParameters: {},
            statusCode: 404,
            responseBody: '{"message":"Not Found"}',
          };
        } else {
          const found = integrations.get(target.replace(/^integrations\//, ""));
          if (!found)
            throw new ModelError(`route "${key}" targets ${target}, which is not declared`);
          integration = found;
        }
        const authorization = (r.inputs.authorizationType ?? "NONE") as RouteModel["authorization"];
        return {
          method: method.toUpperCase(),
          path,
          authorization,
          authorizerId: authorization === "NONE" ? undefined : r.inputs.authorizerId,
          authorizationScopes: r.inputs.authorizationScopes
            ? [...r.inputs.authorizationScopes]
            : undefined,
          integration,
        };
      });
    const c = api.inputs.corsConfiguration;
    const cors: CorsModel | undefined = c
      ? {
          allowOrigins: [...(c.allowOrigins ?? [])],
          allowMethods: [...(c.allowMethods ?? [])],
          allowHeaders: [...(c.allowHeaders ?? [])],
          exposeHeaders: [...(c.exposeHeaders ?? [])],
          maxAge: c.maxAge !== undefined ? Number(c.maxAge) : undefined,
          allowCredentials: c.allowCredentials === true ? true : undefined,
        }
      : undefined;
    return {
      type: "http",
      apiId: api.id,
      region,
      accountId: ACCOUNT_ID,
      stageName: stage.state.name,
      stageVariables: stage.inputs.stageVariables,
      routes,
      authorizers,
      cors,
      gatewayResponses: [],
      accessLogFormat: stage.inputs.accessLogSettings?.format,
    };
  }

  function restModel(api: DeclaredResource): ApiModel {
    const rootId: string = api.state.rootResourceId;
    const resourcesById = new Map(
      ofType(T.restResource)
        .filter((r) => r.inputs.restApi === api.id)
        .map((r) => [r.id, r] as const),
    );
    const pathOf = (id: string): string => {
      if (id === rootId) return "/";
      const res = resourcesById.get(id);
      if (!res) throw new ModelError(`resource ${id} of the REST API is not declared`);
      const parent = pathOf(res.inputs.parentId);
      return `${parent === "/" ? "" : parent}/${res.inputs.pathPart}`;
    };
    const stage = ofType(T.restStage).find((s) => s.inputs.restApi === api.id);
    if (!stage) throw new ModelError(`the REST API ${api.name} has no stage`);
    const authorizers: AuthorizerModel[] = ofType(T.restAuthorizer)
      .filter((a) => a.inputs.restApi === api.id)
      .map((a): AuthorizerModel => {
        const i = a.inputs;
        if ((i.type ?? "TOKEN") !== "TOKEN") {
          throw new ModelError(`authorizer ${a.name}: REST ${i.type} authorizers are not emulated`);
        }
        return {
          kind: "lambda-token",
          id: a.id,
          name: a.name,
          identitySource: i.identitySource ?? "method.request.header.Authorization",
          validationExpression: i.identityValidationExpression,
          // AWS's default when unset (aws-semantics.md §4).
          resultTtlSeconds:
            i.authorizerResultTtlInSeconds === undefined
              ? 300
              : Number(i.authorizerResultTtlInSeconds),
          function: functionFor(i.authorizerUri, `authorizer ${a.name}`),
        };
      });
    const integrationFor = (resourceId: string, httpMethod: string): DeclaredResource | undefined =>
      ofType(T.restIntegration).find(
        (x) =>
          x.inputs.restApi === api.id &&
          x.inputs.resourceId === resourceId &&
          x.inputs.httpMethod === httpMethod,
      );
    const routes: RouteModel[] = ofType(T.restMethod)
      .filter((m) => m.inputs.restApi === api.id)
      .map((m): RouteModel => {
        const { resourceId, httpMethod } = m.inputs;
        const path = pathOf(resourceId);
        const it = integrationFor(resourceId, httpMethod);
        if (!it) throw new ModelError(`method ${httpMethod} ${path} has no integration`);
        const i = it.inputs;
        const common = {
          requestParameters: { ...(i.requestParameters ?? {}) },
          timeoutMs:
            i.timeoutMilliseconds !== undefined ? Number(i.timeoutMilliseconds) : undefined,
        };
        let integration: IntegrationModel;
        if (i.type === "AWS_PROXY") {
          integration = {
            kind: "lambda-proxy",
            ...common,
            function: functionFor(i.uri, `integration ${it.name}`),
            payloadFormatVersion: "1.0",
          };
        } else if (i.type === "HTTP_PROXY") {
          integration = {
            kind: "http-proxy",
            ...common,
            uri: i.uri,
            method: i.integrationHttpMethod ?? "ANY",
          };
        } else if (i.type === "MOCK") {
          const response = ofType(T.restIntegrationResponse).find(
            (x) =>
              x.inputs.restApi === api.id &&
              x.inputs.resourceId === resourceId &&
              x.inputs.httpMethod === httpMethod,
          );
          integration = {
            kind: "mock",
            ...common,
            statusCode: Number(response?.inputs.statusCode ?? 200),
            responseParameters: response?.inputs.responseParameters,
            responseBody: response?.inputs.responseTemplates?.["application/json"],
          };
        } else {
          throw new ModelError(`integration ${it.name}: type ${i.type} is not emulated`);
        }
        const authorization = m.inputs.authorization === "CUSTOM" ? "CUSTOM" : "NONE";
        if (m.inputs.authorization !== "CUSTOM" && m.inputs.authorization !== "NONE") {
          throw new ModelError(
            `method ${httpMethod} ${path}: authorization ${m.inputs.authorization} is not emulated`,
          );
        }
        return {
          method: String(httpMethod).toUpperCase(),
          path,
          authorization,
          authorizerId: authorization === "CUSTOM" ? m.inputs.authorizerId : undefined,
          integration,
        };
      });
    const gatewayResponses: GatewayResponseModel[] = ofType(T.restResponse)
      .filter((g) => g.inputs.restApiId === api.id)
      .map((g) => ({
        type: g.inputs.responseType,
        statusCode: g.inputs.statusCode !== undefined ? Number(g.inputs.statusCode) : undefined,
        responseParameters: { ...(g.inputs.responseParameters ?? {}) },
        responseTemplates: { ...(g.inputs.responseTemplates ?? {}) },
      }));
    return {
      type: "rest",
      resourcePaths: [rootId, ...resourcesById.keys()].map(pathOf),
      apiId: api.id,
      region,
      accountId: ACCOUNT_ID,
      stageName: stage.inputs.stageName,
      stageVariables: stage.inputs.variables,
      routes,
      authorizers,
      gatewayResponses,
      accessLogFormat: stage.inputs.accessLogSettings?.format,
    };
  }
}
