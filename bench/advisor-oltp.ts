/**
 * dbopt's index advice on three OLTP workloads of different shapes (bench/oltp/: a multi-tenant SaaS, an
 * e-commerce shop, an append-only event log; 1M-2.5M rows in the big tables at scale 1), measured against an
 * expert's index set (bench/oltp/expert-indexes.sql, with the reasoning) and a Dexter-style one-or-two-column set
 * per statement. Needs PostgreSQL with HypoPG:
 *   npx tsx bench/advisor-oltp.ts [--scale 1] [--runs 9] [--repeats 3] [--sandbox] [--server postgresql://postgres@127.0.0.1:5432/postgres] [--keep NAME]
 * One run: build the data in SQL, run `dbopt advise` on the workload as a file (each statement with drawn
 * parameters and its calls per 1,000 requests; HypoPG; with --sandbox also on a copy with real indexes), then for
 * each index set build it, ANALYZE, and time every statement warm (timing.ts): --runs parameter draws per
 * statement, seeded by the statement's id so every set and every run gets the same ones; each draw run once
 * untimed, then --repeats times; the draw's median, then the statement's median over its draws. Weighted time =
 * Σ statement median × calls per 1,000 requests.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { type StatementTiming, timeUnderEachSet } from "./oltp/timing.js";
import { OLTP_STATEMENTS, type OltpStatement, substitute } from "./oltp/workloads.js";
import { seededRandom } from "./support/seeded-random.js";

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    runs: { type: "string", default: "9" },
    repeats: { type: "string", default: "3" },
    sandbox: { type: "boolean", default: false },
    server: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    keep: { type: "string" },
  },
});
const scale = Number(values.scale);
const runs = Number(values.runs);
const repeats = Number(values.repeats);
if (!(scale > 0) || !Number.isInteger(runs) || runs < 1 || !Number.isInteger(repeats) || repeats < 1) {
  console.error("advisor-oltp: --scale must be above 0, --runs and --repeats whole numbers of at least 1");
  process.exit(2);
}
const here = new URL("./oltp/", import.meta.url);
const WORKLOADS = ["saas", "shop", "events"] as const;

interface Recommendation {
  ddl: string;
  table: string;
  sizeBytes: number;
}
interface AdviceReport {
  recommendations: Recommendation[];
  unmeasured: Array<{ ddl: string }>;
  notes: string[];
  whatIfCalls: number;
  elapsedMs: number;
}

const name = values.keep ?? `dbopt_bench_oltp_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: values.server });
await admin.connect();
const urlOf = (db: string) => values.server.replace(/\/[^/]*$/, `/${db}`);
const url = urlOf(name);
const exists = (await admin.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
try {
  if (exists) console.log(`reusing database ${name}`);
  else await build();
  await run();
} finally {
  if (!values.keep) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

async function build() {
  await admin.query(`create database ${name}`);
  const started = performance.now();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query("create extension if not exists hypopg");
    for (const file of ["saas.sql", "shop.sql", "events.sql"]) {
      const text = readFileSync(new URL(file, here), "utf8").replaceAll(":scale", String(scale));
      await db.query(text);
    }
    await db.query("vacuum analyze");
    console.log(`built the three workloads at scale ${scale} in ${seconds(started)}`);
  } catch (error) {
    // A half-built database must not be reused by the next --keep run.
    await db.end();
    await admin.query(`drop database if exists ${name} with (force)`);
    throw error;
  } finally {
    await db.end().catch(() => {});
  }
}

async function run() {
  const dir = mkdtempSync(join(tmpdir(), "dbopt-oltp-"));
  try {
    const file = join(dir, "workload.sql");
    writeFileSync(file, workloadFile());
    const advice = dbopt(["advise", "--workload", file, "--db", url, "--format", "json"]);
    const sandbox = values.sandbox ? await sandboxAdvice(file) : null;
    const sets: Array<{ label: string; statements: string[] }> = [
      { label: "none", statements: [] },
      { label: "dbopt advise", statements: advice.recommendations.map((r) => plain(r.ddl)) },
      ...(sandbox
        ? [{ label: "dbopt --sandbox", statements: sandbox.recommendations.map((r) => plain(r.ddl)) }]
        : []),
      { label: "expert", statements: [readFileSync(new URL("expert-indexes.sql", here), "utf8")] },
      {
        label: "Dexter-style",
        statements: [readFileSync(new URL("dexter-style-indexes.sql", here), "utf8")],
      },
    ];
    // Each set is built in its own copy of the database before any timing, and the statements are then timed
    // under every set in turn, draw by draw (timing.ts): a change in the shared machine's load falls on all sets
    // alike instead of on whichever set was being timed. The copies keep the tables' statistics as ANALYZEd once.
    const copies = sets.map((_, k) => (k === 0 ? name : `${name}_set${k}`));
    const clients: pg.Client[] = [];
    try {
      for (const copy of copies.slice(1)) {
        await admin.query(`drop database if exists ${copy} with (force)`);
        await admin.query(`create database ${copy} template ${name}`);
      }
      const results: Result[] = [];
      for (const [k, set] of sets.entries()) {
        const db = new pg.Client({ connectionString: urlOf(copies[k] as string) });
        await db.connect();
        clients.push(db);
        const started = performance.now();
        const baseline = await publicIndexes(db);
        for (const s of set.statements) await db.query(s);
        const added = [...(await publicIndexes(db))].filter((n) => !baseline.has(n));
        await analyzeExpressions(db, added);
        results.push({
          label: set.label,
          indexes: added.length,
          bytes: await bytesByTable(db, added),
          ms: [],
          timings: [],
        });
        console.log(`built ${set.label} (${added.length} indexes) in ${seconds(started)}`);
      }
      const started = performance.now();
      for (const statement of OLTP_STATEMENTS) {
        const timings = await timeUnderEachSet(clients, statement, { runs, repeats, scale });
        for (const [k, t] of timings.entries()) {
          results[k]?.timings.push(t);
          results[k]?.ms.push(t.ms);
        }
      }
      console.log(
        `timed ${OLTP_STATEMENTS.length} statements under ${sets.length} sets in ${seconds(started)}`,
      );
      report(results, advice, sandbox);
    } finally {
      for (const db of clients) await db.end().catch(() => {});
      for (const copy of copies.slice(1)) await admin.query(`drop database if exists ${copy} with (force)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The workload as dbopt reads it from a file: each statement with drawn parameters and its calls. */
