import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectCheckpoints } from "../facts/collect/collect-checkpoints.js";
import { collectSettings } from "../facts/collect/collect-settings.js";
import { collectWorkload } from "../facts/collect/collect-workload.js";
import { findLockedRelations } from "../facts/collect/locked-relations.js";
import {
  type ActivitySample,
  readActivitySample,
  readConnectionLimits,
} from "../facts/scaling/activity-samples.js";
import type { CheckpointStats, SettingFacts, WorkloadFacts } from "../facts/snapshot.js";
import { quoteIdent } from "../util/sql-identifiers.js";
import {
  type IndexSample,
  readIndexSamples,
  readTableSamples,
  type TableSample,
} from "./read-relation-stats.js";

type Row = Record<string, unknown>;

/** More than pg_stat_statements.max allows: every entry of the database, so deltas miss none. */
const ALL_STATEMENTS = 1_000_000;

/** Who a target is, whatever URL reached it. */
export interface TargetIdentity {
  /** pg_control_system().system_identifier as text (it does not fit a double); null when not readable. */
  systemIdentifier: string | null;
  database: string;
  serverVersion: string;
  major: number;
}

/** Everything one sample reads from a target, at one moment (one read-only snapshot of the statistics). */
export interface TargetSample {
  identity: TargetIdentity;
  /** The server's clock when the sample started: the sample's time in the store. */
  takenAt: Date;
  serverStartedAt: Date | null;
  statementsResetAt: Date | null;
  statementsEvicted: number | null;
  workload: WorkloadFacts;
  /** pg_stat_statements.stats_since (17+) by statement key. */
  statsSince: Map<string, Date>;
  database: Row;
  checkpoints: CheckpointStats;
  wal: { records: number | null; fpi: number | null; bytes: string | null; resetAt: Date | null };
  tables: TableSample[];
  indexes: IndexSample[];
  settings: SettingFacts[];
  /** The server's connections at the sample (pg_stat_activity), with its limits; absent in imported snapshots. */
  activity?: { sample: ActivitySample; maxConnections: number; reservedConnections: number };
}

/** The key of a pg_stat_statements entry within one database. */
export function statementKey(s: { queryId: string; userName: string; toplevel: boolean }): string {
  return `${s.queryId}/${s.toplevel ? "t" : "f"}/${s.userName}`;
}

export async function readIdentity(db: PostgresConnector): Promise<TargetIdentity> {
  const caps = await db.capabilities();
  let systemIdentifier: string | null = null;
  try {
    const [row] = await db.query<Row>("select system_identifier::text as id from pg_control_system()");
    systemIdentifier = row?.id ? String(row.id) : null;
  } catch {
    // A role without EXECUTE on pg_control_system: the target is then known by its address.
  }
  return { systemIdentifier, database: caps.database, serverVersion: caps.serverVersion, major: caps.major };
}

/**
 * Read one sample: pg_stat_statements (all of this database's entries, without dbopt's own), database-wide,
 * checkpoint and WAL counters, tables, indexes and settings, in one read-only snapshot. Relations another session
 * holds an ACCESS EXCLUSIVE lock on are left out rather than waited for.
 */
export async function readTargetSample(
  db: PostgresConnector,
  identity: TargetIdentity,
): Promise<TargetSample> {
  const caps = await db.capabilities();
  const locked = await findLockedRelations(db);
  const lockedTables = [...locked.tableOids];
  return db.inReadOnlySnapshot(async () => {
    const [clock] = await db.query<Row>(
      "select statement_timestamp() as taken_at, pg_postmaster_start_time() as started_at",
    );
    const workload = await collectWorkload(db, caps, ALL_STATEMENTS);
    const pss = caps.pgStatStatements;
    const view = quoteIdent(pss.schema ?? "public");
    let statementsEvicted: number | null = null;
    const statsSince = new Map<string, Date>();
    if (pss.readable && caps.major >= 14) {
      const [info] = await db.query<Row>(`select dealloc from ${view}.pg_stat_statements_info`);
      statementsEvicted = info?.dealloc === undefined ? null : Number(info.dealloc);
    }
    if (pss.readable && pss.columns.includes("stats_since")) {
      const rows = await db.query<Row>(
        `select queryid::text as queryid, coalesce(r.rolname, '') as user_name, toplevel, stats_since
           from ${view}.pg_stat_statements s left join pg_roles r on r.oid = s.userid
          where dbid = (select oid from pg_database where datname = current_database()) and queryid is not null`,
      );
      for (const r of rows)
        statsSince.set(
          statementKey({
            queryId: String(r.queryid),
            userName: String(r.user_name),
            toplevel: Boolean(r.toplevel),
          }),
          r.stats_since as Date,
        );
    }
    const [database] = await db.query<Row>(
      `select pg_database_size(current_database()) as size_bytes, numbackends, xact_commit, xact_rollback,
              blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted,
              temp_files, temp_bytes, deadlocks, blk_read_time, blk_write_time, stats_reset
         from pg_stat_database where datname = current_database()`,
    );
    const checkpoints = await collectCheckpoints(db, caps.major);
    const [wal] =
      caps.major >= 14
        ? await db.query<Row>(
            "select wal_records, wal_fpi, wal_bytes::text as wal_bytes, stats_reset from pg_stat_wal",
          )
        : [];
    const tables = await readTableSamples(db, lockedTables);
    const indexes = await readIndexSamples(db, lockedTables);
    const settings = await collectSettings(db);
    const activity = await readActivitySample(db);
    const limits = await readConnectionLimits(db);
    return {
      identity,
      takenAt: clock?.taken_at as Date,
      serverStartedAt: (clock?.started_at as Date | null) ?? null,
      statementsResetAt: workload.statsResetAt ? new Date(workload.statsResetAt) : null,
      statementsEvicted,
      workload,
      statsSince,
      database: database ?? {},
      checkpoints,
      wal: {
        records: wal?.wal_records === undefined ? null : Number(wal.wal_records),
        fpi: wal?.wal_fpi === undefined ? null : Number(wal.wal_fpi),
        bytes: (wal?.wal_bytes as string | undefined) ?? null,
        resetAt: (wal?.stats_reset as Date | undefined) ?? null,
      },
      tables,
      indexes,
      settings,
      activity: {
        sample: activity,
        maxConnections: limits.maxConnections,
        reservedConnections: limits.reservedConnections,
      },
    };
  });
}

/** Sessions of the target's database seen in one look at pg_stat_activity, by state, wait and statement. */
export interface WaitObservation {
  state: string;
  waitEventType: string;
  waitEvent: string;
  queryId: string;
  sessions: number;
}

/** One look at pg_stat_activity: the active (non-idle) client sessions of this database, grouped. */
export async function probeWaits(db: PostgresConnector, major: number): Promise<WaitObservation[]> {
  const queryId = major >= 14 ? "coalesce(query_id, 0)::text" : "'0'";
  const rows = await db.query<Row>(
    `select coalesce(state, 'unknown') as state, coalesce(wait_event_type, 'CPU') as wait_event_type,
            coalesce(wait_event, '') as wait_event, ${queryId} as queryid, count(*)::int as sessions
       from pg_stat_activity
      where backend_type = 'client backend' and pid <> pg_backend_pid() and state is distinct from 'idle'
        and datid = (select oid from pg_database where datname = current_database())
      group by 1, 2, 3, 4`,
  );
  return rows.map((r) => ({
    state: String(r.state),
    waitEventType: String(r.wait_event_type),
    waitEvent: String(r.wait_event),
    queryId: String(r.queryid),
    sessions: Number(r.sessions),
  }));
}
