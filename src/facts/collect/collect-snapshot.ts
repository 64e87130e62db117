import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { DBOPT_VERSION } from "../../version.js";
import type { Snapshot } from "../snapshot.js";
import { collectActivity } from "./collect-activity.js";
import { collectCheckpoints } from "./collect-checkpoints.js";
import { collectColumnStats } from "./collect-column-stats.js";
import { collectConstraints } from "./collect-constraints.js";
import { collectExactBloat } from "./collect-exact-bloat.js";
import { collectIndexes } from "./collect-indexes.js";
import { collectReplication } from "./collect-replication.js";
import { collectSequences } from "./collect-sequences.js";
import { collectSettings } from "./collect-settings.js";
import { collectTables } from "./collect-tables.js";
import { collectWorkload } from "./collect-workload.js";
import { isoOrNull, num } from "./user-schemas.js";

export interface SnapshotOptions {
  /** Most statements from pg_stat_statements to keep (by total time). */
  statementLimit?: number;
  /** Measure bloat exactly with pgstattuple for relations of at least this many bytes (reads them whole). */
  exactBloatMinBytes?: number;
  /** Statements besides pg_stat_statements' whose columns need statistics (a --workload file). */
  extraStatements?: string[];
}

/** Collect every fact dbopt uses, read-only and in one consistent snapshot of the catalogs. */
export async function collectSnapshot(
  db: PostgresConnector,
  options: SnapshotOptions = {},
): Promise<Snapshot> {
  const caps = await db.capabilities();
  return db.inReadOnlySnapshot(async () => {
    const [server] = await db.query<Record<string, unknown>>(`
      select pg_postmaster_start_time() as started_at, pg_database_size(current_database()) as size,
             d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit, d.temp_files, d.temp_bytes, d.deadlocks, d.stats_reset,
             (select coalesce(json_object_agg(extname, extversion), '{}') from pg_extension) as extensions
        from pg_stat_database d where d.datname = current_database()`);
    const tables = await collectTables(db);
    const indexes = await collectIndexes(db);
    const constraints = await collectConstraints(db);
    const settings = await collectSettings(db);
    const workload = await collectWorkload(db, caps, options.statementLimit ?? 200);
    const columnStats = await collectColumnStats(
      db,
      interestingColumns(tables, indexes, [
        ...workload.statements.map((s) => s.query),
        ...(options.extraStatements ?? []),
      ]),
    );
    const sequences = await collectSequences(db);
    const activity = await collectActivity(db);
    const replication = await collectReplication(db);
    const checkpoints = await collectCheckpoints(db, caps.major);
    const exactBloat =
      options.exactBloatMinBytes !== undefined && caps.pgstattuple.installedVersion
        ? await collectExactBloat(db, caps, tables, indexes, options.exactBloatMinBytes)
        : null;
    return {
      format: "dbopt-snapshot/1" as const,
      capturedAt: new Date().toISOString(),
      dboptVersion: DBOPT_VERSION,
      server: {
        version: caps.serverVersion,
        versionNum: caps.serverVersionNum,
        database: caps.database,
        currentUser: caps.currentUser,
        startedAt: isoOrNull(server?.started_at),
        canMonitor: caps.canMonitor,
        isSuperuser: caps.isSuperuser,
        extensions: (server?.extensions as Record<string, string>) ?? {},
      },
      database: {
        sizeBytes: num(server?.size),
        xactCommit: num(server?.xact_commit),
        xactRollback: num(server?.xact_rollback),
        blksRead: num(server?.blks_read),
        blksHit: num(server?.blks_hit),
        tempFiles: num(server?.temp_files),
        tempBytes: num(server?.temp_bytes),
        deadlocks: num(server?.deadlocks),
        statsResetAt: isoOrNull(server?.stats_reset),
      },
      tables,
      indexes,
      constraints,
      columnStats,
      settings,
      workload,
      sequences,
      activity,
      replication,
      checkpoints,
      exactBloat,
    };
  });
}

/** Indexed columns, plus columns whose names appear in the workload's statements. */
function interestingColumns(
  tables: Snapshot["tables"],
  indexes: Snapshot["indexes"],
  statements: string[],
): Array<{ schema: string; table: string; column: string }> {
  const words = new Set(statements.flatMap((s) => s.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? []));
  const indexed = new Set(indexes.flatMap((i) => i.columns.map((c) => `${i.tableSchema}.${i.table}.${c}`)));
  const out: Array<{ schema: string; table: string; column: string }> = [];
  for (const t of tables) {
    for (const c of t.columns) {
      if (indexed.has(`${t.schema}.${t.name}.${c.name}`) || words.has(c.name.toLowerCase())) {
        out.push({ schema: t.schema, table: t.name, column: c.name });
      }
    }
  }
  return out;
}
