/**
 * The greedy index selection against the optimum: on the advisor fixture (test/fixtures/advisor), every subset
 * of the best N candidates is costed through HypoPG and the best net value within each budget is compared with
 * what the greedy chose. Needs PostgreSQL with HypoPG: `npx tsx bench/advisor-exhaustive.ts [postgres-url]`.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { adviseIndexes } from "../src/advisors/index/advise-indexes.js";
import { HypoPgWhatIf } from "../src/advisors/index/hypopg-what-if.js";
import { parseWorkloadFile } from "../src/advisors/index/workload-file.js";
import { prepareWorkload } from "../src/advisors/index/workload-query.js";
import { PostgresConnector } from "../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../src/connectors/postgres/target.js";
import { collectSnapshot } from "../src/facts/collect/collect-snapshot.js";
import { formatBytes } from "../src/util/format.js";
import { loadSqlParser } from "../src/util/sql-parser.js";

const server = process.argv[2] ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const fixtures = new URL("../test/fixtures/advisor/", import.meta.url);
const MB = 1024 * 1024;

await loadSqlParser();
const name = `dbopt_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`create database ${name}`);
const url = server.replace(/\/[^/]*$/, `/${name}`);
try {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(readFileSync(new URL("advisor-schema.sql", fixtures), "utf8"));
  await setup.query("vacuum (freeze, analyze)");
  await setup.query("create extension hypopg");
  await setup.end();

  const db = await PostgresConnector.connect(resolveTarget({ db: url }));
  const text = readFileSync(new URL("advisor-workload.sql", fixtures), "utf8");
  const statements = parseWorkloadFile(text, "advisor-workload.sql");
  const snapshot = await collectSnapshot(db, { extraStatements: statements.map((s) => s.sql) });
  const queries = prepareWorkload(statements, snapshot);
  console.log(
    `budget      greedy net  optimum net  greedy/optimum  what-if calls (greedy, exhaustive)  time (greedy, exhaustive)`,
  );
  for (const budget of [1 * MB, 5 * MB, 20 * MB, null]) {
    const base = {
      budgetBytes: budget,
      maxIndexes: null,
      minImprovement: 0,
      maxCandidates: 10,
      windowScale: 0,
    };
    const run = async (strategy: "greedy" | "exhaustive") => {
      const whatIf = await HypoPgWhatIf.open(db);
      const started = performance.now();
      try {
        const report = await adviseIndexes(queries, snapshot, whatIf, url, { ...base, strategy });
        return { report, ms: performance.now() - started };
      } finally {
        await whatIf.close();
      }
    };
    const greedy = await run("greedy");
    const optimum = await run("exhaustive");
    const g = greedy.report.selection.netValueMs;
    const o = optimum.report.selection.netValueMs;
    console.log(
      `${(budget === null ? "none" : formatBytes(budget)).padEnd(10)} ${g.toFixed(2).padStart(11)} ${o.toFixed(2).padStart(12)} ${(o > 0 ? (g / o) * 100 : 100).toFixed(2).padStart(14)}%  ${String(greedy.report.whatIfCalls).padStart(14)}, ${String(optimum.report.whatIfCalls).padEnd(19)} ${greedy.ms.toFixed(0).padStart(8)} ms, ${optimum.ms.toFixed(0)} ms`,
    );
  }
  await db.close();
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
