import type { PgCapabilities } from "../../connectors/postgres/capabilities.js";
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { DBOPT_TAG } from "../../connectors/postgres/postgres-connector.js";
import { mayHoldSecret, redactSecrets } from "../../util/secret-sql-text.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import type { StatementFacts, WorkloadFacts } from "../snapshot.js";
import { isoOrNull, num } from "./user-schemas.js";

type Row = Record<string, unknown>;

/** The view's columns were renamed over the versions; pick what this server has, 0 where it has none. */
function column(columns: string[], ...candidates: string[]): string {
  const found = candidates.find((c) => columns.includes(c));
  return found ?? "0";
}

/**
 * The statements of this database from pg_stat_statements, most total time first, without dbopt's own.
 * `limit` bounds how many are kept; the totals cover all of them.
 */
export async function collectWorkload(
  db: PostgresConnector,
  caps: PgCapabilities,
  limit = 200,
): Promise<WorkloadFacts> {
  const pss = caps.pgStatStatements;
  if (!pss.readable) {
    const problem = pss.problem
      ? `${pss.problem.message}: ${pss.problem.hint}`
      : "pg_stat_statements cannot be read";
    return { source: "none", problem, statsResetAt: null, totalCalls: 0, totalMs: 0, statements: [] };
  }
  const view = `${quoteIdent(pss.schema ?? "public")}.pg_stat_statements`;
  const cols = pss.columns;
  const total = column(cols, "total_exec_time", "total_time");
  const own = `query not like '%${DBOPT_TAG}%'`;
  const scope = `dbid = (select oid from pg_database where datname = current_database()) and ${own}`;
  const rows = await db.query<Row>(
    `select queryid::text as queryid, query, coalesce(r.rolname, '') as user_name,
            ${cols.includes("toplevel") ? "toplevel" : "true"} as toplevel,
            calls, ${total} as total_ms, ${column(cols, "mean_exec_time", "mean_time")} as mean_ms,
            ${column(cols, "min_exec_time", "min_time")} as min_ms, ${column(cols, "max_exec_time", "max_time")} as max_ms,
            ${column(cols, "stddev_exec_time", "stddev_time")} as stddev_ms, rows,
            ${column(cols, "total_plan_time")} as plan_ms,
            shared_blks_hit, shared_blks_read, shared_blks_dirtied, shared_blks_written, temp_blks_read, temp_blks_written,
            ${column(cols, "shared_blk_read_time", "blk_read_time")} as read_ms,
            ${column(cols, "shared_blk_write_time", "blk_write_time")} as write_ms
       from ${view} s left join pg_roles r on r.oid = s.userid
      where ${scope} and queryid is not null
      order by ${total} desc
      limit $1`,
    [limit],
  );
  const [totals] = await db.query<Row>(
    `select coalesce(sum(calls), 0) as calls, coalesce(sum(${total}), 0) as ms from ${view} where ${scope}`,
  );
  let statsResetAt: string | null = null;
  if (caps.major >= 14) {
    const [info] = await db.query<Row>(
      `select stats_reset from ${quoteIdent(pss.schema ?? "public")}.pg_stat_statements_info`,
    );
    statsResetAt = isoOrNull(info?.stats_reset);
  }
  // pg_stat_statements keeps utility statements as they ran (ALTER ROLE ... PASSWORD '...'): their secrets are
  // hidden here, before the text reaches a snapshot file, the store or a report.
  if (rows.some((r) => mayHoldSecret(String(r.query)))) await loadSqlParser();
  const statements: StatementFacts[] = rows.map((r) => ({
    queryId: String(r.queryid),
    query: redactSecrets(String(r.query), "postgres"),
    userName: String(r.user_name),
    toplevel: Boolean(r.toplevel),
    calls: num(r.calls),
    totalMs: num(r.total_ms),
    meanMs: num(r.mean_ms),
    minMs: num(r.min_ms),
    maxMs: num(r.max_ms),
    stddevMs: num(r.stddev_ms),
    rows: num(r.rows),
    planningMs: num(r.plan_ms),
    sharedBlksHit: num(r.shared_blks_hit),
    sharedBlksRead: num(r.shared_blks_read),
    sharedBlksDirtied: num(r.shared_blks_dirtied),
    sharedBlksWritten: num(r.shared_blks_written),
    tempBlksRead: num(r.temp_blks_read),
    tempBlksWritten: num(r.temp_blks_written),
    blkReadMs: num(r.read_ms),
    blkWriteMs: num(r.write_ms),
  }));
  return {
    source: "pg_stat_statements",
    problem: null,
    statsResetAt,
    totalCalls: num(totals?.calls),
    totalMs: num(totals?.ms),
    statements,
  };
}
