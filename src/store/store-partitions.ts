import { ident, literal, sql } from "../util/sql-text.js";
import { bucketOf } from "./rollup-sql.js";
import type { StoreConnection } from "./store-connection.js";
import { STORE_DDL_LOCK } from "./store-migrations.js";

const DAY_MS = 86_400_000;

/** The UTC day a time falls in, as the suffix of its partitions' names: 20261202. */
export function partitionDay(time: Date): string {
  return time.toISOString().slice(0, 10).replaceAll("-", "");
}

function dayStart(day: string): Date {
  return new Date(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T00:00:00Z`);
}

/** The store's partitioned tables, from the catalog: a table a later migration adds is partitioned the same way. */
async function partitionedTables(store: StoreConnection): Promise<string[]> {
  const rows = await store.query<{ name: string }>(
    `select c.relname as name from pg_partitioned_table p join pg_class c on c.oid = p.partrelid
      where c.relnamespace = 'dbopt_store'::regnamespace and not c.relispartition order by 1`,
  );
  return rows.map((r) => r.name);
}

/** Existing partitions: table name → the days they cover. */
async function existingPartitions(store: StoreConnection): Promise<Map<string, Set<string>>> {
  const rows = await store.query<{ parent: string; name: string }>(
    `select pc.relname as parent, c.relname as name
       from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class pc on pc.oid = i.inhparent
      where pc.relnamespace = 'dbopt_store'::regnamespace`,
  );
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const day = /_p(\d{8})$/.exec(r.name)?.[1];
    if (!day) continue;
    const days = out.get(r.parent) ?? new Set<string>();
    days.add(day);
    out.set(r.parent, days);
  }
  return out;
}

/**
 * Creates the daily partitions samples will go to: the day of `time` and the next one, so a sample at midnight
 * never waits for DDL. Remembers what exists, so a sample normally costs no catalog query; DDL runs in its own
 * transaction under the store's DDL lock (two collectors never create the same partition).
 */
export class PartitionKeeper {
  private ready = new Set<string>();

  constructor(private readonly store: StoreConnection) {}

  async ensure(time: Date): Promise<void> {
    const days = [partitionDay(time), partitionDay(new Date(time.getTime() + DAY_MS))];
    if (days.every((d) => this.ready.has(d))) return;
    await this.store.transaction(async () => {
      await this.store.query("select pg_advisory_xact_lock($1)", [STORE_DDL_LOCK]);
      const tables = await partitionedTables(this.store);
      const existing = await existingPartitions(this.store);
      for (const day of days) {
        const from = dayStart(day);
        const to = new Date(from.getTime() + DAY_MS);
        for (const table of tables) {
          if (existing.get(table)?.has(day)) continue;
          await this.store.query(
            sql`create table ${ident("dbopt_store")}.${ident(`${table}_p${day}`)} partition of ${ident("dbopt_store")}.${ident(table)}
                  for values from (${literal(from.toISOString())}) to (${literal(to.toISOString())})`,
          );
        }
      }
    });
    for (const day of days) this.ready.add(day);
  }

  /**
   * Retention: drop every partition whose whole day ended before `cutoff`, all tables of a day in one transaction.
   * Returns the days dropped.
   */
  async dropBefore(cutoff: Date): Promise<string[]> {
    const dropped = await this.store.transaction(async () => {
      await this.store.query("select pg_advisory_xact_lock($1)", [STORE_DDL_LOCK]);
      const existing = await existingPartitions(this.store);
      const days = new Set<string>();
      for (const [table, tableDays] of existing) {
        for (const day of tableDays) {
          if (dayStart(day).getTime() + DAY_MS > cutoff.getTime()) continue;
          await this.store.query(sql`drop table ${ident("dbopt_store")}.${ident(`${table}_p${day}`)}`);
          days.add(day);
        }
      }
      // Weekly rollups are not partitioned: a week goes once all its days have.
      await this.store.query(
        "delete from dbopt_store.statement_week where bucket + interval '7 days' <= $1",
        [cutoff],
      );
      await this.store.query(
        `delete from dbopt_store.statement_top
          where (case grain when 'week' then bucket + interval '7 days' else ${bucketOf("'day'", "bucket")} + interval '1 day' end) <= $1`,
        [cutoff],
      );
      return [...days].sort();
    });
    for (const day of dropped) this.ready.delete(day);
    return dropped;
  }
}
