/**
 * dbopt advise --apply: build the recommended indexes one at a time with CREATE INDEX CONCURRENTLY, under the
 * session's lock_timeout, each with a name dbopt chose (dbopt_<table>_<columns>_<hash of the definition>) so a
 * later run finds it again. A build that fails or is interrupted leaves an INVALID index behind (PostgreSQL
 * commits the catalog entry before it waits for other transactions): dbopt drops it from a fresh session, and
 * reports the exact DROP statement when it cannot.
 */
import type { AdviceReport, ApplyOutcome, IndexRecommendation } from "../advisors/index/advice-report.js";
import { canonicalDefinition, dboptIndexName } from "../advisors/index/index-name.js";
import type { PartitionStep } from "../advisors/index/partitioned-index.js";
import { DbError } from "../connectors/db-error.js";
import { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import type { IndexFacts, Snapshot } from "../facts/snapshot.js";
import { redactSecrets } from "../util/secret-sql-text.js";
import { quoteIdent, quoteLiteral } from "../util/sql-identifiers.js";

export { canonicalDefinition, dboptIndexName };

/** Attempts to drop a half-built index while something still holds a lock on its table, and the pause between. */
const CLEANUP_ATTEMPTS = 3;
const CLEANUP_PAUSE_MS = 1000;

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
async function dropInvalidIndex(
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
/** Why a build stopped (the signal, else the error), and on a lock timeout who holds the table. */
async function buildFailure(
  db: PostgresConnector,
  error: unknown,
  signal: AbortSignal | undefined,
  schema: string,
  table: string,
): Promise<{ why: string; holders: string }> {
  const why = signal?.aborted
    ? `interrupted (${String(signal.reason ?? "signal")})`
    : error instanceof Error
      ? error.message
      : String(error);
  const holders =
    error instanceof DbError && error.code === "lock-timeout" ? await sessionsOnTable(db, schema, table) : "";
  return { why, holders };
}

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
        `pid ${r.pid} ${[r.usename, r.state, r.age !== null ? `open ${Math.round(r.age)} s` : null].filter(Boolean).join(", ")} holding ${r.mode}: ${redactSecrets(r.query, "postgres").replace(/\s+/g, " ")}`,
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
      const steps = r.partitioned?.steps;
      const name = steps?.[0]?.index ?? dboptIndexName(r);
      const ddl = steps ? r.ddl : namedDdl(r.ddl, name);
      if (signal?.aborted) {
        outcomes.push({ name, ddl, status: "not-started", detail: null, cleanup: null });
        continue;
      }
      // The extension an operator class needs (pg_trgm for gin_trgm_ops) goes in first, once.
      if (r.requires && r.requires.state !== "installed" && !report.applied.includes(r.requires.ddl)) {
        const failed = await db
          .query(r.requires.ddl.replace(/;$/, ""))
          .then(() => null)
          .catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
        if (failed !== null) {
          outcomes.push({
            name,
            ddl,
            status: "failed",
            detail: `${r.requires.ddl} failed first: ${failed}`,
            cleanup: null,
          });
          continue;
        }
        report.applied.push(r.requires.ddl);
      }
      const outcome = steps
        ? await buildPartitioned(db, r, steps, snapshot, n, report.recommendations.length, options)
        : await buildOne(db, r, name, ddl, snapshot, n, report.recommendations.length, options);
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
    const { why, holders } = await buildFailure(db, error, signal, r.schema, r.table);
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

/**
 * The partitioned recipe, step by step: the ON ONLY indexes (catalog entries), each leaf's index built
 * CONCURRENTLY and attached. A rerun picks up where an interrupted one stopped: an ON ONLY index already there is
 * kept, a valid leaf index with dbopt's name is attached instead of rebuilt, an invalid one is dropped first. When
 * a step fails, every index of the recipe is dropped again (this run's or an earlier one's, all dbopt-named):
 * the failed build's invalid index and the leaf indexes from a fresh session, CONCURRENTLY, then the ON ONLY
 * indexes (DROP INDEX, a catalog change on a partitioned index).
 */
async function buildPartitioned(
  db: PostgresConnector,
  r: IndexRecommendation,
  steps: PartitionStep[],
  snapshot: Snapshot,
  n: number,
  total: number,
  { progress, signal }: ApplyOptions,
): Promise<ApplyOutcome> {
  const root = steps[0] as PartitionStep;
  const name = root.index;
  const rootState = await indexState(db, root.schema, name);
  if (rootState?.valid)
    return {
      name,
      ddl: r.ddl,
      status: "already-existed",
      detail: "built by an earlier dbopt run",
      cleanup: null,
    };
  // The same index under another name, made by someone else: building a second would only cost the writes.
  const same = sameDefinition(
    { ...r, ddl: r.partitioned?.plainDdl ?? r.ddl },
    snapshot.indexes.filter((i) => !(i.schema === root.schema && i.name === name)),
  );
  if (same?.isValid)
    return {
      name: same.name,
      ddl: r.ddl,
      status: "already-existed",
      detail: `${same.schema}.${same.name} already has this definition`,
      cleanup: null,
    };
  const notes: string[] = [];
  const leaves = steps.filter((s) => s.kind === "build").length;
  let built = 0;
  let current: PartitionStep = root;
  try {
    for (const step of steps) {
      current = step;
      if (signal?.aborted) throw new Error(`interrupted (${String(signal.reason ?? "signal")})`);
      if (step.kind === "attach") {
        await db.query(step.sql.replace(/;$/, ""));
        continue;
      }
      const state = await indexState(db, step.schema, step.index);
      if (step.kind === "only") {
        if (!state) await db.query(step.sql.replace(/;$/, ""));
        continue;
      }
      if (state?.valid) {
        notes.push(`${step.index} was built by an earlier run`);
        continue;
      }
      if (state) {
        const cleanup = await dropInvalidIndex(db, step.schema, step.index);
        if (!cleanup.dropped && !cleanup.absent)
          throw new Error(
            `an invalid ${step.index} from an earlier run could not be dropped: ${cleanup.error}`,
          );
      }
      built++;
      progress(`building ${n + 1} of ${total}, partition ${built} of ${leaves}: ${step.sql}`);
      await db.query(step.sql.replace(/;$/, ""));
    }
    const detail = [
      `the index on ${r.table} and on its ${leaves} partition${leaves === 1 ? "" : "s"}, each built CONCURRENTLY and attached`,
      ...notes,
    ].join("; ");
    return { name, ddl: r.ddl, status: "built", detail, cleanup: null };
  } catch (error) {
    const { why, holders } = await buildFailure(db, error, signal, current.schema, current.table);
    progress(
      `${current.kind === "attach" ? "attaching" : "building"} ${current.index} failed (${why}); cleaning up`,
    );
    const left = await dropRecipe(db, current, steps);
    return {
      name,
      ddl: r.ddl,
      status: "failed",
      detail: `${current.sql} failed: ${why}${holders}; ${left.length ? "some of the recipe's indexes could not be dropped (see cleanup)" : "what this recipe had created was dropped"}`,
      cleanup: left.length ? left.join(" ") : null,
    };
  }
}

/** Drop every index of a failed recipe, from a fresh session; returns the DROP statements that failed. */
async function dropRecipe(
  db: PostgresConnector,
  failed: PartitionStep,
  steps: PartitionStep[],
): Promise<string[]> {
  const created = steps.filter((s) => s.kind !== "attach");
  const left: string[] = [];
  if (failed.kind === "build") {
    const cleanup = await dropInvalidIndex(db, failed.schema, failed.index);
    if (!cleanup.dropped && !cleanup.absent)
      left.push(`DROP INDEX CONCURRENTLY IF EXISTS ${exactName(failed.schema, failed.index)};`);
  }
  let session: PostgresConnector | null = null;
  try {
    session = await freshSession(db);
    await session.allowWrites();
    // An attached index cannot be dropped on its own: the root's DROP INDEX takes every index attached under it,
    // then what was not attached yet goes: ON ONLY indexes of sub-partitions, leaves (CONCURRENTLY).
    const drop = async (step: PartitionStep, concurrently: boolean) => {
      const statement = `DROP INDEX ${concurrently ? "CONCURRENTLY " : ""}IF EXISTS ${exactName(step.schema, step.index)};`;
      await session?.query(statement.replace(/;$/, "")).catch(() => left.push(statement));
    };
    for (const step of created.filter((s) => s.kind === "only")) await drop(step, false);
    for (const step of created.filter((s) => s.kind === "build")) await drop(step, true);
  } catch {
    for (const step of created)
      left.push(
        `DROP INDEX ${step.kind === "build" ? "CONCURRENTLY " : ""}IF EXISTS ${exactName(step.schema, step.index)};`,
      );
  } finally {
    await session?.close();
  }
  return [...new Set(left)];
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
