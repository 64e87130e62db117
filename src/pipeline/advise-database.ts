import type { AdviceReport } from "../advisors/index/advice-report.js";
import { type AdviseOptions, adviseIndexes } from "../advisors/index/advise-indexes.js";
import { HypoPgWhatIf } from "../advisors/index/hypopg-what-if.js";
import { SandboxWhatIf } from "../advisors/index/sandbox-what-if.js";
import { verifyAdvice } from "../advisors/index/verify-advice.js";
import type { WhatIf } from "../advisors/index/what-if.js";
import { prepareWorkload, type WorkloadStatement } from "../advisors/index/workload-query.js";
import { DbError } from "../connectors/db-error.js";
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectSnapshot } from "../facts/collect/collect-snapshot.js";
import type { Snapshot } from "../facts/snapshot.js";
import { statsAgeSeconds } from "../rules/health/health-facts.js";
import { InputError } from "../util/input-error.js";

export interface AdviseDatabaseOptions extends AdviseOptions {
  /** Statements from a --workload file instead of pg_stat_statements. */
  workload?: WorkloadStatement[];
  /** The database is a copy the user lets dbopt build indexes on (what-if for every index kind). */
  sandbox: boolean;
  /** Build the recommendations for real (CREATE INDEX CONCURRENTLY, one at a time), then drop the redundant. */
  apply: boolean;
  /** On a sandbox: build the recommendations, run the statements before and after, drop them again. */
  verify?: boolean;
}

/** Index advice for a live database: snapshot, workload, what-if, selection, and --apply if asked. */
export async function adviseDatabase(
  db: PostgresConnector,
  options: AdviseDatabaseOptions,
  snapshotGiven?: Snapshot,
): Promise<{ report: AdviceReport; snapshot: Snapshot }> {
  const progress = options.onProgress ?? (() => {});
  progress("collecting schema, statistics and workload");
  const extraStatements = options.workload?.map((w) => w.sql) ?? [];
  const snapshot = snapshotGiven ?? (await collectSnapshot(db, { statementLimit: 100, extraStatements }));
  const statements = options.workload ?? workloadFromSnapshot(snapshot);
  const queries = prepareWorkload(statements, snapshot);
  const whatIf: WhatIf = options.sandbox ? await SandboxWhatIf.open(db) : await HypoPgWhatIf.open(db);
  let report: AdviceReport;
  try {
    report = await adviseIndexes(queries, snapshot, whatIf, db.target.display, {
      ...options,
      windowScale: options.workload ? 0 : windowScale(snapshot),
    });
  } finally {
    await whatIf.close();
  }
  if (options.verify && report.recommendations.length) {
    if (!options.sandbox) {
      throw new InputError(
        "--verify builds the recommended indexes and runs the statements",
        "use it on a copy of the database, with --sandbox",
      );
    }
    await verifyAdvice(db, report, queries, progress);
  }
  if (options.apply && report.recommendations.length) await applyAdvice(db, report, progress);
  return { report, snapshot };
}

function workloadFromSnapshot(snapshot: Snapshot): WorkloadStatement[] {
  if (snapshot.workload.source === "none") {
    throw new DbError({
      code: "extension-missing",
      message: snapshot.workload.problem ?? "pg_stat_statements cannot be read",
      hint: "or give the workload as a file (dbopt advise --workload queries.sql) or a server log (--log postgresql.log)",
    });
  }
  return snapshot.workload.statements.map((s) => ({
    id: s.queryId,
    sql: s.query,
    weight: s.totalMs,
    calls: s.calls,
  }));
}

/**
 * pg_stat_statements and the table counters may have been reset at different times: scale the counted writes
 * to the statements' window. Without a known window, count them as they are.
 */
function windowScale(snapshot: Snapshot): number {
  const tables = statsAgeSeconds(snapshot);
  const reset = snapshot.workload.statsResetAt
    ? (Date.parse(snapshot.capturedAt) - Date.parse(snapshot.workload.statsResetAt)) / 1000
    : null;
  if (!tables || reset === null || reset <= 0) return 1;
  return Math.min(1, reset / tables);
}

async function applyAdvice(
  db: PostgresConnector,
  report: AdviceReport,
  progress: (m: string) => void,
): Promise<void> {
  await db.allowWrites();
  // An index build may take long: no statement timeout, but never wait long for a lock.
  await db.query("SET statement_timeout = 0");
  for (const [n, r] of report.recommendations.entries()) {
    progress(`building ${n + 1} of ${report.recommendations.length}: ${r.ddl}`);
    await db.query(r.ddl.replace(/;$/, ""));
    report.applied.push(r.ddl);
  }
  for (const d of report.drops) {
    progress(`dropping ${d.index}`);
    await db.query(d.ddl.replace(/;$/, ""));
    report.applied.push(d.ddl);
  }
}
