/**
 * What the read-only connector (mysql-connector.ts) and the writable sandbox (mysql-sandbox.ts) set up alike: the
 * driver's connection, and each session's limits on lock waits and statement time.
 */
import type { Connection } from "mysql2/promise";
import { type MysqlCapabilities, statementTimeLimitSql } from "./mysql-capabilities.js";
import { mapMysqlError } from "./mysql-error-mapping.js";
import type { MysqlTarget } from "./mysql-target.js";

export interface MysqlSessionLimits {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
}

export const MYSQL_SESSION_DEFAULTS: MysqlSessionLimits = {
  statementTimeoutMs: 30_000,
  lockTimeoutMs: 2_000,
  connectTimeoutMs: 10_000,
};

/** A connection to `database` on the target's server (none chosen when undefined); a failure becomes one DbError. */
export async function openMysqlConnection(
  target: MysqlTarget,
  limits: MysqlSessionLimits,
  database: string | undefined,
): Promise<Connection> {
  // The driver is loaded only by commands that connect to MySQL.
  const mysql = await import("mysql2/promise");
  try {
    return await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      ...(target.password !== undefined ? { password: target.password } : {}),
      ...(database !== undefined ? { database } : {}),
      connectTimeout: limits.connectTimeoutMs,
      supportBigNumbers: true,
      dateStrings: true,
      multipleStatements: false,
    });
  } catch (error) {
    throw mapMysqlError(error, target);
  }
}

/** Limits the session's lock waits (whole seconds, at least one) and each statement's time. */
export async function limitMysqlSession(
  query: (text: string) => Promise<unknown>,
  capabilities: () => Promise<MysqlCapabilities>,
  limits: MysqlSessionLimits,
): Promise<void> {
  const lockSeconds = Math.max(1, Math.ceil(limits.lockTimeoutMs / 1000));
  await query(
    `SET SESSION lock_wait_timeout = ${lockSeconds}, SESSION innodb_lock_wait_timeout = ${lockSeconds}`,
  );
  const { flavour } = await capabilities();
  await query(statementTimeLimitSql(flavour, limits.statementTimeoutMs));
}

/** KILL QUERY the statement session `threadId` runs, from a connection of its own; false when that fails. */
export async function killQuery(
  target: MysqlTarget,
  limits: MysqlSessionLimits,
  threadId: number,
): Promise<boolean> {
  if (!threadId) return false;
  let admin: Connection | undefined;
  try {
    admin = await openMysqlConnection(target, limits, undefined);
    admin.on("error", () => {});
    await admin.query(`KILL QUERY ${Number(threadId)} /* dbopt */`);
    return true;
  } catch {
    return false;
  } finally {
    await admin?.end().catch(() => {});
  }
}
