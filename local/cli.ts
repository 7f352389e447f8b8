/**
 * `npm start [-- options]`: serve the stack's mode on 127.0.0.1 (see `--help`).
 *
 * Prints exactly one `listening on http://127.0.0.1:PORT` line when ready, then a token from the
 * built-in development issuer and the `curl` that sends it. Access-log lines and Lambda output go
 * to stderr. Stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";

import { formatRule, type RouteRule } from "../functions/commons/routes";
import type { AppConfig } from "../infra/config";
import type { LocalGateway, LocalOptions } from "./server";
import type { Playground } from "./playground/server";

export const USAGE = `Usage: npm start -- [options]

Serve the stack's API on http://127.0.0.1, built from the Pulumi program itself, with the
deployed authorizer and echo-backend code. Tokens come from a built-in development issuer
unless --issuer is given.

Options:
  --stack NAME            stack whose config is served (Pulumi.yaml + Pulumi.NAME.yaml) [dev]
  --mode MODE             override authMode: http-jwt, http-lambda or rest-token
  --port N                port on 127.0.0.1 (0 picks a free one) [8080]
  --issuer URL            a real OIDC issuer (keys from its discovery document) instead of the
                          built-in one; http:// only for loopback issuers
  --audience AUD          the audience tokens of --issuer carry
  --secret-file PATH      verify HS256 tokens with the secret in PATH (Lambda modes)
  --public-key-file PATH  verify RS256 tokens with the PEM public key in PATH (Lambda modes)
  --backend-url URL       forward to this backend instead of the echo Lambda
  --program PATH          serve the IdentityGateway your own Pulumi program (PATH, e.g.
                          index.ts) creates, instead of this repository's stack
  --playground            serve the browser playground on its own origin (its origin is added
                          to corsAllowOrigins for this run)
  --playground-port N     the playground's port on 127.0.0.1 (0 picks a free one) [8090]
  -h, --help              show this help

The stack is checked as \`pulumi preview\` checks it before anything local replaces its issuer or
key material; each replacement is printed as one line.

More tokens: npm run token -- [--sub ID] [--claim key=value]... [--expires-in 15m] [--port N]
`;

export interface CliArgs {
  readonly help: boolean;
  readonly options: LocalOptions;
  /** `--playground`: the port to serve it on. */
  readonly playgroundPort?: number;
}

/** Parse the command line. @throws Error with a message for the user. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      stack: { type: "string" },
      mode: { type: "string" },
      port: { type: "string" },
      issuer: { type: "string" },
      audience: { type: "string" },
      "secret-file": { type: "string" },
      "public-key-file": { type: "string" },
      "backend-url": { type: "string" },
      program: { type: "string" },
      playground: { type: "boolean" },
      "playground-port": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const portOf = (flag: string, value: string | undefined, dflt: number): number => {
    if (value === undefined) return dflt;
    if (!/^\d+$/.test(value) || Number(value) > 65535) {
      throw new Error(`${flag} expects a port number (0-65535), got "${value}"`);
    }
    return Number(value);
  };
  const port = portOf("--port", values.port, 8080);
  if (values["playground-port"] !== undefined && !values.playground) {
    throw new Error("--playground-port goes with --playground");
  }
  if (
    values.mode !== undefined &&
    !["http-jwt", "http-lambda", "rest-token"].includes(values.mode)
  ) {
    throw new Error(`--mode expects http-jwt, http-lambda or rest-token, got "${values.mode}"`);
  }
  if (values.audience !== undefined && values.issuer === undefined) {
    throw new Error("--audience goes with --issuer");
  }
  if (values["secret-file"] !== undefined && values["public-key-file"] !== undefined) {
    throw new Error("give either --secret-file or --public-key-file, not both");
  }
  if (values.issuer !== undefined && (values["secret-file"] ?? values["public-key-file"])) {
    throw new Error(
      "--issuer verifies with the issuer's JWKS; drop --secret-file/--public-key-file",
    );
  }
  return {
    help: values.help === true,
    playgroundPort: values.playground
      ? portOf("--playground-port", values["playground-port"], 8090)
      : undefined,
    options: {
      stack: values.stack,
      mode: values.mode,
      port,
      issuer: values.issuer,
      audience: values.audience,
      secretFile: values["secret-file"],
      publicKeyFile: values["public-key-file"],
      backendUrl: values["backend-url"],
      program: values.program,
    },
  };
}

/** What a rule asks of a caller, in words, for the banner. */
function ruleMeaning(rule: RouteRule, app: AppConfig): string {
  switch (rule.kind) {
    case "public":
      return "no token; identity headers removed";
    case "authenticated":
      return "any valid token";
    case "roles":
      return `${app.authMode === "http-jwt" ? "roles" : (app as { roleClaim: string }).roleClaim} holds one of ${rule.roles.join(", ")}`;
    case "scopes":
      return `scope/scp holds one of ${rule.scopes.join(", ")}`;
  }
}

/**
 * The route table as the banner prints it: one line per route with its rule and what the rule
 * asks of a caller, aligned, under a heading.
 */
