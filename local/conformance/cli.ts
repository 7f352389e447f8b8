/**
 * `npm run conformance -- --url <apiUrl> [options]`: prove a deployed stage behaves as this
 * project promises (checks in `checks.ts`). One line per check as it runs, then
 * `N passed, N failed, N not applicable`; exit 1 on any failure, 2 on a usage error. `--json`
 * prints one JSON report instead, for CI.
 *
 * `--stack NAME` reads `apiUrl`, `authMode`, `identityHeaders`, `issuer` and `routes` from
 * `pulumi stack output --json`, and the audience, role and claim settings from `Pulumi.NAME.yaml`
 * as the program parses it; flags override both. Route lines, from `--route` or the `routes`
 * output, go through the program's own parser (functions/commons/routes.ts) and its messages.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { parseRouteTable, type RouteSpec } from "../../functions/commons/routes";
import { ROOT, validateStack } from "../server";
import { readStackConfig } from "../stack-config";
import {
  runConformance,
  type AuthMode,
  type CheckResult,
  type ConformanceOptions,
  type Report,
} from "./checks";
import { privateKeyMaterial, type KeyMaterial } from "./tokens";

export const CONFORMANCE_USAGE = `Usage: npm run conformance -- --url <apiUrl> [options]
       npm run conformance -- --stack NAME [options]

Black-box checks of a deployed identity-gateway stage (or npm start's): one line per check,
PASS, FAIL or N/A (not applicable, with the reason), then a summary; exit 1 on any FAIL.

Where:
  --url URL               the stage's invoke URL (stack output apiUrl)
  --stack NAME            read apiUrl, authMode, identityHeaders, issuer and routes from
                          \`pulumi stack output --json\` (needs the Pulumi CLI) and the
                          audience, roles and claims from Pulumi.NAME.yaml
  --mode MODE             http-jwt, http-lambda or rest-token (from --stack otherwise)
Tokens (without any, only what needs none is checked):
  --token T               a valid token
  --admin-token T         rest-token: a valid token with a role requiredRoles allows
  --secret-file F         the stack's HS256 secret: sign tokens (expired, wrong role, ...)
  --private-key-file F    the RSA private key (PEM) of the issuer's RS256 key
  --kid KID               the kid of that key in the issuer's JWKS [its RFC 7638 thumbprint]
  --issuer URL            iss of minted tokens (from --stack or --token otherwise)
  --audience AUD          aud of minted tokens (from --stack or --token otherwise)
The stack's rules (defaults as the program's):
  --identity-header NAME  header with the customer id [X-Customer-ID]
  --id-claim CLAIM        claim(s) the customer id comes from, in order (repeatable)
  --role-claim PATH       rest-token role claim [metadata.role]
  --required-role ROLE    rest-token role that lets a caller in (repeatable) [admin]
  --route "M /path rule"  a line of the stack's routes table (public, authenticated,
                          roles=a,b, scopes=x,y); repeatable; replaces the routes output
                          [ANY / and ANY /{proxy+} with the mode's rule]
Backend and CORS:
  --echo-path PATH        a path whose backend is the bundled echo [/conformance, or a
                          path of the table's first route that needs a token]
  --origin O              an allowed CORS origin (CORS checks are N/A without it)
  --disallowed-origin O   an origin that is not allowed [https://conformance-disallowed.invalid]
Output:
  --json                  one JSON report on stdout, no progress lines
  --timeout MS            per request [10000]
  -h, --help              this help
`;

/** A usage problem: the message names the flag. */
export class ConformanceUsageError extends Error {}

/** Runs the Pulumi CLI; returns stdout. Injected by tests. */
export type PulumiRunner = (args: readonly string[]) => string;

const realPulumi: PulumiRunner = (args) =>
  execFileSync("pulumi", [...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });

const MODES: readonly AuthMode[] = ["http-jwt", "http-lambda", "rest-token"];

function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConformanceUsageError(`${flag}: cannot read ${path} (${e.code ?? e.message})`);
  }
}

/**
 * A route table through parseRouteTable, every problem on its own line after `where(index)`.
 * @throws ConformanceUsageError listing every bad line, not only the first
 */
function parseRoutes(lines: readonly string[], where: (index: number) => string): RouteSpec[] {
  const { routes, problems } = parseRouteTable(lines);
  if (problems.length > 0) {
    throw new ConformanceUsageError(
      problems.map((p) => `${where(p.index)}: ${p.message}`).join("\n"),
    );
  }
  return routes;
}

/** What `--stack` found, before flags override it. */
interface StackFacts {
  url?: string;
  mode?: AuthMode;
  issuer?: string;
  audience?: string;
  identityHeader?: string;
  idClaims?: readonly string[];
  roleClaim?: string;
  requiredRoles?: readonly string[];
  authorizationScopes?: readonly string[];
  routes?: RouteSpec[];
  origin?: string;
  /** Things the user should know (one line each). */
  notes: string[];
}

