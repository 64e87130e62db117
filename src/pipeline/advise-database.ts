import type { AdviceReport, ExtensionState, UnplannedStatement } from "../advisors/index/advice-report.js";
import { type AdviseOptions, adviseIndexes, unplannedNotes } from "../advisors/index/advise-indexes.js";
import { checkTableScope } from "../advisors/index/check-table-scope.js";
import { HypoPgWhatIf } from "../advisors/index/hypopg-what-if.js";
import { SandboxWhatIf } from "../advisors/index/sandbox-what-if.js";
import { verifyAdvice } from "../advisors/index/verify-advice.js";
import type { WhatIf } from "../advisors/index/what-if.js";
import { parseWorkloadFile } from "../advisors/index/workload-file.js";
import { workloadFromLog } from "../advisors/index/workload-from-log.js";
import { prepareWorkload, type WorkloadStatement } from "../advisors/index/workload-query.js";
import { DbError } from "../connectors/db-error.js";
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectSnapshot } from "../facts/collect/collect-snapshot.js";
import { lockHolders } from "../facts/collect/locked-relations.js";
import type { Snapshot } from "../facts/snapshot.js";
import { statsAgeSeconds } from "../facts/snapshot-accessors.js";
import { InputError } from "../util/input-error.js";
import { readTextFile } from "../util/read-input.js";
import { analyzeLogs } from "./analyze-logs.js";
import { applyAdvice } from "./apply-advice.js";

export type { AdviceReport, ApplyOutcome, IndexRecommendation } from "../advisors/index/advice-report.js";
export { FIND_LEFTOVERS_SQL } from "./apply-advice.js";

export interface AdviseDatabaseOptions extends AdviseOptions {
  /** The workload's statements, given instead of pg_stat_statements. */
  workload?: WorkloadStatement[];
  /** A --workload file to read the statements from (`-- weight: N` comments), instead of pg_stat_statements. */
  workloadFile?: string;
  /** Server logs to take the workload from (as dbopt logs reads them), instead of pg_stat_statements. */
  logFiles?: string[];
  /** The database is a copy the user lets dbopt build indexes on (what-if for every index kind). */
  sandbox: boolean;
  /** Build the recommendations for real (CREATE INDEX CONCURRENTLY, one at a time), then drop the redundant. */
  apply: boolean;
  /** On a sandbox: build the recommendations, run the statements before and after, drop them again. */
  verify?: boolean;
  /**
   * SIGINT/SIGTERM: stops the work. Before --apply builds anything it just ends (nothing changed); during a build
   * the build is cancelled and its invalid index dropped. Either way a DbError "interrupted" says what was done.
   */
  signal?: AbortSignal;
}

/**
 * Index advice for a live database: snapshot, workload, what-if, selection, and --apply if asked. `db` is a
 * connection, or a function that opens one: then options are checked and the workload read before it connects,
 * and the connection is closed at the end.
 */
export async function adviseDatabase(
  db: PostgresConnector | (() => Promise<PostgresConnector>),
  options: AdviseDatabaseOptions,
  snapshotGiven?: Snapshot,
): Promise<{ report: AdviceReport; snapshot: Snapshot }> {
  refuseConflictingOptions(options);
  const workload = await unlessInterrupted(readWorkload(options), options.signal);
  const given = workload ? { ...options, workload } : options;
  if (typeof db !== "function") return adviseOn(db, given, snapshotGiven);
  const opened = await db();
  try {
    return await adviseOn(opened, given, snapshotGiven);
  } finally {
    await opened.close();
  }
}

/** Refused before anything is read or asked: --verify builds indexes, so only on a sandbox; one workload source. */
function refuseConflictingOptions(options: AdviseDatabaseOptions): void {
  if (options.verify && !options.sandbox) {
    throw new InputError(
      "--verify builds the recommended indexes and runs the statements",
      "use it on a copy of the database, with --sandbox",
    );
  }
  if (options.workloadFile && options.logFiles)
    throw new InputError("--workload and --log both give the workload", "give one of them");
}

/** The statements from a --workload file or server logs; undefined: pg_stat_statements (or options.workload). */
async function readWorkload(options: AdviseDatabaseOptions): Promise<WorkloadStatement[] | undefined> {
  if (options.workloadFile)
    return parseWorkloadFile(await readTextFile(options.workloadFile), options.workloadFile);
  if (options.logFiles) return workloadFromLog(await analyzeLogs(options.logFiles));
  return options.workload;
}

