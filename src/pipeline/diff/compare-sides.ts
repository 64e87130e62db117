import type {
  DiffSide,
  SideIndex,
  SidePlan,
  SideStatement,
  SideTable,
  WindowCounters,
} from "../../facts/diff-side.js";
import type { Finding } from "../../findings/finding.js";
import { HISTORY_RULES } from "../../rules/registry.js";
import { runRules } from "../../rules/run-rules.js";
import {
  DEFAULT_THRESHOLDS,
  judgeRegression,
  type RegressionThresholds,
} from "../../store/window-statistics.js";
import { formatMs } from "../../util/format.js";
import { type CauseInput, likelyCauses, planChange } from "./diff-causes.js";
import type {
  DiffReport,
  DiffSideSummary,
  IndexChange,
  PlanChange,
  Reanalyzed,
  SettingChange,
  StatementComparison,
  StatementFigures,
  TableGrowth,
} from "./diff-report.js";

/** A table counts as grown when its rows or bytes grew by this factor, and by at least the minimums below. */
export const GROWTH_FACTOR = 1.25;
const GROWTH_MIN_ROWS = 1000;
const GROWTH_MIN_BYTES = 1024 * 1024;
/** New and gone statements are listed when they took at least this share of their side's statement time. */
const ONE_SIDE_MIN_SHARE = 0.01;
const ONE_SIDE_LIMIT = 20;
const STATEMENT_LIMIT = 50;
/** Settings that describe the session reading them, not the server. */
const SESSION_SETTINGS = /^(transaction_|application_name$|in_hot_standby$)/;

/** A statement's entries on one side (every role and nesting level of one queryid), summed. */
interface Grouped {
  queryId: string;
  fingerprint: string | null;
  query: string;
  counters: WindowCounters;
}

/**
 * Compare two sides: every statement matched by queryid (else by fingerprint) with its figures before and after,
 * the ones on one side only, plan changes, indexes added, dropped or newly unused, settings changed, tables that
 * grew, statistics re-analysed; and each statement whose mean got slower beyond noise (Welch's t on calls, means
 * and stddevs) as a finding with its most likely cause, ranked by the time it added.
 */
