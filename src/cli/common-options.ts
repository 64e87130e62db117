import type { Command } from "commander";
import type { ConnectorOptions, PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { parseDuration } from "./durations.js";

export interface ConnectionFlags {
  db?: string;
  statementTimeout?: string;
  lockTimeout?: string;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      "--db <url>",
      "PostgreSQL URL (else DATABASE_URL, else the PG* variables); analyze, check, advise, explain, tune and migrate also take mysql:// or mariadb://",
    )
    .option("--statement-timeout <duration>", "limit for each statement dbopt runs", "30s")
    .option("--lock-timeout <duration>", "how long any statement may wait for a lock", "2s");
}

export function addOutputOptions(command: Command): Command {
  return command
    .option("--format <format>", "terminal, json, markdown or html", "terminal")
    .option("-o, --output <file>", "write the report to a file instead of standard output")
    .option("--no-color", "plain text even on a terminal")
    .option("--fail-on <severity>", "exit 1 when a finding is at least this severe (error, warning, info)")
    .option("--debug", "show stack traces and details of errors");
}

/** Connect read-only with the user's timeouts, run the work, always disconnect. */
export async function withConnection<T>(
  flags: ConnectionFlags,
  work: (db: PostgresConnector) => Promise<T>,
): Promise<T> {
  const db = await openConnection(flags);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** A read-only connection with the user's timeouts; the caller closes it. */
export async function openConnection(flags: ConnectionFlags): Promise<PostgresConnector> {
  // The driver is loaded by the commands that connect, not by every command.
  const [{ PostgresConnector }, { resolveTarget }] = await Promise.all([
    import("../connectors/postgres/postgres-connector.js"),
    import("../connectors/postgres/target.js"),
  ]);
  const target = resolveTarget({ db: flags.db });
  const options: Partial<ConnectorOptions> = {
    statementTimeoutMs: parseDuration(flags.statementTimeout ?? "30s", "--statement-timeout"),
    lockTimeoutMs: parseDuration(flags.lockTimeout ?? "2s", "--lock-timeout"),
  };
  return PostgresConnector.connect(target, options);
}

/** Progress for people, on standard error, only when it is a terminal (or forced for the demo). */
export function progressReporter(force = false): (message: string) => void {
  if (!force && !process.stderr.isTTY) return () => {};
  return (message) => process.stderr.write(`  … ${message}\n`);
}
