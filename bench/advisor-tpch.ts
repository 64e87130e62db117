/**
 * The index advisor on TPC-H, the benchmark of Kossmann et al., "Magic mirror in my hand, which is the best in the
 * land? An experimental evaluation of index selection algorithms" (PVLDB 13(11), 2020): queries 1-22 without 2, 17
 * and 20, every query weighted by its own cost, the metric Σ cost with indexes / Σ cost without, under storage
 * budgets that grow with the scale factor. Loads TPC-H into a new database on a PostgreSQL with HypoPG:
 *   npx tsx bench/advisor-tpch.ts [--sf 1] [--layout both|no-pk|pk] [--budgets mb|sf10] [--steps] [--list]
 *     [--trace] [--dbopt-only] [--server URL] [--keep NAME]
 * --layout: "no-pk" is the tables without primary keys, as the Kossmann et al. platform runs TPC-H; "pk" with the
 * specification's primary keys; "both" (the default) measures no-pk first, then adds the keys and measures again.
 * --budgets: "mb" is 100 MB to 1,500 MB at SF 1 (scaled by SF); "sf10" the paper's figure's budgets scaled by SF / 10;
 * or a list of MB at SF 1 (500,1000).
 * --steps prints, under each budget, dbopt's what-if calls by step of its search (from its progress messages);
 * --list the indexes each chose; --trace dbopt's progress messages, each after the what-if calls so far;
 * --dbopt-only skips Extend (its columns print "-"), to iterate on dbopt's search. "met": dbopt's relative cost no
 * worse than Extend's (to a tenth of a percent, as printed) in fewer what-if calls, issue #11's goal.
 * --keep loads into NAME (or reuses it when already loaded) and leaves it; otherwise the database is dropped.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { adviseIndexes } from "../src/advisors/index/advise-indexes.js";
import { HypoPgWhatIf } from "../src/advisors/index/hypopg-what-if.js";
import { candidateDdl } from "../src/advisors/index/index-candidate.js";
import { parseWorkloadFile } from "../src/advisors/index/workload-file.js";
import { prepareWorkload } from "../src/advisors/index/workload-query.js";
import { PostgresConnector } from "../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../src/connectors/postgres/target.js";
import { collectSnapshot } from "../src/facts/collect/collect-snapshot.js";
import { formatBytes } from "../src/util/format.js";
import { loadSqlParser } from "../src/util/sql-parser.js";
import { type ExtendResult, extendSelection } from "./reference/extend.js";
import { tpchLoadStatements } from "./tpch/tpch-generate.js";

const { values } = parseArgs({
  options: {
    sf: { type: "string", default: "1" },
    layout: { type: "string", default: "both" },
    budgets: { type: "string", default: "mb" },
    server: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    keep: { type: "string" },
    steps: { type: "boolean", default: false },
    list: { type: "boolean", default: false },
    trace: { type: "boolean", default: false },
    "dbopt-only": { type: "boolean", default: false },
  },
});
const sf = Number(values.sf);
const layouts = { both: ["no-pk", "pk"], "no-pk": ["no-pk"], pk: ["pk"] }[values.layout];
/** --budgets as a list of MB at SF 1 (e.g. 500,1000), to measure a few budgets only. */
const listed = /^\d+(,\d+)*$/.test(values.budgets) ? values.budgets.split(",").map(Number) : null;
if (!(sf > 0) || !layouts || !(listed || ["mb", "sf10"].includes(values.budgets))) {
  console.error(
    "advisor-tpch: --sf must be above 0, --layout both, no-pk or pk, --budgets mb, sf10 or a list of MB (500,1000)",
  );
  process.exit(2);
}
const GB = 1024 ** 3;
const MB = 1024 ** 2;
/** Budgets in MB at SF 1 (the range the issue measures), scaled by SF. */
const BUDGETS_MB_AT_SF1 = [100, 250, 500, 750, 1000, 1250, 1500];
/** The specification's primary keys (clause 1.4), added for the "pk" layout. */
const PRIMARY_KEYS: Record<string, string> = {
  region: "r_regionkey",
  nation: "n_nationkey",
  part: "p_partkey",
  supplier: "s_suppkey",
  partsupp: "ps_partkey, ps_suppkey",
  customer: "c_custkey",
  orders: "o_orderkey",
  lineitem: "l_orderkey, l_linenumber",
};
/** Budgets of the paper's TPC-H figure at SF 10, in GB; scaled by SF / 10 here. */
const BUDGETS_AT_SF10 = [0.25, 0.5, 1, 2, 3, 4, 5, 5.75, 7, 8.5, 10, 12.5, 15];
/** Extend's relative workload cost in the paper (SF 10, PostgreSQL 12), where its text states it. */
const EXTEND_AT_SF10 = new Map([
  [2, 0.806],
  [5.75, 0.69],
]);
const EXCLUDED = new Set([2, 17, 20]);
/** adviseIndexes' progress messages that start a step of its search, and the step's name in --steps. */
const STEPS: Array<[string, string]> = [
  ["costing", "plans without indexes, batches, candidates alone"],
  ["choosing indexes", "greedy by value per byte"],
  ["choosing again", "greedy by value"],
  ["taking the largest", "refill"],
  ["looking for indexes that serve", "whole-statement"],
  ["weighing BRIN", "BRIN"],
  ["writing up", "final costs"],
];
const here = new URL("./tpch/", import.meta.url);

