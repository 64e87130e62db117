import type { Finding } from "../../findings/finding.js";
import { formatBytes, formatCount, formatMs, formatPercent, oneLine, round3 } from "../../util/format.js";
import { ident, list, literal, qname, type SqlText, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { type CacheStatement, type CachingFacts, hitRate, ttlFor } from "./caching-facts.js";

type Options = {
  maxStaleShare: number;
  minCallsPerSecond: number;
  minHitRate: number;
  minSavedShare: number;
};

/** How a result would be cached: for how long, how often it would hit, what to invalidate on a change. */
export interface CachePlan {
  callsPerSecond: number;
  ttlSeconds: number;
  hitRate: number;
  /** "ttl": expire after ttlSeconds; "event": invalidate on change (LISTEN/NOTIFY), ttlSeconds a safety net. */
  invalidation: "ttl" | "event";
  /** Rows by primary/unique key, or whole tables. */
  key: { rows: { table: string; columns: string[]; params: number[] } } | { tables: string[] };
  savedMs: number;
}

/**
 * A read worth caching in the application: called often, deterministic (no clock, no VOLATILE function), over
 * tables that change slowly enough that a TTL (or invalidation on change) keeps most answers fresh. The hit rate
 * comes from the statement's call rate spread over the distinct values of its parameters; the time saved is that
 * share of its database time.
 */
export const cacheResult: Rule<CachingFacts, Options> = {
  id: "architecture/cache-result",
  family: "architecture",
  title: "Result worth caching",
  description:
    "A read called often whose result depends only on slowly changing tables: cached in the application (cache-aside, e.g. Redis) with a TTL that keeps stale answers rare, or invalidated on change, it saves the database its hit rate's share of the statement's time.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-notify.html",
  options: {
    maxStaleShare: {
      default: 0.05,
      description: "share of cached answers allowed to be stale, which sets the TTL",
    },
    minCallsPerSecond: { default: 0.2, description: "calls per second below which a cache is not worth it" },
    minHitRate: { default: 0.5, description: "expected hit rate below which a statement is not proposed" },
    minSavedShare: { default: 0.01, description: "share of the database time the cache must save" },
  },
  check(facts, o) {
    if (!facts.periodS || facts.workloadTotalMs <= 0) return [];
    const out: Finding[] = [];
    for (const s of facts.statements) {
      const plan = cachePlan(s, facts, o.maxStaleShare);
      if (!plan || plan.callsPerSecond < o.minCallsPerSecond || plan.hitRate < o.minHitRate) continue;
      const savedShare = plan.savedMs / facts.workloadTotalMs;
      if (savedShare < o.minSavedShare) continue;
      out.push(finding(this.id, this.docsUrl, s, plan, savedShare, facts));
    }
    return out;
  },
};

/** The cache a statement could have, or null when its result must not be cached (writes, clock, VOLATILE). */
export function cachePlan(s: CacheStatement, facts: CachingFacts, maxStale: number): CachePlan | null {
  if (s.traits.kind !== "read" || s.traits.clock || s.volatileFunction || s.traits.primaryOnly) return null;
  if (!facts.periodS || s.keys === null || s.tables.length === 0) return null;
  const tables = s.tables.map((t) => facts.tables.find((x) => x.name === t));
  if (tables.some((t) => !t || t.changesPerSecond === null)) return null;
  const callsPerSecond = s.calls / facts.periodS;
  const perKey = callsPerSecond / Math.max(1, s.keys);
  const lookup = s.uniqueLookup ? tables.find((t) => t?.name === s.uniqueLookup?.table) : undefined;
  // A row looked up by its key goes stale when that row changes; anything else when any table it reads changes.
  const staleRate = lookup
    ? (lookup.rowChangesPerSecond ?? 0) / Math.max(1, lookup.rows)
    : tables.reduce((n, t) => n + (t?.changesPerSecond ?? 0), 0);
  const ttl = ttlFor(staleRate, maxStale);
  const byTtl = hitRate(perKey, ttl);
  // Invalidated on change, an entry lives until its rows (or tables) change, an hour at most.
  const eventTtl = Math.max(1, Math.min(3600, staleRate > 0 ? Math.floor(1 / staleRate) : 3600));
  const byEvent = hitRate(perKey, eventTtl);
  const event = byEvent > byTtl + 0.1;
  const rate = event ? byEvent : byTtl;
  return {
    callsPerSecond,
    ttlSeconds: event ? eventTtl : ttl,
    hitRate: rate,
    invalidation: event ? "event" : "ttl",
    key: s.uniqueLookup ? { rows: s.uniqueLookup } : { tables: s.tables },
    savedMs: s.totalMs * rate,
  };
}

function finding(
  ruleId: string,
  docsUrl: string,
  s: CacheStatement,
  plan: CachePlan,
  savedShare: number,
  facts: CachingFacts,
): Finding {
  const keyText =
    "rows" in plan.key
      ? `the ${plan.key.rows.table} rows by ${plan.key.rows.columns.join(", ")}`
      : `any change to ${plan.key.tables.join(", ")}`;
  const v = s.verified;
  const measured = v
    ? ` Replayed through the cache-aside wrapper against Redis from a cold cache (${formatCount(v.calls)} calls with parameters drawn from pg_stats, ${(v.calls / v.callsPerSecond).toFixed(1)} s of its traffic at ${v.callsPerSecond.toFixed(2)}/s, ${v.ttlSeconds} s TTL): ${formatPercent(v.hits / Math.max(1, v.calls))} hits, database time measured ${formatMs(v.withoutMs)} without the cache, ${formatMs(v.withMs)} with it.`
    : "";
  return {
    ruleId,
    severity: savedShare >= 0.1 ? "warning" : "info",
    title: `cache this ${formatCount(Math.round(plan.callsPerSecond * 3600))}-an-hour read for ${plan.ttlSeconds} s: ~${formatPercent(plan.hitRate)} hits would save ${formatPercent(savedShare)} of the database time`,
    detail: [
      `Called ${plan.callsPerSecond.toFixed(2)} times a second (${formatMs(s.meanMs)} each, ${formatCount(Math.round(s.rowsPerCall))} rows${s.resultBytes !== null ? `, about ${formatBytes(s.resultBytes)}` : ""} per answer) over ${s.keys === 1 ? "no parameters" : `about ${formatCount(s.keys ?? 0)} distinct parameter values`}.`,
      `It is stale when ${keyText} change${"rows" in plan.key ? "" : "s"}; ${plan.invalidation === "event" ? `invalidated on change (LISTEN/NOTIFY), an entry lives up to ${plan.ttlSeconds} s` : `a ${plan.ttlSeconds} s TTL keeps stale answers under ${formatPercent(0.05)}`}, so about ${formatPercent(plan.hitRate)} of calls would be served from the cache.`,
      measured,
    ]
      .filter(Boolean)
      .join(" "),
    evidence: {
      calls: s.calls,
      callsPerSecond: round3(plan.callsPerSecond),
      meanMs: round3(s.meanMs),
      keys: s.keys,
      ttlSeconds: plan.ttlSeconds,
      invalidation: plan.invalidation,
      expectedHitRate: round3(plan.hitRate),
      savedMs: round3(plan.savedMs),
      savedShare: round3(savedShare),
      resultBytes: s.resultBytes,
      periodS: Math.round(facts.periodS ?? 0),
      ...(v
        ? {
            verifiedCalls: v.calls,
            verifiedHitRate: round3(v.hits / Math.max(1, v.calls)),
            verifiedWithoutMs: round3(v.withoutMs),
            verifiedWithMs: round3(v.withMs),
          }
        : {}),
    },
    fix: {
      ...(plan.invalidation === "event" ? { sql: notifyTriggerSql(plan, facts) } : {}),
      note: `Cache-aside in the application (the report's wrapper: key = statement + parameters, TTL ${plan.ttlSeconds} s)${plan.invalidation === "event" ? "; the trigger NOTIFYs the channel dbopt_cache on each change, and the wrapper's listener deletes the keys tagged with the changed rows or table" : ""}.`,
    },
    docsUrl,
    impact: plan.savedMs,
    timeMs: plan.savedMs,
    timeShare: round3(savedShare),
    query: oneLine(s.query, 2000),
    objects: s.tables,
  };
}

/**
 * A trigger that NOTIFYs dbopt_cache with the changed table (or table:key) so the listener can drop the entries
 * tagged with it. Names go through the SQL builder; the function body is a string constant.
 */
export function notifyTriggerSql(plan: CachePlan, facts: Pick<CachingFacts, "tables">): SqlText {
  const lines: SqlText[] = [];
  const names = "rows" in plan.key ? [plan.key.rows.table] : plan.key.tables;
  const rows = "rows" in plan.key ? plan.key.rows.columns : null;
  for (const t of facts.tables.filter((x) => names.includes(x.name))) {
    // Row- and table-keyed proposals on one table get functions and triggers of their own names.
    const base = `dbopt_cache_${rows ? "rows" : "table"}_${t.table.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`;
    const fn = base.slice(0, 63);
    const key = (row: "OLD" | "NEW") =>
      `${literal(`${t.name}:`)} || ${(rows ?? []).map((c) => `${row}.${ident(c)}::text`).join(" || ',' || ")}`;
    // An UPDATE that changes the key makes both the old and the new key's entries stale.
    const body = rows
      ? `BEGIN IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('dbopt_cache', ${key("OLD")}); END IF; IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('dbopt_cache', ${key("NEW")}); END IF; RETURN NULL; END`
      : `BEGIN PERFORM pg_notify('dbopt_cache', ${literal(t.name)}); RETURN NULL; END`;
    lines.push(
      sql`CREATE OR REPLACE FUNCTION ${qname(t.schema, fn)}() RETURNS trigger LANGUAGE plpgsql AS ${literal(body)};`,
      rows
        ? sql`CREATE TRIGGER ${ident(fn)} AFTER INSERT OR UPDATE OR DELETE ON ${qname(t.schema, t.table)} FOR EACH ROW EXECUTE FUNCTION ${qname(t.schema, fn)}();`
        : sql`CREATE TRIGGER ${ident(fn)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${qname(t.schema, t.table)} FOR EACH STATEMENT EXECUTE FUNCTION ${qname(t.schema, fn)}();`,
    );
    if (rows) {
      // TRUNCATE fires no row trigger: the table's own tag (every entry of it carries one) is dropped instead.
      const all = `${base.slice(0, 57)}_trunc`;
      lines.push(
        sql`CREATE OR REPLACE FUNCTION ${qname(t.schema, all)}() RETURNS trigger LANGUAGE plpgsql AS ${literal(`BEGIN PERFORM pg_notify('dbopt_cache', ${literal(t.name)}); RETURN NULL; END`)};`,
        sql`CREATE TRIGGER ${ident(all)} AFTER TRUNCATE ON ${qname(t.schema, t.table)} FOR EACH STATEMENT EXECUTE FUNCTION ${qname(t.schema, all)}();`,
      );
    }
  }
  return list(lines, "\n");
}
