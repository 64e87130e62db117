import { randomBytes } from "node:crypto";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { mysqlIdent, mysqlQname, type SqlText, sql } from "../../util/sql-text.js";
import { sessionClosed, sessionOpened } from "../open-sessions.js";
import { cleanUpOnSignals } from "../signal-cleanup.js";
import {
  type MysqlCapabilities,
  readMysqlCapabilities,
  statementTimeLimitSql,
} from "./mysql-capabilities.js";
import { DBOPT_TAG } from "./mysql-connector.js";
import { mapMysqlError } from "./mysql-error-mapping.js";
import {
  killQuery,
  limitMysqlSession,
  MYSQL_SESSION_DEFAULTS,
  type MysqlSessionLimits,
  openMysqlConnection,
} from "./mysql-session.js";
import type { MysqlTarget } from "./mysql-target.js";

/** Each statement's limit (statementTimeoutMs); a DDL statement may be given its own (timeLimitMs of execute). */
export type MysqlSandboxOptions = MysqlSessionLimits;

/** Scratch databases are named so; `SHOW DATABASES LIKE 'dbopt\_scratch\_%'` finds any left by a killed process. */
export const SCRATCH_PREFIX = "dbopt_scratch_";

/**
 * A writable session for what-if work on MySQL/MariaDB (building candidate indexes, switching them off, running
 * statements): either on a database the user marked as a copy (`--sandbox URL`), or on a scratch database dbopt
 * creates on a server and drops on close(), on SIGINT/SIGTERM/SIGHUP, and never leaves behind knowingly. Every
 * statement is tagged `/* dbopt *\/` and limited in time and in lock waits, as the read-only connector's are; only
 * the read-only transaction mode is missing.
 */
export class MysqlSandbox {
  private capabilitiesCache: MysqlCapabilities | undefined;
  private closed = false;
  /** Set by a signal: the scratch database is being dropped from another session. */
  private abandoning: Promise<void> | null = null;

  private constructor(
    private readonly connection: Connection,
    readonly target: MysqlTarget,
    readonly options: MysqlSandboxOptions,
    /** The database the session works in (the user's copy, or the scratch one). */
    readonly database: string,
    /** True when dbopt created the database and drops it on close. */
    readonly scratch: boolean,
    private readonly connectionId: number,
  ) {}

  /** A session on the database the user marked as a throw-away copy; nothing is created or dropped. */
  static async open(target: MysqlTarget, options: Partial<MysqlSandboxOptions> = {}): Promise<MysqlSandbox> {
    const settings = { ...MYSQL_SESSION_DEFAULTS, ...options };
    const connection = await openMysqlConnection(target, settings, target.database);
    return MysqlSandbox.start(connection, target, settings, target.database, false);
  }

  /**
   * A new empty database on the server of `server` (its database part is only the place to log in), dropped on
   * close and on signals. Needs CREATE and DROP on the server.
   */
  static async createScratch(
    server: MysqlTarget,
    options: Partial<MysqlSandboxOptions> = {},
  ): Promise<MysqlSandbox> {
    const settings = { ...MYSQL_SESSION_DEFAULTS, ...options };
    const name = `${SCRATCH_PREFIX}${randomBytes(6).toString("hex")}`;
    const connection = await openMysqlConnection(server, settings, undefined);
    try {
      await connection.query(`CREATE DATABASE ${mysqlIdent(name)}${DBOPT_TAG}`);
    } catch (error) {
      await connection.end().catch(() => {});
      throw mapMysqlError(error, server, "CREATE DATABASE");
    }
    const target = { ...server, database: name, display: server.display.replace(/\/[^/]*$/, `/${name}`) };
    try {
      await connection.query(`USE ${mysqlIdent(name)}${DBOPT_TAG}`);
    } catch (error) {
      await connection.query(`DROP DATABASE IF EXISTS ${mysqlIdent(name)}${DBOPT_TAG}`).catch(() => {});
      await connection.end().catch(() => {});
      throw mapMysqlError(error, server, "USE");
    }
    return MysqlSandbox.start(connection, target, settings, name, true);
  }

  private static async start(
    connection: Connection,
    target: MysqlTarget,
    settings: MysqlSandboxOptions,
    database: string,
    scratch: boolean,
  ): Promise<MysqlSandbox> {
    connection.on("error", () => {});
    let id = 0;
    try {
      const [rows] = await connection.query<RowDataPacket[]>(`SELECT CONNECTION_ID() AS id${DBOPT_TAG}`);
      id = Number(rows[0]?.id ?? 0);
    } catch (error) {
      await connection.end().catch(() => {});
      throw mapMysqlError(error, target);
    }
    const sandbox = new MysqlSandbox(connection, target, settings, database, scratch, id);
    if (scratch) liveScratches.add(sandbox);
    sessionOpened(sandbox);
    installHooks();
    try {
      await sandbox.startSession();
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    return sandbox;
  }

  /** Rows as plain objects; a failure becomes one DbError. */
  async query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    try {
      const [rows] = await this.connection.query<RowDataPacket[]>(`${text}${DBOPT_TAG}`, params);
      return rows as unknown as T[];
    } catch (error) {
      // The statement was stopped for the drop: let the drop finish before the caller sees (and reports) it.
      if (this.abandoning) await this.abandoning;
      throw mapMysqlError(error, this.target, text);
    }
  }