/** Reading the workload changes nothing: an interruption ends it at once (the log reader takes no signal). */
function unlessInterrupted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interruptedBeforeApply(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function adviseOn(
  db: PostgresConnector,
  options: AdviseDatabaseOptions,
  snapshotGiven: Snapshot | undefined,
): Promise<{ report: AdviceReport; snapshot: Snapshot }> {
  const progress = options.onProgress ?? (() => {});
  const signal = options.signal;
  // Before --apply starts, an interruption changes nothing: stop the running question and leave.
  const onAbort = () => void db.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  let report: AdviceReport;
  let snapshot: Snapshot;
  try {
    progress("collecting schema, statistics and workload");
    const extraStatements = options.workload?.map((w) => w.sql) ?? [];
    snapshot = snapshotGiven ?? (await collectSnapshot(db, { statementLimit: 100, extraStatements }));
    checkTableScope(snapshot, options);
    const statements = options.workload ?? workloadFromSnapshot(snapshot);
    const lockedOut: UnplannedStatement[] = [];
    const queries = prepareWorkload(statements, snapshot, (st, objects) =>
      lockedOut.push({
        query: st.sql,
        why: `it uses ${objects.map((o) => `${o.schema}.${o.name}`).join(", ")}, ${objects.map((o) => o.reason).join("; ")}`,
        hint: "run dbopt advise again once the lock is released (dbopt check shows the blocking session)",
      }),
    );
    const extensions = await extensionStates(db, ["pg_trgm"]);
    const whatIf: WhatIf = options.sandbox
      ? await SandboxWhatIf.open(db)
      : await HypoPgWhatIf.open(db, snapshot);
    try {
      report = await adviseIndexes(queries, snapshot, whatIf, db.target.display, {
        ...options,
        extensions,
        windowScale: options.workload ? 0 : windowScale(snapshot),
      });
    } finally {
      await whatIf.close();
    }
    if (signal?.aborted) throw interruptedBeforeApply(signal);
    // A table locked after the snapshot: planning waited lock_timeout. Name who holds the lock now.
    if (report.unplanned?.some((u) => /lock timeout|lock_timeout/.test(u.why))) {
      const holders = await lockHolders(db);
      for (const u of report.unplanned) if (/lock timeout|lock_timeout/.test(u.why)) u.why += holders;
      report.notes = report.notes.map((n) => (/lock timeout|lock_timeout/.test(n) ? `${n}${holders}` : n));
    }
    report.unplanned = [...lockedOut, ...(report.unplanned ?? [])];
    report.notes.unshift(...unplannedNotes(lockedOut, statements.length));
    const total = queries.length + lockedOut.length;
    if (total > 0 && report.workload.statements === 0) throw nothingPlanned(report.unplanned, total);
    if (total === 0)
      report.notes.unshift(
        statements.length === 0
          ? options.workload
            ? "the workload file holds no statement"
            : "pg_stat_statements holds no statement for this database yet (since its last reset): run the application for a while, or give --workload FILE"
          : `none of the workload's ${statements.length} statements is a query on a known table the planner can cost (utility statements, or tables not in this database)`,
      );
    if (options.verify && report.recommendations.length) await verifyAdvice(db, report, queries, progress);
  } catch (error) {
    if (signal?.aborted) throw interruptedBeforeApply(signal);
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (options.apply && report.recommendations.length)
    await applyAdvice(db, report, snapshot, { progress, ...(signal ? { signal } : {}) });
  return { report, snapshot };
}

/**
 * No statement could be planned: any advice would be drawn from no data. Say why (the commonest reason first)
 * and what fixes it.
 */
function nothingPlanned(unplanned: UnplannedStatement[], total: number): DbError {
  const counts = new Map<string, { n: number; hint: string | null }>();
  for (const u of unplanned) {
    const key = u.why;
    counts.set(key, { n: (counts.get(key)?.n ?? 0) + 1, hint: u.hint });
  }
  const [why, { hint }] = [...counts].sort((a, b) => b[1].n - a[1].n)[0] ?? [
    "no reason given",
    { hint: null },
  ];
  const others =
    counts.size > 1 ? ` (and ${counts.size - 1} other reason${counts.size === 2 ? "" : "s"})` : "";
  const permission = unplanned.some((u) => /permission denied/.test(u.why));
  return new DbError({
    code: permission ? "permission-denied" : "no-data",
    message: `${total === 1 ? "could not plan the workload's one statement" : `could plan none of the ${total} statements`}, so there is no index advice: ${why}${others}`,
    hint: hint ?? "run with --debug for details",
  });
}

function interruptedBeforeApply(signal: AbortSignal): DbError {
  return new DbError({
    code: "interrupted",
    message: `interrupted (${String(signal.reason ?? "signal")}) before any index was built: nothing was changed`,
    hint: "run dbopt advise again when you have the time",
  });
}

/** Whether each extension is installed in the database, available on the server, or missing. */
async function extensionStates(
  db: PostgresConnector,
  names: string[],
): Promise<Record<string, ExtensionState>> {
  const rows = await db.query<{ name: string; installed: string | null }>(
    "select name, installed_version as installed from pg_available_extensions where name = any($1::text[])",
    [names],
  );
  const out: Record<string, ExtensionState> = {};
  for (const name of names) {
    const row = rows.find((r) => r.name === name);
    out[name] = !row ? "missing" : row.installed ? "installed" : "available";
  }
  return out;
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
