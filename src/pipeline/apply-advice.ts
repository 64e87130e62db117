/**
 * dbopt advise --apply: build the recommended indexes one at a time with CREATE INDEX CONCURRENTLY, under the
 * session's lock_timeout, each with a name dbopt chose (dbopt_<table>_<columns>_<hash of the definition>) so a
 * later run finds it again. A build that fails or is interrupted leaves an INVALID index behind (PostgreSQL
 * commits the catalog entry before it waits for other transactions): dbopt drops it from a fresh session, and
 * reports the exact DROP statement when it cannot.
 */
import { createHash } from "node:crypto";
import type { AdviceReport, ApplyOutcome, IndexRecommendation } from "../advisors/index/advice-report.js";
import { DbError } from "../connectors/db-error.js";
import { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import type { IndexFacts, Snapshot } from "../facts/snapshot.js";
import { quoteIdent, quoteLiteral } from "../util/sql-identifiers.js";

/** PostgreSQL truncates identifiers to 63 bytes. */
const MAX_NAME = 63;
/** Attempts to drop a half-built index while something still holds a lock on its table, and the pause between. */
const CLEANUP_ATTEMPTS = 3;
const CLEANUP_PAUSE_MS = 1000;

/** The name dbopt gives the index a recommendation builds: the same definition always gets the same name. */
export function dboptIndexName(r: Pick<IndexRecommendation, "ddl" | "table">): string {
  const hash = createHash("sha1").update(canonicalDefinition(r.ddl)).digest("hex").slice(0, 8);
  const columns = /\(([\s\S]*)\)/.exec(r.ddl.replace(/\s+WHERE\s[\s\S]*$/i, ""))?.[1] ?? "";
  const words = `${r.table}_${columns}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `dbopt_${words.slice(0, MAX_NAME - "dbopt_".length - 9).replace(/_+$/, "")}_${hash}`;
}

/** CREATE INDEX CONCURRENTLY <name> ON ...: the recommendation's statement with dbopt's name in it. */
export function namedDdl(ddl: string, name: string): string {
  return ddl.replace(/^CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+ON\s/i, (m) =>
    m.replace(/ON\s$/i, `${quoteIdent(name)} ON `),
  );
}

/** schema.name, always qualified: a DROP must not depend on the search_path. */
function exactName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * A definition without its name, CONCURRENTLY, quoting, spacing and the default method: what two CREATE INDEX
 * statements (or a statement and pg_get_indexdef) have in common when they build the same index.
 */
export function canonicalDefinition(ddl: string): string {
  const m =
    /^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:(?:"[^"]+"|[^\s"]+)\s+)??ON\s+(?:ONLY\s+)?((?:"[^"]+"|[^\s("])+)\s*(?:USING\s+(\w+)\s*)?([\s\S]*?);?\s*$/i.exec(
      ddl,
    );
  if (!m) return ddl.trim().toLowerCase();
  const [, unique, table = "", method, rest = ""] = m;
  const bare = (t: string) => t.replace(/"/g, "").toLowerCase();
  const relation = bare(table).replace(/^public\./, "");
  return [
    unique ? "unique" : "",
    relation,
    (method ?? "btree").toLowerCase(),
    // pg_get_indexdef adds casts to literals ('x'::text) and parentheses around a WHERE: neither changes the index.
    bare(rest)
      .replace(/[\s()]+/g, "")
      .replace(/::[a-z_0-9]+(\[\])*/g, ""),
  ].join("|");
}

interface IndexState {
  valid: boolean;
  ready: boolean;
}

async function indexState(db: PostgresConnector, schema: string, name: string): Promise<IndexState | null> {
  const [row] = await db.query<{ valid: boolean; ready: boolean }>(
    `select i.indisvalid as valid, i.indisready as ready
       from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2`,
    [schema, name],
  );
  return row ? { valid: Boolean(row.valid), ready: Boolean(row.ready) } : null;
}

/** A session of its own, for the cleanup and the cancel: the building one may be stuck in its statement. */
async function freshSession(db: PostgresConnector): Promise<PostgresConnector> {
  return PostgresConnector.connect(db.target, {
    ...db.options,
    // Long enough for what made the build fail to let go, short enough that an interrupted run ends soon.
    lockTimeoutMs: Math.min(Math.max(db.options.lockTimeoutMs, 2000), 10_000),
  });
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Drop the index dbopt started if it is there and INVALID (never a valid one, never one it did not name). Tries
 * a few times, since whatever made the build fail may hold its locks a moment longer.
 */
export async function dropInvalidIndex(
  db: PostgresConnector,
  schema: string,
  name: string,
): Promise<{ dropped: boolean; absent: boolean; error: string | null }> {
  let session: PostgresConnector | null = null;
  let lastError = "";
  try {
    session = await freshSession(db);
    for (let attempt = 1; attempt <= CLEANUP_ATTEMPTS; attempt++) {
      const state = await indexState(session, schema, name);
      if (!state) return { dropped: attempt > 1, absent: attempt === 1, error: null };
      if (state.valid) return { dropped: false, absent: false, error: "the index is valid: left in place" };
      try {
        await session.allowWrites();
        await session.query(`DROP INDEX CONCURRENTLY IF EXISTS ${exactName(schema, name)}`);
        return { dropped: true, absent: false, error: null };
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        if (attempt < CLEANUP_ATTEMPTS) await pause(CLEANUP_PAUSE_MS);
      }
    }
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
  } finally {
    await session?.close();
  }
  return { dropped: false, absent: false, error: lastError };
}

/** Stop the statement the building session is running (CREATE INDEX CONCURRENTLY waits can be long). */
async function cancelBackend(db: PostgresConnector): Promise<void> {
  const session = await freshSession(db).catch(() => null);
  if (!session) return;
  try {
    await session.query("select pg_cancel_backend($1)", [db.backendPid]);
  } catch {
    // The build ends by itself or the connection closes with the process: nothing more to do here.
  } finally {
    await session.close();
  }
}

/**
 * The other sessions whose transactions hold a lock on the table: CREATE INDEX CONCURRENTLY waits for each of
 * them to end. "" when there are none (any more).
 */
async function sessionsOnTable(db: PostgresConnector, schema: string, table: string): Promise<string> {
  const rows = await db
    .query<{
      pid: number;
      mode: string;
      usename: string | null;
      state: string | null;
      age: number | null;
      query: string;
    }>(
      `select l.pid, l.mode, a.usename, a.state, extract(epoch from now() - a.xact_start)::float8 as age,
              left(coalesce(a.query, ''), 100) as query
         from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
         left join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'relation' and l.granted and n.nspname = $1 and c.relname = $2
          and l.pid is distinct from pg_backend_pid()
        order by a.xact_start nulls last limit 5`,
      [schema, table],
    )
    .catch(() => []);
  if (rows.length === 0) return "";
  return ` (it waits for the transactions holding locks on the table: ${rows
    .map(
      (r) =>
        `pid ${r.pid} ${[r.usename, r.state, r.age !== null ? `open ${Math.round(r.age)} s` : null].filter(Boolean).join(", ")} holding ${r.mode}: ${r.query.replace(/\s+/g, " ")}`,
    )
    .join("; ")})`;
}

/** An existing index (any name) that builds the same thing as the recommendation. */
function sameDefinition(r: IndexRecommendation, indexes: IndexFacts[]): IndexFacts | undefined {
  const wanted = canonicalDefinition(r.ddl).split("|").slice(2).join("|");
  return indexes.find(
    (i) =>
      i.tableSchema === r.schema &&
      i.table === r.table &&
      !i.isUnique &&
      canonicalDefinition(i.definition).split("|").slice(2).join("|") === wanted,
  );
}

export interface ApplyOptions {
  progress: (message: string) => void;
  /** Aborted by SIGINT/SIGTERM: the running build is cancelled, its index dropped, nothing more started. */
  signal?: AbortSignal;
}

/**
 * Build the recommendations, then drop the indexes they make redundant (only once their replacement exists).
 * Fills report.apply and report.applied. Throws a DbError ("interrupted") when the signal stopped it, after the
 * cleanup, with what was built and what was not in its message.
 */
export async function applyAdvice(
  db: PostgresConnector,
  report: AdviceReport,
  snapshot: Snapshot,
  options: ApplyOptions,
): Promise<void> {
  const { progress, signal } = options;
  const outcomes: ApplyOutcome[] = [];
  const apply: NonNullable<AdviceReport["apply"]> = { outcomes, interrupted: null, complete: false };
  report.apply = apply;
  const onAbort = () => {
    apply.interrupted = String(signal?.reason ?? "interrupted");
    void cancelBackend(db);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await db.allowWrites();
    // An index build may take long: no statement timeout, but never wait long for a lock (the session's lock_timeout).
    await db.query("SET statement_timeout = 0");
    const builtDdl = new Set<string>();
    for (const [n, r] of report.recommendations.entries()) {
      const name = dboptIndexName(r);
      const ddl = namedDdl(r.ddl, name);
      if (signal?.aborted) {
        outcomes.push({ name, ddl, status: "not-started", detail: null, cleanup: null });
        continue;
      }
      const outcome = await buildOne(db, r, name, ddl, snapshot, n, report.recommendations.length, options);
      outcomes.push(outcome);
      if (outcome.status === "built" || outcome.status === "already-existed") builtDdl.add(r.ddl);
      if (outcome.status === "built") report.applied.push(ddl);
    }
    for (const d of report.drops) {
      const name = d.index;
      if (signal?.aborted || (d.replacedBy !== undefined && !builtDdl.has(d.replacedBy))) {
        outcomes.push({
          name,
          ddl: d.ddl,
          status: "kept",
          detail: signal?.aborted
            ? "interrupted before it was dropped"
            : "kept: the index that would replace it was not built",
          cleanup: null,
        });
        continue;
      }
      progress(`dropping ${d.index}`);
      try {
        await db.query(d.ddl.replace(/;$/, ""));
        report.applied.push(d.ddl);
        outcomes.push({ name, ddl: d.ddl, status: "dropped", detail: null, cleanup: null });
      } catch (error) {
        if (error instanceof DbError && error.isConnectionError) throw error;
        // A failed DROP INDEX CONCURRENTLY may leave the index marked invalid: running it again finishes the job.
        outcomes.push({
          name,
          ddl: d.ddl,
          status: "failed",
          detail: error instanceof Error ? error.message : String(error),
          cleanup: d.ddl,
        });
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  apply.complete = outcomes.every((o) => o.status !== "failed" && o.status !== "not-started");
  if (apply.interrupted) throw interruptedError(apply);
}

async function buildOne(
  db: PostgresConnector,
  r: IndexRecommendation,
  name: string,
  ddl: string,
  snapshot: Snapshot,
  n: number,
  total: number,
  { progress, signal }: ApplyOptions,
): Promise<ApplyOutcome> {
  const drop = `DROP INDEX CONCURRENTLY IF EXISTS ${exactName(r.schema, name)};`;
  const existing = await indexState(db, r.schema, name);
  if (existing?.valid)
    return { name, ddl, status: "already-existed", detail: "built by an earlier dbopt run", cleanup: null };
  const notes: string[] = [];
  if (existing) {
    // An INVALID leftover of an earlier, interrupted run: it would be a duplicate beside the new one.
    progress(`dropping ${name}, an invalid index left by an earlier run`);
    const cleanup = await dropInvalidIndex(db, r.schema, name);
    if (!cleanup.dropped && !cleanup.absent)
      return {
        name,
        ddl,
        status: "failed",
        detail: `an invalid ${name} from an earlier run is in the way and could not be dropped: ${cleanup.error}`,
        cleanup: drop,
      };
    notes.push(`dropped the invalid ${name} an earlier run left`);
  }
  // dbopt's own index (just dropped, or valid and handled above) is not "another index with this definition".
  const same = sameDefinition(
    r,
    snapshot.indexes.filter((i) => !(i.schema === r.schema && i.name === name)),
  );
  if (same?.isValid)
    return {
      name: same.name,
      ddl,
      status: "already-existed",
      detail: `${same.schema}.${same.name} already has this definition`,
      cleanup: null,
    };
  if (same && !same.isValid)
    notes.push(
      `an invalid index with this definition exists (${same.schema}.${same.name}, not built by dbopt, left in place: DROP INDEX CONCURRENTLY ${exactName(same.schema, same.name)}; removes it)`,
    );
  progress(`building ${n + 1} of ${total}: ${ddl}`);
  try {
    await db.query(ddl.replace(/;$/, ""));
    return { name, ddl, status: "built", detail: notes.join("; ") || null, cleanup: null };
  } catch (error) {
    const why = signal?.aborted
      ? `interrupted (${String(signal.reason ?? "signal")})`
      : error instanceof Error
        ? error.message
        : String(error);
    const holders =
      error instanceof DbError && error.code === "lock-timeout"
        ? await sessionsOnTable(db, r.schema, r.table)
        : "";
    progress(`build of ${name} failed (${why}); cleaning up`);
    const cleanup = await dropInvalidIndex(db, r.schema, name);
    const what = cleanup.dropped
      ? `the invalid index it left was dropped`
      : cleanup.absent
        ? "nothing was left behind"
        : `the invalid index it left could not be dropped (${cleanup.error})`;
    return {
      name,
      ddl,
      status: "failed",
      detail: [...notes, `${why}${holders}; ${what}`].join("; "),
      cleanup: cleanup.dropped || cleanup.absent ? null : drop,
    };
  }
}

function interruptedError(apply: NonNullable<AdviceReport["apply"]>): DbError {
  const names = (status: ApplyOutcome["status"]) =>
    apply.outcomes.filter((o) => o.status === status).map((o) => o.name);
  const built = names("built");
  const failed = apply.outcomes.filter((o) => o.status === "failed");
  const left = failed.filter((o) => o.cleanup).map((o) => o.cleanup);
  const notBuilt = [...failed.map((o) => o.name), ...names("not-started")];
  const parts = [
    `built ${built.length ? built.join(", ") : "nothing"}`,
    `not built ${notBuilt.length ? notBuilt.join(", ") : "nothing"}`,
    left.length
      ? `could not drop what an interrupted build left: run ${left.join(" ")}`
      : "no invalid index left behind",
  ];
  return new DbError({
    code: "interrupted",
    message: `advise --apply was interrupted (${apply.interrupted}): ${parts.join("; ")}`,
    hint: "run dbopt advise --apply again to build the rest; it skips what is built",
  });
}

/** SQL that lists invalid indexes dbopt left (for a user whose run was killed before it could clean up). */
export const FIND_LEFTOVERS_SQL = `SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid AND indexrelid::regclass::text LIKE ${quoteLiteral("%dbopt\\_%")};`;
