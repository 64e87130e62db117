/**
 * --verify: on a sandbox, build the recommended indexes for real and run each statement they help before and
 * after (measureStatements: EXPLAIN ANALYZE, a warm-up run, then the median of three), so the report shows measured times next to the planner's
 * estimates. The indexes are dropped again. Statements planned generically have no values to run with.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { qualifiedName, quoteIdent } from "../../util/sql-identifiers.js";
import { measureStatements } from "../measure/measure-statement.js";
import type { AdviceReport } from "./advice-report.js";
import type { WorkloadQuery } from "./workload-query.js";

const RUNS = 3;

export async function verifyAdvice(
  db: PostgresConnector,
  report: AdviceReport,
  queries: WorkloadQuery[],
  progress: (message: string) => void,
): Promise<void> {
  const bySql = new Map(queries.map((q) => [q.sql, q]));
  const runnable = [...new Set(report.recommendations.flatMap((r) => r.queries.map((q) => q.query)))]
    .map((sql) => bySql.get(sql))
    .filter((q): q is WorkloadQuery => q !== undefined && q.method !== "generic");
  const before = new Map<string, number>();
  for (const [n, q] of runnable.entries()) {
    progress(`measuring statement ${n + 1} of ${runnable.length} before`);
    before.set(q.sql, await medianMs(db, q));
  }
  const built: string[] = [];
  // An extension an index needs (pg_trgm) and the database lacks is installed for the run and removed after it.
  const installed: string[] = [];
  try {
    for (const [n, r] of report.recommendations.entries()) {
      if (r.requires && !installed.includes(r.requires.extension)) {
        const [row] = await db.query<{ there: boolean }>(
          "select exists (select 1 from pg_extension where extname = $1) as there",
          [r.requires.extension],
        );
        if (!row?.there) {
          await db.query(`CREATE EXTENSION ${quoteIdent(r.requires.extension)}`);
          installed.push(r.requires.extension);
        }
      }
      const name = `dbopt_verify_${n + 1}`;
      // On a sandbox a plain CREATE INDEX does, on a partitioned table too (it builds every partition's index).
      const ddl = r.partitioned?.plainDdl ?? r.ddl;
      progress(`building ${ddl}`);
      await db.query(
        ddl.replace(/^CREATE INDEX (CONCURRENTLY )?/, `CREATE INDEX ${name} `).replace(/;$/, ""),
      );
      built.push(qualifiedName(r.schema, name));
    }
    await db.query(
      `ANALYZE ${[...new Set(report.recommendations.map((r) => qualifiedName(r.schema, r.table)))].join(", ")}`,
    );
    for (const r of report.recommendations) {
      r.measured = [];
      for (const effect of r.queries) {
        const q = bySql.get(effect.query);
        const was = before.get(effect.query);
        if (!q || was === undefined) continue;
        r.measured.push({ query: effect.query, beforeMs: was, afterMs: await medianMs(db, q) });
      }
    }
  } finally {
    for (const name of built) await db.query(`DROP INDEX IF EXISTS ${name}`).catch(() => {});
    for (const e of installed)
      await db.query(`DROP EXTENSION IF EXISTS ${quoteIdent(e)} RESTRICT`).catch(() => {});
  }
  const skipped = queries.filter((q) => q.method === "generic").length;
  if (skipped)
    report.notes.push(
      `--verify ran only statements with values: ${skipped} planned generically were not run`,
    );
}

/** Median execution time over a few runs (dbopt's one measuring function); data-changing statements are rolled back. */
async function medianMs(db: PostgresConnector, q: WorkloadQuery): Promise<number> {
  const [timing] = await measureStatements(db, [q.text], { runs: RUNS, rolledBack: true });
  return timing?.medianMs ?? 0;
}