export function routeTableLines(app: AppConfig): string[] {
  const keyWidth = Math.max(...app.routes.map((r) => r.routeKey.length));
  const ruleWidth = Math.max(...app.routes.map((r) => formatRule(r.rule).length));
  return [
    "routes (identity-gateway:routes):",
    ...app.routes.map(
      (r) =>
        `  ${r.routeKey.padEnd(keyWidth)}  ${formatRule(r.rule).padEnd(ruleWidth)}  ${ruleMeaning(r.rule, app)}`,
    ),
  ];
}

export function banner(gw: LocalGateway, stack: string, port: number): string {
  const app = gw.appConfig;
  const source = gw.programPath === undefined ? `stack ${stack}` : `program ${gw.programPath}`;
  const lines = [`mode ${app.authMode} (${source}), stage ${gw.model.stageName}`];
  const builtIn = gw.devIssuer !== undefined && gw.profile.issuer === gw.devIssuer.url;
  // Always stated, so a token can be had elsewhere when none is printed (key files, --issuer).
  lines.push(
    `issuer ${gw.profile.issuer}${builtIn ? " (built-in development issuer)" : ""}, audience ${gw.profile.audience || "(none: the audience check is off)"}, ${gw.profile.alg}`,
  );
  lines.push(...gw.substitutions);
  lines.push(...routeTableLines(app));
  let token: string | undefined;
  try {
    token = gw.mintToken();
  } catch (err) {
    lines.push((err as Error).message);
  }
  // `npm run token` needs --port only when it cannot tell which gateway is meant.
  const portFlag = port === 8080 ? "" : ` --port ${gw.url.split(":").pop()}`;
  if (token !== undefined) {
    const more = `npm run token --${portFlag} --sub ID --claim key=value --expires-in 15m`;
    lines.push("", `A token (1h; more with: ${more}):`, token);
    if (app.authMode === "rest-token") {
      const role = `${app.roleClaim}=${app.requiredRoles[0]}`;
      lines.push(
        `It carries ${role}, a role requiredRoles allows; to see the 403 a token without it gets:`,
        `  TOKEN=$(npm run -s token --${portFlag} --no-default-claims)`,
      );
    }
    lines.push("", "Try it:", `curl -H "Authorization: Bearer ${token}" ${gw.stageUrl}/hello`);
  } else {
    lines.push(
      "",
      "Try it with a token for that issuer and audience in $TOKEN:",
      `curl -H "Authorization: Bearer $TOKEN" ${gw.stageUrl}/hello`,
    );
  }
  return lines.join("\n") + "\n";
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  // Loaded once the arguments are read, so --help and a bad flag answer without loading the
  // Pulumi program's dependencies (about a second).
  const [{ ConfigError }, { StackConfigError }, server, { ExchangeLog, startPlayground }] =
    await Promise.all([
      import("../infra/config"),
      import("./stack-config"),
      import("./server"),
      import("./playground/server"),
    ]);
  const { LocalOptionError, startLocal, stateDirectory } = server;
  let gw: LocalGateway;
  let playground: Playground | undefined;
  try {
    // The playground listens first: its origin goes into the gateway's CORS origins.
    const exchanges = new ExchangeLog();
    if (args.playgroundPort !== undefined) {
      playground = await startPlayground(args.playgroundPort, exchanges);
    }
    gw = await startLocal({
      ...args.options,
      playgroundOrigin: playground?.origin,
      observe: playground ? exchanges.observe : undefined,
      stateDir: stateDirectory(),
      accessLog: (line) => process.stderr.write(`${line}\n`),
      functionLog: (name, line) => process.stderr.write(`[${name}] ${line}\n`),
    });
  } catch (err) {
    await playground?.close();
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e.code === "EADDRINUSE" && playground === undefined && args.playgroundPort !== undefined) {
      process.stderr.write(
        `--playground-port ${args.playgroundPort} is in use; pick another with --playground-port N\n`,
      );
    } else if (e.code === "EADDRINUSE") {
      process.stderr.write(`--port ${args.options.port} is in use; pick another with --port N\n`);
    } else if (
      err instanceof ConfigError ||
      err instanceof StackConfigError ||
      err instanceof LocalOptionError
    ) {
      // The user's to fix, and each message says how: no stack trace.
      process.stderr.write(`${e.message}\n`);
    } else {
      process.stderr.write(`could not start the local gateway: ${e.stack ?? e.message}\n`);
    }
    return 1;
  }
  process.stdout.write(`listening on ${gw.url}\n`);
  for (const w of gw.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(banner(gw, args.options.stack ?? "dev", args.options.port ?? 8080));
  if (playground) {
    playground.attach(gw);
    process.stdout.write(`\nPlayground (open in a browser): ${playground.url}\n`);
  }

  // The first SIGINT/SIGTERM closes everything; a repeated one (Ctrl-C twice, or the same signal
  // sent to the whole process group by a wrapper) does not interrupt the shutdown.
  await new Promise<void>((resolve) => {
    process.on("SIGINT", () => resolve());
    process.on("SIGTERM", () => resolve());
  });
  await playground?.close();
  await gw.close();
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