function workloadFile(): string {
  const random = seededRandom(7);
  return OLTP_STATEMENTS.map(
    (s) => `-- calls: ${s.calls}\n${substitute(s.sql, s.draw(random, scale))};`,
  ).join("\n");
}

function dbopt(args: string[], db = url): AdviceReport {
  const started = performance.now();
  const r = spawnSync(
    "npx",
    ["tsx", fileURLToPath(new URL("run-dbopt.ts", here)), ...args.map((a) => (a === url ? db : a))],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`dbopt ${args[0]} exited ${r.status}: ${r.stderr}`);
  console.log(`dbopt ${args.filter((a) => a !== url && !a.startsWith("/")).join(" ")}: ${seconds(started)}`);
  return JSON.parse(r.stdout) as AdviceReport;
}

/** advise --sandbox on a copy (CREATE DATABASE ... TEMPLATE), in which it builds each candidate for real. */
async function sandboxAdvice(file: string): Promise<AdviceReport | null> {
  const copy = `${name}_copy`;
  await admin.query(`create database ${copy} template ${name}`);
  try {
    return dbopt(["advise", "--sandbox", "--workload", file, "--db", url, "--format", "json"], urlOf(copy));
  } catch (error) {
    console.log(`dbopt advise --sandbox failed: ${(error as Error).message}`);
    return null;
  } finally {
    await admin.query(`drop database if exists ${copy} with (force)`);
  }
}

/** dbopt prints CREATE INDEX CONCURRENTLY; the bench builds in one transaction-free statement all the same. */
function plain(ddl: string): string {
  return ddl.replace(/CREATE INDEX CONCURRENTLY/gi, "CREATE INDEX");
}

