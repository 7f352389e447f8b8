"use strict";
// Cold start of one handler in a fresh Node process, started by bench/run.ts:
//   node bench/cold-driver.js <module|-> <event.json>
// Plain CommonJS on purpose: no TypeScript loader may add to the time measured.
// Times are performance.now() readings, i.e. milliseconds since this process's time origin (its
// start): `start` when this script begins (Node's own bootstrap is over), `loaded` after
// `require(module)`, `answered` when the first event's answer is back. With `-` as the module only
// `start` is taken: the empty-node baseline.
const start = performance.now();
const [modulePath, eventFile] = process.argv.slice(2);

function report(result) {
  process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (modulePath === "-") {
  report({ start, loaded: start, answered: start, allowed: null });
} else {
  const { handler } = require(modulePath);
  const loaded = performance.now();
  const event = JSON.parse(require("node:fs").readFileSync(eventFile, "utf8"));
  const parsed = performance.now();
  Promise.resolve(handler(event, { awsRequestId: "cold", getRemainingTimeInMillis: () => 3000 }))
    .then((answer) => {
      const answered = performance.now();
      const allowed =
        answer &&
        (answer.isAuthorized === true ||
          (answer.policyDocument && answer.policyDocument.Statement[0].Effect === "Allow"));
      // Reading the event file is the harness's work, not the handler's: it is subtracted.
      report({ start, loaded, answered: answered - (parsed - loaded), allowed: !!allowed });
    })
    .catch((err) => {
      process.stderr.write(String((err && err.stack) || err) + "\n");
      process.exit(1);
    });
}