await loadSqlParser();
const name = values.keep ?? `dbopt_bench_tpch_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: values.server });
await admin.connect();
const url = values.server.replace(/\/[^/]*$/, `/${name}`);
const exists = (await admin.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
try {
  if (!exists) await load();
  else console.log(`reusing database ${name}`);
  for (const layout of layouts) {
    await setLayout(layout as "pk" | "no-pk");
    await run(layout);
  }
} finally {
  if (!values.keep) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

async function load() {
  await admin.query(`create database ${name}`);
  const setup = new pg.Client({ connectionString: url });
  try {
    await setup.connect();
    await setup.query(readFileSync(new URL("tpch-schema.sql", here), "utf8"));
    // Loaded without keys (faster, and the no-pk layout); setLayout adds them for the pk layout.
    for (const table of Object.keys(PRIMARY_KEYS))
      await setup.query(`alter table ${table} drop constraint ${table}_pkey`);
    for (const [label, sql] of tpchLoadStatements(sf)) {
      const started = performance.now();
      await setup.query(sql);
      console.log(`loaded ${label} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await setup.query("vacuum (freeze, analyze)");
    await setup.query("create extension if not exists hypopg");
    await setup.end();
  } catch (error) {
    // A half-loaded database must not be reused by the next --keep run.
    await setup.end().catch(() => {});
    await admin.query(`drop database if exists ${name} with (force)`);
    throw error;
  }
}

/** Drops or adds the specification's primary keys, so one loaded database serves both layouts. */
async function setLayout(layout: "pk" | "no-pk") {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    for (const [table, columns] of Object.entries(PRIMARY_KEYS)) {
      if (layout === "no-pk") await db.query(`alter table ${table} drop constraint if exists ${table}_pkey`);
      else {
        const has = await db.query("select 1 from pg_constraint where conname = $1", [`${table}_pkey`]);
        if (!has.rowCount) await db.query(`alter table ${table} add primary key (${columns})`);
      }
    }
    // No ANALYZE here: its random sample would give each run its own statistics, and with them other plans,
    // choices and call counts (TPC-H no-PK 100 MB: 1,163 then 1,027 Extend calls on one load). The load's ANALYZE
    // stays; a primary key's index gets its own pg_class figures when it is built.
  } finally {
    await db.end();
  }
}

