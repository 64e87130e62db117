import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { mayHoldSecret, redactSecrets } from "../../util/secret-sql-text.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import type { SkippedObject } from "../snapshot.js";
import { num, numOrNull } from "./user-schemas.js";

type Row = Record<string, unknown>;

const KIND: Record<string, string> = {
  r: "table",
  p: "partitioned table",
  m: "materialized view",
  f: "foreign table",
  i: "index",
  I: "partitioned index",
  S: "sequence",
  t: "TOAST table",
  v: "view",
};

export interface LockedRelations {
  /** Tables (and matviews, partitioned and foreign tables) whose sizes, defaults and index definitions cannot be read now. */
  tableOids: Set<number>;
  /** Sequences that cannot be read now. */
  sequenceOids: Set<number>;
  /** What was left out and why, for the report. */
  skipped: SkippedObject[];
}

/**
 * Relations of this database another session holds (or waits for) an ACCESS EXCLUSIVE lock on. Reading them
 * takes an ACCESS SHARE lock that would wait behind it: pg_relation_size, pg_get_indexdef, pg_get_expr and
 * EXPLAIN all do. A waiting request counts too, because later requests queue behind it. A lock on an index or a
 * TOAST table makes its table unreadable the same way. pg_locks is live, not part of the transaction's snapshot.
 */
export async function findLockedRelations(db: PostgresConnector): Promise<LockedRelations> {
  const rows = await db.query<Row>(`
    select l.relation::int8 as oid, n.nspname as schema, c.relname as name, c.relkind::text as relkind,
           l.pid, l.mode, l.granted,
           coalesce(ix.indrelid, toast.oid)::int8 as table_oid, tn.nspname as table_schema, tc.relname as table_name,
           a.usename, a.state, left(coalesce(a.query, ''), 300) as query,
           extract(epoch from now() - coalesce(a.xact_start, a.query_start))::float8 as held_s,
           coalesce(pg_blocking_pids(l.pid), '{}') as blocked_by
      from pg_locks l
      join pg_class c on c.oid = l.relation
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_index ix on ix.indexrelid = c.oid
      left join pg_class toast on c.relkind = 't' and toast.reltoastrelid = c.oid
      left join pg_class tc on tc.oid = coalesce(ix.indrelid, toast.oid)
      left join pg_namespace tn on tn.oid = tc.relnamespace
      left join pg_stat_activity a on a.pid = l.pid
     where l.locktype = 'relation'
       -- reading a sequence takes ROW EXCLUSIVE (pg_sequence_last_value), which more modes conflict with
       and (l.mode = 'AccessExclusiveLock'
            or (c.relkind = 'S' and l.mode in ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock')))
       and l.database = (select oid from pg_database where datname = current_database())
       and l.pid is distinct from pg_backend_pid()
     order by n.nspname, c.relname, l.granted desc, l.pid`);
  // The lock holder's statement is quoted in the report: its secrets are hidden (an ALTER ROLE ... PASSWORD).
  if (rows.some((r) => mayHoldSecret(String(r.query ?? "")))) await loadSqlParser();
  const out: LockedRelations = { tableOids: new Set(), sequenceOids: new Set(), skipped: [] };
  const seen = new Set<string>();
  for (const r of rows) {
    const relkind = String(r.relkind);
    const onTable = r.table_oid !== null && r.table_oid !== undefined;
    if (relkind === "S") out.sequenceOids.add(num(r.oid));
    else out.tableOids.add(onTable ? num(r.table_oid) : num(r.oid));
    const schema = onTable ? String(r.table_schema) : String(r.schema);
    const name = onTable ? String(r.table_name) : String(r.name);
    const key = `${schema}.${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const pid = numOrNull(r.pid);
    const lock = {
      pid,
      mode: String(r.mode),
      granted: Boolean(r.granted),
      user: (r.usename as string | null) ?? null,
      state: (r.state as string | null) ?? null,
      query: r.query ? redactSecrets(String(r.query), "postgres").replace(/\s+/g, " ").trim() : null,
      heldSeconds: numOrNull(r.held_s),
      blockedBy: ((r.blocked_by as number[] | null) ?? []).map(Number),
      on: onTable ? `${r.schema}.${r.name}` : null,
    };
    out.skipped.push({
      schema,
      name,
      kind: onTable ? "table" : (KIND[relkind] ?? "relation"),
      reason: describeLock(lock),
      lock,
    });
  }
  return out;
}

/**
 * "locked by pid 1234 (alice, idle in transaction, transaction open 35 s) holding AccessExclusiveLock: LOCK ...", or
 * for a request still queued: "pid 1234 (...) waits for AccessExclusiveLock behind pid 99, and every reader
 * queues behind it: ALTER TABLE ...".
 */
function describeLock(lock: NonNullable<SkippedObject["lock"]>): string {
  const details = [
    lock.user,
    lock.state,
    lock.heldSeconds !== null ? `transaction open ${Math.round(lock.heldSeconds)} s` : null,
  ]
    .filter(Boolean)
    .join(", ");
  const who =
    lock.pid === null ? "a prepared transaction" : `pid ${lock.pid}${details ? ` (${details})` : ""}`;
  const on = lock.on ? ` on ${lock.on}` : "";
  const query = lock.query
    ? `: ${lock.query.length > 120 ? `${lock.query.slice(0, 117)}...` : lock.query}`
    : "";
  if (lock.granted) return `locked by ${who} holding ${lock.mode}${on}${query}`;
  const behind = lock.blockedBy.length ? ` behind pid ${lock.blockedBy.join(", ")}` : "";
  return `blocked: ${who} waits for ${lock.mode}${on}${behind}, and every reader queues behind it${query}`;
}

/** "; locked now: public.orders locked by pid 1234 ...", or "" when nothing is locked any more. */
export async function lockHolders(db: PostgresConnector): Promise<string> {
  const locked = await findLockedRelations(db).catch(() => null);
  if (!locked?.skipped.length) return "";
  return `; locked now: ${locked.skipped.map((s) => `${s.schema}.${s.name} ${s.reason}`).join("; ")}`;
}
