import { DbError } from "../../connectors/db-error.js";
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
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
import { findLockedRelations, type LockedRelations } from "./locked-relations.js";
import { isoOrNull, num } from "./user-schemas.js";

export interface SnapshotOptions {
  /** Most statements from pg_stat_statements to keep (by total time). */
  statementLimit?: number;
  /** Measure bloat exactly with pgstattuple for relations of at least this many bytes (reads them whole). */
  exactBloatMinBytes?: number;
  /** Statements besides pg_stat_statements' whose columns need statistics (a --workload file). */
  extraStatements?: string[];
}

/** Times a collection starts again when a relation got locked while it ran. */
const LOCK_RETRIES = 3;

/**
 * Collect every fact dbopt uses, read-only and in one consistent snapshot of the catalogs. Relations another
 * session holds an ACCESS EXCLUSIVE lock on are left out (sizes, defaults and index definitions cannot be read
 * without waiting for it) and named in `skipped` with who holds the lock; one that gets locked while the
 * collection runs makes it wait lock_timeout, then start again without it.
 */
export async function collectSnapshot(
  db: PostgresConnector,
  options: SnapshotOptions = {},
): Promise<Snapshot> {
  for (let attempt = 1; ; attempt++) {
    const locked = await findLockedRelations(db);
    try {
      return await collectOnce(db, options, locked);
    } catch (error) {
      if (!(error instanceof DbError && error.code === "lock-timeout") || attempt >= LOCK_RETRIES)
        throw error;
    }
  }
}

async function collectOnce(
  db: PostgresConnector,
  options: SnapshotOptions,
  locked: LockedRelations,
): Promise<Snapshot> {
  const caps = await db.capabilities();
  const lockedTables = [...locked.tableOids];
  return db.inReadOnlySnapshot(async () => {
    const [server] = await db.query<Record<string, unknown>>(`
      select pg_postmaster_start_time() as started_at, pg_database_size(current_database()) as size,
             (select sum(pg_database_size(oid)) from pg_database
               where has_database_privilege(oid, 'CONNECT') or pg_has_role('pg_read_all_stats', 'member')) as cluster_size,
             (select count(*) from pg_database
               where not (has_database_privilege(oid, 'CONNECT') or pg_has_role('pg_read_all_stats', 'member'))) as cluster_unsized,
             d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit, d.temp_files, d.temp_bytes, d.deadlocks, d.stats_reset,
             (select coalesce(json_object_agg(extname, extversion), '{}') from pg_extension) as extensions
        from pg_stat_database d where d.datname = current_database()`);
    const tables = await collectTables(db, lockedTables);
    const indexes = await collectIndexes(db, lockedTables);
    const constraints = await collectConstraints(db, lockedTables);
    const settings = await collectSettings(db);
    const workload = await collectWorkload(db, caps, options.statementLimit ?? 200);
    const columnStats = await collectColumnStats(
      db,
      interestingColumns(tables, indexes, [
        ...workload.statements.map((s) => s.query),
        ...(options.extraStatements ?? []),
      ]),
    );
    const sequences = await collectSequences(db, [...locked.sequenceOids]);
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
        clusterSizeBytes: num(server?.cluster_size),
        clusterDatabasesUnsized: num(server?.cluster_unsized),
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
      skipped: locked.skipped,
    };
  });
}

/** Indexed columns, plus columns whose names appear in the workload's statements. */
function interestingColumns(
  tables: Snapshot["tables"],
  indexes: Snapshot["indexes"],
  statements: string[],
): Array<{ schema: string; table: string; column: string }> {
  const words = new Set(
    statements.flatMap((s) => [
      ...(s.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? []),
      // A quoted name ("Seen At", "a""b") is one word, spaces and quotes included.
      ...[...s.matchAll(/"((?:[^"]|"")+)"/g)].map((m) =>
        (m[1] as string).replaceAll('""', '"').toLowerCase(),
      ),
    ]),
  );
  const indexed = new Set(indexes.flatMap((i) => i.columns.map((c) => `${i.tableSchema}.${i.table}.${c}`)));
  // A partition key's range of values in each partition tells where a catch-all partition's rows belong.
  const keyOf = new Map(tables.map((t) => [`${t.schema}.${t.name}`, t.partitionKeyColumns ?? []]));
  const partitionKey = (t: Snapshot["tables"][number]): string[] => [
    ...(keyOf.get(`${t.schema}.${t.name}`) ?? []),
    ...(t.parent ? (keyOf.get(t.parent) ?? []) : []),
  ];
  const out: Array<{ schema: string; table: string; column: string }> = [];
  for (const t of tables) {
    const keys = partitionKey(t);
    for (const c of t.columns) {
      // pg_get_indexdef prints a key column quoted where it needs quotes ("MixedCase", "line item").
      if (
        indexed.has(`${t.schema}.${t.name}.${quoteIdent(c.name)}`) ||
        words.has(c.name.toLowerCase()) ||
        keys.includes(c.name)
      ) {
        out.push({ schema: t.schema, table: t.name, column: c.name });
      }
    }
  }
  return out;
}
