import type { MysqlCapabilities } from "../../connectors/mysql/mysql-capabilities.js";
import type { MysqlConnector } from "../../connectors/mysql/mysql-connector.js";
import { redactSecrets } from "../../util/secret-sql-text.js";

/**
 * A runnable text for each statement digest, to EXPLAIN it: the digest text has `?` where the values were, which
 * no server plans. MySQL 8 keeps one in events_statements_summary_by_digest.QUERY_SAMPLE_TEXT; MariaDB 10.11 has
 * no such column, so the recent statements of events_statements_history_long and events_statements_history (when
 * their consumers are on) are searched for the digest. A text cut at performance_schema_max_sql_text_length
 * is not used: EXPLAIN of half a statement fails or, worse, plans another one.
 */
export interface StatementSamples {
  /** Digest → a statement text that produced it. */
  byDigest: Map<string, string>;
  /** Where the samples came from, or why some digests have none and how to let dbopt see them. */
  notes: string[];
}

const HISTORY_CONSUMERS = [
  "events_statements_current",
  "events_statements_history",
  "events_statements_history_long",
];

export async function readStatementSamples(
  db: MysqlConnector,
  caps: MysqlCapabilities,
  digests: string[],
): Promise<StatementSamples> {
  const byDigest = new Map<string, string>();
  const notes: string[] = [];
  if (digests.length === 0 || !caps.performanceSchema) return { byDigest, notes };
  const schema = db.target.database;
  const maxText = await maxSqlTextLength(db);
  const usable = (text: string | null) => text !== null && text.trim() !== "" && text.length < maxText;
  const marks = digests.map(() => "?").join(", ");
  // MySQL 8.0.3+: one sample per digest in the summary itself. MariaDB answers "unknown column" (null here).
  const summary = await db.tryQuery<{ digest: string; text: string | null }>(
    `SELECT DIGEST AS digest, QUERY_SAMPLE_TEXT AS text FROM performance_schema.events_statements_summary_by_digest
      WHERE SCHEMA_NAME = ? AND DIGEST IN (${marks})`,
    [schema, ...digests],
  );
  // A sample is a statement as it ran: its secrets (AES_ENCRYPT's key, IDENTIFIED BY) are hidden at once. The
  // '***' that replaces a key leaves the plan as it was.
  const sample = (text: string | null) => redactSecrets(String(text), "mysql");
  for (const row of summary ?? []) if (usable(row.text)) byDigest.set(row.digest, sample(row.text));
  const missing = digests.filter((d) => !byDigest.has(d));
  if (missing.length === 0) return { byDigest, notes };
  const consumers = await db.tryQuery<{ name: string; enabled: string }>(
    `SELECT NAME AS name, ENABLED AS enabled FROM performance_schema.setup_consumers WHERE NAME IN (${HISTORY_CONSUMERS.map(() => "?").join(", ")})`,
    HISTORY_CONSUMERS,
  );
  const on = new Set((consumers ?? []).filter((c) => c.enabled === "YES").map((c) => c.name));
  const tables = ["events_statements_history_long", "events_statements_history"].filter(
    (t) => on.has(t) && on.has("events_statements_current"),
  );
  for (const table of tables) {
    const wanted = missing.filter((d) => !byDigest.has(d));
    if (wanted.length === 0) break;
    const rows = await db.tryQuery<{ digest: string; text: string | null }>(
      `SELECT DIGEST AS digest, SQL_TEXT AS text FROM performance_schema.${table}
        WHERE CURRENT_SCHEMA = ? AND DIGEST IN (${wanted.map(() => "?").join(", ")}) AND MYSQL_ERRNO = 0
        ORDER BY TIMER_START DESC`,
      [schema, ...wanted],
    );
    for (const row of rows ?? [])
      if (!byDigest.has(row.digest) && usable(row.text)) byDigest.set(row.digest, sample(row.text));
  }
  const without = digests.filter((d) => !byDigest.has(d)).length;
  if (without > 0) {
    notes.push(
      tables.length === 0
        ? `${without} of the top ${digests.length} statements were not explained: performance_schema keeps only their normalised text (values replaced by ?), which cannot be explained${
            caps.flavour === "mariadb"
              ? ", and the statement history consumers are off. Turn them on (no restart): UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME IN ('events_statements_current', 'events_statements_history', 'events_statements_history_long'); or add performance_schema_consumer_events_statements_history_long = ON to the [mysqld] section"
              : ""
          }; or run one of them through dbopt explain --sql with real values`
        : `${without} of the top ${digests.length} statements were not explained: no complete text of them is left in the statement history (events_statements_history_long keeps the server's last performance_schema_events_statements_history_long_size statements; texts over performance_schema_max_sql_text_length = ${maxText} are cut); run the workload again, or explain one with dbopt explain --sql`,
    );
  }
  return { byDigest, notes };
}

async function maxSqlTextLength(db: MysqlConnector): Promise<number> {
  const rows = await db.tryQuery<{ v: unknown }>("SELECT @@performance_schema_max_sql_text_length AS v");
  const n = Number(rows?.[0]?.v);
  return Number.isFinite(n) && n > 0 ? n : 1024;
}
