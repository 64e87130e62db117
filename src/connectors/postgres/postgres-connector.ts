import pg from "pg";
import { sessionClosed, sessionOpened } from "../open-sessions.js";
import { detectCapabilities, type PgCapabilities } from "./capabilities.js";
import { CopyInQuery, CopyOutQuery } from "./copy-stream.js";
import { toDbError } from "./pg-error-mapping.js";
import { statementEnds } from "./statement-ends.js";
import type { PgTarget } from "./target.js";
import { inTransactionBlock } from "./transaction-block.js";

/**
 * Every statement dbopt sends ends with this, so DBAs can see (and filter out) what dbopt ran. At the end, not
 * the start: PostgreSQL 18's pg_stat_statements drops a leading comment (15's keeps it), and keeps a trailing one
 * only when it comes before the statement's semicolon.
 */
export const DBOPT_TAG = "/* dbopt */";

/**
 * The text with dbopt's tag before each statement's closing `;` (pg_stat_statements keeps a statement up to its
 * semicolon, and records each statement of a multi-statement text on its own), and after a last statement that
 * has none. On a line of its own, so a line comment at a statement's end cannot swallow it.
 */
export function tagged(sql: string): string {
  const { semicolons, openTail } = statementEnds(sql);
  let out = "";
  let from = 0;
  for (const at of semicolons) {
    out += `${sql.slice(from, at)}\n${DBOPT_TAG}`;
    from = at;
  }
  out += sql.slice(from);
  return openTail ? `${out}\n${DBOPT_TAG}` : out;
}

export interface ConnectorOptions {
  /** Per-statement limit; applies to everything dbopt runs, EXPLAIN ANALYZE included. */
  statementTimeoutMs: number;
  /** How long any statement may wait for a lock. */
  lockTimeoutMs: number;
  connectTimeoutMs: number;
}

const DEFAULT_CONNECTOR_OPTIONS: ConnectorOptions = {
  statementTimeoutMs: 30_000,
  lockTimeoutMs: 2_000,
  connectTimeoutMs: 10_000,
};

// Numbers that fit a double come back as numbers; int8 and numeric stay strings unless the caller converts.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * A read-only PostgreSQL session. The session default is READ ONLY, so a statement that would write fails
 * on the server; the only way to write is `inRolledBackTransaction`, whose changes are always discarded.
 */
export class PostgresConnector {
  private capabilitiesCache: PgCapabilities | null = null;
  private transactionDepth = 0;

  private constructor(
    private readonly client: pg.Client,
    readonly target: PgTarget,
    /** current_user, for the GRANT a permission error needs. */
    readonly role: string,
    /** The server process of this session (to cancel its statement from another session). */
    readonly backendPid: number,
    readonly options: ConnectorOptions,
  ) {}

  static async connect(
    target: PgTarget,
    options: Partial<ConnectorOptions> = {},
  ): Promise<PostgresConnector> {
    const opts = { ...DEFAULT_CONNECTOR_OPTIONS, ...options };
    let session: { role: string; pid: number };
    const client = newClient(target, opts.connectTimeoutMs);
    try {
      await client.connect();
      await client.query(
        [
          `SET statement_timeout = ${Math.round(opts.statementTimeoutMs)}`,
          `SET lock_timeout = ${Math.round(opts.lockTimeoutMs)}`,
          "SET idle_in_transaction_session_timeout = 60000",
          "SET default_transaction_read_only = on",
        ]
          .map((statement) => `${statement} ${DBOPT_TAG};`)
          .join(" "),
      );
      const row = (
        await client.query<{ role: string; pid: number }>(
          tagged("select current_user as role, pg_backend_pid() as pid"),
        )
      ).rows[0];
      session = { role: String(row?.role ?? ""), pid: Number(row?.pid ?? 0) };
    } catch (error) {
      await client.end().catch(() => {});
      throw toDbError(error, target, target.user);
    }
    const connector = new PostgresConnector(client, target, session.role, session.pid, opts);
    sessionOpened(connector);
    return connector;
  }

  /** Cancel what this session is running, from a session of its own (this one is busy waiting for it). */
  async cancel(): Promise<boolean> {
    const other = newClient(this.target, this.options.connectTimeoutMs);
    try {
      await other.connect();
      await other.query(tagged("select pg_cancel_backend($1)"), [this.backendPid]);
      return true;
    } catch {
      return false;
    } finally {
      await other.end().catch(() => {});
    }
  }

