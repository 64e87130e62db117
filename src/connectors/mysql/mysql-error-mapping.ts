import { DbError, type DbErrorCode } from "../db-error.js";
import type { MysqlTarget } from "./mysql-target.js";

interface DriverError {
  code?: string;
  errno?: number;
  sqlState?: string;
  message?: string;
}

/**
 * mysql2's errors as dbopt's DbError: one line, a hint, never the password. Server errors by their errno
 * (the same numbers on MySQL and MariaDB), network errors by their Node code.
 */
export function mapMysqlError(error: unknown, target: MysqlTarget, query?: string): DbError {
  if (error instanceof DbError) return error;
  const e = (error ?? {}) as DriverError;
  const where = `${target.host}:${target.port}`;
  const raw = scrub(String(e.message ?? error), target.password);
  const make = (code: DbErrorCode, message: string, hint: string) =>
    new DbError({ code, message, hint, cause: error, ...(e.sqlState ? { sqlState: e.sqlState } : {}) });
  switch (e.code) {
    case "ECONNREFUSED":
      return make(
        "connection-refused",
        `no MySQL/MariaDB server answers at ${where}`,
        "is the server running, and on this port?",
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return make("host-not-found", `host ${target.host} not found`, "check the host name in --db");
    case "ETIMEDOUT":
      return make(
        "connection-timeout",
        `connecting to ${where} timed out`,
        "check the host, port and firewall",
      );
  }
  switch (e.errno) {
    // ER_DBACCESS_DENIED_ERROR: the login worked; the user may not use this database (at connect, or CREATE DATABASE
    // for a scratch copy). The password is not the problem, so the hint must not send the user to check it.
    case 1044: {
      const creating = /^\s*CREATE DATABASE/i.test(query ?? "");
      return make(
        "permission-denied",
        `${target.user} may not ${creating ? "create databases" : "use this database"} on ${where}: ${raw}`,
        creating
          ? "--sample makes a scratch database dbopt_scratch_...: GRANT ALL ON `dbopt\\_scratch\\_%`.* TO the user, or give a copy with --sandbox URL"
          : "name a database it may read in --db, or GRANT SELECT ON that database to the user",
      );
    }
    case 1045:
    // ER_ACCESS_DENIED_NO_PASSWORD_ERROR: the user gave no password, or does not exist (MariaDB says so for both).
    case 1698:
      return make(
        "auth-failed",
        `access denied for user ${target.user} on ${where}`,
        "check the user and password (MYSQL_PWD or the URL)",
      );
    case 1049:
      return make(
        "database-missing",
        `database ${target.database} does not exist on ${where}`,
        "name an existing database in --db (SHOW DATABASES lists them)",
      );
    case 1142:
    case 1143:
    case 1227:
      return make(
        "permission-denied",
        `permission denied: ${raw}`,
        "dbopt needs SELECT on the schema, PROCESS, and SELECT on performance_schema",
      );
    case 3024: // MySQL: max_execution_time exceeded
    case 1969: // MariaDB: max_statement_time exceeded
    case 1317: // query interrupted
      return make(
        "statement-timeout",
        `a statement took longer than its time limit${query ? ` (${label(query)})` : ""}`,
        "raise --statement-timeout",
      );
    case 1205:
      return make(
        "lock-timeout",
        "a statement waited too long for a lock",
        "raise --lock-timeout or retry when the lock is gone",
      );
  }
  return make(
    "query-failed",
    `query failed: ${raw}${query ? ` (${label(query)})` : ""}`,
    "run with --debug for details",
  );
}

function label(query: string): string {
  return query.replace(/\s+/g, " ").trim().slice(0, 80);
}

function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("***") : text;
}
