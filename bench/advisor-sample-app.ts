/**
 * dbopt's index advice on the sample app of issue #16 (pagila trimmed, payment range-partitioned by month, a
 * 20-statement pgbench workload: bench/sample-app/), measured against an expert's index set and a Dexter-style
 * one-column-per-filter set. Needs PostgreSQL with HypoPG, pg_stat_statements and pg_trgm, its pgbench, and dbopt
 * built (npm run build: the CLI runs as a user runs it):
 *   npx tsx bench/advisor-sample-app.ts [--scale 1] [--runs 3] [--sandbox] [--server postgresql://postgres@127.0.0.1:5432/postgres] [--keep NAME]
 * One run: build at the scale (1 = 1.6M rentals, ~1.57M payments), drive the workload with pgbench to fill
 * pg_stat_statements, run `dbopt advise` (HypoPG; with --sandbox also on a copy with real indexes) and `dbopt
 * analyze`, then for each index set build it, ANALYZE, and time every statement with EXPLAIN (ANALYZE) over
 * --runs parameter sets (the same for every set; writes rolled back), weighted by its calls per transaction of the
 * pgbench mix. --keep builds into NAME (or reuses it) and leaves it; otherwise the database is dropped.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { runCli } from "../test/support/run-cli.js";
import { buildSampleApp, runSampleWorkload } from "../test/support/sample-app.js";
import {
  callsPerTransaction,
  drawValues,
  SAMPLE_STATEMENTS,
  type SampleSizes,
  sampleSizes,
  substitute,
} from "./sample-app/workload.js";
import { seededRandom } from "./support/seeded-random.js";

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    runs: { type: "string", default: "3" },
    sandbox: { type: "boolean", default: false },
    server: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    keep: { type: "string" },
  },
});
const scale = Number(values.scale);
const runs = Number(values.runs);
const here = new URL("./sample-app/", import.meta.url);

interface Recommendation {
  ddl: string;
  table: string;
  method: string;
  sizeBytes: number;
}
interface AdviceReport {
  recommendations: Recommendation[];
  unmeasured: Array<{ ddl: string; reason: string; requires?: { ddl?: string } }>;
  notes: string[];
  unplanned: Array<{ query: string; why: string }>;
  workload: { improvement: number };
}
interface AnalyzeReport {
  findings: Array<{ ruleId: string; severity: string; title: string; timeMs?: number; section?: string }>;
}

const name = values.keep ?? `dbopt_bench_sample_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: values.server });
await admin.connect();
const urlOf = (db: string) => values.server.replace(/\/[^/]*$/, `/${db}`);
const url = urlOf(name);
const exists = (await admin.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
try {
  const sizes = exists ? sampleSizes(scale) : await build();
  if (exists) console.log(`reusing database ${name}`);
  await run(sizes);
} finally {
  if (!values.keep) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

async function build(): Promise<SampleSizes> {
  await admin.query(`create database ${name}`);
  const started = performance.now();
  try {
    const sizes = await buildSampleApp(url, scale);
    console.log(`built the sample app at scale ${scale} in ${seconds(started)}`);
    return sizes;
  } catch (error) {
    // A half-built database must not be reused by the next --keep run.
    await admin.query(`drop database if exists ${name} with (force)`);
    throw error;
  }
}

async function run(sizes: SampleSizes) {
  const first = new pg.Client({ connectionString: url });
  await first.connect();
  try {
    const size = await first.query<{ size: string; rentals: string; payments: string }>(
      "select pg_size_pretty(pg_database_size(current_database())) as size, (select count(*) from rental) as rentals, (select count(*) from payment) as payments",
    );
    const s = size.rows[0];
    console.log(`database ${s?.size}: ${s?.rentals} rentals, ${s?.payments} payments (7 monthly partitions)`);
    await first.query(
      "select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)",
    );
  } finally {
    // CREATE DATABASE ... TEMPLATE (the sandbox copy) needs the database without other sessions.
    await first.end();
  }
  const started = performance.now();
  const bench = runSampleWorkload(url, sizes);
  console.log(`pgbench: ${bench.transactions} transactions in ${seconds(started)}\n${indent(bench.summary)}`);

  const advice = await dbopt<AdviceReport>(["advise", "--db", url, "--format", "json"]);
  const analyze = await dbopt<AnalyzeReport>(["analyze", "--db", url, "--format", "json"]);
  // A failed sandbox run is printed and the HypoPG figures still measured.
  const sandbox = values.sandbox
    ? await sandboxAdvice(sizes, bench.transactions).catch((error: Error) => {
        console.log(`dbopt advise --sandbox failed: ${error.message}`);
        return null;
      })
    : null;

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const baseline = await topIndexes(db);
    const sets: Array<{ label: string; statements: string[][] }> = [
      { label: "none", statements: [] },
      { label: "dbopt advise", statements: advice.recommendations.map((r) => splitDdl(r.ddl)) },
      {
        label: "dbopt + not measured",
        statements: [
          ...advice.recommendations.map((r) => splitDdl(r.ddl)),
          ...advice.unmeasured.map((u) => [
            ...(u.requires?.ddl ? splitDdl(u.requires.ddl) : []),
            ...splitDdl(u.ddl),
          ]),
        ],
      },
      ...(sandbox
        ? [{ label: "dbopt --sandbox", statements: sandbox.recommendations.map((r) => splitDdl(r.ddl)) }]
        : []),
      { label: "expert", statements: [[readFileSync(new URL("expert-indexes.sql", here), "utf8")]] },
      {
        label: "Dexter-style",
        statements: [[readFileSync(new URL("dexter-style-indexes.sql", here), "utf8")]],
      },
    ];
    const results: Array<{
      label: string;
      indexes: number;
      bytes: number;
      ms: number;
      perStatement: number[];
    }> = [];
    const built: Array<{ ddl: string; estimated: number; actual: number }> = [];
    for (const set of sets) {
      await dropAdded(db, baseline);
      const startedSet = performance.now();
      for (const [i, statements] of set.statements.entries()) {
        const before = await topIndexes(db);
        for (const statement of statements) await db.query(statement);
        if (set.label === "dbopt advise") {
          const rec = advice.recommendations[i] as Recommendation;
          const made = [...(await topIndexes(db))].filter((n) => !before.has(n));
          built.push({
            ddl: rec.ddl.split("\n")[0] ?? "",
            estimated: rec.sizeBytes,
            actual: await bytesOf(db, made),
          });
        }
      }
      await db.query("analyze");
      const added = [...(await topIndexes(db))].filter((n) => !baseline.has(n));
      const perStatement = await timeWorkload(db, sizes);
      const ms = weighted(perStatement);
      results.push({
        label: set.label,
        indexes: added.length,
        bytes: await bytesOf(db, added),
        ms,
        perStatement,
      });
      console.log(`measured ${set.label} (${added.length} indexes) in ${seconds(startedSet)}`);
    }
    await dropAdded(db, baseline);
    report(advice, analyze, sandbox, results, built);
  } finally {
    await db.end();
  }
}

async function dbopt<T>(args: string[]): Promise<T> {
  const started = performance.now();
  const r = await runCli(args);
  if (r.code !== 0 && r.code !== 1) throw new Error(`dbopt ${args[0]} exited ${r.code}: ${r.stderr}`);
  console.log(`dbopt ${args.filter((a) => a !== url).join(" ")}: ${seconds(started)}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * advise --sandbox on a copy of the database (CREATE DATABASE ... TEMPLATE), which it builds real indexes in. The
 * copy has no pg_stat_statements of its own, so the workload goes in as a file: each statement with parameters
 * drawn as pgbench draws them and its calls in the pgbench run (calls per transaction × transactions).
 */