/**
 * Read a deployed stack: its outputs through the Pulumi CLI (only the deployment knows `apiUrl`),
 * its settings from the stack file as the program parses them.
 * @throws ConformanceUsageError with one line when the Pulumi CLI is missing or fails
 */
export function readStack(name: string, pulumi: PulumiRunner, root = ROOT): StackFacts {
  let raw: string;
  try {
    raw = pulumi(["stack", "output", "--json", "--stack", name]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") {
      throw new ConformanceUsageError(
        "--stack needs the Pulumi CLI (https://www.pulumi.com/docs/install/), which is not on PATH; pass --url <apiUrl> (and --mode, --issuer, --audience) instead",
      );
    }
    const why = String(e.stderr ?? e.message)
      .trim()
      .split("\n")[0];
    throw new ConformanceUsageError(`--stack ${name}: pulumi stack output failed: ${why}`);
  }
  let out: Record<string, unknown>;
  try {
    out = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new ConformanceUsageError(`--stack ${name}: pulumi stack output --json is not JSON`);
  }
  const facts: StackFacts = { notes: [] };
  if (typeof out.apiUrl === "string") facts.url = out.apiUrl;
  if (MODES.includes(out.authMode as AuthMode)) facts.mode = out.authMode as AuthMode;
  if (typeof out.issuer === "string") facts.issuer = out.issuer;
  if (Array.isArray(out.identityHeaders) && typeof out.identityHeaders[0] === "string") {
    facts.identityHeader = out.identityHeaders[0];
  }
  // The normalized table the program outputs; a stack deployed before that output existed has
  // none, and the checks then use the default table (rules.ts `defaultRoutes`).
  if (Array.isArray(out.routes)) {
    facts.routes = parseRoutes(
      out.routes.map((r) => String(r)),
      (index) => `--stack ${name}: its routes output: routes[${index}]`,
    );
  }
  try {
    const app = validateStack(readStackConfig(root, name));
    facts.idClaims = app.identity.customerIdClaims;
    facts.identityHeader ??= app.identity.customerIdHeader;
    const origins = app.cors?.allowOrigins.filter((o) => o !== "*") ?? [];
    if (origins.length > 0) facts.origin = origins[0];
    if (app.authMode === "http-jwt") {
      facts.audience = app.audiences[0];
      facts.authorizationScopes = app.authorizationScopes;
    } else {
      facts.audience = app.lambda.audiences[0];
      if (app.authMode === "rest-token") {
        facts.roleClaim = app.roleClaim;
        facts.requiredRoles = app.requiredRoles;
      }
    }
  } catch (err) {
    facts.notes.push(
      `Pulumi.${name}.yaml could not be read (${(err as Error).message.split("\n")[0]}); using the program's defaults and the flags`,
    );
  }
  return facts;
}

export interface ParsedArgs {
  readonly help: boolean;
  readonly json: boolean;
  readonly options?: ConformanceOptions;
  readonly notes: readonly string[];
}

