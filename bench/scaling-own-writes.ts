/**
 * dbopt advise scaling --log against pgbench's own counts: on a private PostgreSQL 15 logging every statement
 * (log_min_duration_statement = 0, log_line_prefix '%m [%p] %q%u@%d ', pg_stat_statements preloaded), pgbench
 * tpcb-like and select-only run at the same time as separate clients. Both scripts run the same
 * `SELECT abalance FROM pgbench_accounts WHERE aid = :aid`; tpcb-like runs it after updating pgbench_accounts in its
 * transaction, select-only never writes. So the shape must read its own writes in exactly as many runs as pgbench
 * counted tpcb-like transactions, out of both scripts' transactions; the reader's CPU time is printed next to
 * `dbopt logs` on the same file and next to advise scaling without --log.
 *
 *   npx tsx bench/scaling-own-writes.ts [seconds=20] [clients=2]
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PG15_BIN, startPrivatePostgres } from "../test/support/private-postgres.js";

const SECONDS = Number(process.argv[2] ?? 20);
const CLIENTS = String(process.argv[3] ?? 2);
const DBOPT = process.env.DBOPT_BIN ?? fileURLToPath(new URL("../bin/dbopt.js", import.meta.url));
const port = 54_600 + Math.floor(Math.random() * 100);
const pgs = startPrivatePostgres(PG15_BIN, port, {
  logging_collector: "on",
  log_destination: "stderr",
  log_filename: "postgresql.log",
  log_min_duration_statement: "0",
  log_line_prefix: "%m [%p] %q%u@%d ",
  shared_preload_libraries: "pg_stat_statements",
});
const dir = mkdtempSync(join(tmpdir(), "dbopt-own-writes-"));
const host = ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres"];

function pgbench(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/pgbench", [
      ...host,
      "-c",
      CLIENTS,
      "-T",
      String(SECONDS),
      "-b",
      script,
      "postgres",
    ]);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("close", (code) => {
      const m = /number of transactions actually processed: (\d+)/.exec(out);
      if (code !== 0 || !m) reject(new Error(`pgbench ${script} failed: ${out}`));
      else resolve(Number(m[1]));
    });
  });
}

try {
  execFileSync("psql", [pgs.url, "-qc", "create extension pg_stat_statements"]);
  execFileSync("/usr/bin/pgbench", [...host, "-i", "-s", "2", "-q", "postgres"], { stdio: "ignore" });
  execFileSync("psql", [pgs.url, "-qc", "select pg_stat_statements_reset()"]);
  const [tpcb, select] = await Promise.all([pgbench("tpcb-like"), pgbench("select-only")]);
  // The logging collector writes within moments; a copy is read, as a user would read a rotated file.
  await new Promise((r) => setTimeout(r, 1000));
  const log = join(dir, "postgresql.log");
  copyFileSync(join(pgs.logDirectory, "postgresql.log"), log);
  const args = ["advise", "scaling", "--db", pgs.url, "--samples", "1", "--format", "json"];
  const report = JSON.parse(
    execFileSync(
      process.execPath,
      [DBOPT, ...args, "--log", log, "--set", "architecture/read-replicas.minReadShare=0"],
      {
        encoding: "utf8",
        maxBuffer: 1 << 28,
      },
    ),
  ) as { findings: Array<{ ruleId: string; detail: string; evidence: Record<string, unknown> }> };
  const f = report.findings.find((x) => x.ruleId === "architecture/read-replicas");
  const m = /SELECT abalance FROM pgbench_accounts WHERE aid = \$1 \((\d+) of (\d+) runs/.exec(
    f?.detail ?? "",
  );
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `log: ${(statSync(log).size / 1024 ** 2).toFixed(1)} MB, ${SECONDS} s of pgbench, ${CLIENTS} clients each`,
  );
  console.log(`pgbench: ${tpcb} tpcb-like + ${select} select-only transactions = ${tpcb + select}`);
  console.log(`dbopt:   SELECT abalance read its own writes in ${m?.[1]} of ${m?.[2]} runs`);
  console.log(`match:   ${Number(m?.[1]) === tpcb && Number(m?.[2]) === tpcb + select ? "exact" : "NO"}`);
  // CPU seconds (user + system), three runs each: the log read against dbopt logs on the same file.
  for (const [name, extra] of [
    ["advise scaling", args],
    ["advise scaling --log", [...args, "--log", log]],
    ["dbopt logs", ["logs", log, "--format", "json"]],
  ] as const) {
    const seconds: number[] = [];
    for (let i = 0; i < 3; i++) seconds.push(spawnTimed(extra));
    seconds.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(22)} CPU ${seconds[1]?.toFixed(2)} s (median of 3: ${seconds.map((s) => s.toFixed(2)).join(", ")})`,
    );
  }
} finally {
  pgs.remove();
  rmSync(dir, { recursive: true, force: true });
}

/** User + system CPU seconds of one dbopt run (its output discarded). */
function spawnTimed(args: readonly string[]): number {
  const r = spawnSync("/usr/bin/time", ["-f", "cpu %U %S", process.execPath, DBOPT, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
  });
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`dbopt ${args.join(" ")} failed: ${r.stderr}`);
  return Number(m[1]) + Number(m[2]);
}