async function sandboxAdvice(sizes: SampleSizes, transactions: number): Promise<AdviceReport> {
  const copy = `${name}_copy`;
  const dir = mkdtempSync(join(tmpdir(), "dbopt-sample-"));
  const file = join(dir, "workload.sql");
  const calls = callsPerTransaction();
  const random = seededRandom(7);
  writeFileSync(
    file,
    SAMPLE_STATEMENTS.map(
      (st) =>
        `-- calls: ${Math.max(1, Math.round((calls.get(st.id) ?? 0) * transactions))}\n${substitute(st.sql, drawValues(st, sizes, random))};`,
    ).join("\n"),
  );
  const started = performance.now();
  await admin.query(`create database ${copy} template ${name}`);
  console.log(`copied the database for the sandbox in ${seconds(started)}`);
  try {
    return await dbopt<AdviceReport>([
      "advise",
      "--sandbox",
      "--workload",
      file,
      "--db",
      urlOf(copy),
      "--format",
      "json",
    ]);
  } finally {
    await admin.query(`drop database if exists ${copy} with (force)`);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** dbopt prints a partitioned table's recipe as several statements, one a line. */
function splitDdl(ddl: string): string[] {
  return ddl
    .split(/;\n/)
    .map((s) => s.trim().replace(/;$/, ""))
    .filter(Boolean);
}

/** Indexes of the public schema that are not a partition's part of a parent's index. */
async function topIndexes(db: pg.Client): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('i', 'I') and not c.relispartition`,
  );
  return new Set(rows.map((r) => r.name));
}

async function dropAdded(db: pg.Client, baseline: Set<string>) {
  for (const index of await topIndexes(db)) {
    if (!baseline.has(index)) await db.query(`drop index if exists public.${pg.escapeIdentifier(index)}`);
  }
}

/** Bytes of the indexes, a partitioned index counted as the sum of its partitions' indexes. */
async function bytesOf(db: pg.Client, indexes: string[]): Promise<number> {
  if (indexes.length === 0) return 0;
  // pg_partition_tree lists a partitioned index and its partitions' indexes; a plain index is in no tree.
  const { rows } = await db.query<{ bytes: string }>(
    `select coalesce(sum(case when c.relkind = 'I'
                              then (select sum(pg_relation_size(t.relid)) from pg_partition_tree(c.oid) t)
                              else pg_relation_size(c.oid) end), 0) as bytes
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relname = any($1::text[])`,
    [indexes],
  );
  return Number(rows[0]?.bytes ?? 0);
}

/** Each statement's mean execution time (ms) over the runs, one warm-up run first; the parameters are seeded. */
async function timeWorkload(db: pg.Client, sizes: SampleSizes): Promise<number[]> {
  const means: number[] = [];
  for (const [n, statement] of SAMPLE_STATEMENTS.entries()) {
    const random = seededRandom(1000 + n);
    const texts = Array.from({ length: runs + 1 }, () =>
      substitute(statement.sql, drawValues(statement, sizes, random)),
    );
    const write = /^(insert|update|delete)/i.test(statement.sql);
    let total = 0;
    for (const [i, text] of texts.entries()) {
      if (write) await db.query("begin");
      try {
        const { rows } = await db.query(`explain (analyze, format json) ${text}`);
        if (i > 0) total += Number(rows[0]["QUERY PLAN"][0]["Execution Time"]);
      } finally {
        if (write) await db.query("rollback");
      }
    }
    means.push(total / runs);
  }
  return means;
}

function weighted(perStatement: number[]): number {
  const calls = callsPerTransaction();
  return SAMPLE_STATEMENTS.reduce((sum, s, i) => sum + (perStatement[i] ?? 0) * (calls.get(s.id) ?? 0), 0);
}

function report(
  advice: AdviceReport,
  analyze: AnalyzeReport,
  sandbox: AdviceReport | null,
  results: Array<{ label: string; indexes: number; bytes: number; ms: number; perStatement: number[] }>,
  built: Array<{ ddl: string; estimated: number; actual: number }>,
) {
  const none = results[0]?.ms ?? 0;
  console.log(
    `\nweighted time = Σ over the 20 statements of (mean EXPLAIN ANALYZE execution time over ${runs} parameter sets × calls per transaction of the pgbench mix)`,
  );
  console.log(
    `${"set".padEnd(22)}${"indexes".padStart(8)}${"bytes".padStart(12)}${"ms / transaction".padStart(18)}${"cut vs none".padStart(13)}`,
  );
  for (const r of results) {
    console.log(
      `${r.label.padEnd(22)}${String(r.indexes).padStart(8)}${mb(r.bytes).padStart(12)}${r.ms.toFixed(3).padStart(18)}${(r.label === "none" ? "" : pct(1 - r.ms / none)).padStart(13)}`,
    );
  }
  console.log("\nper statement, mean ms (calls per transaction)");
  console.log(`${"".padEnd(40)}${results.map((r) => r.label.slice(0, 14).padStart(15)).join("")}`);
  const calls = callsPerTransaction();
  for (const [i, s] of SAMPLE_STATEMENTS.entries()) {
    console.log(
      `${`${s.id} ${s.purpose}`.slice(0, 30).padEnd(31)}${`(${(calls.get(s.id) ?? 0).toFixed(3)})`.padStart(9)}${results.map((r) => (r.perStatement[i] ?? 0).toFixed(2).padStart(15)).join("")}`,
    );
  }
  console.log(
    `\ndbopt advise: ${advice.recommendations.length} indexes, its estimate of the cut ${pct(advice.workload.improvement)}; estimated size against built size (within 25%?)`,
  );
  for (const b of built) {
    const ratio = b.estimated / Math.max(1, b.actual);
    console.log(
      `  ${mb(b.estimated).padStart(10)} est. ${mb(b.actual).padStart(10)} built  ${ratio.toFixed(2)}x ${Math.abs(ratio - 1) <= 0.25 ? "ok " : "OFF"}  ${b.ddl.slice(0, 100)}`,
    );
  }
  console.log(`  not measured (HypoPG cannot): ${advice.unmeasured.map((u) => u.ddl).join(" | ") || "none"}`);
  if (sandbox) {
    console.log(
      `dbopt advise --sandbox: ${sandbox.recommendations.length} indexes, estimated cut ${pct(sandbox.workload.improvement)}`,
    );
    for (const r of sandbox.recommendations) console.log(`  ${r.ddl.split("\n")[0]?.slice(0, 110)}`);
  }
  console.log("\ncandidates lost (statements left out of the advice, and the advice's notes):");
  for (const u of advice.unplanned) console.log(`  ${u.why}: ${u.query.replace(/\s+/g, " ").slice(0, 100)}`);
  for (const n of advice.notes) console.log(`  note: ${n.replace(/\s+/g, " ").slice(0, 200)}`);
  if (advice.unplanned.length === 0 && advice.notes.length === 0) console.log("  none");
  console.log(`\ndbopt analyze: ${analyze.findings.length} findings; the first 10 in its order:`);
  for (const [i, f] of analyze.findings.slice(0, 10).entries()) {
    const time = f.timeMs === undefined ? "" : `${f.timeMs.toFixed(0)} ms`;
    console.log(
      `  ${String(i + 1).padStart(2)}. ${(f.section ?? "").padEnd(8)} ${f.severity.padEnd(8)} ${time.padStart(10)}  ${f.ruleId}: ${f.title.slice(0, 90)}`,
    );
  }
  // Where the rest stand: the N+1, settings and type findings are judged by their place too.
  const rest = analyze.findings
    .slice(10)
    .map(
      (f, i) =>
        `${i + 11}. ${f.ruleId}${f.timeMs === undefined ? "" : ` ${f.timeMs.toFixed(0)} ms`}: ${f.title.slice(0, 80)}`,
    );
  if (rest.length > 0) console.log(`  then:\n    ${rest.join("\n    ")}`);
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}
function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} kB`;
}
function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
