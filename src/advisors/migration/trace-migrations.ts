/**
 * Run a migration set on a database that is not production and record what each statement really did: the
 * relation locks its own backend held (pg_locks, read before COMMIT), the tables whose files changed
 * (pg_class.relfilenode: a rewrite), and how long it ran. Statements PostgreSQL refuses inside a transaction run
 * on their own, and their locks cannot be read back: they are reported as such.
 */
import pg from "pg";
import { LOCK_STRENGTH, type LockMode, refusedInTransaction } from "../../facts/migration/lock-model.js";
import type { MigrationStatement } from "../../facts/migration/migration-set.js";

export interface TracedLock {
  table: string;
  mode: LockMode;
}

export interface TracedStatement {
  file: string;
  line: number;
  column: number;
  sql: string;
  /** "transaction": run in its own transaction, locks read; "alone": outside one (locks not readable). */
  mode: "transaction" | "alone";
  /** Strongest lock per table (tables, partitioned tables, materialized views), when readable. */
  locks: TracedLock[] | null;
  /** Tables whose relfilenode changed: rewritten to a new file. */
  rewritten: string[];
  durationMs: number;
  /** The server's error, when the statement failed (it is rolled back and the trace goes on). */
  error: string | null;
}

const TABLE_NAME = `case when n.nspname = 'public' then c.relname else n.nspname || '.' || c.relname end`;
const USER_TABLES = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and c.relkind in ('r', 'p', 'm')`;

/** Trace statements in order on `url` (a throw-away database: the migrations are applied for real). */
export async function traceStatements(
  url: string,
  statements: MigrationStatement[],
): Promise<TracedStatement[]> {
  const client = new pg.Client({ connectionString: url, application_name: "dbopt migrate trace" });
  await client.connect();
  try {
    const out: TracedStatement[] = [];
    for (const st of statements) {
      // dbopt runs each statement in a transaction of its own; the files' BEGIN/COMMIT would interfere.
      if (st.kind === "TransactionStmt") continue;
      const alone = refusedInTransaction(st.stmt) !== null;
      const before = await fileNodes(client);
      const traced: TracedStatement = {
        file: st.file,
        line: st.line,
        column: st.column,
        sql: st.sql,
        mode: alone ? "alone" : "transaction",
        locks: null,
        rewritten: [],
        durationMs: 0,
        error: null,
      };
      const started = performance.now();
      try {
        if (alone) {
          await client.query(st.sql);
          traced.durationMs = performance.now() - started;
        } else {
          await client.query("begin");
          await client.query(st.sql);
          traced.durationMs = performance.now() - started;
          traced.locks = await heldLocks(client);
          await client.query("commit");
        }
      } catch (error) {
        traced.durationMs = performance.now() - started;
        traced.error = error instanceof Error ? error.message : String(error);
        await client.query("rollback").catch(() => {});
      }
      const after = await fileNodes(client);
      traced.rewritten = [...after]
        .filter(([t, node]) => before.has(t) && before.get(t) !== node)
        .map(([t]) => t);
      out.push(traced);
    }
    return out;
  } finally {
    await client.end();
  }
}

async function fileNodes(client: pg.Client): Promise<Map<string, string>> {
  const { rows } = await client.query<{ name: string; node: string }>(
    `select ${TABLE_NAME} as name, c.relfilenode::text as node
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${USER_TABLES}`,
  );
  return new Map(rows.map((r) => [r.name, r.node]));
}

async function heldLocks(client: pg.Client): Promise<TracedLock[]> {
  const { rows } = await client.query<{ name: string; mode: LockMode }>(
    `select ${TABLE_NAME} as name, l.mode
       from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
      where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted and ${USER_TABLES}`,
  );
  const strongest = new Map<string, LockMode>();
  for (const r of rows) {
    const held = strongest.get(r.name);
    if (!held || LOCK_STRENGTH[r.mode] > LOCK_STRENGTH[held]) strongest.set(r.name, r.mode);
  }
  return [...strongest].map(([table, mode]) => ({ table, mode }));
}
