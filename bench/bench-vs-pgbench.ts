/**
 * dbopt bench's driver overhead against pgbench (issue #14: within 10% of pgbench's throughput). Both run the same
 * statements on the same pgbench -i database (scale 10, local PostgreSQL 15) with the same clients, threads and
 * protocol, in alternating rounds (pgbench first in odd rounds, dbopt first in even ones, so a drift of the
 * machine's load falls on both); the medians of the rounds and their ratio are printed per statement.
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
 * Each round also prints each client's CPU per call: on two busy cores the client's CPU is taken from the server's,
 * and under load each client thread waits runnable most of the time, so its throughput follows its CPU per call.
 * This figure is steadier than the rounds' throughput on a loaded machine. pgbench's comes from /usr/bin/time (its
 * whole run, connections included: a few ms), dbopt's from its report (its process over the measured time).
 *
 * With a warm-up of W seconds both tools run W + seconds and count only the time after W: dbopt bench with --warmup,
 * pgbench with -P 1, its throughput the mean of its one-second progress reports that begin at W or later. Both then
 * leave out their start: a new thread's first second is dbopt's JIT warming its own code (measured: 20% more CPU per
 * call over a 4-second run than after a 1.5-second warm-up), which pgbench, compiled, does not have. 0 (the
 * default) counts both from their first call.
 *
 *   npx tsx bench/bench-vs-pgbench.ts [rounds=3] [seconds=10] [clients=8] [threads=2] [protocol=prepared] [warmup=0]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROUNDS = Number(process.argv[2] ?? 3);
const SECONDS = Number(process.argv[3] ?? 10);
const CLIENTS = Number(process.argv[4] ?? 8);
const THREADS = Number(process.argv[5] ?? 2);
const PROTOCOL = process.argv[6] ?? "prepared";
const WARMUP = Number(process.argv[7] ?? 0);
const HOST = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"];
const PGBENCH = "/usr/bin/pgbench";
const TIME = "/usr/bin/time";
const DBOPT = process.env.DBOPT_BIN ?? fileURLToPath(new URL("../bin/dbopt.js", import.meta.url));
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
process.on("SIGINT", () => {
  cleanUp();
  process.exit(130);
});

interface Figures {
  tps: number;
  latencyMs: number;
  /** Client CPU (user + system) per call, µs. */
  cpuUs: number;
}

function pgbench(script: string): Figures {
  // /usr/bin/time writes its line on standard error, after pgbench's own.
  const run = spawnSync(
    TIME,
    [
      "-f",
      "cpu %U %S",
      PGBENCH,
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
    ],
    { encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`);
  const out = run.stdout;
  // After a warm-up: the mean of the one-second progress reports (on standard error) that begin at WARMUP or later.
  const steady = [...run.stderr.matchAll(/progress: ([\d.]+) s, ([\d.]+) tps/g)]
    .filter((m) => Number(m[1]) > WARMUP)
    .map((m) => Number(m[2]));
  const tps =
    WARMUP > 0
      ? steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length)
      : Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
  const calls = Number(/actually processed: (\d+)/.exec(out)?.[1]);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(run.stderr);
  const cpuUs = ((Number(cpu?.[1]) + Number(cpu?.[2])) * 1e6) / calls;
  return { tps, latencyMs, cpuUs };
}

function dboptBench(workload: string): Figures {
  const out = execFileSync(
    process.execPath,
    [
      DBOPT,
      "bench",
      "--db",
      url,
      "--workload",
      workload,
      "--read-only-ok",
      "--clients",
      String(CLIENTS),
      "--threads",
      String(THREADS),
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
    ],
    { encoding: "utf8" },
  );
  const run = JSON.parse(out).run as {
    throughput: number;
    overall: { meanMs: number };
    driverCpuUsPerCall: number;
  };
  return { tps: run.throughput, latencyMs: run.overall.meanMs, cpuUs: run.driverCpuUsPerCall };
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const fixed = (n: number, d = 0) => n.toFixed(d).padStart(9);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

try {
  execFileSync("createdb", [...HOST, database]);
  execFileSync(PGBENCH, [...HOST, "-i", "-s", "10", "-q", database], { stdio: "ignore" });
  console.log(
    `pgbench ${execFileSync(PGBENCH, ["--version"], { encoding: "utf8" }).trim()} vs dbopt bench: ${CLIENTS} clients, ${THREADS} threads, -M ${PROTOCOL}, ${ROUNDS} rounds of ${SECONDS} s${WARMUP > 0 ? ` after ${WARMUP} s of warm-up` : ""}, scale 10; load average ${load()}`,
  );
  for (const [i, s] of STATEMENTS.entries()) {
    const pgbenchScript = join(dir, `s${i}.pgbench`);
    const workload = join(dir, `s${i}.sql`);
    writeFileSync(pgbenchScript, s.pgbench);
    writeFileSync(workload, s.dbopt);
    const rows: Array<{ pgbench: Figures; dbopt: Figures }> = [];
    console.log(
      `\n${s.name}\n  round  pgbench tx/s  dbopt tx/s  ratio   pgbench mean  dbopt mean   client CPU per call: pgbench  dbopt`,
    );
    for (let r = 0; r < ROUNDS; r++) {
      // Odd rounds pgbench first, even rounds dbopt first.
      let a: Figures;
      let b: Figures;
      if (r % 2 === 0) {
        a = pgbench(pgbenchScript);
        b = dboptBench(workload);
      } else {
        b = dboptBench(workload);
        a = pgbench(pgbenchScript);
      }
      rows.push({ pgbench: a, dbopt: b });
      console.log(
        `  ${String(r + 1).padStart(5)}  ${fixed(a.tps)}    ${fixed(b.tps)}   ${(b.tps / a.tps).toFixed(2)}   ${fixed(a.latencyMs, 3)} ms ${fixed(b.latencyMs, 3)} ms                 ${fixed(a.cpuUs, 1)} µs ${fixed(b.cpuUs, 1)} µs`,
      );
    }
    const p = median(rows.map((x) => x.pgbench.tps));
    const d = median(rows.map((x) => x.dbopt.tps));
    const ratios = rows.map((x) => x.dbopt.tps / x.pgbench.tps);
    console.log(
      `  median ${fixed(p)}    ${fixed(d)}   ${(d / p).toFixed(2)}   (median of the rounds' ratios ${median(ratios).toFixed(2)}, lowest ${Math.min(...ratios).toFixed(2)}; goal ≥ 0.90; load average ${load()})`,
    );
    console.log(
      `  client CPU per call, medians: pgbench ${median(rows.map((x) => x.pgbench.cpuUs)).toFixed(1)} µs, dbopt ${median(rows.map((x) => x.dbopt.cpuUs)).toFixed(1)} µs`,
    );
  }
} finally {
  cleanUp();
}
