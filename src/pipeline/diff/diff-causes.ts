import type { DiffSide, SideIndex, SidePlan, SideStatement, SideTable } from "../../facts/diff-side.js";
import { diffPlans } from "../../facts/plan/plan-diff.js";
import { judgeDiff } from "../../facts/plan/plan-diff-verdict.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { type Plan, walkPlan } from "../../facts/plan/plan-model.js";
import { shapeLine } from "../../facts/plan/plan-shape-line.js";
import { checkFix } from "../../findings/checked-fix.js";
import type { EvidenceValue, Finding, Severity } from "../../findings/finding.js";
import type { RegressionJudgement } from "../../store/window-statistics.js";
import { formatBytes, formatCount, formatFactor } from "../../util/format.js";
import { sqlFrom } from "../../util/sql-text.js";
import type {
  IndexChange,
  PlanChange,
  Reanalyzed,
  SettingChange,
  StatementFigures,
  TableGrowth,
} from "./diff-report.js";
import { statementRelations } from "./statement-tables.js";

const RULE_ID = "history/statement-regressed";
const DOCS_URL = "https://www.postgresql.org/docs/current/pgstatstatements.html";

/** Settings that decide how much memory a sort or hash gets before it spills to temporary files. */
const MEMORY_SETTINGS = new Set(["work_mem", "hash_mem_multiplier", "temp_buffers"]);
/** Settings the planner reads to choose a plan. */
const PLANNER_SETTINGS =
  /^(enable_|jit|geqo|random_page_cost$|seq_page_cost$|cpu_|effective_cache_size$|effective_io_concurrency$|default_statistics_target$|plan_cache_mode$|from_collapse_limit$|join_collapse_limit$|parallel_|max_parallel_workers_per_gather$|min_parallel_|constraint_exclusion$|cursor_tuple_fraction$)/;

export type CauseKind =
  | "index-dropped"
  | "plan-changed"
  | "setting-changed"
  | "table-grew"
  | "statistics-analyzed";

export interface Cause {
  kind: CauseKind;
  /** How likely it is the cause, to rank them: what the statement's own figures point at scores higher. */
  score: number;
  headline: string;
  text: string;
  evidence: Record<string, EvidenceValue>;
  objects: string[];
  /** The dropped index's definition, to recreate it. */
  recreate?: string;
}

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
export function likelyCauses(input: CauseInput, s: RegressedStatement): Cause[] {
  const causes: Cause[] = [];
  const tables = statementTables(s, [...input.before.tables, ...input.after.tables]);
  const usedByOldPlan = s.plans.before ? planIndexes(s.plans.before.plan) : new Set<string>();
  for (const i of input.indexesDropped) {
    const inPlan = usedByOldPlan.has(i.side.name) || usedByOldPlan.has(i.index);
    if (!inPlan && !tables.has(i.table)) continue;
    causes.push({
      kind: "index-dropped",
      score: inPlan ? 100 : 95,
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
    const dropped = causes[0];
    causes.push({
      kind: "plan-changed",
      score: 90,
      headline: dropped ? `${dropped.headline}, plan changed` : "plan changed",
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
    const memory = MEMORY_SETTINGS.has(c.name);
    const planner = PLANNER_SETTINGS.test(c.name);
    const score = memory ? (tempGrew ? 92 : 30) : planner ? (s.planChange ? 85 : 55) : 10;
    const unit = c.unit ? ` (${c.unit})` : "";
    causes.push({
      kind: "setting-changed",
      score,
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
      score: blocksGrew ? 80 : 50,
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
      score: s.planChange ? 88 : 45,
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

/** One regression as a finding: the Welch verdict, the figures before and after, the causes, most likely first. */
export function regressionFinding(
  s: SideStatement,
  judged: RegressionJudgement,
  before: StatementFigures,
  after: StatementFigures,
  causes: Cause[],
  matchedBy: "queryid" | "fingerprint",
): Finding {
  const top = causes[0];
  const severity: Severity = judged.ratio >= 10 && judged.addedMs >= 1000 ? "error" : "warning";
  const evidence: Record<string, EvidenceValue> = {
    callsBefore: before.calls,
    callsAfter: after.calls,
    meanBeforeMs: round(judged.before.meanMs),
    meanAfterMs: round(judged.after.meanMs),
    stddevBeforeMs: round(judged.before.stddevMs),
    stddevAfterMs: round(judged.after.stddevMs),
    rowsPerCallBefore: round(before.calls ? before.rows / before.calls : 0),
    rowsPerCallAfter: round(after.calls ? after.rows / after.calls : 0),
    sharedBlksReadBefore: before.sharedBlksRead,
    sharedBlksReadAfter: after.sharedBlksRead,
    tempBytesBefore: before.tempBytes,
    tempBytesAfter: after.tempBytes,
    slowerBy: round(judged.ratio),
    welchT: Number.isFinite(judged.welch.t) ? round(judged.welch.t) : "infinite",
    pValue: Number(judged.welch.p.toPrecision(2)),
    addedMs: round(judged.addedMs),
    matchedBy,
    cause: top?.kind ?? "unknown",
    causes: causes.map((c) => c.kind).join(", ") || "none found",
  };
  // The most likely cause's figures win a name both causes use.
  for (const c of [...causes].reverse()) Object.assign(evidence, c.evidence);
  const shown = causes.slice(0, 3);
  const because = shown.length
    ? `${shown.map((c) => c.text).join("; ")}${causes.length > shown.length ? ` (and ${causes.length - shown.length} less likely)` : ""}`
    : "no dropped index, plan change, setting change, table growth or new statistics was found between the two sides: look at locks, I/O and concurrent load";
  const recreate =
    top?.kind === "index-dropped" || top?.kind === "plan-changed"
      ? causes.find((c) => c.recreate)?.recreate
      : undefined;
  const finding: Finding = {
    ruleId: RULE_ID,
    severity,
    title: `${formatFactor(judged.ratio)} slower: ${top?.headline ?? "cause not found"}`,
    detail: `${judged.reason}. Most likely cause: ${because}.`,
    evidence,
    docsUrl: DOCS_URL,
    impact: judged.addedMs,
    timeMs: judged.addedMs,
    section: "time",
    query: s.query,
    objects: [...new Set(causes.flatMap((c) => c.objects))],
  };
  const concurrent = recreate ? concurrently(recreate) : null;
  if (concurrent)
    finding.fix = {
      sql: sqlFrom("server", `${concurrent};`),
      note: "Recreate the dropped index as it was defined (pg_get_indexdef of the before side); CONCURRENTLY does not block writes and cannot run inside a transaction block.",
    };
  return checkFix(finding);
}

/** pg_get_indexdef's CREATE [UNIQUE] INDEX with CONCURRENTLY added; null for any other text. */
function concurrently(definition: string): string | null {
  const m = /^CREATE (UNIQUE )?INDEX /.exec(definition);
  return m ? `CREATE ${m[1] ?? ""}INDEX CONCURRENTLY ${definition.slice(m[0].length)}` : null;
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n;
}
