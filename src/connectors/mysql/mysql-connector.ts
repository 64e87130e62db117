import type { Connection, RowDataPacket } from "mysql2/promise";
import { mapMysqlError } from "./mysql-error-mapping.js";
import type { MysqlTarget } from "./mysql-target.js";

export interface MysqlConnectorOptions {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
}

/** What the server is and what it lets dbopt see: the adapters branch on these flags, never on a name. */
export interface MysqlCapabilities {
  flavour: "mysql" | "mariadb";
  /** "10.11.19" or "8.0.36". */
  version: string;
  /** The whole version string the server printed ("10.11.19-MariaDB-0+deb12u1"). */
  versionText: string;
  majorMinor: [number, number];
  performanceSchema: boolean;
  /** The sys schema is installed (MySQL 5.7+ ships it; MariaDB 10.6+ too). */
  sysSchema: boolean;
  /** MariaDB's user statistics plugin (INDEX_STATISTICS, TABLE_STATISTICS) is collecting. */
  userstat: boolean;
  innodb: boolean;
  /** MySQL 8's invisible indexes or MariaDB 10.6's IGNORED indexes. */
  invisibleIndexes: boolean;
}

/** At the end, as for PostgreSQL: SHOW PROCESSLIST and the slow log show the whole text with it. The digest text drops comments (MariaDB 10.11), so collect-mysql-facts.ts knows its own statements by what they read. */
export const DBOPT_TAG = " /* dbopt */";

const DEFAULTS: MysqlConnectorOptions = {
  statementTimeoutMs: 30_000,
  lockTimeoutMs: 2_000,
  connectTimeoutMs: 10_000,
};

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
    const settings = { ...DEFAULTS, ...options };
    // The driver is loaded only by commands that connect to MySQL.
    const mysql = await import("mysql2/promise");
    let connection: Connection;
    try {
      connection = await mysql.createConnection({
        host: target.host,
        port: target.port,
        user: target.user,
        ...(target.password !== undefined ? { password: target.password } : {}),
        database: target.database,
        connectTimeout: settings.connectTimeoutMs,
        supportBigNumbers: true,
        dateStrings: true,
        multipleStatements: false,
      });
    } catch (error) {
      throw mapMysqlError(error, target);
    }
    connection.on("error", () => {});
    const db = new MysqlConnector(connection, target, settings);
    try {
      await db.startSession();
    } catch (error) {
      await connection.end().catch(() => {});
      throw error;
    }
    return db;
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
    const [row] = await this.query<{ v: string; comment: string | null }>(
      "SELECT VERSION() AS v, @@version_comment AS comment",
    );
    const versionText = String(row?.v ?? "");
    const flavour = /mariadb/i.test(`${versionText} ${row?.comment ?? ""}`) ? "mariadb" : "mysql";
    const version = /^(\d+\.\d+\.\d+)/.exec(versionText)?.[1] ?? versionText;
    const [major = 0, minor = 0] = version.split(".").map(Number);
    const variables = new Map(
      (
        await this.query<{ Variable_name: string; Value: string }>(
          "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('performance_schema', 'userstat')",
        )
      ).map((v) => [v.Variable_name.toLowerCase(), String(v.Value).toUpperCase()]),
    );
    const schemas = await this.query<{ name: string }>(
      "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('sys', 'performance_schema')",
    );
    const engines = await this.query<{ support: string }>(
      "SELECT SUPPORT AS support FROM information_schema.ENGINES WHERE ENGINE = 'InnoDB'",
    );
    const on = (v: string | undefined) => v === "ON" || v === "1";
    this.capabilitiesCache = {
      flavour,
      version,
      versionText,
      majorMinor: [major, minor],
      performanceSchema: on(variables.get("performance_schema")),
      sysSchema: schemas.some((s) => s.name === "sys"),
      userstat: on(variables.get("userstat")),
      innodb: engines.some((e) => e.support === "YES" || e.support === "DEFAULT"),
      invisibleIndexes: flavour === "mysql" ? major >= 8 : major > 10 || (major === 10 && minor >= 6),
    };
    return this.capabilitiesCache;
  }

  async close(): Promise<void> {
    await this.connection.end().catch(() => {});
  }

  /** Read-only, with time limits; the flavour picks the variable that limits a statement. */
  private async startSession(): Promise<void> {
    await this.query("SET SESSION TRANSACTION READ ONLY");
    const lockSeconds = Math.max(1, Math.ceil(this.options.lockTimeoutMs / 1000));
    await this.query(
      `SET SESSION lock_wait_timeout = ${lockSeconds}, SESSION innodb_lock_wait_timeout = ${lockSeconds}`,
    );
    const { flavour } = await this.capabilities();
    if (flavour === "mariadb") {
      await this.query(
        `SET SESSION max_statement_time = ${(this.options.statementTimeoutMs / 1000).toFixed(3)}`,
      );
    } else {
      await this.query(`SET SESSION max_execution_time = ${Math.round(this.options.statementTimeoutMs)}`);
    }
  }
}