async function run(layout: string) {
  const db = await PostgresConnector.connect(resolveTarget({ db: url }));
  try {
    const text = readFileSync(new URL("tpch-queries.sql", here), "utf8").replaceAll(
      ":q11_fraction",
      String(0.0001 / sf),
    );
    const statements = parseWorkloadFile(text, "tpch").filter((_s, i) => !EXCLUDED.has(i + 1));
    const snapshot = await collectSnapshot(db, { extraStatements: statements.map((s) => s.sql) });
    console.log(
      `\nTPC-H SF ${sf}, ${layout === "pk" ? "with the specification's primary keys" : "no primary keys"}: database ${formatBytes(snapshot.database.sizeBytes)}, ${statements.length} queries (1-22 without 2, 17, 20)`,
    );
    const queries = prepareWorkload(statements, snapshot);
    // Every query weighs its own cost, so the advisor's improvement is 1 - Σ cost after / Σ cost before.
    const baseline = await HypoPgWhatIf.open(db);
    for (const q of queries) q.weight = (await baseline.cost(q, [])).cost;
    await baseline.close();

    const schemaOf = (table: string) => snapshot.tables.find((t) => t.name === table)?.schema ?? "public";
    console.log(
      "relative cost = Σ estimated cost with the indexes / without; dbopt and Extend run here on the same data and planner;\n" +
        "'no dup': Extend kept from copying the leading columns of an existing index, as dbopt is (see bench/reference/extend.ts)",
    );
    console.log(
      `${(values.budgets !== "sf10" ? "budget" : "budget (SF 10 equivalent)").padEnd(28)} dbopt  Extend  Extend, no dup  Extend (paper, SF 10)   indexes (dbopt, Extend)  what-if calls (dbopt, Extend)  time (dbopt, Extend)  met`,
    );
    const timed = async <T>(work: (whatIf: HypoPgWhatIf) => Promise<T>) => {
      const whatIf = await HypoPgWhatIf.open(db);
      const started = performance.now();
      try {
        const result = await work(whatIf);
        return { result, seconds: (performance.now() - started) / 1000, calls: whatIf.calls };
      } finally {
        await whatIf.close();
      }
    };
    const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
    // Issue #11's goal at a budget: dbopt's relative cost no worse than Extend's (as printed, to a tenth of a
    // percent: the same set can cost a few millionths more or less by the order its costs are summed in), in
    // fewer what-if calls.
    const met = (ours: number, calls: number, ext: ExtendResult, extendCalls: number) =>
      Math.round(1000 * ours) <= Math.round((1000 * ext.costAfter) / ext.costBefore) && calls < extendCalls;
    const budgets =
      values.budgets !== "sf10"
        ? (listed ?? BUDGETS_MB_AT_SF1).map((mb) => ({
            bytes: mb * MB * sf,
            label: formatBytes(mb * MB * sf),
            atSf10: 0,
          }))
        : BUDGETS_AT_SF10.map((atSf10) => ({
            bytes: (atSf10 * GB * sf) / 10,
            label: `${formatBytes((atSf10 * GB * sf) / 10)} (${atSf10} GB)`,
            atSf10,
          }));
    for (const { bytes: budget, label, atSf10 } of budgets) {
      const steps = new Map<string, number>();
      const ours = await timed(async (whatIf) => {
        let step = "";
        let from = 0;
        const close = () => steps.set(step, (steps.get(step) ?? 0) + whatIf.calls - from);
        const report = await adviseIndexes(queries, snapshot, whatIf, url, {
          budgetBytes: budget,
          maxIndexes: null,
          minImprovement: 0,
          windowScale: 0,
          priceStorage: false,
          minIndexGain: 0,
          onProgress: (message) => {
            if (values.trace) console.log(`      [${whatIf.calls}] ${message}`);
            const next = STEPS.find(([prefix]) => message.startsWith(prefix))?.[1];
            if (!next) return;
            close();
            [step, from] = [next, whatIf.calls];
          },
        });
        close();
        return report;
      });
      const extend = values["dbopt-only"]
        ? null
        : await timed((whatIf) => extendSelection(queries, whatIf, budget, schemaOf));
      const existing = snapshot.indexes.filter((i) => i.isValid);
      // With no index on the tables, the rule against copying one changes nothing: the same run.
      const strict =
        existing.length && extend
          ? await timed((whatIf) => extendSelection(queries, whatIf, budget, schemaOf, existing))
          : extend;
      const reference = EXTEND_AT_SF10.get(atSf10);
      const ext = extend?.result;
      console.log(
        [
          label.padEnd(27),
          percent(1 - ours.result.workload.improvement).padStart(6),
          (ext ? percent(ext.costAfter / ext.costBefore) : "-").padStart(7),
          (strict ? percent(strict.result.costAfter / strict.result.costBefore) : "-").padStart(14),
          (reference ? percent(reference) : "").padStart(22),
          `${ours.result.recommendations.length}, ${ext?.chosen.length ?? "-"}`.padStart(26),
          `${ours.calls}, ${extend?.calls ?? "-"}`.padStart(31),
          `${ours.seconds.toFixed(1)} s, ${extend ? `${extend.seconds.toFixed(1)} s` : "-"}`.padStart(22),
          ext
            ? met(1 - ours.result.workload.improvement, ours.calls, ext, extend.calls)
              ? " yes"
              : " NO"
            : "",
        ].join(" "),
      );
      if (values.list) {
        for (const r of ours.result.recommendations)
          console.log(`    dbopt:  ${r.ddl} (${formatBytes(r.sizeBytes)})`);
        for (const c of ext?.chosen ?? []) console.log(`    Extend: ${candidateDdl(c)}`);
      }
      if (values.steps)
        console.log(
          `    dbopt's calls by step: ${[...steps]
            .filter(([, n]) => n > 0)
            .map(([name, n]) => `${name} ${n}`)
            .join(", ")}`,
        );
    }
  } finally {
    await db.close();
  }
}
