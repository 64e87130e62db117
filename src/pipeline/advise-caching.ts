/**
 * `dbopt advise caching`: which reads an application cache could serve, for how long, and what it saves; and the
 * database's own cache table by table. Reads pg_stat_statements, table statistics and pg_stats (a snapshot, read-
 * only); `--verify` replays the candidates through the cache-aside wrapper against Redis.
 */

import { type CacheAsideCode, cacheAsideCode } from "../advisors/caching/cache-aside-code.js";
import { verifyCache } from "../advisors/caching/verify-cache.js";
import { schemaResolver } from "../advisors/index/workload-query.js";
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectSnapshot } from "../facts/collect/collect-snapshot.js";
import { collectTables } from "../facts/collect/collect-tables.js";
import { collectWorkload } from "../facts/collect/collect-workload.js";
import { functionVolatility } from "../facts/scaling/function-volatility.js";
import { statementTraits } from "../facts/scaling/statement-traits.js";
import type { Snapshot } from "../facts/snapshot.js";
import { settingBytes, statsAgeSeconds } from "../facts/snapshot-accessors.js";
import { queryShape } from "../facts/sql/query-shape.js";
import type { Finding } from "../findings/finding.js";
import { cachePlan } from "../rules/architecture/cache-result.js";
import type { CacheStatement, CacheTable, CachingFacts } from "../rules/architecture/caching-facts.js";
import { CACHING_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import { loadSqlParser } from "../util/sql-parser.js";
import { onConnection } from "./on-connection.js";

export interface AdviseCachingOptions {
  /**
   * Measure call and change rates over this window (pg_stat_statements and table counters read at its start and
   * end); 0 takes them since the counters were last reset.
   */
  windowMs?: number;
  signal?: AbortSignal;
  /** Replay the candidates through the cache-aside wrapper against this Redis (redis://host:port). */
  verifyRedis?: string;
  /** Calls each verified statement replays (default 500). */
  replayCalls?: number;
  overrides?: RuleOverrides;
}

export interface CachingReport {
  kind: "caching";
  generatedAt: string;
  server: { version: string; database: string };
  findings: Finding[];
  /** Seconds pg_stat_statements' counters cover. */
  periodS: number | null;
  statementsRead: number;
  /** The cache-aside wrapper for the proposed statements (Node, ioredis), with its invalidation listener. */
  code: CacheAsideCode | null;
  verified: boolean;
  notes: string[];
}

export async function adviseCaching(
  db: PostgresConnector | (() => Promise<PostgresConnector>),
  options: AdviseCachingOptions = {},
): Promise<CachingReport> {
  await loadSqlParser();
  return onConnection(db, (opened) => adviseOn(opened, options));
}

async function adviseOn(db: PostgresConnector, options: AdviseCachingOptions): Promise<CachingReport> {
  const first = await collectSnapshot(db);
  const notes: string[] = [];
  const windowMs = options.windowMs ?? 0;
  const snapshot = windowMs > 0 ? await afterWindow(db, first, windowMs, options.signal) : first;
  if (snapshot.workload.source === "none")
    notes.push(`No statements: ${snapshot.workload.problem ?? "pg_stat_statements cannot be read"}.`);
  const facts = await cachingFacts(db, snapshot, notes);
  const rules = (f: CachingFacts) => runRules(CACHING_RULES, f, options.overrides);
  let findings = rules(facts);
  const proposed = findings.filter((f) => f.ruleId === "architecture/cache-result");
  const chosen = facts.statements.filter((s) => proposed.some((f) => f.query === s.query));
  let verified = false;
  if (options.verifyRedis && chosen.length > 0) {
    const maxStale = options.overrides?.["architecture/cache-result"]?.maxStaleShare ?? 0.05;
    for (const s of chosen) {
      const plan = cachePlan(s, facts, maxStale);
      if (!plan) continue;
      s.verified = await verifyCache(db, options.verifyRedis, s, plan, { calls: options.replayCalls ?? 500 });
    }
    findings = rules(facts);
    verified = true;
  } else if (options.verifyRedis) notes.push("--verify: no statement worth caching, nothing replayed.");
  const plans = chosen.flatMap((s) => {
    const plan = cachePlan(s, facts, options.overrides?.["architecture/cache-result"]?.maxStaleShare ?? 0.05);
    return plan ? [{ statement: s, plan }] : [];
  });
  return {
    kind: "caching",
    generatedAt: new Date().toISOString(),
    server: { version: snapshot.server.version, database: snapshot.server.database },
    findings,
    periodS: facts.periodS,
    statementsRead: facts.statements.length,
    code: plans.length > 0 ? cacheAsideCode(plans, facts) : null,
    verified,
    notes,
  };
}

/** The statements and tables as the caching rules read them, from a snapshot and pg_proc. */
async function cachingFacts(
  db: PostgresConnector,
  snapshot: Snapshot,
  notes: string[],
): Promise<CachingFacts> {
  const windowS = (snapshot as WindowedSnapshot).windowS;
  const age = windowS ?? statsAgeSeconds(snapshot);
  const resetAt = snapshot.workload.statsResetAt ? Date.parse(snapshot.workload.statsResetAt) : null;
  const periodS =
    windowS ??
    (resetAt !== null ? Math.max(1, (Date.parse(snapshot.capturedAt) - resetAt) / 1000) : (age ?? null));
  if (periodS === null)
    notes.push(
      "The statistics' age is unknown (no stats_reset, no start time): no rates, so no caching advice.",
    );
  const tables: CacheTable[] = snapshot.tables
    .filter((t) => t.kind === "table" || t.kind === "partitioned")
    .map((t) => ({
      schema: t.schema,
      table: t.name,
      name: `${t.schema}.${t.name}`,
      rows: Math.max(0, t.rowsEstimate),
      changesPerSecond: t.stats && age ? (t.stats.nTupIns + t.stats.nTupUpd + t.stats.nTupDel) / age : null,
      rowChangesPerSecond: t.stats && age ? (t.stats.nTupUpd + t.stats.nTupDel) / age : null,
      heapBlocksHit: t.stats?.heapBlksHit ?? 0,
      heapBlocksRead: t.stats?.heapBlksRead ?? 0,
      totalBytes: t.totalBytes,
    }));
  const traits = snapshot.workload.statements.map((s) => statementTraits(s.query));
  const volatility = await functionVolatility(db, [...new Set(traits.flatMap((t) => t.functions))]);
  const statements: CacheStatement[] = snapshot.workload.statements.map((s, i) => {
    const t = traits[i] as CacheStatement["traits"];
    const shape = queryShape(s.query, schemaResolver(snapshot));
    const used = shape
      ? shapeFacts(shape, snapshot)
      : { tables: [], keys: null, uniqueLookup: null, width: null };
    const rowsPerCall = s.calls > 0 ? s.rows / s.calls : 0;
    return {
      queryId: s.queryId,
      query: s.query,
      calls: s.calls,
      totalMs: s.totalMs,
      meanMs: s.meanMs,
      rowsPerCall,
      traits: t,
      volatileFunction: t.functions.find((f) => volatility.volatile.get(f)) ?? null,
      tables: used.tables,
      keys: used.keys,
      uniqueLookup: used.uniqueLookup,
      resultBytes: used.width === null ? null : Math.round(rowsPerCall * used.width),
    };
  });
  return {
    statements,
    periodS,
    workloadTotalMs: snapshot.workload.totalMs,
    tables,
    sharedBuffersBytes: settingBytes(snapshot, "shared_buffers"),
    prewarm: {
      available: true,
      installed: "pg_prewarm" in snapshot.server.extensions,
      autoprewarm: /pg_prewarm/.test(
        snapshot.settings.find((x) => x.name === "shared_preload_libraries")?.setting ?? "",
      ),
    },
  };
}

/** A snapshot whose workload and table counters are the deltas over a measured window. */
type WindowedSnapshot = Snapshot & { windowS?: number };

/**
 * The workload and table change counters as deltas over `windowMs`: what the database does now, not averaged
 * since a reset (pg_stat_statements_reset for one database does not move its stats_reset, so that age misleads).
 */
async function afterWindow(
  db: PostgresConnector,
  first: Snapshot,
  windowMs: number,
  signal?: AbortSignal,
): Promise<WindowedSnapshot> {
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, windowMs);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
  const caps = await db.capabilities();
  const [workload, tables] = await Promise.all([collectWorkload(db, caps, 500), collectTables(db)]);
  const windowS = Math.max(0.001, (Date.now() - started) / 1000);
  const before = new Map(first.workload.statements.map((s) => [s.queryId, s]));
  const statements = workload.statements.flatMap((s) => {
    const b = before.get(s.queryId);
    const calls = s.calls - (b?.calls ?? 0);
    if (calls <= 0) return [];
    const totalMs = s.totalMs - (b?.totalMs ?? 0);
    return [{ ...s, calls, totalMs, meanMs: totalMs / calls, rows: s.rows - (b?.rows ?? 0) }];
  });
  const tablesBefore = new Map(first.tables.map((t) => [t.oid, t]));
  return {
    ...first,
    windowS,
    workload: {
      ...workload,
      statements,
      totalCalls: workload.totalCalls - first.workload.totalCalls,
      totalMs: workload.totalMs - first.workload.totalMs,
    },
    tables: first.tables.map((t) => {
      const now = tables.find((x) => x.oid === t.oid)?.stats;
      const then = tablesBefore.get(t.oid)?.stats;
      if (!now || !then) return t;
      return {
        ...t,
        stats: {
          ...now,
          nTupIns: now.nTupIns - then.nTupIns,
          nTupUpd: now.nTupUpd - then.nTupUpd,
          nTupDel: now.nTupDel - then.nTupDel,
        },
      };
    }),
  };
}

