import type { DiffSide, SideIndex, SidePlan, SideStatement, SideTable } from "../../facts/diff-side.js";
import { diffPlans } from "../../facts/plan/plan-diff.js";
import { judgeDiff } from "../../facts/plan/plan-diff-verdict.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { type Plan, walkPlan } from "../../facts/plan/plan-model.js";
import { shapeLine } from "../../facts/plan/plan-shape-line.js";
import {
  causeScore,
  isMemorySetting,
  type RegressionCause,
} from "../../rules/history/statement-regressed.js";
import { formatBytes, formatCount, formatFactor } from "../../util/format.js";
import type {
  IndexChange,
  PlanChange,
  Reanalyzed,
  SettingChange,
  StatementFigures,
  TableGrowth,
} from "./diff-report.js";
import { statementRelations } from "./statement-tables.js";

/** What changed between the sides, computed once and read for every regressed statement. */
export interface CauseInput {
  before: DiffSide;
  after: DiffSide;
  indexesDropped: (IndexChange & { side: SideIndex })[];
  settingsChanged: SettingChange[];
  grew: TableGrowth[];
  reanalyzed: Reanalyzed[];
}

export interface RegressedStatement {
  statement: SideStatement;
  before: StatementFigures;
  after: StatementFigures;
  plans: { before: SidePlan | null; after: SidePlan | null };
  planChange: PlanChange | null;
}

/**
 * The changes that can explain one statement's slower mean, most likely first: an index dropped that its old
 * plan used (or on a table it reads), its plan changed, a setting its figures point at (temporary bytes grew
 * after a memory setting changed), a planner setting, a table it reads that grew (more so when its blocks per
 * call grew with it), statistics re-analysed on a table it reads, and other settings last.
 */
export function likelyCauses(input: CauseInput, s: RegressedStatement): RegressionCause[] {
  const causes: RegressionCause[] = [];
  const planChanged = s.planChange !== null;
  const tables = statementTables(s, [...input.before.tables, ...input.after.tables]);
  const usedByOldPlan = s.plans.before ? planIndexes(s.plans.before.plan) : new Set<string>();
  for (const i of input.indexesDropped) {
    const inPlan = usedByOldPlan.has(i.side.name) || usedByOldPlan.has(i.index);
    if (!inPlan && !tables.has(i.table)) continue;
    causes.push({
      kind: "index-dropped",
      score: causeScore("index-dropped", { planChanged, indexInOldPlan: inPlan }),
      headline: `index ${i.index} dropped`,
      text: `the index ${i.index} on ${i.table}${inPlan ? ", which the old plan used," : ", a table this statement reads,"} is gone (${i.definition})`,
      evidence: {
        droppedIndex: i.index,
        droppedIndexDefinition: i.definition,
        droppedIndexBytes: i.sizeBytes,
      },
      objects: [i.index],
      recreate: i.definition,
    });
  }
  if (s.planChange) {
    causes.push({
      kind: "plan-changed",
      score: causeScore("plan-changed", { planChanged }),
      headline: "plan changed",
      text: `the plan changed from ${s.planChange.before} to ${s.planChange.after}${s.planChange.divergesAt ? `; they diverge at ${s.planChange.divergesAt}${s.planChange.why.length ? `: ${s.planChange.why.join("; ")}` : ""}` : ""}`,
      evidence: {
        planBefore: s.planChange.before,
        planAfter: s.planChange.after,
        planShapeBefore: s.planChange.shapeBefore,
        planShapeAfter: s.planChange.shapeAfter,
        ...(s.planChange.divergesAt
          ? { divergesAt: s.planChange.divergesAt, divergenceWhy: s.planChange.why.join("; ") }
          : {}),
      },
      objects: [],
    });
  }
  const tempPerCall = (f: StatementFigures) => (f.calls ? f.tempBytes / f.calls : 0);
  const tempGrew = tempPerCall(s.after) > 0 && tempPerCall(s.after) >= tempPerCall(s.before) * GROWTH;
  for (const c of input.settingsChanged) {
    const memory = isMemorySetting(c.name);
    const unit = c.unit ? ` (${c.unit})` : "";
    causes.push({
      kind: "setting-changed",
      score: causeScore("setting-changed", { planChanged, setting: c.name, tempGrew }),
      headline: `${c.name} changed to ${c.after}${c.unit ?? ""}`,
      text: `the setting ${c.name} changed from ${c.before} to ${c.after}${unit} (source: ${c.sourceAfter})${memory && tempGrew ? `, and the statement now moves ${formatBytes(tempPerCall(s.after))} through temporary files per call (was ${formatBytes(tempPerCall(s.before))})` : ""}`,
      evidence: {
        [`setting:${c.name}`]: `${c.before} → ${c.after}`,
        ...(memory
          ? {
              tempBytesPerCallBefore: round(tempPerCall(s.before)),
              tempBytesPerCallAfter: round(tempPerCall(s.after)),
            }
          : {}),
      },
      objects: [],
    });
  }
  const blocksGrew = blocksPerCall(s.after) >= blocksPerCall(s.before) * GROWTH;
  for (const g of input.grew) {
    if (!tables.has(g.table)) continue;
    causes.push({
      kind: "table-grew",
      score: causeScore("table-grew", { planChanged, blocksGrew }),
      headline: `${g.table} grew ${formatFactor(g.factor)}`,
      text: `${g.table}, which it reads, grew from ${formatCount(g.rowsBefore)} to ${formatCount(g.rowsAfter)} rows (${formatBytes(g.bytesBefore)} to ${formatBytes(g.bytesAfter)})`,
      evidence: {
        grownTable: g.table,
        rowsBefore: g.rowsBefore,
        rowsAfter: g.rowsAfter,
        bytesBefore: g.bytesBefore,
        bytesAfter: g.bytesAfter,
      },
      objects: [g.table],
    });
  }
  for (const r of input.reanalyzed) {
    if (!tables.has(r.table)) continue;
    causes.push({
      kind: "statistics-analyzed",
      score: causeScore("statistics-analyzed", { planChanged }),
      headline: `${r.table} re-analyzed`,
      text: `${r.table} was analyzed again at ${r.after}${r.before ? ` (before: ${r.before})` : ""}: the planner's estimates for it changed`,
      evidence: { analyzedTable: r.table, analyzedAt: r.after },
      objects: [r.table],
    });
  }
  return causes.sort((a, b) => b.score - a.score);
}