export function compareSides(
  before: DiffSide,
  after: DiffSide,
  thresholds: RegressionThresholds = DEFAULT_THRESHOLDS,
): DiffReport {
  const b = grouped(before.statements);
  const a = grouped(after.statements);
  const pairs = matchStatements(b, a);
  const figures = (g: Grouped | undefined, side: DiffSide) => statementFigures(g?.counters, side.blockSize);

  const indexesBefore = new Map(before.indexes.map((i) => [`${i.schema}.${i.name}`, i]));
  const indexesAfter = new Map(after.indexes.map((i) => [`${i.schema}.${i.name}`, i]));
  const indexesAdded = [...indexesAfter]
    .filter(([k]) => !indexesBefore.has(k))
    .map(([, i]) => change(null, i));
  const indexesDropped = [...indexesBefore]
    .filter(([k]) => !indexesAfter.has(k))
    .map(([, i]) => change(i, null));
  const indexesNewlyUnused = [...indexesAfter]
    .map(([k, i]) => [indexesBefore.get(k), i] as const)
    .filter(([was, i]) => was && (was.scans ?? 0) > 0 && i.scans === 0)
    .map(([was, i]) => change(was ?? null, i));

  const settingsChanged = changedSettings(before, after);
  const { grew, reanalyzed } = tableChanges(before.tables, after.tables);

  const planChanges: PlanChange[] = [];
  const statements: StatementComparison[] = [];
  const findings: Finding[] = [];
  const causeInput: CauseInput = {
    before,
    after,
    indexesDropped: indexesDropped.map((i) => ({ ...i, side: indexesBefore.get(i.index) as SideIndex })),
    settingsChanged,
    grew,
    reanalyzed,
  };
  for (const pair of pairs) {
    if (!pair.before || !pair.after) continue;
    const plans = plansOf(pair.before, pair.after, before, after);
    const plan = plans.before && plans.after && plans.before.shapeHash !== plans.after.shapeHash;
    const changedPlan =
      plan && plans.before && plans.after ? planChange(pair.after, plans.before, plans.after) : null;
    if (changedPlan) planChanges.push(changedPlan);
    const fb = figures(pair.before, before);
    const fa = figures(pair.after, after);
    if (!fb.calls || !fa.calls) continue;
    const judged = judgeRegression(pair.before.counters, pair.after.counters, thresholds);
    statements.push({
      queryid: pair.after.queryId,
      query: pair.after.query,
      matchedBy: pair.matchedBy,
      before: fb,
      after: fa,
      verdict: judged.reason,
      regressed: judged.regressed,
    });
    if (!judged.regressed) continue;
    const causes = likelyCauses(causeInput, {
      statement: pair.after,
      before: fb,
      after: fa,
      plans,
      planChange: changedPlan,
    });
    findings.push(
      ...runRules(HISTORY_RULES, {
        query: pair.after.query,
        verdict: judged,
        causes,
        counters: { before: fb, after: fa },
        matchedBy: pair.matchedBy,
      }),
    );
  }
  findings.sort((x, y) => (y.timeMs ?? 0) - (x.timeMs ?? 0));
  statements.sort(
    (x, y) => Math.max(y.before.totalMs, y.after.totalMs) - Math.max(x.before.totalMs, x.after.totalMs),
  );

  const totals = (side: DiffSide) => side.statements.reduce((t, s) => t + s.counters.totalMs, 0);
  const oneSide = (list: (Grouped | undefined)[], side: DiffSide) => {
    const total = totals(side);
    const all = list
      .filter((g): g is Grouped => g !== undefined && g.counters.calls > 0)
      .map((g) => ({ queryid: g.queryId, query: g.query, figures: figures(g, side) }))
      .sort((x, y) => y.figures.totalMs - x.figures.totalMs);
    const listed = all.filter((s) => total > 0 && s.figures.totalMs >= total * ONE_SIDE_MIN_SHARE);
    return {
      listed: listed.slice(0, ONE_SIDE_LIMIT),
      minor: all.length - Math.min(listed.length, ONE_SIDE_LIMIT),
    };
  };
  // On one side only: no entry on the other, or an entry that did not run in its window.
  const news = oneSide(
    pairs.filter((p) => !p.before?.counters.calls).map((p) => p.after),
    after,
  );
  const gones = oneSide(
    pairs.filter((p) => !p.after?.counters.calls).map((p) => p.before),
    before,
  );

  const notes = [...before.notes.map((n) => `before: ${n}`), ...after.notes.map((n) => `after: ${n}`)];
  if (!before.plans || !after.plans)
    notes.push(
      "plan changes need generic plans, which snapshot files do not keep: compare store times to see them",
    );
  return {
    kind: "diff",
    before: summary(before),
    after: summary(after),
    thresholds,
    method: `Welch's t-test on each statement's mean time per call, before against after, from the calls, total time and stddev pg_stat_statements recorded; a statement is flagged when it ran at least ${thresholds.minCalls} times on each side, its mean grew at least ${thresholds.minRatio}× and by ${thresholds.minDeltaMs} ms, t ≥ ${thresholds.minT}, and the change added at least ${formatMs(thresholds.minAddedMs)} over the after window`,
    findings,
    statements: statements.slice(0, STATEMENT_LIMIT),
    statementsOmitted: Math.max(0, statements.length - STATEMENT_LIMIT),
    newStatements: news.listed,
    goneStatements: gones.listed,
    minorNewGone: { new: news.minor, gone: gones.minor },
    planChanges,
    indexesAdded,
    indexesDropped,
    indexesNewlyUnused,
    settingsChanged,
    tablesGrew: grew,
    reanalyzed,
    notes,
  };
}

function summary(side: DiffSide): DiffSideSummary {
  return {
    label: side.label,
    database: side.database,
    serverVersion: side.serverVersion,
    at: side.at,
    window: side.window,
    calls: side.statements.reduce((t, s) => t + s.counters.calls, 0),
    totalMs: round(side.statements.reduce((t, s) => t + s.counters.totalMs, 0)),
    hasPlans: side.plans !== null,
  };
}

function grouped(statements: SideStatement[]): Map<string, Grouped> {
  const out = new Map<string, Grouped & { topMs: number }>();
  for (const s of statements) {
    const g = out.get(s.queryId);
    if (!g) {
      out.set(s.queryId, {
        queryId: s.queryId,
        fingerprint: s.fingerprint,
        query: s.query,
        counters: { ...s.counters },
        topMs: s.counters.totalMs,
      });
      continue;
    }
    for (const f of Object.keys(g.counters) as (keyof WindowCounters)[]) g.counters[f] += s.counters[f];
    g.fingerprint ??= s.fingerprint;
    // The text of the entry that took the most time names the statement.
    if (s.counters.totalMs > g.topMs) {
      g.query = s.query;
      g.topMs = s.counters.totalMs;
    }
  }
  return out;
}

interface Pair {
  before: Grouped | undefined;
  after: Grouped | undefined;
  matchedBy: "queryid" | "fingerprint";
}

/** Pair by queryid; what is left, by fingerprint (the same statement on another server or major version). */
function matchStatements(before: Map<string, Grouped>, after: Map<string, Grouped>): Pair[] {
  const pairs: Pair[] = [];
  const leftBefore = new Map(before);
  const unmatched: Grouped[] = [];
  for (const [id, g] of after) {
    const was = leftBefore.get(id);
    if (was) {
      pairs.push({ before: was, after: g, matchedBy: "queryid" });
      leftBefore.delete(id);
    } else unmatched.push(g);
  }
  const byFingerprint = new Map<string, Grouped>();
  for (const g of leftBefore.values())
    if (g.fingerprint && !byFingerprint.has(g.fingerprint)) byFingerprint.set(g.fingerprint, g);
  for (const g of unmatched) {
    const was = g.fingerprint ? byFingerprint.get(g.fingerprint) : undefined;
    if (was && g.fingerprint) {
      byFingerprint.delete(g.fingerprint);
      leftBefore.delete(was.queryId);
      pairs.push({ before: was, after: g, matchedBy: "fingerprint" });
    } else pairs.push({ before: undefined, after: g, matchedBy: "queryid" });
  }
  for (const g of leftBefore.values()) pairs.push({ before: g, after: undefined, matchedBy: "queryid" });
  return pairs;
}

