import { diffPlans } from "../facts/plan/plan-diff.js";
import { judgeDiff } from "../facts/plan/plan-diff-verdict.js";
import { analyzePlan } from "../facts/plan/plan-metrics.js";
import { type Plan, walkPlan } from "../facts/plan/plan-model.js";
import { shapeLine } from "../facts/plan/plan-shape-line.js";
import type { EvidenceValue, Finding } from "../findings/finding.js";
import { causeScore, type RegressionCause, shortTime } from "../rules/history/statement-regressed.js";
import { HISTORY_RULES } from "../rules/registry.js";
import { runRules } from "../rules/run-rules.js";
import { openExistingStore } from "../store/open-existing-store.js";
import { type StoredTarget, storedTargets } from "../store/read-sample-objects.js";
import type { StoreConnection } from "../store/store-connection.js";
import {
  type CallTotals,
  DEFAULT_THRESHOLDS,
  judgeRegression,
  type RegressionThresholds,
} from "../store/window-statistics.js";
import { formatBytes, formatCount, formatFactor, formatMs } from "../util/format.js";

export interface RegressionsOptions {
  /** A team store (postgresql://...); else the embedded store in `home`. */
  store?: string | undefined;
  home?: string;
  /** Which targets: matched against the store's address (user@host:port/db) or database name; all when absent. */
  target?: string | undefined;
  /** The recent window: this long before the target's last sample, or from this time. */
  since: { periodMs: number } | { from: Date };
  /** The baseline window's length, right before the recent one. */
  baselineMs: number;
  thresholds?: Partial<RegressionThresholds>;
  onProgress?: (message: string) => void;
}

export interface WindowSpan {
  from: string;
  to: string;
  samples: number;
}

/** A statement that ran in only one of the two windows. */
export interface StatementPresence {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
}

export interface TargetRegressions {
  target: string;
  database: string;
  baseline: WindowSpan;
  recent: WindowSpan;
  /** Statements with calls in both windows, each judged. */
  compared: number;
  /** Regressions ranked by the time they added. */
  findings: Finding[];
  newStatements: StatementPresence[];
  goneStatements: StatementPresence[];
  /** Why nothing could be compared, when so. */
  note: string | null;
}

export interface RegressionsReport {
  store: string;
  thresholds: RegressionThresholds;
  /** The test a change in the mean must pass, in words. */
  method: string;
  targets: TargetRegressions[];
}

/** A table counts as grown when its rows or bytes grew by this factor at least between the windows. */
const GROWTH_FACTOR = 1.25;
/** How many new and gone statements are listed per target. */
const PRESENCE_LIMIT = 20;

/**
 * `dbopt regressions`: for each target in the store, the statements whose mean time in the recent window is
 * beyond the noise of the baseline window right before it (window-statistics.ts), each with its evidence and its
 * most likely cause from what the store recorded: a plan shape change (with the node where the plans diverge),
 * an index the old plan used that is gone, statistics re-analysed, a setting changed, tables that grew.
 */
export async function findRegressions(options: RegressionsOptions): Promise<RegressionsReport> {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const opened = await openExistingStore({
    url: options.store,
    home: options.home,
    onProgress: options.onProgress,
  });
  try {
    const { store } = opened;
    const targets = await storedTargets(store, options.target);
    const report: RegressionsReport = {
      store: opened.description,
      thresholds,
      method: `Welch's t-test on each statement's mean time per call, the baseline window against the recent one, from the calls, total time and sum of squared times pg_stat_statements recorded in every sample; a statement is flagged when it ran at least ${thresholds.minCalls} times in each window, its mean grew at least ${thresholds.minRatio}× and by ${thresholds.minDeltaMs} ms, t ≥ ${thresholds.minT}, and the change added at least ${formatMs(thresholds.minAddedMs)} over the recent window`,
      targets: [],
    };
    for (const t of targets) report.targets.push(await targetRegressions(store, t, options, thresholds));
    return report;
  } finally {
    await opened.close();
  }
}

interface StatementWindows {
  queryid: string;
  query: string;
  ids: number[];
  baseline: CallTotals;
  recent: CallTotals;
}

