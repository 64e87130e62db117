import { formatBytes, formatCount, formatPercent, round3 } from "../../util/format.js";
import { list, literal, qname, type SqlText, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { CacheTable, CachingFacts } from "./caching-facts.js";

type Options = { minRatio: number; minReads: number };

/**
 * The database's own cache, table by table: the share of each table's page reads served from shared_buffers
 * (pg_statio_user_tables), whether the tables read from disk fit in shared_buffers together, and pg_prewarm to
 * bring them back after a restart instead of letting the first users pay for it.
 */
export const bufferCache: Rule<CachingFacts, Options> = {
  id: "architecture/buffer-cache",
  family: "architecture",
  title: "Tables served from disk",
  description:
    "Per table, page reads served from shared_buffers (pg_statio_user_tables); tables often read from disk, whether they fit in shared_buffers together, and pg_prewarm (autoprewarm) so a restart does not start cold.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/pgprewarm.html",
  options: {
    minRatio: { default: 0.99, description: "a table's hit ratio below which it is listed" },
    minReads: {
      default: 10_000,
      description: "pages a table read from outside shared_buffers before it counts",
    },
  },
  check(facts, o) {
    const ratio = (t: CacheTable) => t.heapBlocksHit / Math.max(1, t.heapBlocksHit + t.heapBlocksRead);
    const cold = facts.tables
      .filter((t) => t.heapBlocksRead >= o.minReads && ratio(t) < o.minRatio)
      .sort((a, b) => b.heapBlocksRead - a.heapBlocksRead);
    if (cold.length === 0) return [];
    const hotBytes = facts.tables
      .filter((t) => t.heapBlocksHit + t.heapBlocksRead > 0)
      .reduce((n, t) => n + t.totalBytes, 0);
    const fits = facts.sharedBuffersBytes === null ? null : hotBytes <= facts.sharedBuffersBytes;
    const shown = cold.slice(0, 5);
    const detail = [
      `${cold.length} table${cold.length === 1 ? "" : "s"} read pages from outside shared_buffers: ${shown
        .map(
          (t) => `${t.name} ${formatPercent(ratio(t), 1)} hits, ${formatCount(t.heapBlocksRead)} pages read`,
        )
        .join("; ")}.`,
      fits === null
        ? ""
        : fits
          ? `The tables in use (${formatBytes(hotBytes)} with their indexes) fit in shared_buffers (${formatBytes(facts.sharedBuffersBytes)}): the misses are a cold start or large scans, which pg_prewarm and indexes address.`
          : `The tables in use (${formatBytes(hotBytes)} with their indexes) exceed shared_buffers (${formatBytes(facts.sharedBuffersBytes)}): size memory with dbopt tune, or read less (indexes, partitions).`,
      facts.prewarm.autoprewarm
        ? "pg_prewarm's autoprewarm worker restores the cache after a restart."
        : facts.prewarm.available
          ? "After a restart the cache starts empty: pg_prewarm's autoprewarm (shared_preload_libraries = 'pg_prewarm') reloads what was cached."
          : "",
    ]
      .filter(Boolean)
      .join(" ");
    const prewarm: SqlText[] = [
      ...(facts.prewarm.installed ? [] : [sql`CREATE EXTENSION IF NOT EXISTS pg_prewarm;`]),
      ...shown.map((t) => sql`SELECT pg_prewarm(${literal(qname(t.schema, t.table))}::regclass);`),
    ];
    return [
      {
        ruleId: this.id,
        severity: fits === false ? "warning" : "info",
        title: `${cold.length} table${cold.length === 1 ? "" : "s"} served from disk, ${shown[0]?.name} at ${formatPercent(ratio(shown[0] as CacheTable), 1)} hits`,
        detail,
        evidence: {
          tables: cold.length,
          worstTable: shown[0]?.name ?? null,
          worstHitRatio: round3(ratio(shown[0] as CacheTable)),
          pagesRead: cold.reduce((n, t) => n + t.heapBlocksRead, 0),
          tablesInUseBytes: hotBytes,
          sharedBuffersBytes: facts.sharedBuffersBytes,
          autoprewarm: facts.prewarm.autoprewarm,
        },
        fix: {
          ...(facts.prewarm.available ? { sql: list(prewarm, "\n") } : {}),
          note: facts.prewarm.available
            ? "Warm the hot tables now with pg_prewarm; for restarts add pg_prewarm to shared_preload_libraries (autoprewarm dumps and reloads the cached pages). If the tables in use exceed shared_buffers, see dbopt tune."
            : "Install the contrib package for pg_prewarm to warm tables after restarts; if the tables in use exceed shared_buffers, see dbopt tune.",
        },
        docsUrl: this.docsUrl,
        impact: cold.reduce((n, t) => n + t.heapBlocksRead, 0),
        objects: shown.map((t) => t.name),
      },
    ];
  },
};
