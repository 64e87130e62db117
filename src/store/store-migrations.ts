import { DbError } from "../connectors/db-error.js";
import { DBOPT_VERSION } from "../version.js";
import { SAMPLES_MIGRATION } from "./migrations/001-samples.js";
import { PLANS_MIGRATION } from "./migrations/002-plans.js";
import { ROLLUPS_MIGRATION } from "./migrations/003-rollups.js";
import { STATEMENT_TOP_MIGRATION } from "./migrations/004-statement-top.js";
import { ACTIVITY_MIGRATION } from "./migrations/005-activity.js";
import type { StoreConnection } from "./store-connection.js";

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Every schema change of the store, in order. Never edit one that shipped: add the next. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "targets, samples, gaps, statements, objects, settings, waits",
    sql: SAMPLES_MIGRATION,
  },
  { version: 2, description: "generic plans by shape", sql: PLANS_MIGRATION },
  {
    version: 3,
    description: "hourly and daily rollups of statements and of the whole workload",
    sql: ROLLUPS_MIGRATION,
  },
  { version: 4, description: "each hour's, day's and week's top statements", sql: STATEMENT_TOP_MIGRATION },
  {
    version: 5,
    description: "connections by state at each sample (pg_stat_activity)",
    sql: ACTIVITY_MIGRATION,
  },
];

/** The schema version this dbopt writes and reads. */
export const STORE_SCHEMA_VERSION = MIGRATIONS.length;

/** Serialises schema changes (and partition creation) between collectors sharing one store. */
export const STORE_DDL_LOCK = 7_318_004_412;

export interface MigrationOutcome {
  from: number;
  to: number;
}

/**
 * Bring the store's schema to `upTo` (this dbopt's version unless a test asks for less): each migration in its
 * own transaction with its version row, so a failed one leaves the store at the version before it. Concurrent
 * collectors wait for each other on an advisory lock; a store newer than this dbopt is refused.
 */
export async function migrateStore(
  store: StoreConnection,
  upTo: number = STORE_SCHEMA_VERSION,
): Promise<MigrationOutcome> {
  const from = await storeVersion(store);
  if (from > STORE_SCHEMA_VERSION)
    throw new DbError({
      code: "unsupported-version",
      message: `the history store ${store.display} has schema version ${from}, newer than this dbopt (${DBOPT_VERSION}) knows (${STORE_SCHEMA_VERSION})`,
      hint: "upgrade dbopt to the version the other collectors use",
    });
  let to = from;
  for (const migration of MIGRATIONS) {
    if (migration.version > upTo || migration.version <= to) continue;
    const applied = await store.transaction(async () => {
      await store.query("select pg_advisory_xact_lock($1)", [STORE_DDL_LOCK]);
      await store.query("create schema if not exists dbopt_store");
      await store.query(`create table if not exists dbopt_store.schema_version (
        version integer primary key,
        description text not null,
        dbopt_version text not null,
        applied_at timestamptz not null default now())`);
      // Another collector may have applied it while we waited for the lock.
      const [done] = await store.query("select 1 from dbopt_store.schema_version where version = $1", [
        migration.version,
      ]);
      if (done) return false;
      await store.query(migration.sql);
      await store.query(
        "insert into dbopt_store.schema_version (version, description, dbopt_version) values ($1, $2, $3)",
        [migration.version, migration.description, DBOPT_VERSION],
      );
      return true;
    });
    if (applied || migration.version > to) to = migration.version;
  }
  return { from, to };
}

/** The store's schema version; 0 for a database dbopt has not set up yet. */
export async function storeVersion(store: StoreConnection): Promise<number> {
  const [exists] = await store.query<{ found: boolean }>(
    "select to_regclass('dbopt_store.schema_version') is not null as found",
  );
  if (!exists?.found) return 0;
  const [row] = await store.query<{ version: number | null }>(
    "select max(version) as version from dbopt_store.schema_version",
  );
  return Number(row?.version ?? 0);
}