async function targetRegressions(
  store: StoreConnection,
  target: StoredTarget,
  options: RegressionsOptions,
  thresholds: RegressionThresholds,
): Promise<TargetRegressions> {
  const [last] = await store.query<{ at: Date | null }>(
    "select max(taken_at) as at from dbopt_store.sample where target_id = $1",
    [target.id],
  );
  const until = last?.at ?? new Date();
  const recentFrom =
    "from" in options.since ? options.since.from : new Date(until.getTime() - options.since.periodMs);
  const baselineFrom = new Date(recentFrom.getTime() - options.baselineMs);
  const [counts] = await store.query<{ baseline: number; recent: number }>(
    `select count(*) filter (where taken_at <= $2 and previous_taken_at is not null)::int as baseline,
            count(*) filter (where taken_at > $2 and previous_taken_at is not null)::int as recent
       from dbopt_store.sample where target_id = $1 and taken_at > $3 and taken_at <= $4`,
    [target.id, recentFrom, baselineFrom, until],
  );
  const result: TargetRegressions = {
    target: target.address,
    database: target.database,
    baseline: {
      from: baselineFrom.toISOString(),
      to: recentFrom.toISOString(),
      samples: counts?.baseline ?? 0,
    },
    recent: { from: recentFrom.toISOString(), to: until.toISOString(), samples: counts?.recent ?? 0 },
    compared: 0,
    findings: [],
    newStatements: [],
    goneStatements: [],
    note: null,
  };
  if (!result.baseline.samples || !result.recent.samples) {
    result.note = `no samples with deltas in the ${result.baseline.samples ? "recent" : "baseline"} window: nothing to compare`;
    return result;
  }
  const statements = await statementWindows(store, target.id, baselineFrom, recentFrom, until);
  const context = new CauseContext(store, target.id, baselineFrom, recentFrom, until);
  for (const s of statements) {
    if (!s.baseline.calls && s.recent.calls) result.newStatements.push(presence(s, s.recent));
    else if (s.baseline.calls && !s.recent.calls) result.goneStatements.push(presence(s, s.baseline));
    if (!s.baseline.calls || !s.recent.calls) continue;
    result.compared++;
    const judged = judgeRegression(s.baseline, s.recent, thresholds);
    if (!judged.regressed) continue;
    const causes = await context.causes(s.ids);
    result.findings.push(
      ...runRules(HISTORY_RULES, { query: s.query, verdict: judged, causes, since: recentFrom }),
    );
  }
  result.findings.sort((a, b) => (b.timeMs ?? 0) - (a.timeMs ?? 0));
  const byTime = (a: StatementPresence, b: StatementPresence) => b.totalMs - a.totalMs;
  result.newStatements = result.newStatements.sort(byTime).slice(0, PRESENCE_LIMIT);
  result.goneStatements = result.goneStatements.sort(byTime).slice(0, PRESENCE_LIMIT);
  return result;
}

function presence(s: StatementWindows, t: CallTotals): StatementPresence {
  return {
    queryid: s.queryid,
    query: s.query,
    calls: t.calls,
    totalMs: round(t.totalMs),
    meanMs: round(t.totalMs / t.calls),
  };
}

/** Per statement (queryid and fingerprint, whatever role ran it), its calls, time and sum of squares in each window. */
async function statementWindows(
  store: StoreConnection,
  targetId: number,
  baselineFrom: Date,
  recentFrom: Date,
  until: Date,
): Promise<StatementWindows[]> {
  const rows = await store.query<{
    queryid: string;
    fingerprint: string;
    query: string;
    ids: string[];
    recent: boolean;
    calls: number;
    total_ms: number;
    sum_sq_ms: number;
  }>(
    `select s.queryid::text as queryid, coalesce(s.fingerprint, '') as fingerprint, min(s.query) as query,
            array_agg(distinct s.id)::text[] as ids, ss.taken_at > $2 as recent,
            sum(ss.calls)::float8 as calls, sum(ss.total_ms)::float8 as total_ms, sum(ss.sum_sq_ms)::float8 as sum_sq_ms
       from dbopt_store.statement_sample ss join dbopt_store.statement s on s.id = ss.statement_id
      where ss.target_id = $1 and ss.taken_at > $3 and ss.taken_at <= $4
      group by 1, 2, 5`,
    [targetId, recentFrom, baselineFrom, until],
  );
  const byKey = new Map<string, StatementWindows>();
  for (const r of rows) {
    const key = `${r.queryid}/${r.fingerprint}`;
    let s = byKey.get(key);
    if (!s) {
      s = { queryid: r.queryid, query: r.query, ids: [], baseline: zero(), recent: zero() };
      byKey.set(key, s);
    }
    s.ids.push(...r.ids.map(Number).filter((id) => !s?.ids.includes(id)));
    const totals = { calls: Number(r.calls), totalMs: Number(r.total_ms), sumSqMs: Number(r.sum_sq_ms) };
    if (r.recent) s.recent = totals;
    else s.baseline = totals;
  }
  return [...byKey.values()];
}

