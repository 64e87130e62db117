/**
 * The SQL parser as the log readers use it: libpg-query's WebAssembly run by V8's baseline compiler (Liftoff)
 * alone. A log parses each statement shape once, a few hundred parses at most, yet V8's tier-up recompiled the
 * parser with TurboFan on every run: about 1.2 s of CPU, more than reading a 100 MB pgbench log takes
 * (measured in-process on that log: 2.9 s of CPU with the tier-up, 1.6 s without; `--cpu-prof` showed it outside
 * any JavaScript). The flag is process-wide and applies to WebAssembly compiled after it is set.
 */
import { setFlagsFromString } from "node:v8";
import { loadSqlParser } from "../../util/sql-parser.js";

export function loadLogSqlParser(): Promise<void> {
  setFlagsFromString("--liftoff-only");
  return loadSqlParser();
}