const GROWTH = 1.25;

/** Shared blocks touched per call, from the cache or not. */
function blocksPerCall(f: StatementFigures): number {
  return f.calls ? (f.sharedBlksHit + f.sharedBlksRead) / f.calls : 0;
}

/** "schema.name" of every table the statement reads: from its plans when there are any, else from its text. */
function statementTables(s: RegressedStatement, known: SideTable[]): Set<string> {
  const out = new Set<string>();
  const named = statementRelations(s.statement.query);
  // Generic plans name a relation's schema only when EXPLAIN was VERBOSE: resolve the others by name too.
  for (const plan of [s.plans.before?.plan, s.plans.after?.plan])
    if (plan)
      for (const [node] of walkPlan(plan.root))
        if (node.relationName) named.push({ schema: node.schema ?? null, name: node.relationName });
  for (const r of named) {
    if (r.schema) {
      out.add(`${r.schema}.${r.name}`);
      continue;
    }
    // An unqualified name: the tables of that name the sides know (public first, as the usual search_path has it).
    const same = known.filter((t) => t.name === r.name);
    const pick = same.find((t) => t.schema === "public") ?? same[0];
    if (pick) out.add(`${pick.schema}.${pick.name}`);
  }
  return out;
}

function planIndexes(plan: Plan): Set<string> {
  const out = new Set<string>();
  for (const [node] of walkPlan(plan.root))
    if (node.indexName) {
      out.add(node.indexName);
      if (node.schema) out.add(`${node.schema}.${node.indexName}`);
    }
  return out;
}

/** The two generic plans of a statement, and where they diverge and why (plan-diff-verdict.ts). */
export function planChange(s: SideStatement, before: SidePlan, after: SidePlan): PlanChange {
  const change: PlanChange = {
    queryid: s.queryId,
    query: s.query,
    before: shapeLine(before.plan),
    after: shapeLine(after.plan),
    shapeBefore: before.shapeHash,
    shapeAfter: after.shapeHash,
    divergesAt: null,
    why: [],
  };
  try {
    const verdict = judgeDiff(diffPlans(analyzePlan(before.plan), analyzePlan(after.plan)));
    if (verdict.divergence) {
      change.divergesAt = verdict.divergence.label;
      change.why = verdict.divergence.why;
    }
  } catch {
    // A stored plan the comparison cannot read still has both shapes named.
  }
  return change;
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n;
}