function zero(): CallTotals {
  return { calls: 0, totalMs: 0, sumSqMs: 0 };
}

interface StoredPlan {
  id: number;
  shape: string;
  plan: Plan;
  at: Date;
}

/** Reads, for one target and its two windows, what changed that can explain a slower statement. */
class CauseContext {
  private settings: SettingChange[] | null = null;

  constructor(
    private readonly store: StoreConnection,
    private readonly targetId: number,
    private readonly baselineFrom: Date,
    private readonly recentFrom: Date,
    private readonly until: Date,
  ) {}

  /** In the order the brief of the command promises: plan, index, statistics, settings, growth. */
  async causes(statementIds: number[]): Promise<RegressionCause[]> {
    const causes: RegressionCause[] = [];
    const plans = await this.plans(statementIds);
    const before = plans.before;
    const after = plans.after;
    const planChange = before && after && before.id !== after.id ? planChanged(before, after) : null;
    const signs = { planChanged: planChange !== null };
    if (planChange) causes.push(planChange);
    if (before) causes.push(...(await this.droppedIndexes(before.plan)));
    const tables = tablesOf([before?.plan, after?.plan]);
    const tableFigures = await this.tableFigures(tables);
    for (const t of tableFigures)
      if (t.analyzedBefore?.getTime() !== t.analyzedAfter?.getTime() && t.analyzedAfter)
        causes.push({
          kind: "statistics-analyzed",
          score: causeScore("statistics-analyzed", signs),
          headline: `${t.name} re-analyzed`,
          text: `${t.name} was analyzed again at ${shortTime(t.analyzedAfter)}${t.analyzedBefore ? ` (before: ${shortTime(t.analyzedBefore)})` : ""}: the planner's estimates changed`,
          evidence: { analyzedAt: t.analyzedAfter.toISOString() },
          objects: [t.name],
        });
    for (const { name, ...c } of await this.settingChanges())
      causes.push({
        kind: "setting-changed",
        score: causeScore("setting-changed", { ...signs, setting: name }),
        ...c,
        objects: [],
      });
    for (const t of tableFigures) {
      const rows = t.rowsBefore > 0 ? t.rowsAfter / t.rowsBefore : 1;
      const bytes = t.bytesBefore > 0 ? t.bytesAfter / t.bytesBefore : 1;
      if (rows >= GROWTH_FACTOR || bytes >= GROWTH_FACTOR)
        causes.push({
          kind: "table-grew",
          score: causeScore("table-grew", signs),
          headline: `${t.name} grew ${formatFactor(Math.max(rows, bytes))}`,
          text: `${t.name} grew from ${formatCount(t.rowsBefore)} to ${formatCount(t.rowsAfter)} rows (${formatBytes(t.bytesBefore)} to ${formatBytes(t.bytesAfter)})`,
          evidence: {
            rowsBefore: t.rowsBefore,
            rowsAfter: t.rowsAfter,
            bytesBefore: t.bytesBefore,
            bytesAfter: t.bytesAfter,
          },
          objects: [t.name],
        });
    }
    return causes;
  }

