/**
 * dbopt bench's driver overhead against pgbench (issue #14: within 10% of pgbench's throughput, same statement,
 * same client count). Both run the same statements on the same pgbench -i database (scale 10, local PostgreSQL)
 * with the same clients and protocol, in interleaved rounds: each round runs both, pgbench first in odd rounds and
 * dbopt first in even ones, so neither order nor a drift of the machine's load favours one tool.
 *
 *   - lookup: pgbench -S (SELECT abalance FROM pgbench_accounts WHERE aid = random), the driver-bound case;
 *   - range: a heavier statement, the sum of 1,000 consecutive accounts' balances (an index range scan).
 *
 * pgbench draws aid uniformly over the whole table; dbopt bench draws 100,000 sets from pg_stats' histogram of aid,
 * uniform too over the whole table. (A custom pgbench script's :scale is 1, not the database's scale, unless -s is
 * given: the scripts here write the bounds out, or pgbench would read only the first tenth of the table, which
 * stays in shared buffers, while dbopt bench reads all of it.)
 * dbopt bench runs as the built CLI (npm run build; DBOPT_BIN names another build), its JSON report read back.
 *
 * Threads: pgbench runs with -j THREADS. dbopt bench runs with --threads THREADS, or, with dbopt-threads "auto",
 * with the thread count it chooses itself (the requirement is the same client count; how a tool spreads its
 * clients over threads is its own business). Both thread counts are printed.
 *
 * With a warm-up of W seconds both tools run W + seconds and count only the time after W: dbopt bench with --warmup,
 * pgbench with -P 1, its throughput the mean of its one-second progress reports that end after W. The default, 5 s,
 * is dbopt bench's own default warm-up: a load thread runs its call path unoptimised until V8 has seen enough calls
 * (--trace-opt, range statement, 8 clients in 2 threads: the call path was compiled by TurboFan 4 s after the
 * start), which pgbench, compiled, does not have; after 1 s of warm-up the range's client CPU per call was 41-58 µs
 * against 35-39 µs after 5 s (pgbench 28-41 µs either way).
 *
 * Each run is watched from this process (bench/support/thread-schedule.ts) over its steady part: the client's
 * and the server's CPU per call (µs; the server's: the database's backends), the client's wake-ups per call (its
 * threads' times put on a core), the client threads' time runnable but waiting for a core, and the cores left
 * idle. When no core is idle, throughput is cores / (client + server CPU per call); an idle core means a thread
 * waited for something else. The client's CPU per call follows its wake-ups per call: on this VM each wake-up
 * (a context switch, the IPI that woke it) costs several µs, more than either tool's own code per call.
 * BENCH_THREADS=1 also lists the client's busiest threads.
 *
 * The verdict is on the median of the rounds' ratios (each ratio pairs two runs seconds apart, so a drift of the
 * load between rounds cancels); the ratio of the medians and the quartiles of the ratios are printed beside it.
 *
 *   npx tsx bench/bench-vs-pgbench.ts [rounds=8] [seconds=5] [clients=8] [threads=2] [protocol=prepared]
 *                                     [warmup=5] [dbopt-threads=same|auto|N]
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pairedSummary } from "./support/paired-rounds.js";
import { readPgbenchOutput, steadyTps } from "./support/pgbench-output.js";
import { type ScheduleFigures, sampleSchedule, steadyWindow } from "./support/thread-schedule.js";

const ROUNDS = Number(process.argv[2] ?? 8);
const SECONDS = Number(process.argv[3] ?? 5);
const CLIENTS = Number(process.argv[4] ?? 8);
const THREADS = Number(process.argv[5] ?? 2);
const PROTOCOL = process.argv[6] ?? "prepared";
const WARMUP = Number(process.argv[7] ?? 5);
const DBOPT_THREADS = process.argv[8] ?? "same";
const GOAL = 0.9;
const HOST = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"];
const PGBENCH = "/usr/bin/pgbench";
const DBOPT = process.env.DBOPT_BIN ?? fileURLToPath(new URL("../bin/dbopt.js", import.meta.url));
const SHOW_THREADS = process.env.BENCH_THREADS === "1";
/** pgbench draws from a million values; dbopt bench from as many sets as it takes (its most). */
const PARAMETER_SETS = "100000";

