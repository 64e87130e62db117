import type { Readable } from "node:stream";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { sessionClosed, sessionOpened } from "../open-sessions.js";
import { type MysqlCapabilities, readMysqlCapabilities } from "./mysql-capabilities.js";
import { mapMysqlError } from "./mysql-error-mapping.js";
import {
  killQuery,
  limitMysqlSession,
  MYSQL_SESSION_DEFAULTS,
  type MysqlSessionLimits,
  openMysqlConnection,
} from "./mysql-session.js";
import type { MysqlTarget } from "./mysql-target.js";

export type { MysqlCapabilities } from "./mysql-capabilities.js";

export type MysqlConnectorOptions = MysqlSessionLimits;

/** The callback connection under mysql2's promise wrapper, for the streaming query the wrapper lacks. */
interface StreamingConnection {
  query(options: {
    sql: string;
    values: unknown[];
    typeCast: (
      field: {
        type: string;
        extendedFormat?: string;
        string(encoding?: string): string | null;
        buffer(): Buffer | null;
      },
      next: () => unknown,
    ) => unknown;
  }): { stream(options: { highWaterMark: number }): Readable };
}

/** At the end, as for PostgreSQL: SHOW PROCESSLIST and the slow log show the whole text with it. The digest text drops comments (MariaDB 10.11), so collect-mysql-facts.ts knows its own statements by what they read. */
export const DBOPT_TAG = " /* dbopt */";

/**
 * One read-only session on a MySQL or MariaDB server: every statement tagged, each limited in time
 * (max_execution_time on MySQL, max_statement_time on MariaDB) and in lock waits.
 */
export class MysqlConnector {
  private capabilitiesCache: MysqlCapabilities | undefined;

  private constructor(
    private readonly connection: Connection,
    readonly target: MysqlTarget,
    readonly options: MysqlConnectorOptions,
  ) {}

  static async connect(
    target: MysqlTarget,
    options: Partial<MysqlConnectorOptions> = {},
  ): Promise<MysqlConnector> {
    const settings = { ...MYSQL_SESSION_DEFAULTS, ...options };
    const connection = await openMysqlConnection(target, settings, target.database);
    connection.on("error", () => {});
    const db = new MysqlConnector(connection, target, settings);
    try {
      await db.startSession();
    } catch (error) {
      await connection.end().catch(() => {});
      throw error;
    }
    sessionOpened(db);
    return db;
  }

  /** Stop the statement this session runs (KILL QUERY from another session): Ctrl-C in the CLI. */
  cancel(): Promise<boolean> {
    return killQuery(this.target, this.options, this.connection.threadId ?? 0);
  }

  /** Rows as plain objects; a failure becomes one DbError. */
  async query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const tagged = `${text}${DBOPT_TAG}`;
    try {
      const [rows] = await this.connection.query<RowDataPacket[]>(tagged, params);
      return rows as unknown as T[];
    } catch (error) {
      throw mapMysqlError(error, this.target, text);
    }
  }

  /**
   * The rows of a SELECT one by one as the server sends them, read on as the caller takes them (the driver pauses
   * the socket meanwhile), so a whole table never sits in memory. Values come back so that they can be written
   * again as they were: JSON as its text, a geometry as the server's own bytes.
   */
  async *streamRows(text: string, params: unknown[] = []): AsyncGenerator<Record<string, unknown>> {
    const core = (this.connection as unknown as { connection: StreamingConnection }).connection;
    const rows = core
      .query({
        sql: `${text}${DBOPT_TAG}`,
        values: params,
        // MariaDB's JSON is LONGTEXT, marked only in its extended metadata.
        typeCast: (field, next) =>
          field.type === "JSON" || field.extendedFormat === "json"
            ? field.string("utf8")
            : field.type === "GEOMETRY"
              ? field.buffer()
              : next(),
      })
      .stream({ highWaterMark: 256 });
    try {
      for await (const row of rows) yield row as Record<string, unknown>;
    } catch (error) {
      throw mapMysqlError(error, this.target, text);
    }
  }

  /** Like query, but a missing table or privilege gives null (an optional source such as performance_schema). */
  async tryQuery<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[] | null> {
    try {
      return await this.query<T>(text, params);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "query-failed" || code === "permission-denied") return null;
      throw error;
    }
  }

  async capabilities(): Promise<MysqlCapabilities> {
    if (this.capabilitiesCache) return this.capabilitiesCache;
    this.capabilitiesCache = await readMysqlCapabilities((text) => this.query(text));
    return this.capabilitiesCache;
  }

  /**
   * Work in a transaction that is always rolled back, the session's read-only default lifted for it: MariaDB
   * refuses even EXPLAIN of an UPDATE in a read-only transaction, and ANALYZE of a data change runs it.
   */
  async inRolledBackTransaction<T>(work: () => Promise<T>): Promise<T> {
    await this.query("START TRANSACTION READ WRITE");
    try {
      return await work();
    } finally {
      await this.query("ROLLBACK").catch(() => {});
    }
  }

  async close(): Promise<void> {
    sessionClosed(this);
    await this.connection.end().catch(() => {});
  }

  /** Read-only, with time limits; the flavour picks the variable that limits a statement. */
  private async startSession(): Promise<void> {
    await this.query("SET SESSION TRANSACTION READ ONLY");
    await limitMysqlSession(
      (text) => this.query(text),
      () => this.capabilities(),
      this.options,
    );
  }
}
