/**
 * `npm run token -- [--sub ID] [--claim key=value]... [--expires-in 15m]`: print a token the
 * running local gateway (`npm start`) accepts — its issuer, audience, algorithm and keys come from
 * the session it wrote under `.local/`. Dotted keys build nested claims (`metadata.role=admin`);
 * a value starting with `[` or `{` is JSON. Only the token goes to stdout, so
 * `TOKEN=$(npm run -s token)` works.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { DEV_KEYS_FILE, loadOrCreateDevKeys, parseClaimArgs, parseDuration } from "./dev-issuer";
import { mintForSession, SESSION_FILE, stateDirectory, type Session } from "./server";

export const TOKEN_USAGE = `Usage: npm run token -- [--sub ID] [--claim key=value]... [--expires-in 15m]

Print a token the running local gateway (npm start) accepts.

Options:
  --sub ID              the sub claim [dev-customer]
  --claim key=value     an extra claim; dotted keys nest (metadata.role=admin); JSON values
                        when they start with [ or {; repeatable
  --expires-in DURATION lifetime, e.g. 30s, 15m, 1h, 2d; negative for an expired token [1h]
  -h, --help            show this help
`;

/** Mint from the session in `stateDir`. @throws Error for the user. */
export function tokenFromArgs(argv: readonly string[], stateDir = stateDirectory()): string {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      sub: { type: "string" },
      claim: { type: "string", multiple: true },
      "expires-in": { type: "string" },
      "state-dir": { type: "string" },
    },
  });
  const dir = values["state-dir"] ?? stateDir;
  const sessionFile = join(dir, SESSION_FILE);
  if (!existsSync(sessionFile) || !existsSync(join(dir, DEV_KEYS_FILE))) {
    throw new Error("No local gateway is running: start it with `npm start` first.");
  }
  const session = JSON.parse(readFileSync(sessionFile, "utf8")) as Session;
  let keys = loadOrCreateDevKeys(dir);
  if (session.secretFile !== undefined) {
    keys = { ...keys, hs256Secret: readFileSync(session.secretFile, "utf8").trim() };
  }
  const expiresIn = values["expires-in"] ?? "1h";
  parseDuration(expiresIn);
  return mintForSession(keys, session, {
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