const STATEMENTS = [
  {
    name: "lookup (pgbench -S)",
    pgbench: "\\set aid random(1, 1000000)\nSELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n",
    dbopt: "SELECT abalance FROM pgbench_accounts WHERE aid = $1;\n",
  },
  {
    name: "range (1,000 accounts)",
    pgbench:
      "\\set aid random(1, 1000000 - 1000)\nSELECT sum(abalance) FROM pgbench_accounts WHERE aid >= :aid AND aid < :aid + 1000;\n",
    dbopt: "SELECT sum(abalance) FROM pgbench_accounts WHERE aid >= $1 AND aid < $1 + 1000;\n",
  },
];

const database = `dbopt_pgbench_${randomBytes(4).toString("hex")}`;
const url = `postgresql://postgres@127.0.0.1:5432/${database}`;
const dir = mkdtempSync(join(tmpdir(), "dbopt-vs-pgbench-"));

function cleanUp(): void {
  spawnSync("dropdb", [...HOST, "--if-exists", "--force", database]);
  rmSync(dir, { recursive: true, force: true });
}
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const)
  process.on(signal, () => {
    cleanUp();
    process.exit(code);
  });

interface Figures {
  tps: number;
  latencyMs: number;
  threads: number;
  schedule: ScheduleFigures | null;
}

/** Runs a command to its end while its threads and the database's backends are sampled. */
function watched(
  command: string,
  args: string[],
): Promise<{ stdout: string; stderr: string; schedule: ScheduleFigures | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const stop = sampleSchedule(child.pid as number, database);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const samples = stop();
      if (code !== 0) reject(new Error(`${command} failed (${code}): ${stderr}`));
      else resolve({ stdout, stderr, schedule: steadyWindow(samples, CLIENTS, WARMUP) });
    });
  });
}

async function pgbench(script: string): Promise<Figures> {
  const run = await watched(PGBENCH, [
    ...HOST,
    "-n",
    "-M",
    PROTOCOL,
    "-c",
    String(CLIENTS),
    "-j",
    String(THREADS),
    "-T",
    String(WARMUP + SECONDS),
    ...(WARMUP > 0 ? ["-P", "1"] : []),
    "-f",
    script,
    database,
  ]);
  const figures = readPgbenchOutput(run.stdout, run.stderr);
  return {
    tps: steadyTps(figures, WARMUP),
    latencyMs: figures.latencyMs,
    threads: THREADS,
    schedule: run.schedule,
  };
}

async function dboptBench(workload: string): Promise<Figures> {
  const run = await watched(process.execPath, [
    DBOPT,
    "bench",
    "--db",
    url,
    "--workload",
    workload,
    "--read-only-ok",
    "--clients",
    String(CLIENTS),
    ...(DBOPT_THREADS === "auto"
      ? []
      : ["--threads", DBOPT_THREADS === "same" ? String(THREADS) : DBOPT_THREADS]),
    "--protocol",
    PROTOCOL,
    "--duration",
    `${SECONDS}s`,
    "--warmup",
    WARMUP > 0 ? `${WARMUP}s` : "0",
    "--parameter-sets",
    PARAMETER_SETS,
    "--format",
    "json",
  ]);
  const report = JSON.parse(run.stdout) as {
    settings: { threads: number };
    run: { throughput: number; overall: { meanMs: number } };
  };
  return {
    tps: report.run.throughput,
    latencyMs: report.run.overall.meanMs,
    threads: report.settings.threads,
    schedule: run.schedule,
  };
}

const fixed = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-").padStart(7);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
const SCHEDULE_HEADER = ["client", "server", "wake-up", "waiting", "idle"]
  .map((h) => h.padStart(7))
  .join(" ");
