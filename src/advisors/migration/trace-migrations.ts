/**
 * Run a migration set on a database that is not production and record what each statement really did: the
 * relation locks its own backend held (pg_locks, read before COMMIT), the tables whose files changed
 * (pg_class.relfilenode: a rewrite), and how long it ran. Statements PostgreSQL refuses inside a transaction
 * (CREATE INDEX CONCURRENTLY and the like) run on their own; a second session watches their locks in pg_locks
 * while they run. It holds a snapshot meanwhile, which the CONCURRENTLY builds wait for before they finish, so
 * they are seen holding their locks however fast they are; the snapshot is let go as soon as they have been.
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
  /** "transaction": run in its own transaction, locks read before COMMIT; "alone": outside one, locks watched
   * from another session. */
  mode: "transaction" | "alone";
  /** Strongest lock per table (tables, partitioned tables, materialized views); null when none could be seen
   * (a statement that ran alone and ended before the watcher looked). */
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
  // A server stopped under it (Ctrl-C stops the embedded one) fails the query; no unhandled event crashes dbopt.
  client.on("error", () => {});
  await client.connect();
  const pid = Number((await client.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]?.pid);
  let watcher: pg.Client | null = null;
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
          if (!watcher) {
            watcher = new pg.Client({
              connectionString: url,
              application_name: "dbopt migrate trace (locks)",
            });
            watcher.on("error", () => {});
            await watcher.connect();
          }
          traced.locks = await runWatched(client, watcher, pid, st.sql);
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
    await (watcher as pg.Client | null)?.end();
  }
}

const WATCH_LIMIT_MS = 5000;

/**
 * Run a statement outside a transaction while another session reads the locks its backend holds. The watcher
 * opens a REPEATABLE READ transaction first: its snapshot is one the CONCURRENTLY builds must wait out, so they
 * stop, holding their locks, until it commits — which it does once it has seen them waiting (or the statement
 * ended, or the limit passed).
 */
async function runWatched(
  client: pg.Client,
  watcher: pg.Client,
  pid: number,
  sql: string,
): Promise<TracedLock[] | null> {
  await watcher.query("begin isolation level repeatable read");
  await watcher.query("select 1");
  let finished = false;
  const running = client.query(sql).finally(() => {
    finished = true;
  });
  // Do not let a failure surface before the watcher has let go: it is awaited below.
  running.catch(() => {});
  const seen = new Map<string, LockMode>();
  const limit = performance.now() + WATCH_LIMIT_MS;
  try {
    while (!finished && performance.now() < limit) {
      const { rows } = await watcher.query<{ name: string | null; mode: LockMode; granted: boolean }>(
        `select case when l.locktype = 'relation' and ${USER_TABLES} then ${TABLE_NAME} end as name, l.mode, l.granted
           from pg_locks l left join pg_class c on c.oid = l.relation left join pg_namespace n on n.oid = c.relnamespace
          where l.pid = $1`,
        [pid],
      );
      for (const r of rows) {
        if (!r.granted || r.name === null) continue;
        const held = seen.get(r.name);
        if (!held || LOCK_STRENGTH[r.mode] > LOCK_STRENGTH[held]) seen.set(r.name, r.mode);
      }
      // Waiting for our snapshot (or anything else) while holding its table locks: seen enough.
      if (seen.size && rows.some((r) => !r.granted)) break;
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await watcher.query("commit");
  }
  await running;
  return seen.size ? [...seen].map(([table, mode]) => ({ table, mode })) : null;
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