/** Parse the command line into checker options. @throws ConformanceUsageError */
export function parseConformanceArgs(
  argv: readonly string[],
  pulumi: PulumiRunner = realPulumi,
): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: "string" },
        stack: { type: "string" },
        mode: { type: "string" },
        token: { type: "string" },
        "admin-token": { type: "string" },
        "secret-file": { type: "string" },
        "private-key-file": { type: "string" },
        kid: { type: "string" },
        issuer: { type: "string" },
        audience: { type: "string" },
        "identity-header": { type: "string" },
        "id-claim": { type: "string", multiple: true },
        "role-claim": { type: "string" },
        "required-role": { type: "string", multiple: true },
        route: { type: "string", multiple: true },
        "echo-path": { type: "string" },
        origin: { type: "string" },
        "disallowed-origin": { type: "string" },
        json: { type: "boolean" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new ConformanceUsageError((err as Error).message);
  }
  if (values.help) return { help: true, json: false, notes: [] };
  const facts: StackFacts =
    values.stack !== undefined ? readStack(values.stack, pulumi) : { notes: [] };

  const url = values.url ?? facts.url;
  if (url === undefined) {
    throw new ConformanceUsageError(
      values.stack !== undefined
        ? `--stack ${values.stack} has no apiUrl output (deployed?); pass --url`
        : "--url <apiUrl> is required (or --stack NAME)",
    );
  }
  try {
    const u = new URL(url);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error();
  } catch {
    throw new ConformanceUsageError(`--url expects an http(s) URL, got "${url}"`);
  }
  if (values.mode !== undefined && !MODES.includes(values.mode as AuthMode)) {
    throw new ConformanceUsageError(`--mode expects ${MODES.join(", ")}, got "${values.mode}"`);
  }
  if (values["secret-file"] !== undefined && values["private-key-file"] !== undefined) {
    throw new ConformanceUsageError("give either --secret-file or --private-key-file, not both");
  }
  let key: KeyMaterial | undefined;
  if (values["secret-file"] !== undefined) {
    // Trimmed as npm start reads it, so a file written with `echo` works the same in both.
    const secret = readFlagFile("--secret-file", values["secret-file"]).trim();
    if (secret === "") throw new ConformanceUsageError("--secret-file: the file is empty");
    key = { kind: "secret", secret };
  } else if (values["private-key-file"] !== undefined) {
    const pem = readFlagFile("--private-key-file", values["private-key-file"]);
    try {
      key = privateKeyMaterial(pem, values.kid);
    } catch (err) {
      throw new ConformanceUsageError(`--private-key-file: ${(err as Error).message}`);
    }
  } else if (values.kid !== undefined) {
    throw new ConformanceUsageError("--kid goes with --private-key-file");
  }
  const lines = values.route;
  const routes =
    lines !== undefined
      ? parseRoutes(lines, (index) =>
          index < lines.length ? `--route "${lines[index]}"` : "--route",
        )
      : facts.routes;
  const echoPath = values["echo-path"];
  if (echoPath !== undefined && !echoPath.startsWith("/")) {
    throw new ConformanceUsageError(`--echo-path starts with /, got "${echoPath}"`);
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    if (!/^\d+$/.test(values.timeout) || Number(values.timeout) < 1) {
      throw new ConformanceUsageError(`--timeout expects milliseconds, got "${values.timeout}"`);
    }
    timeoutMs = Number(values.timeout);
  }
  const notes = [...facts.notes];
  const issuer = values.issuer ?? facts.issuer;
  if (key !== undefined && issuer === undefined && values.token === undefined) {
    throw new ConformanceUsageError(
      "minting tokens needs the issuer: --issuer URL (or --stack NAME, or a --token to copy it from)",
    );
  }
  return {
    help: false,
    json: values.json === true,
    notes,
    options: {
      url,
      mode: (values.mode as AuthMode | undefined) ?? facts.mode,
      token: values.token,
      adminToken: values["admin-token"],
      key,
      issuer,
      audience: values.audience ?? facts.audience,
      origin: values.origin ?? facts.origin,
      disallowedOrigin: values["disallowed-origin"],
      echoPath,
      identityHeader: values["identity-header"] ?? facts.identityHeader,
      idClaims: values["id-claim"] ?? facts.idClaims,
      roleClaim: values["role-claim"] ?? facts.roleClaim,
      requiredRoles: values["required-role"] ?? facts.requiredRoles,
      authorizationScopes: facts.authorizationScopes,
      routes,
      timeoutMs,
    },
  };
}

const LABEL = { pass: "PASS", fail: "FAIL", "n/a": "N/A " } as const;

/** The lines of one check as the terminal shows them. */
export function formatResult(r: CheckResult): string {
  const name = r.target !== undefined ? `${r.check} [${r.target}]` : r.check;
  const lines = [`${LABEL[r.outcome]}  ${name}: ${r.expect}`];
  r.sent.forEach((s, i) => {
    lines.push(`      sent:     ${s}`);
    if (r.received[i] !== undefined) lines.push(`      received: ${r.received[i]}`);
  });
  if (r.note) lines.push(`      ${(r.outcome === "fail" ? "why:" : "note:").padEnd(10)}${r.note}`);
  return lines.join("\n");
}

export function summary(report: Report): string {
  return `${report.passed} passed, ${report.failed} failed, ${report.notApplicable} not applicable`;
}

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

/** The whole command; resolves to the exit code. */
export async function main(
  argv: readonly string[],
  io: Io = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  },
  pulumi: PulumiRunner = realPulumi,
): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseConformanceArgs(argv, pulumi);
  } catch (err) {
    if (!(err instanceof ConformanceUsageError)) throw err;
    io.stderr(`${err.message}\n`);
    return 2;
  }
  if (args.help || !args.options) {
    io.stdout(CONFORMANCE_USAGE);
    return 0;
  }
  for (const n of args.notes) io.stderr(`note: ${n}\n`);
  const opts = args.options;
  if (!args.json) {
    io.stdout(`conformance of ${opts.url} (mode ${opts.mode ?? "unknown"})\n`);
  }
  const report = await runConformance(opts, (r) => {
    if (!args.json) io.stdout(`${formatResult(r)}\n`);
  });
  if (args.json) {
    io.stdout(
      `${JSON.stringify({ url: opts.url, mode: opts.mode ?? null, ...report }, null, 2)}\n`,
    );
  } else {
    io.stdout(`\n${summary(report)}\n`);
  }
  return report.failed > 0 ? 1 : 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
