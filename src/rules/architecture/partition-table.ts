import type { Finding } from "../../findings/finding.js";
import { formatBytes, formatCount, formatMs, formatPercent, oneLine, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import {
  chooseInterval,
  INTERVALS,
  type IntervalName,
  type PartitioningFacts,
  type PartitionKeyUse,
  type PartitionTableFacts,
  type TableGrowth,
} from "./partitioning-facts.js";

type Options = { minRows: number; minTimeShare: number; hashPartitions: number; maxPartitionBytes: number };

/** Above this a partition is slow to vacuum, index, copy or detach again: the interval shortens (10 GiB). */
const MAX_PARTITION_BYTES = 10 * 1024 ** 3;

export type PartitionLayout =
  | { strategy: "range"; column: string; type: string; interval: IntervalName; partitions: number }
  | { strategy: "hash"; column: string; type: string; partitions: number };

/**
 * A large table whose heavy statements filter on a time column (range partitions by time) or a tenant column
 * (hash partitions by tenant): the planner then reads only the partitions a statement needs, a retention DELETE
 * becomes dropping a partition, and vacuum and index builds work on one partition at a time.
 */
export const partitionTable: Rule<PartitioningFacts, Options> = {
  id: "architecture/partition-table",
  family: "architecture",
  title: "Table worth partitioning",
  description:
    "A large table whose heavy statements filter on a time column (range by time) or a tenant column (hash by tenant): partition pruning reads only the partitions a statement needs, retention becomes DROP or DETACH PARTITION, and primary keys and unique indexes must include the partition key.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/ddl-partitioning.html",
  options: {
    minRows: { default: 1_000_000, description: "rows a table needs before partitioning is worth it" },
    minTimeShare: {
      default: 0.05,
      description: "share of statement time the table's statements filtering on the key must take",
    },
    hashPartitions: { default: 16, description: "partitions of a hash layout by tenant" },
    maxPartitionBytes: {
      default: MAX_PARTITION_BYTES,
      description: "bytes one time partition may take at the measured growth before the interval shortens",
    },
  },
  check(facts, o) {
    const out: Finding[] = [];
    for (const t of facts.tables) {
      if (t.rows < o.minRows) continue;
      const key = partitionKey(t);
      if (!key) continue;
      const keyShare = t.timeShare * (key.timeMs / Math.max(1, t.timeMs));
      if (keyShare < o.minTimeShare && !t.retention) continue;
      const layout = partitionLayout(t, key, o.hashPartitions, o.maxPartitionBytes);
      out.push(finding(this.id, this.docsUrl, t, key, layout, keyShare));
    }
    return out;
  },
};

/** The key: the time column when statements filter on it by range (or a retention deletes by it), else the tenant. */
export function partitionKey(t: PartitionTableFacts): PartitionKeyUse | null {
  const time = t.keys.filter((k) => k.kind === "time").sort((a, b) => b.timeMs - a.timeMs)[0];
  const tenant = t.keys.filter((k) => k.kind === "tenant").sort((a, b) => b.timeMs - a.timeMs)[0];
  if (time && (t.retention || !tenant || time.timeMs >= tenant.timeMs)) return time;
  return tenant ?? null;
}

export function partitionLayout(
  t: PartitionTableFacts,
  key: PartitionKeyUse,
  hashPartitions: number,
  maxPartitionBytes = MAX_PARTITION_BYTES,
): PartitionLayout {
  if (key.kind === "tenant")
    return { strategy: "hash", column: key.column, type: key.type, partitions: hashPartitions };
  const spanDays = t.span?.column === key.column ? t.span.days : 365;
  const interval = chooseInterval(
    spanDays,
    t.retention?.days ?? null,
    t.growth?.bytesPerDay ?? null,
    maxPartitionBytes,
  );
  const days = INTERVALS.find((i) => i.name === interval)?.days ?? 30;
  return {
    strategy: "range",
    column: key.column,
    type: key.type,
    interval,
    partitions: Math.max(1, Math.ceil(spanDays / days) + 1),
  };
}

function finding(
  ruleId: string,
  docsUrl: string,
  t: PartitionTableFacts,
  key: PartitionKeyUse,
  layout: PartitionLayout,
  keyShare: number,
): Finding {
  const missing = t.uniqueKeys.filter((u) => !u.columns.includes(key.column));
  const how =
    layout.strategy === "range"
      ? `range partitions by ${key.column}, one per ${layout.interval} (${layout.partitions} over the data's ${t.span ? `${formatCount(Math.round(t.span.days))} days` : "span"}, plus a default partition for stray rows)`
      : `${layout.partitions} hash partitions by ${key.column}${key.distinct ? ` (${formatCount(key.distinct)} tenants)` : ""}`;
  const g = t.growth;
  const intervalDays =
    layout.strategy === "range" ? (INTERVALS.find((i) => i.name === layout.interval)?.days ?? 1) : 0;
  const parts = [
    `${t.schema}.${t.table} holds ${formatCount(t.rows)} rows (${formatBytes(t.totalBytes)}); ${key.statements} statement${key.statements === 1 ? "" : "s"} filtering on ${key.column} take ${formatMs(key.timeMs)} (${formatPercent(keyShare)} of all statement time).`,
    `Layout: ${how}; a statement that filters on ${key.column} reads only its partitions.`,
    g ? growthText(g, layout.strategy === "range" ? layout.interval : null, intervalDays) : "",
    t.retention
      ? `The retention DELETE (${oneLine(t.retention.query, 80)}, ${formatCount(t.retention.calls)} calls, ${formatMs(t.retention.timeMs)}) becomes dropping or detaching the oldest partition: no dead rows, no vacuum.`
      : "",
    missing.length > 0
      ? `${missing.map((u) => `${u.name} (${u.columns.join(", ")})`).join(", ")} must include ${key.column}: PostgreSQL requires a partitioned table's primary key and unique constraints to contain the partition key, so it becomes (${[...(missing[0]?.columns ?? []), key.column].join(", ")}); uniqueness of ${missing[0]?.columns.join(", ")} alone is then per partition only (a sequence-generated id stays unique anyway).`
      : "",
  ].filter(Boolean);
  return {
    ruleId,
    severity: keyShare >= 0.2 || t.retention ? "warning" : "info",
    title:
      layout.strategy === "range"
        ? `partition ${t.table} by ${key.column}, one partition per ${layout.interval}`
        : `partition ${t.table} by hash of ${key.column} into ${layout.partitions}`,
    detail: parts.join(" "),
    evidence: {
      rows: t.rows,
      totalBytes: t.totalBytes,
      key: key.column,
      strategy: layout.strategy,
      interval: layout.strategy === "range" ? layout.interval : null,
      partitions: layout.partitions,
      keyStatements: key.statements,
      keyTimeMs: round3(key.timeMs),
      keyTimeShare: round3(keyShare),
      retentionDays: t.retention?.days ?? null,
      uniqueKeysWithoutPartitionKey: missing.length,
      growthSource: g?.source ?? null,
      insertsPerDay: g ? Math.round(g.insertsPerDay) : null,
      bytesPerDay: g?.bytesPerDay != null ? Math.round(g.bytesPerDay) : null,
      netRowsPerDay: g?.netRowsPerDay != null ? Math.round(g.netRowsPerDay) : null,
      growthDays: g?.days != null ? round3(g.days) : null,
      growthSamples: g?.samples ?? null,
      partitionBytes:
        g?.bytesPerDay != null && intervalDays > 0 ? Math.round(g.bytesPerDay * intervalDays) : null,
    },
    fix: {
      note: `Build it on a copy first (dbopt advise partitioning --sandbox measures the statements before and after), then run the migration dbopt prints: it creates the partitioned table, copies the rows in batches, and swaps the names in one short transaction.${layout.strategy === "range" ? ` It creates partitions a few ${layout.interval}s past the newest row only: the next ones must be created ahead of the rows, by a scheduled job (the migration's notes give the next ${layout.interval}'s CREATE TABLE ... PARTITION OF as a template) or by pg_partman (partman.create_parent with p_control '${key.column}' and p_interval '1 ${layout.interval}'). Rows with no partition go to the DEFAULT partition, and while it holds rows of a ${layout.interval}, creating that ${layout.interval}'s partition fails: keep the job ahead, and move such rows out before creating their partition.` : ""}`,
    },
    docsUrl,
    impact: key.timeMs,
    timeMs: key.timeMs,
    timeShare: round3(keyShare),
    objects: [`${t.schema}.${t.table}`],
  };
}

/** Where the growth came from, and what one partition of the interval then holds. */
function growthText(g: TableGrowth, interval: IntervalName | null, intervalDays: number): string {
  const source =
    g.source === "store"
      ? `the history store's ${formatCount(g.samples ?? 0)} samples over ${(g.days ?? 0).toFixed(1)} days${g.netRowsPerDay !== null ? `, net ${g.netRowsPerDay >= 0 ? "+" : ""}${formatCount(Math.round(g.netRowsPerDay))} rows${g.netBytesPerDay !== null ? ` (${g.netBytesPerDay >= 0 ? "+" : "-"}${formatBytes(Math.abs(g.netBytesPerDay))})` : ""} a day` : ""}`
      : g.source === "time-span"
        ? "the rows over the time column's span (no history store samples a day apart)"
        : "n_tup_ins over the statistics' age (no history store samples a day apart)";
  const arriving = `${formatCount(Math.round(g.insertsPerDay))} rows${g.bytesPerDay !== null ? ` (${formatBytes(g.bytesPerDay)})` : ""} arrive a day, from ${source}`;
  if (!interval) return `Growth: ${arriving}.`;
  const perPartition = `one ${interval}'s partition holds about ${formatCount(Math.round(g.insertsPerDay * intervalDays))} rows${g.bytesPerDay !== null ? ` (${formatBytes(g.bytesPerDay * intervalDays)})` : ""}`;
  return `Growth: ${arriving}; ${perPartition}.`;
}