/** The tables a statement reads, the distinct values its parameters take, and a unique-key lookup if it is one. */
function shapeFacts(
  shape: NonNullable<ReturnType<typeof queryShape>>,
  snapshot: Snapshot,
): {
  tables: string[];
  keys: number | null;
  uniqueLookup: CacheStatement["uniqueLookup"];
  width: number | null;
} {
  const resolved = (ref: { schema: string | null; name: string }) =>
    snapshot.tables.find((t) => t.name === ref.name && (ref.schema === null || t.schema === ref.schema));
  const tables = [
    ...new Set(
      shape.blocks.flatMap((b) =>
        b.tables.map((r) => resolved(r)).flatMap((t) => (t ? [`${t.schema}.${t.name}`] : [])),
      ),
    ),
  ];
  let keys: number | null = 1;
  const eqByTable = new Map<string, Map<string, number>>();
  for (const [, param] of shape.params) {
    if (param.role !== "predicate") continue;
    const use = param.use;
    const table = use ? resolved(use.table) : undefined;
    const stats =
      use && table
        ? snapshot.columnStats.find(
            (c) => c.schema === table.schema && c.table === table.name && c.column === use.column,
          )
        : undefined;
    if (!use || !table || !stats || keys === null) {
      keys = null;
      continue;
    }
    const distinct =
      stats.nDistinct < 0 ? -stats.nDistinct * Math.max(1, table.rowsEstimate) : stats.nDistinct;
    keys *= Math.max(1, distinct);
    if (use.kind === "eq" && use.param !== null) {
      const name = `${table.schema}.${table.name}`;
      eqByTable.set(name, new Map([...(eqByTable.get(name) ?? []), [use.column, use.param]]));
    }
  }
  let uniqueLookup: CacheStatement["uniqueLookup"] = null;
  // Only a statement reading one table is stale when its row changes: a join goes stale with the other tables too.
  for (const [name, columns] of tables.length === 1 ? eqByTable : new Map()) {
    const table = snapshot.tables.find((t) => `${t.schema}.${t.name}` === name);
    const key = snapshot.indexes.find(
      (i) =>
        table &&
        i.tableSchema === table.schema &&
        i.table === table.name &&
        i.isUnique &&
        i.isValid &&
        i.predicate === null &&
        i.columns.slice(0, i.keyColumnCount).every((c) => columns.has(c)),
    );
    if (key) {
      const keyColumns = key.columns.slice(0, key.keyColumnCount);
      uniqueLookup = {
        table: name,
        columns: keyColumns,
        params: keyColumns.map((c) => columns.get(c) as number),
      };
    }
  }
  const first = tables[0] ? snapshot.tables.find((t) => `${t.schema}.${t.name}` === tables[0]) : undefined;
  return { tables, keys, uniqueLookup, width: first?.rowWidth ?? null };
}