  /** The last plan seen before the recent window (baseline or older) and the last one in it. */
  private async plans(ids: number[]): Promise<{ before: StoredPlan | null; after: StoredPlan | null }> {
    const rows = await this.store.query<{
      recent: boolean;
      id: string;
      shape_hash: string;
      plan: Plan;
      taken_at: Date;
    }>(
      `select distinct on (ps.taken_at > $2) ps.taken_at > $2 as recent, p.id, p.shape_hash, p.plan, ps.taken_at
         from dbopt_store.plan_sample ps join dbopt_store.plan p on p.id = ps.plan_id
        where ps.target_id = $1 and ps.statement_id = any($3::bigint[]) and ps.taken_at <= $4
        order by ps.taken_at > $2, ps.taken_at desc`,
      [this.targetId, this.recentFrom, ids, this.until],
    );
    const pick = (recent: boolean): StoredPlan | null => {
      const r = rows.find((x) => x.recent === recent);
      return r ? { id: Number(r.id), shape: r.shape_hash, plan: r.plan, at: r.taken_at } : null;
    };
    return { before: pick(false), after: pick(true) };
  }

  /** Indexes the old plan read that no longer appear in the target's latest index samples. */
  private async droppedIndexes(plan: Plan): Promise<RegressionCause[]> {
    const used = new Map<string, string | null>();
    for (const [node] of walkPlan(plan.root)) if (node.indexName) used.set(node.indexName, node.schema);
    if (!used.size) return [];
    const rows = await this.store.query<{
      schema_name: string;
      name: string;
      table_schema: string | null;
      table_name: string | null;
      definition: string | null;
      last_sampled: Date | null;
      latest: Date | null;
    }>(
      `select r.schema_name, r.name, r.table_schema, r.table_name, r.definition,
              (select max(i.taken_at) from dbopt_store.index_sample i
                where i.target_id = $1 and i.relation_id = r.id and i.taken_at <= $3) as last_sampled,
              (select max(i.taken_at) from dbopt_store.index_sample i
                where i.target_id = $1 and i.taken_at <= $3) as latest
         from dbopt_store.relation r
        where r.target_id = $1 and r.kind = 'index' and r.name = any($2::text[])`,
      [this.targetId, [...used.keys()], this.until],
    );
    const causes: RegressionCause[] = [];
    for (const [name, schema] of used) {
      const same = rows.filter((r) => r.name === name && (schema === null || r.schema_name === schema));
      if (!same.length) continue;
      const latest = same[0]?.latest?.getTime() ?? 0;
      // Still there if any row of that name (a rebuilt index has a new oid) was in the latest sample.
      if (same.some((r) => (r.last_sampled?.getTime() ?? 0) >= latest)) continue;
      const last = same.reduce((a, b) =>
        (a.last_sampled?.getTime() ?? 0) >= (b.last_sampled?.getTime() ?? 0) ? a : b,
      );
      const qualified = `${last.schema_name}.${name}`;
      causes.push({
        kind: "index-dropped",
        score: causeScore("index-dropped", { planChanged: true, indexInOldPlan: true }),
        headline: `index ${qualified} dropped`,
        text: `the index ${qualified}${last.table_name ? ` on ${last.table_schema}.${last.table_name}` : ""}, which the old plan used, is gone: last seen at ${last.last_sampled ? shortTime(last.last_sampled) : "?"}${last.definition ? ` (${last.definition})` : ""}`,
        evidence: { droppedIndex: qualified, droppedIndexDefinition: last.definition },
        objects: [qualified],
        ...(last.definition ? { recreate: last.definition } : {}),
      });
    }
    return causes;
  }

  private async tableFigures(
    tables: Map<string, { schema: string | null; name: string }>,
  ): Promise<TableFigures[]> {
    if (!tables.size) return [];
    const names = [...new Set([...tables.values()].map((t) => t.name))];
    const rows = await this.store.query<{
      relation_id: string;
      schema_name: string;
      name: string;
      recent: boolean;
      rows_estimate: number;
      total_bytes: string;
      analyzed: Date | null;
    }>(
      `select distinct on (r.id, t.taken_at > $2) r.id as relation_id, r.schema_name, r.name, t.taken_at > $2 as recent,
              t.rows_estimate, t.total_bytes, greatest(t.last_analyze, t.last_autoanalyze) as analyzed
         from dbopt_store.table_sample t join dbopt_store.relation r on r.id = t.relation_id
        where t.target_id = $1 and r.kind <> 'index' and r.name = any($3::text[]) and t.taken_at <= $4
          and t.taken_at > $5
        order by r.id, t.taken_at > $2, t.taken_at desc`,
      [this.targetId, this.recentFrom, names, this.until, this.baselineFrom],
    );
    const figures: TableFigures[] = [];
    for (const t of tables.values()) {
      const mine = rows.filter((r) => r.name === t.name && (t.schema === null || r.schema_name === t.schema));
      const before = mine.find((r) => !r.recent);
      const after = mine.find((r) => r.recent);
      if (!before || !after) continue;
      figures.push({
        name: `${after.schema_name}.${after.name}`,
        rowsBefore: Math.max(0, Number(before.rows_estimate)),
        rowsAfter: Math.max(0, Number(after.rows_estimate)),
        bytesBefore: Number(before.total_bytes),
        bytesAfter: Number(after.total_bytes),
        analyzedBefore: before.analyzed,
        analyzedAfter: after.analyzed,
      });
    }
    return figures;
  }