/** Client µs/call, server µs/call, client wake-ups per call, client threads waiting for a core, idle cores. */
function scheduleCells(f: Figures): string {
  const s = f.schedule;
  if (!s) return "          (window too short)          ";
  const perCall = (cores: number) => (cores * 1e6) / f.tps;
  return `${fixed(perCall(s.clientCores), 1)} ${fixed(perCall(s.serverCores), 1)} ${fixed(s.clientSlices / f.tps, 2)} ${fixed(s.clientWaiting, 2)} ${fixed(s.idleCores, 2)}`;
}
function threadLines(tool: string, f: Figures): string {
  const list = f.schedule?.clientThreads ?? [];
  return `         ${tool} threads: ${list.map((t) => `${t.name} ${t.cores.toFixed(2)} cores (${t.waiting.toFixed(2)} waiting)`).join(", ")}`;
}

try {
  execFileSync("createdb", [...HOST, database]);
  execFileSync(PGBENCH, [...HOST, "-i", "-s", "10", "-q", database], { stdio: "ignore" });
  console.log(
    `${execFileSync(PGBENCH, ["--version"], { encoding: "utf8" }).trim()} vs dbopt bench: ${CLIENTS} clients, pgbench -j ${THREADS}, dbopt --threads ${DBOPT_THREADS === "same" ? THREADS : DBOPT_THREADS}, -M ${PROTOCOL}, ${ROUNDS} interleaved rounds of ${SECONDS} s${WARMUP > 0 ? ` after ${WARMUP} s of warm-up` : ""}, scale 10; load average ${load()}`,
  );
  const verdicts: string[] = [];
  for (const [i, s] of STATEMENTS.entries()) {
    const pgbenchScript = join(dir, `s${i}.pgbench`);
    const workload = join(dir, `s${i}.sql`);
    writeFileSync(pgbenchScript, s.pgbench);
    writeFileSync(workload, s.dbopt);
    const rows: Array<{ pgbench: Figures; dbopt: Figures }> = [];
    console.log(
      `\n${s.name}  (per call: client and server CPU µs, client wake-ups; client threads waiting for a core; idle cores)\n  round    pgbench    dbopt  ratio  |  pgbench: ${SCHEDULE_HEADER}  |  dbopt: ${SCHEDULE_HEADER}`,
    );
    for (let r = 0; r < ROUNDS; r++) {
      let a: Figures;
      let b: Figures;
      if (r % 2 === 0) {
        a = await pgbench(pgbenchScript);
        b = await dboptBench(workload);
      } else {
        b = await dboptBench(workload);
        a = await pgbench(pgbenchScript);
      }
      rows.push({ pgbench: a, dbopt: b });
      console.log(
        `  ${String(r + 1).padStart(5)} ${fixed(a.tps)}  ${fixed(b.tps)}   ${(b.tps / a.tps).toFixed(2)}  |  ${scheduleCells(a)}  |  ${scheduleCells(b)}${r === 0 ? `   (dbopt ran ${b.threads} thread${b.threads === 1 ? "" : "s"})` : ""}`,
      );
      if (SHOW_THREADS) console.log(`${threadLines("pgbench", a)}\n${threadLines("dbopt", b)}`);
    }
    const sum = pairedSummary(rows.map((x) => ({ a: x.pgbench.tps, b: x.dbopt.tps })));
    const met = sum.medianRatio >= GOAL;
    console.log(
      `  median ${fixed(sum.medianA)}  ${fixed(sum.medianB)}   ratio of medians ${sum.ratioOfMedians.toFixed(2)}; rounds' ratios: median ${sum.medianRatio.toFixed(2)}, quartiles ${sum.lowerQuartile.toFixed(2)}-${sum.upperQuartile.toFixed(2)}, range ${sum.lowest.toFixed(2)}-${sum.highest.toFixed(2)}`,
    );
    verdicts.push(
      `${s.name}: ${sum.medianRatio.toFixed(2)}x pgbench (median of ${ROUNDS} paired rounds) — ${met ? "met" : "NOT met"} (goal ≥ ${GOAL})`,
    );
  }
  console.log(`\nload average ${load()}\n${verdicts.join("\n")}`);
} finally {
  cleanUp();
}
