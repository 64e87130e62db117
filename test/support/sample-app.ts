/**
 * The sample app (bench/sample-app/: pagila trimmed, payment partitioned by month) built into a database and its
 * workload driven by pgbench, shared by test/integration/sample-app-review.test.ts and bench/advisor-sample-app.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  pgbenchScript,
  SAMPLE_SCRIPTS,
  type SampleSizes,
  sampleSizes,
} from "../../bench/sample-app/workload.js";
import { PG15_BIN } from "./private-postgres.js";
import { RESET_THIS_DATABASE_STATEMENTS } from "./servers.js";

const here = new URL("../../bench/sample-app/", import.meta.url);

/**
 * Create the schema, generate the data at the scale (1 = 1.6M rentals), VACUUM ANALYZE (autovacuum is off on the
 * test server), and forget the build's statements in pg_stat_statements (this database's only).
 */
export async function buildSampleApp(url: string, scale: number): Promise<SampleSizes> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(readFileSync(new URL("schema.sql", here), "utf8"));
    await client.query(`set sample_app.scale = '${Number(scale)}'`);
    await client.query(readFileSync(new URL("data.sql", here), "utf8"));
    await client.query("vacuum (analyze)");
    // The build's own statements are not the application's workload.
    await client.query(RESET_THIS_DATABASE_STATEMENTS);
  } finally {
    await client.end();
  }
  return sampleSizes(scale);
}

export interface WorkloadRun {
  transactions: number;
  seconds: number;
  /** pgbench's own summary lines. */
  summary: string;
}

/**
 * Run the weighted pgbench scripts (simple protocol, fixed random seed) against the database: clients ×
 * transactionsPerClient transactions. pg_stat_statements records the statements as an application's.
 */
export function runSampleWorkload(
  url: string,
  sizes: SampleSizes,
  options: { clients?: number; transactionsPerClient?: number } = {},
): WorkloadRun {
  const clients = options.clients ?? 2;
  const perClient = options.transactionsPerClient ?? 315;
  const dir = mkdtempSync(join(tmpdir(), "dbopt-sample-app-"));
  try {
    const files = SAMPLE_SCRIPTS.map((script) => {
      const file = join(dir, `${script.name}.sql`);
      writeFileSync(file, pgbenchScript(script));
      return `${file}@${script.weight}`;
    });
    const target = new URL(url);
    const args = [
      "-n",
      "-M",
      "simple",
      "--random-seed=16",
      "-c",
      String(clients),
      "-j",
      "1",
      "-t",
      String(perClient),
      ...Object.entries(sizes).flatMap(([k, v]) => ["-D", `${k}=${v}`]),
      ...files.flatMap((f) => ["-f", f]),
      "-h",
      target.hostname,
      "-p",
      target.port || "5432",
      "-U",
      decodeURIComponent(target.username || "postgres"),
      decodeURIComponent(target.pathname.slice(1)),
    ];
    const started = performance.now();
    const run = spawnSync(join(PG15_BIN, "pgbench"), args, { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`pgbench failed (${run.status}): ${run.stderr}${run.stdout}`);
    const summary = run.stdout
      .split("\n")
      .filter((l) => /^(number of transactions actually processed|latency average|tps)/.test(l))
      .join("\n");
    return { transactions: clients * perClient, seconds: (performance.now() - started) / 1000, summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