  /** Settings changed after the baseline window began (the target's first sample records every setting: not a change). */
  private async settingChanges(): Promise<SettingChange[]> {
    if (this.settings) return this.settings;
    const rows = await this.store.query<{
      name: string;
      setting: string;
      unit: string | null;
      changed_at: Date;
      previous: string | null;
    }>(
      `select c.name, c.setting, c.unit, c.changed_at,
              (select p.setting from dbopt_store.setting_change p
                where p.target_id = c.target_id and p.name = c.name and p.changed_at < c.changed_at
                order by p.changed_at desc limit 1) as previous
         from dbopt_store.setting_change c
        where c.target_id = $1 and c.changed_at > $2 and c.changed_at <= $3
          and c.changed_at > (select min(changed_at) from dbopt_store.setting_change where target_id = $1)
        order by c.changed_at`,
      [this.targetId, this.baselineFrom, this.until],
    );
    this.settings = rows.map((r) => {
      const unit = r.unit ? ` (${r.unit})` : "";
      return {
        name: r.name,
        headline: `${r.name} changed`,
        text: `the setting ${r.name} changed to ${r.setting}${unit}${r.previous !== null ? ` from ${r.previous}` : ""} at ${shortTime(r.changed_at)}`,
        evidence: { [`setting:${r.name}`]: `${r.previous ?? "?"} → ${r.setting}` },
      };
    });
    return this.settings;
  }
}

interface SettingChange {
  name: string;
  headline: string;
  text: string;
  evidence: Record<string, EvidenceValue>;
}

interface TableFigures {
  name: string;
  rowsBefore: number;
  rowsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  analyzedBefore: Date | null;
  analyzedAfter: Date | null;
}

/** The plan change, both shapes named, and D's comparison's diverging node and why. */
function planChanged(before: StoredPlan, after: StoredPlan): RegressionCause {
  const evidence: Record<string, EvidenceValue> = {
    planBefore: shapeLine(before.plan),
    planAfter: shapeLine(after.plan),
    planShapeBefore: before.shape,
    planShapeAfter: after.shape,
  };
  let where = "";
  try {
    const verdict = judgeDiff(diffPlans(analyzePlan(before.plan), analyzePlan(after.plan)));
    if (verdict.divergence) {
      evidence.divergesAt = verdict.divergence.label;
      evidence.divergenceWhy = verdict.divergence.why.join("; ");
      where = `; they diverge at ${verdict.divergence.label}${verdict.divergence.why.length ? `: ${verdict.divergence.why.join("; ")}` : ""}`;
    }
  } catch {
    // A stored plan the comparison cannot read still has its shapes named.
  }
  return {
    kind: "plan-changed",
    score: causeScore("plan-changed", { planChanged: true }),
    headline: "plan changed",
    text: `the plan changed from ${evidence.planBefore} to ${evidence.planAfter} (first seen ${shortTime(after.at)})${where}`,
    evidence,
    objects: [],
  };
}

function tablesOf(plans: (Plan | undefined)[]): Map<string, { schema: string | null; name: string }> {
  const tables = new Map<string, { schema: string | null; name: string }>();
  for (const plan of plans)
    if (plan)
      for (const [node] of walkPlan(plan.root))
        if (
          node.relationName &&
          /Scan$/.test(node.nodeType) &&
          !/^(CTE|Function|Values|Subquery|WorkTable)/.test(node.nodeType)
        )
          tables.set(`${node.schema}.${node.relationName}`, { schema: node.schema, name: node.relationName });
  return tables;
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n;
}
