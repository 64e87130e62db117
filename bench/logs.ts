/**
 * dbopt logs against pgBadger on the same real logs. A private PostgreSQL 15 logs every statement
 * (log_min_duration_statement = 0, pgBadger's recommended prefix) while pgbench runs and a planted N+1 loop runs
 * beside it; then both tools read the file. Two protocols, each its own log:
 * - simple: pgbench -M simple, literals inline in each `statement:` line (how psql, many drivers and ORMs send
 *   SQL): every distinct text must be normalised, so this is the hard case; the planted loop sends its ids inline;
 * - prepared: pgbench -M prepared (extended protocol: `execute` lines with `DETAIL: parameters`), the loop binds $1.
 * Prints for each MB/s, the ratio to pgBadger -j1 measured in the same run, peak memory, whether statement counts
 * agree and whether the N+1 is found, and dbopt's peak memory on the same log repeated 4× (memory must stay flat
 * as the log grows).
 *
 * Run: npx tsx bench/logs.ts [--protocol simple|prepared|both] [--mb 100] [--keep] [--bin path/to/dbopt.js]
 *      [--logs DIR] [--make DIR] [--runs 3] (needs the Debian package pgbadger; runs the build in dist/, npm run build)
 * --logs DIR reads DIR/pgbench-simple.log and DIR/pgbench-prepared.log (kept by an earlier --keep run) instead of
 * making new ones; --make DIR writes them there and stops. Wall time and CPU time (user + system) are both printed: on a machine busy with other work the
 * CPU ratio is the steadier figure. dbopt --jobs 1 runs --runs times and its median counts; both tools' start-up is
 * measured on the log's first 200 lines, and the steady state (MB per second of CPU past start-up) printed apart.
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { PG15_BIN, startPrivatePostgres } from "../test/support/private-postgres.js";

type Protocol = "simple" | "prepared";

const PREFIX = "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ";
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const targetMb = Number(arg("mb", "100"));
const protocolArg = arg("protocol", "both");
if (!["simple", "prepared", "both"].includes(protocolArg)) {
  console.error(`bench/logs: --protocol is simple, prepared or both, not ${protocolArg}`);
  process.exit(2);
}
const protocols: Protocol[] = protocolArg === "both" ? ["simple", "prepared"] : [protocolArg as Protocol];
const keep = process.argv.includes("--keep");
const logsDir = arg("logs", "");
// --make DIR: only write the logs (DIR/pgbench-<protocol>.log) for later --logs runs, and measure nothing.
const makeDir = arg("make", "");
const runs = Number(arg("runs", "3"));
const OUT = "/tmp/dbopt-bench-logs";
// --bin: another build of dbopt to time (a copy of bin/dbopt.js beside its own dist/), the checkout's by default.
const BIN = arg("bin", new URL("../bin/dbopt.js", import.meta.url).pathname);
const N_PLUS_ONE_PAGES = 50;
const PAGE = 25;
const PLANTED = "select id, total from orders where customer_id = $1";

if (spawnSync("pgbadger", ["--version"]).status !== 0) {
  console.error("bench/logs: pgbadger is not installed (apt-get install -y pgbadger)");
  process.exit(2);
}
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

/** A real log of pgbench in one protocol, with the planted N+1 page views. */
async function realLog(protocol: Protocol): Promise<string> {
  const server = startPrivatePostgres(PG15_BIN, 54330, {
    logging_collector: "on",
    log_destination: "stderr",
    log_filename: "postgresql.log",
    log_line_prefix: PREFIX,
    log_min_duration_statement: "0",
    log_checkpoints: "on",
    log_autovacuum_min_duration: "0",
    log_temp_files: "0",
    log_lock_waits: "on",
  });
  const log = join(OUT, `pgbench-${protocol}.log`);
  try {
    const pgbench = (args: string[]) => {
      const run = spawnSync(
        join(PG15_BIN, "pgbench"),
        ["-h", "127.0.0.1", "-p", "54330", "-U", "postgres", ...args],
        { encoding: "utf8" },
      );
      if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`);
    };
    pgbench(["-i", "-s", "5", "-q", "postgres"]);
    const client = new pg.Client({ connectionString: server.url, application_name: "shop-api" });
    await client.connect();
    await client.query(`create table customers (id bigint primary key, name text not null);
      create table orders (id bigint primary key, customer_id bigint not null, total numeric(10,2) not null);
      insert into customers select g, 'customer ' || g from generate_series(1, 2000) g;
      insert into orders select g, 1 + g % 2000, g % 1000 from generate_series(1, 100000) g;
      create index on orders (customer_id); analyze`);
    const serverLog = join(server.logDirectory, "postgresql.log");
    let pages = 0;
    while (statSync(serverLog).size < targetMb * 1e6) {
      // pgbench in the background of each round, the N+1 page views spread across the rounds.
      const bench = new Promise<void>((resolve, reject) => {
        const p = spawn(join(PG15_BIN, "pgbench"), [
          ...["-h", "127.0.0.1", "-p", "54330", "-U", "postgres"],
          ...["-c", "4", "-j", "2", "-T", "5", "-M", protocol, "postgres"],
        ]);
        p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`pgbench exited ${code}`))));
      });
      for (; pages < N_PLUS_ONE_PAGES; pages++) {
        const { rows } = await client.query<{ id: string }>(
          `select id from customers order by id limit ${PAGE} offset ${pages * PAGE}`,
        );
        for (const row of rows)
          if (protocol === "prepared") await client.query(PLANTED, [row.id]);
          // No parameters: node-postgres sends the text in the simple protocol, the id inline.
          else await client.query(PLANTED.replace("$1", String(Number(row.id))));
      }
      await bench;
    }
    await client.end();
    server.stop();
    await pipeline(createReadStream(serverLog), createWriteStream(log));
  } finally {
    server.remove();
  }
  return log;
}

const HEAD_LINES = 200;

function badgerArgs(json: string, log: string): string[] {
  // Its own pid file: pgBadger refuses to start while another run's /tmp/pgbadger.pid exists.
  return [
    "-j",
    "1",
    "-f",
    "stderr",
    "--prefix",
    PREFIX,
    "-q",
    "-x",
    "json",
    "-o",
    json,
    "--pid-dir",
    OUT,
    log,
  ];
}

/** The run with the median CPU time. */
function median<T extends { cpu: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.cpu - b.cpu)[Math.floor((runs.length - 1) / 2)] as T;
}

/** Both tools on the same file, timed with CPU time and peak memory (GNU time's %U + %S, %M in KB). */
function timed(cmd: string, args: string[]): { seconds: number; cpu: number; peakMb: number } {
  const run = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", cmd, ...args], {
    encoding: "utf8",
    maxBuffer: 1e9,
  });
  if (run.status !== 0) throw new Error(`${cmd} failed: ${run.stderr.slice(-2000)}`);
  const [seconds, user, system, kb] = (run.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  return { seconds: seconds ?? Number.NaN, cpu: (user ?? 0) + (system ?? 0), peakMb: (kb ?? 0) / 1024 };
}

const dboptRun = (log: string, out: string, jobs?: number) =>
  timed(process.execPath, [
    BIN,
    "logs",
    log,
    ...(jobs === undefined ? [] : ["--jobs", String(jobs)]),
    "--format",
    "json",
    "-o",
    out,
  ]);

async function measure(
  protocol: Protocol,
  log: string,
): Promise<{ ratio: number; one: number; cpu: number; steady: number }> {
  const mb = statSync(log).size / 1e6;
  const tag = (name: string) => join(OUT, `${name}-${protocol}.json`);
  const badgerJson = tag("pgbadger");
  const badger = timed("pgbadger", badgerArgs(badgerJson, log));
  // Machine load makes single runs noisy: dbopt --jobs 1 runs `runs` times, the median is reported (min–max beside).
  const ones = Array.from({ length: runs }, () => dboptRun(log, tag("dbopt-j1"), 1));
  const dboptOne = median(ones);
  const dbopt = dboptRun(log, tag("dbopt"));
  // Start-up apart: both tools on the log's first lines (the same format and prefix, nearly nothing to read).
  const head = join(OUT, `head-${protocol}.log`);
  writeFileSync(head, `${readFileSync(log, "utf8").split("\n", HEAD_LINES).join("\n")}\n`);
  const badgerStart = timed("pgbadger", badgerArgs(tag("pgbadger-head"), head));
  const dboptStart = median(Array.from({ length: runs }, () => dboptRun(head, tag("dbopt-head"), 1)));
  const big = join(OUT, `pgbench-${protocol}-x4.log`);
  {
    const out = createWriteStream(big);
    for (let i = 0; i < 4; i++)
      for await (const chunk of createReadStream(log)) if (!out.write(chunk)) await once(out, "drain");
    out.end();
    await once(out, "finish");
  }
  const dboptBig = dboptRun(big, tag("dbopt-x4"));
  if (!keep) rmSync(big);

  const b = JSON.parse(readFileSync(badgerJson, "utf8")) as { overall_stat: { queries_number: number } };
  const d = JSON.parse(readFileSync(tag("dbopt"), "utf8")) as {
    threads: number;
    statementCount: number;
    statements: unknown[];
    nPlusOne: Array<{ repeated: { query: string }; occurrences: number; repeats: { median: number } }>;
  };
  const planted = d.nPlusOne.find((p) => p.repeated.query === PLANTED);

  const row = (name: string, r: { seconds: number; cpu: number; peakMb: number }, size = mb) =>
    `${name.padEnd(32)} ${r.seconds.toFixed(2).padStart(8)} s ${(size ? (size / r.seconds).toFixed(1) : "").padStart(9)} MB/s ${r.cpu.toFixed(2).padStart(8)} s CPU ${(size ? (size / r.cpu).toFixed(1) : "").padStart(9)} MB/s of CPU ${r.peakMb.toFixed(0).padStart(7)} MB peak`;
  console.log("");
  console.log(
    `${protocol} protocol: ${log}, ${mb.toFixed(1)} MB, ${d.statements.length} distinct statements`,
  );
  console.log(row("pgBadger 12 -j1", badger));
  console.log(row("dbopt logs --jobs 1", dboptOne));
  console.log(row(`dbopt logs (default: ${d.threads} of ${availableParallelism()})`, dbopt));
  console.log(row("dbopt logs, log ×4", dboptBig, mb * 4));
  console.log(
    `dbopt --jobs 1, ${runs} runs: CPU ${ones.map((r) => r.cpu.toFixed(2)).join(", ")} s (median above); wall ${ones.map((r) => r.seconds.toFixed(2)).join(", ")} s`,
  );
  console.log(row(`pgBadger start-up (${HEAD_LINES} lines)`, badgerStart, 0));
  console.log(row(`dbopt start-up (${HEAD_LINES} lines)`, dboptStart, 0));
  // Steady state: the CPU past start-up, per MB read.
  const steady = (full: { cpu: number }, start: { cpu: number }) =>
    mb / Math.max(0.001, full.cpu - start.cpu);
  console.log(
    `steady state, MB/s of CPU after start-up: pgBadger ${steady(badger, badgerStart).toFixed(1)}, dbopt --jobs 1 ${steady(dboptOne, dboptStart).toFixed(1)} (${(steady(dboptOne, dboptStart) / steady(badger, badgerStart)).toFixed(1)}×)`,
  );
  const ratio = badger.seconds / dbopt.seconds;
  const one = badger.seconds / dboptOne.seconds;
  const cpu = badger.cpu / dboptOne.cpu;
  console.log(`throughput ratio dbopt / pgBadger -j1: ${ratio.toFixed(1)}× (one thread: ${one.toFixed(1)}×)`);
  console.log(`CPU time ratio pgBadger -j1 / dbopt --jobs 1: ${cpu.toFixed(1)}×`);
  // pgBadger's rate does not depend on the size of the log; dbopt's grows as its fixed start-up cost amortises.
  console.log(
    `throughput ratio on the log ×4 (${(mb * 4).toFixed(0)} MB): ${((mb * 4) / dboptBig.seconds / (mb / badger.seconds)).toFixed(1)}× pgBadger -j1's rate`,
  );
  console.log(`peak memory, log ×1 → ×4: ${dbopt.peakMb.toFixed(0)} → ${dboptBig.peakMb.toFixed(0)} MB`);
  console.log(
    `statements: pgBadger ${b.overall_stat.queries_number}, dbopt ${d.statementCount} (${b.overall_stat.queries_number === d.statementCount ? "agree" : "differ"})`,
  );
  console.log(
    `planted N+1 (${N_PLUS_ONE_PAGES} × ${PAGE}): dbopt ${planted ? `found, ${planted.occurrences} occurrences, median ${planted.repeats.median} repeats` : "NOT found"}; pgBadger has no N+1 detection`,
  );
  return { ratio, one, cpu, steady: steady(dboptOne, dboptStart) / steady(badger, badgerStart) };
}

const logs = new Map<Protocol, string>();
for (const protocol of protocols)
  logs.set(protocol, logsDir ? join(logsDir, `pgbench-${protocol}.log`) : await realLog(protocol));
if (makeDir) {
  mkdirSync(makeDir, { recursive: true });
  for (const [protocol, log] of logs) {
    await pipeline(createReadStream(log), createWriteStream(join(makeDir, `pgbench-${protocol}.log`)));
    console.log(`${join(makeDir, `pgbench-${protocol}.log`)}: ${(statSync(log).size / 1e6).toFixed(1)} MB`);
  }
  rmSync(OUT, { recursive: true, force: true });
  process.exit(0);
}
// Other work on the machine slows both tools alike only when it lasts the whole run: say how loaded it was.
console.log(
  `load average before reading: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
const ratios = new Map<Protocol, { ratio: number; one: number; cpu: number; steady: number }>();
for (const [protocol, log] of logs) ratios.set(protocol, await measure(protocol, log));
console.log("");
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (const [protocol, r] of ratios)
  console.log(
    `${protocol.padEnd(8)} dbopt / pgBadger -j1: ${r.ratio.toFixed(1)}× wall (one thread ${r.one.toFixed(1)}×), ${r.cpu.toFixed(1)}× in CPU time (one thread), ${r.steady.toFixed(1)}× in CPU past start-up`,
  );
if (!keep) rmSync(OUT, { recursive: true, force: true });