  /**
   * A statement that changes something (DDL, a data load): its own time limit when given, since building an index
   * may take longer than a query should.
   */
  async execute(text: string, options: { timeLimitMs?: number; params?: unknown[] } = {}): Promise<void> {
    const { timeLimitMs, params = [] } = options;
    if (timeLimitMs === undefined) {
      await this.query(text, params);
      return;
    }
    const { flavour } = await this.capabilities();
    await this.query(statementTimeLimitSql(flavour, timeLimitMs));
    try {
      await this.query(text, params);
    } finally {
      await this.query(statementTimeLimitSql(flavour, this.options.statementTimeoutMs));
    }
  }

  async capabilities(): Promise<MysqlCapabilities> {
    if (this.capabilitiesCache) return this.capabilitiesCache;
    this.capabilitiesCache = await readMysqlCapabilities((text) => this.query(text));
    return this.capabilitiesCache;
  }

  /**
   * The statement that hides an index from the optimizer or shows it again without rebuilding it: MariaDB 10.6+'s
   * IGNORED, MySQL 8's INVISIBLE. Null where the server has neither (the index must be dropped and rebuilt).
   */
  async indexVisibilitySql(table: string, index: string, visible: boolean): Promise<SqlText | null> {
    const caps = await this.capabilities();
    if (!caps.invisibleIndexes) return null;
    const word =
      caps.flavour === "mariadb" ? (visible ? "NOT IGNORED" : "IGNORED") : visible ? "VISIBLE" : "INVISIBLE";
    return sql`ALTER TABLE ${mysqlQname(this.database, table)} ALTER INDEX ${mysqlIdent(index)} ${word as SqlText}`;
  }

  /** Stop the statement this session runs (KILL QUERY from another session): Ctrl-C in the CLI. */
  cancel(): Promise<boolean> {
    return killQuery(this.target, this.options, this.connectionId);
  }

  /** Drop the scratch database (if dbopt made it) and end the session; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    liveScratches.delete(this);
    sessionClosed(this);
    if (this.scratch) {
      await this.connection
        .query(`DROP DATABASE IF EXISTS ${mysqlIdent(this.database)}${DBOPT_TAG}`)
        .catch(async () => {
          // The session may be broken (a killed statement): drop from a fresh one.
          await dropFromFreshSession(this.target, this.options, this.database, this.connectionId);
        });
    }
    await this.connection.end().catch(() => {});
  }

  /** After a signal: stop what the session runs and drop the scratch database from a second session. */
  abandon(): Promise<void> {
    if (this.abandoning) return this.abandoning;
    if (this.closed) return Promise.resolve();
    this.closed = true;
    liveScratches.delete(this);
    sessionClosed(this);
    this.abandoning = (async () => {
      if (this.scratch)
        await dropFromFreshSession(this.target, this.options, this.database, this.connectionId);
      this.connection.destroy();
    })();
    return this.abandoning;
  }

  private async startSession(): Promise<void> {
    await limitMysqlSession(
      (text) => this.query(text),
      () => this.capabilities(),
      this.options,
    );
  }
}

async function dropFromFreshSession(
  target: MysqlTarget,
  settings: MysqlSandboxOptions,
  database: string,
  sessionId: number,
): Promise<void> {
  let admin: Connection | undefined;
  try {
    admin = await openMysqlConnection(target, settings, undefined);
    admin.on("error", () => {});
    // A statement still running in the scratch database would hold its metadata lock and block the DROP.
    if (sessionId) await admin.query(`KILL QUERY ${Number(sessionId)}${DBOPT_TAG}`).catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS ${mysqlIdent(database)}${DBOPT_TAG}`);
  } catch {
    // Nothing more to do here; the name prefix lets the user find it (SCRATCH_PREFIX).
  } finally {
    await admin?.end().catch(() => {});
  }
}

/** Scratch databases of this process, dropped on signals. */
const liveScratches = new Set<MysqlSandbox>();
let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Someone else listens too (the CLI's interrupt handler): they decide when to exit, and close() as usual.
  cleanUpOnSignals("the scratch database dbopt made is dropped", () =>
    Promise.allSettled([...liveScratches].map((s) => s.abandon())),
  );
}
