import { quoteIdent } from "../../util/sql-identifiers.js";
import { DbError } from "../db-error.js";
import { type PgTarget, scrubSecrets } from "./target.js";

interface PgLikeError {
  code?: string;
  message?: string;
  hostname?: string;
}

/**
 * The grant that fixes a "permission denied" (42501), for the object type the server names: never a privilege
 * the role may already have (pg_monitor does not let EXPLAIN read a table).
 */
export function permissionHint(message: string, role: string | undefined): string {
  const who = role ? quoteIdent(role) : "your_role";
  const m =
    /permission denied for (table|view|materialized view|sequence|schema|function|procedure|database|foreign table|large object) (.+?)\s*$/m.exec(
      message,
    );
  if (m) {
    // The server prints the bare name to the end of the line (a space or a quote in it included): quote it whole.
    const [, type, printed] = m;
    // ... except a database refused at connection time, which the server prints in double quotes.
    const bare = type === "database" ? (printed ?? "").replace(/^"(.*)"$/, "$1") : printed;
    const name = quoteIdent(bare ?? "");
    switch (type) {
      case "table":
      case "view":
      case "materialized view":
      case "foreign table":
        return `EXPLAIN needs the privileges the statement itself needs (SELECT to plan a read, INSERT/UPDATE/DELETE to plan a write): GRANT SELECT ON ${name} TO ${who}; (or GRANT pg_read_all_data TO ${who}; on PostgreSQL 14+ for every table)`;
      case "sequence":
        return `GRANT SELECT ON SEQUENCE ${name} TO ${who};`;
      case "schema":
        return `GRANT USAGE ON SCHEMA ${name} TO ${who};`;
      case "function":
      case "procedure":
        return `GRANT EXECUTE ON FUNCTION ${name} TO ${who}; (as its owner)`;
      case "database":
        return `GRANT CONNECT ON DATABASE ${name} TO ${who};`;
    }
  }
  if (/pg_read_all_stats|pg_monitor|pg_read_all_settings/.test(message)) return `GRANT pg_monitor TO ${who};`;
  if (/must be (the )?owner/.test(message))
    return `run it as the object's owner, or GRANT <owner role> TO ${who};`;
  return `ask for the privilege the message names for ${who} (as the object's owner or a superuser)`;
}

/** Turn whatever `pg` or the network threw into one DbError with advice, without secrets. */
export function toDbError(error: unknown, target: PgTarget, role?: string): DbError {
  if (error instanceof DbError) return error;
  const e = (error ?? {}) as PgLikeError;
  const raw = scrubSecrets(e.message ?? String(error), target.secret);
  const where = target.display;
  const make = (code: DbError["code"], message: string, hint: string) =>
    new DbError({
      code,
      message,
      hint,
      cause: error,
      ...(e.code && /^[0-9A-Z]{5}$/.test(e.code) ? { sqlState: e.code } : {}),
    });

  switch (e.code) {
    case "ECONNREFUSED":
      return make(
        "connection-refused",
        `cannot connect to ${where}: connection refused`,
        "check that the server is running and that host and port are right",
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return make(
        "host-not-found",
        `cannot connect to ${where}: unknown host`,
        "check the host name in --db",
      );
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return make(
        "connection-timeout",
        `cannot connect to ${where}: ${e.code === "ETIMEDOUT" ? "timed out" : "unreachable"}`,
        "check the host, port and any firewall between here and the server",
      );
    case "28P01":
      return make(
        "auth-failed",
        `authentication failed for ${where}`,
        "check the user name and password in --db or PGPASSWORD",
      );
    case "28000": {
      // 28000 is both "no pg_hba.conf entry" and a login role that does not exist: the message tells which.
      const missingRole = /role "(.*)" does not exist/.exec(raw)?.[1];
      if (missingRole !== undefined)
        return make(
          "auth-failed",
          `the server refused the connection to ${where}: role ${quoteIdent(missingRole)} does not exist`,
          `connect as an existing user in --db, or create this one (as a superuser): CREATE ROLE ${quoteIdent(missingRole)} LOGIN;`,
        );
      return make(
        "auth-failed",
        `the server refused the connection to ${where}: ${raw}`,
        "ask for a pg_hba.conf entry that lets this user connect from this host",
      );
    }
    case "3D000":
      return make(
        "database-missing",
        `database in ${where} does not exist`,
        "check the database name in --db; `psql -l` lists the existing ones",
      );
    case "57014":
      return make(
        "statement-timeout",
        `a query ran past dbopt's statement_timeout: ${raw}`,
        "raise it with --statement-timeout 120s",
      );
    case "55P03":
      return make(
        "lock-timeout",
        `a query waited for a lock past dbopt's lock_timeout: ${raw}`,
        "retry later, or raise --lock-timeout",
      );
    case "42501":
      return make("permission-denied", raw, permissionHint(raw, role));
    case "25006":
      return make(
        "permission-denied",
        `dbopt's session is read-only and the statement tried to write: ${raw}`,
        "this is dbopt keeping your database safe; use --analyze only on statements you accept to run in a rolled-back transaction",
      );
  }
  if (/timeout expired|Connection terminated due to connection timeout/i.test(raw)) {
    return make(
      "connection-timeout",
      `cannot connect to ${where}: timed out`,
      "check the host, port and network",
    );
  }
  if (/Connection terminated|ECONNRESET|server closed the connection/i.test(raw)) {
    return make(
      "connection-refused",
      `the connection to ${where} was closed: ${raw}`,
      "check the server log and that SSL settings match (sslmode)",
    );
  }
  if (/does not support SSL|SSL/i.test(raw) && !e.code) {
    return make(
      "connection-refused",
      `cannot connect to ${where}: ${raw}`,
      "add or remove sslmode=require in --db to match the server",
    );
  }
  return make("query-failed", raw, "run with --debug for details");
}
