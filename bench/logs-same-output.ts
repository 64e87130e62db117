/**
 * A guard for work on the logs reader's speed: `dbopt logs` of every log fixture (and of the bench's pgbench logs,
 * when given) must read the same before and after a change. Saves each report (json and terminal; the run's
 * `seconds` left out, the only field that is a timing), and compares a second build's with them byte for byte.
 * Besides the fixtures as they are, it reads derived copies that exercise what the fixtures lack: the stderr
 * fixtures with CRLF line ends, with multi-byte UTF-8 inside literals and names, and split across worker threads.
 *
 * Run: npx tsx bench/logs-same-output.ts --bin OLD/bin/dbopt.js --save DIR [--logs /tmp/benchlogs]
 *      npx tsx bench/logs-same-output.ts --bin NEW/bin/dbopt.js --compare DIR [--logs /tmp/benchlogs]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? null) : null;
};
const bin = arg("bin") ?? new URL("../bin/dbopt.js", import.meta.url).pathname;
const save = arg("save");
const compare = arg("compare");
const benchLogs = arg("logs");
if ((save === null) === (compare === null)) {
  console.error("bench/logs-same-output: give --save DIR or --compare DIR");
  process.exit(2);
}
const dir = (save ?? compare) as string;
const FIXTURES = new URL("../test/fixtures/logs/", import.meta.url).pathname;
const DERIVED = "/tmp/dbopt-logs-same-output";

function files(root: string): string[] {
  return readdirSync(root)
    .sort()
    .flatMap((name) => {
      const path = join(root, name);
      if (statSync(path).isDirectory()) return files(path);
      return /\.(md|ts)$/.test(name) ? [] : [path];
    });
}

/** Copies of the stderr fixtures that reach the byte-level paths the fixtures do not. */
function derived(): string[] {
  mkdirSync(DERIVED, { recursive: true });
  const out: string[] = [];
  for (const name of [
    "pg15-stderr.log",
    "pg18-stderr.log",
    "pg15-custom-prefix.log",
    "pg15-prefix-db-user.log",
  ]) {
    const text = readFileSync(join(FIXTURES, name), "utf8");
    const crlf = join(DERIVED, `crlf-${name}`);
    writeFileSync(crlf, text.replace(/\n/g, "\r\n"));
    // Multi-byte characters in literals, names and quoted identifiers (2, 3 and 4 bytes in UTF-8); upper case
    // beyond ASCII ("É", "İ") that lower-cases to another length.
    const utf8 = join(DERIVED, `utf8-${name}`);
    writeFileSync(
      utf8,
      text
        .replace(/'([^'\n]*)'/g, "'é$1€😀'")
        .replace(/\bpgbench_accounts\b/g, "pgbench_accountsÉ")
        .replace(/\bFROM\b/g, 'FROM "Tablé İ"'),
    );
    out.push(crlf, utf8);
  }
  return out;
}

interface Run {
  label: string;
  args: string[];
}

const runs: Run[] = [];
for (const path of [...files(FIXTURES), ...derived()]) {
  const label = path.startsWith(FIXTURES) ? path.slice(FIXTURES.length) : `derived/${basename(path)}`;
  runs.push({ label: `${label}.json`, args: [path, "--format", "json"] });
  runs.push({ label: `${label}.txt`, args: [path] });
  if (label.startsWith("derived/") || label.endsWith("stderr.log"))
    runs.push({
      label: `${label}.parts.json`,
      args: [path, "--format", "json", "--jobs", "2", "--split-from", "4KB"],
    });
}
if (benchLogs)
  for (const protocol of ["simple", "prepared"]) {
    const path = join(benchLogs, `pgbench-${protocol}.log`);
    if (!existsSync(path)) continue;
    runs.push({ label: `bench-${protocol}.json`, args: [path, "--format", "json", "--jobs", "1"] });
    runs.push({ label: `bench-${protocol}.txt`, args: [path, "--jobs", "1"] });
    runs.push({ label: `bench-${protocol}.parts.json`, args: [path, "--format", "json", "--jobs", "2"] });
  }

/** The report without what differs from run to run: the seconds it took and the thread count's wording. */
function stable(text: string): string {
  return text
    .replace(/"seconds": [0-9.]+/g, '"seconds": 0')
    .replace(/ in [0-9.]+ ?s\b/g, " in Xs")
    .replace(/\((?:[0-9.]+|X) [kMG]?B\/s\)/g, "(X/s)");
}

mkdirSync(dir, { recursive: true });
let differ = 0;
for (const run of runs) {
  const r = spawnSync(process.execPath, [bin, "logs", ...run.args], { encoding: "utf8", maxBuffer: 1 << 28 });
  const got = `exit ${r.status}\n${stable(r.stdout)}\n--- stderr\n${stable(r.stderr)}`;
  const file = join(dir, run.label.replace(/\//g, "__"));
  if (save) {
    writeFileSync(file, got);
    continue;
  }
  if (!existsSync(file)) {
    console.log(`no reference: ${run.label} (a fixture added since --save)`);
    continue;
  }
  const want = stable(readFileSync(file, "utf8"));
  if (want === got) continue;
  differ++;
  writeFileSync(`${file}.new`, got);
  console.log(`differs: ${run.label} (diff ${file} ${file}.new)`);
}
console.log(
  save ? `saved ${runs.length} reports in ${dir}` : `${runs.length - differ} of ${runs.length} the same`,
);
process.exit(differ ? 1 : 0);