async function publicIndexes(db: pg.Client): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'i'`,
  );
  return new Set(rows.map((r) => r.name));
}

/**
 * ANALYZE the tables that got an expression index (the planner has no statistics for lower(email) until then),
 * and no other: a new ANALYZE draws a new sample, and each set would be planned on slightly different statistics.
 */
async function analyzeExpressions(db: pg.Client, indexes: string[]) {
  const { rows } = await db.query<{ table: string }>(
    `select distinct t.relname as table from pg_index i join pg_class c on c.oid = i.indexrelid
     join pg_class t on t.oid = i.indrelid where c.relname = any($1::text[]) and i.indexprs is not null`,
    [indexes],
  );
  for (const r of rows) await db.query(`analyze public.${pg.escapeIdentifier(r.table)}`);
}

/** Bytes of the added indexes per workload (by their table). */
async function bytesByTable(db: pg.Client, indexes: string[]): Promise<Record<string, number>> {
  const { rows } = await db.query<{ table: string; bytes: string }>(
    `select t.relname as table, sum(pg_relation_size(c.oid)) as bytes
     from pg_class c join pg_index i on i.indexrelid = c.oid join pg_class t on t.oid = i.indrelid
     where c.relname = any($1::text[]) group by t.relname`,
    [indexes],
  );
  const out: Record<string, number> = { saas: 0, shop: 0, events: 0 };
  for (const r of rows) out[workloadOf(r.table)] = (out[workloadOf(r.table)] ?? 0) + Number(r.bytes);
  return out;
}

function workloadOf(table: string): string {
  if (table === "ticket" || table === "tenant_user") return "saas";
  if (table === "event") return "events";
  return "shop";
}

interface Result {
  label: string;
  indexes: number;
  bytes: Record<string, number>;
  ms: number[];
  timings: StatementTiming[];
}

function weighted(ms: number[], workload?: OltpStatement["workload"]): number {
  return OLTP_STATEMENTS.reduce(
    (sum, s, i) => (workload && s.workload !== workload ? sum : sum + (ms[i] ?? 0) * s.calls),
    0,
  );
}

function report(results: Result[], advice: AdviceReport, sandbox: AdviceReport | null) {
  const expert = results.find((r) => r.label === "expert") as Result;
  console.log(
    `\nweighted time = Σ (median over ${runs} parameter draws of each draw's median of ${repeats} warm EXPLAIN (ANALYZE, TIMING OFF) runs) × calls per 1,000 requests, in ms; bytes of the indexes added; each set in its own copy of the database, timed in turn draw by draw`,
  );
  const head = `${"set".padEnd(17)}${WORKLOADS.map((w) => `${w} ms`.padStart(11) + `${w} MB`.padStart(10)).join("")}${"total ms".padStart(11)}${"total MB".padStart(10)}${" vs expert (time, bytes)"}`;
  console.log(head);
  for (const r of results) {
    const total = Object.values(r.bytes).reduce((a, b) => a + b, 0);
    const expertTotal = Object.values(expert.bytes).reduce((a, b) => a + b, 0);
    console.log(
      `${r.label.padEnd(17)}${WORKLOADS.map((w) => weighted(r.ms, w).toFixed(1).padStart(11) + mb(r.bytes[w] ?? 0).padStart(10)).join("")}${weighted(r.ms).toFixed(1).padStart(11)}${mb(total).padStart(10)}   ${(weighted(r.ms) / weighted(expert.ms)).toFixed(2)}x, ${(total / expertTotal).toFixed(2)}x`,
    );
  }
  console.log(
    "\nper statement, median ms (calls per 1,000 requests); [lowest-highest draw] for dbopt and the expert",
  );
  const ranged = results.filter((r) => r.label === "dbopt advise" || r.label === "expert");
  console.log(
    `${"".padEnd(44)}${results.map((r) => r.label.slice(0, 13).padStart(14)).join("")}${ranged.map((r) => r.label.slice(0, 13).padStart(16)).join("")}`,
  );
  for (const [i, s] of OLTP_STATEMENTS.entries()) {
    const range = (t: StatementTiming | undefined) =>
      t ? `[${t.low.toFixed(3)}-${t.high.toFixed(3)}]`.padStart(16) : "";
    console.log(
      `${`${s.id} ${s.purpose}`.slice(0, 38).padEnd(38)}${`(${s.calls})`.padStart(6)}${results.map((r) => (r.ms[i] ?? 0).toFixed(3).padStart(14)).join("")}${ranged.map((r) => range(r.timings[i])).join("")}`,
    );
  }
  for (const [label, a] of [
    ["dbopt advise (HypoPG)", advice],
    ["dbopt advise --sandbox", sandbox],
  ] as const) {
    if (!a) continue;
    console.log(
      `\n${label}: ${a.recommendations.length} indexes, ${a.whatIfCalls} what-if calls, ${(a.elapsedMs / 1000).toFixed(1)} s`,
    );
    for (const r of a.recommendations)
      console.log(`  ${mb(r.sizeBytes).padStart(9)} est.  ${r.ddl.split("\n")[0]}`);
    for (const n of a.notes) console.log(`  note: ${n.replace(/\s+/g, " ").slice(0, 220)}`);
  }
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}
function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)}`;
}
