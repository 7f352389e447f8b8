/**
 * `npm run token -- [--sub ID] [--claim key=value]... [--expires-in 15m]`: print a token the
 * running local gateway (`npm start`) accepts — its issuer, audience, algorithm and keys come from
 * the session it wrote under `.local/` (one per port; `--port N` picks one when several run).
 * Dotted keys build nested claims (`metadata.role=admin`); a value starting with `[` or `{` is
 * JSON. Only the token goes to stdout, so `TOKEN=$(npm run -s token)` works.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { DEV_KEYS_FILE, loadOrCreateDevKeys, parseClaimArgs, parseDuration } from "./dev-issuer";
import { mintForSession, sessionFileName, stateDirectory, type Session } from "./server";

export const TOKEN_USAGE = `Usage: npm run token -- [--sub ID] [--claim key=value]... [--expires-in 15m] [--port N]

Print a token the running local gateway (npm start) accepts.

Options:
  --sub ID              the sub claim [dev-customer]
  --claim key=value     an extra claim; dotted keys nest (metadata.role=admin); JSON values
                        when they start with [ or {; repeatable
  --expires-in DURATION lifetime, e.g. 30s, 15m, 1h, 2d; negative for an expired token
                        (--expires-in -5m) [1h]
  --no-default-claims   leave out the claims a default token carries (name; in rest-token the
                        role the stack requires, so the gateway answers 403)
  --port N              the gateway on port N, when several are running
  -h, --help            show this help
`;

/** Is the process that wrote a session still alive? (A gateway killed with -9 leaves its file.) */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The sessions of the gateways running from `dir`, by port. */
export function runningSessions(dir: string): Session[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^session-\d+\.json$/.test(f))
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), "utf8")) as Session];
      } catch {
        return [];
      }
    })
    .filter((s) => typeof s.pid === "number" && alive(s.pid))
    .sort((a, b) => a.port - b.port);
}

/**
 * `parseArgs` reads `--expires-in -5m` as two options; a value of a string option that starts
 * with `-` followed by a digit is a negative number, so join it (`--expires-in=-5m`).
 */
function joinNegativeValues(argv: readonly string[], options: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (options.includes(argv[i]) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

/** Mint from the session in `stateDir`. @throws Error for the user. */
export function tokenFromArgs(argv: readonly string[], stateDir = stateDirectory()): string {
  const { values } = parseArgs({
    args: joinNegativeValues(argv, ["--expires-in"]),
    strict: true,
    allowPositionals: false,
    options: {
      sub: { type: "string" },
      claim: { type: "string", multiple: true },
      "expires-in": { type: "string" },
      "no-default-claims": { type: "boolean" },
      port: { type: "string" },
      "state-dir": { type: "string" },
    },
  });
  const dir = values["state-dir"] ?? stateDir;
  let session: Session;
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port)) {
      throw new Error(`--port expects a port number, got "${values.port}"`);
    }
    const found = runningSessions(dir).find((s) => s.port === Number(values.port));
    if (!found) {
      throw new Error(
        `No local gateway is running on port ${values.port} (${join(dir, sessionFileName(Number(values.port)))}): start it with \`npm start -- --port ${values.port}\`.`,
      );
    }
    session = found;
  } else {
    const sessions = runningSessions(dir);
    if (sessions.length === 0) {
      throw new Error("No local gateway is running: start it with `npm start` first.");
    }
    if (sessions.length > 1) {
      throw new Error(
        `${sessions.length} local gateways are running (ports ${sessions.map((s) => s.port).join(", ")}); pick one with --port N.`,
      );
    }
    session = sessions[0];
  }
  if (!existsSync(join(dir, DEV_KEYS_FILE))) {
    throw new Error("No local gateway is running: start it with `npm start` first.");
  }
  let keys = loadOrCreateDevKeys(dir);
  if (session.secretFile !== undefined) {
    keys = { ...keys, hs256Secret: readFileSync(session.secretFile, "utf8").trim() };
  }
  const expiresIn = values["expires-in"] ?? "1h";
  parseDuration(expiresIn);
  const bare = values["no-default-claims"] === true;
  return mintForSession(keys, bare ? { ...session, defaultClaims: {} } : session, {
    sub: values.sub,
    claims: parseClaimArgs(values.claim ?? []),
    expiresIn,
  });
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(TOKEN_USAGE);
    process.exit(0);
  }
  try {
    process.stdout.write(`${tokenFromArgs(argv)}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${TOKEN_USAGE}`);
    process.exit(1);
  }
}
