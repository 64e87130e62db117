#!/usr/bin/env node
// The dbopt command: runs the compiled CLI (npm install builds it through the "prepare" script).
import { existsSync } from "node:fs";
import { setFlagsFromString } from "node:v8";

// libpg-query is 1.7 MB of WebAssembly: V8's optimising compile of all of it costs each run about 0.3 s of
// wall time, more than the few parses a command makes gain from it. The baseline compiler alone is enough.
setFlagsFromString("--liftoff-only");

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "dbopt: error: dbopt is not built. Run `npm install` (or `npm run build`) in the dbopt folder.\n",
  );
  process.exit(4);
}
const { main } = await import(entry.href);
// Work left waiting on nothing (a socket that never connects, a promise never settled) ends the process with
// Node's exit code 13 and no word: say so in the one line every failure gets.
let finished = false;
process.on("exit", () => {
  // The listener's argument is 0 here; Node has set process.exitCode to 13 already.
  if (!finished && process.exitCode === 13)
    process.stderr.write(
      "dbopt: error: stopped before finishing, waiting on nothing. This is a bug in dbopt; run again with --debug and report the output.\n",
    );
});
const code = await main(process.argv);
finished = true;
// Exit explicitly: the embedded server's exit hook would otherwise end the process with code 0.
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(code);