  /** Run one read. Outside an explicit transaction it runs in its own READ ONLY transaction. */
  async query<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      const result = await this.client.query(tagged(sql), params);
      return result.rows as R[];
    } catch (error) {
      throw toDbError(error, this.target, this.role);
    }
  }

  /**
   * COPY ... TO STDOUT (text format), each chunk of bytes handed to `read` as it arrives; a promise from `read`
   * holds the server's stream until it settles. Resolves with the rows copied. Read-only like any other read.
   */
  async copyOut(sql: string, read: (chunk: Buffer) => undefined | Promise<void>): Promise<number> {
    const copy = new CopyOutQuery(tagged(sql), read);
    try {
      await this.client.query(copy as unknown as pg.QueryConfig);
      return await copy.finished;
    } catch (error) {
      throw toDbError(error, this.target, this.role);
    }
  }

  /**
   * COPY ... FROM STDIN: write() the text-format bytes (wait when it returns a promise), then end() for the rows
   * copied. It writes, so it runs only on a session allowed to (allowWrites: dbopt's own sandbox).
   */
  async copyIn(sql: string): Promise<{
    write(chunk: Buffer): undefined | Promise<void>;
    end(): Promise<number>;
    abort(reason: string): Promise<number>;
  }> {
    const copy = new CopyInQuery(tagged(sql));
    const mapped = (error: unknown) => toDbError(error, this.target, this.role);
    void this.client.query(copy as unknown as pg.QueryConfig);
    await copy.ready.catch((error: unknown) => {
      throw mapped(error);
    });
    return {
      write: (chunk) => copy.write(chunk)?.catch((error: unknown) => Promise.reject(mapped(error))),
      end: () => copy.end().catch((error: unknown) => Promise.reject(mapped(error))),
      abort: (reason) => copy.abort(reason),
    };
  }

  /** Several reads that must see one consistent snapshot. */
  async inReadOnlySnapshot<T>(work: () => Promise<T>): Promise<T> {
    // Inside another transaction, the work simply joins it (a nested BEGIN would be ignored, and SET TRANSACTION fail).
    if (this.transactionDepth > 0) return this.nested(work, false);
    this.transactionDepth++;
    try {
      return await inTransactionBlock(
        (sql) => this.query(sql),
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        work,
      );
    } finally {
      this.transactionDepth--;
    }
  }

  /**
   * Run work in a READ WRITE transaction that is always rolled back: EXPLAIN ANALYZE of a data-changing
   * statement, or what-if DDL on a sandbox. Nothing it does survives. Nested, it rolls back to a savepoint.
   */
  async inRolledBackTransaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.transactionDepth > 0) return this.nested(work, true);
    await this.query("BEGIN READ WRITE");
    this.transactionDepth++;
    try {
      return await work();
    } finally {
      this.transactionDepth--;
      await this.query("ROLLBACK").catch(() => {});
    }
  }

  private async nested<T>(work: () => Promise<T>, rollBack: boolean): Promise<T> {
    const savepoint = `dbopt_${this.transactionDepth}`;
    await this.query(`SAVEPOINT ${savepoint}`);
    this.transactionDepth++;
    try {
      const out = await work();
      await this.query(rollBack ? `ROLLBACK TO SAVEPOINT ${savepoint}` : `RELEASE SAVEPOINT ${savepoint}`);
      return out;
    } catch (error) {
      await this.query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => {});
      throw error;
    } finally {
      this.transactionDepth--;
    }
  }

  /**
   * Let this session write: only for what the user asked for explicitly (--apply, or what-if indexes on a
   * database marked --sandbox). Statements still carry the tag and the timeouts.
   */
  async allowWrites(): Promise<void> {
    await this.query("SET default_transaction_read_only = off");
  }

  async capabilities(): Promise<PgCapabilities> {
    this.capabilitiesCache ??= await detectCapabilities(this);
    return this.capabilitiesCache;
  }

  async close(): Promise<void> {
    sessionClosed(this);
    await this.client.end().catch(() => {});
  }
}

/** A client for the target, not yet connected, named dbopt in pg_stat_activity. */
function newClient(target: PgTarget, connectTimeoutMs: number): pg.Client {
  const client = new pg.Client({
    ...target.config,
    application_name: "dbopt",
    connectionTimeoutMillis: connectTimeoutMs,
  });
  // A dropped connection must not crash the process with an unhandled 'error' event.
  client.on("error", () => {});
  return client;
}