function statementFigures(c: WindowCounters | undefined, blockSize: number): StatementFigures {
  if (!c?.calls)
    return {
      calls: c?.calls ?? 0,
      meanMs: 0,
      totalMs: round(c?.totalMs ?? 0),
      rows: c?.rows ?? 0,
      sharedBlksHit: c?.sharedBlksHit ?? 0,
      sharedBlksRead: c?.sharedBlksRead ?? 0,
      tempBytes: ((c?.tempBlksRead ?? 0) + (c?.tempBlksWritten ?? 0)) * blockSize,
    };
  return {
    calls: c.calls,
    meanMs: round(c.totalMs / c.calls),
    totalMs: round(c.totalMs),
    rows: c.rows,
    sharedBlksHit: c.sharedBlksHit,
    sharedBlksRead: c.sharedBlksRead,
    // Temp blocks written and read back: what the statement moved through temporary files.
    tempBytes: (c.tempBlksRead + c.tempBlksWritten) * blockSize,
  };
}

function plansOf(
  b: Grouped,
  a: Grouped,
  before: DiffSide,
  after: DiffSide,
): { before: SidePlan | null; after: SidePlan | null } {
  return { before: before.plans?.[b.queryId] ?? null, after: after.plans?.[a.queryId] ?? null };
}

function change(was: SideIndex | null, now: SideIndex | null): IndexChange {
  const i = (now ?? was) as SideIndex;
  return {
    index: `${i.schema}.${i.name}`,
    table: `${i.tableSchema}.${i.table}`,
    definition: i.definition,
    sizeBytes: i.sizeBytes,
    scansBefore: was?.scans ?? null,
    scansAfter: now?.scans ?? null,
  };
}

function changedSettings(before: DiffSide, after: DiffSide): SettingChange[] {
  const was = new Map(before.settings.map((s) => [s.name, s]));
  const now = new Map(after.settings.map((s) => [s.name, s]));
  const names = [...new Set([...was.keys(), ...now.keys()])].filter((n) => !SESSION_SETTINGS.test(n)).sort();
  const out: SettingChange[] = [];
  for (const name of names) {
    const x = was.get(name);
    const y = now.get(name);
    // A setting only one side lists is another server version's, not a change.
    if (!x || !y || x.setting === y.setting) continue;
    out.push({
      name,
      before: x.setting,
      after: y.setting,
      unit: y.unit ?? x.unit,
      sourceBefore: x.source,
      sourceAfter: y.source,
    });
  }
  return out;
}

function tableChanges(
  before: SideTable[],
  after: SideTable[],
): { grew: TableGrowth[]; reanalyzed: Reanalyzed[] } {
  const was = new Map(before.map((t) => [`${t.schema}.${t.name}`, t]));
  const grew: TableGrowth[] = [];
  const reanalyzed: Reanalyzed[] = [];
  for (const t of after) {
    const key = `${t.schema}.${t.name}`;
    const x = was.get(key);
    if (!x) continue;
    // A table never analyzed has no row estimate (-1 or 0): its bytes tell.
    const rowsFactor = x.rows > 0 ? t.rows / x.rows : 1;
    const bytesFactor = x.totalBytes > 0 ? t.totalBytes / x.totalBytes : 1;
    const rowsGrew = rowsFactor >= GROWTH_FACTOR && t.rows - x.rows >= GROWTH_MIN_ROWS;
    const bytesGrew = bytesFactor >= GROWTH_FACTOR && t.totalBytes - x.totalBytes >= GROWTH_MIN_BYTES;
    if (rowsGrew || bytesGrew)
      grew.push({
        table: key,
        rowsBefore: Math.max(0, x.rows),
        rowsAfter: Math.max(0, t.rows),
        bytesBefore: x.totalBytes,
        bytesAfter: t.totalBytes,
        factor: round(Math.max(rowsGrew ? rowsFactor : 1, bytesGrew ? bytesFactor : 1)),
      });
    if (
      t.analyzedAt &&
      t.analyzedAt !== x.analyzedAt &&
      Date.parse(t.analyzedAt) !== Date.parse(x.analyzedAt ?? "")
    )
      reanalyzed.push({ table: key, before: x.analyzedAt, after: t.analyzedAt });
  }
  grew.sort((x, y) => y.bytesAfter - y.bytesBefore - (x.bytesAfter - x.bytesBefore));
  return { grew, reanalyzed };
}

export function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n;
}
