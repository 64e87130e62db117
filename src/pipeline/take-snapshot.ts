import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectSnapshot } from "../facts/collect/collect-snapshot.js";
import type { Snapshot } from "../facts/snapshot.js";

/**
 * `dbopt snapshot`: every fact dbopt uses, collected read-only; the CLI writes it to the JSON file the other
 * commands take with --snapshot (`writeSnapshot`). `statements` is how many pg_stat_statements entries to keep, by
 * total time.
 */
export function takeSnapshot(db: PostgresConnector, options: { statements: number }): Promise<Snapshot> {
  return collectSnapshot(db, { statementLimit: options.statements });
}
