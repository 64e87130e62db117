import type { AdviceReport } from "../advisors/index/advice-report.js";
import { skippedObjectsIn } from "../advisors/index/workload-query.js";
import { DbError } from "../connectors/db-error.js";
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { collectSnapshot } from "../facts/collect/collect-snapshot.js";
import { lockHolders } from "../facts/collect/locked-relations.js";
import type { MachineFacts } from "../facts/machine-facts.js";
import { genericPlan } from "../facts/plan/explain-runner.js";
import type { Snapshot, StatementFacts } from "../facts/snapshot.js";
import { repairNormalizedQuery } from "../facts/sql/normalized-statement.js";
import { explainableStatement } from "../facts/sql/statement-kind.js";
import { type Finding, rankFindings, SEVERITY_ORDER, type Severity } from "../findings/finding.js";
import { indexShape, sameIndex, servesAsWell } from "../findings/index-shape.js";
import { mergeByParent } from "../findings/partition-findings.js";
import { withTimeShare } from "../findings/ranking.js";
import { allRules, HEALTH_RULES, WORKLOAD_RULES } from "../rules/registry.js";
import { type RuleOverrides, runRules } from "../rules/run-rules.js";
import { InputError } from "../util/input-error.js";
import { checkSql } from "../util/sql-text.js";
import { adviseDatabase } from "./advise-database.js";
import type { AnalyzeReport, StatementReport } from "./analyze-report.js";
import { privilegeNotes } from "./check-database.js";
import { reportOnPlan } from "./plan-report.js";

export interface AnalyzeOptions {
  /** How many statements (by total time) to explain. */
  top?: number;
  overrides?: RuleOverrides;
  machine?: MachineFacts;
  onProgress?: (message: string) => void;
  /**
   * Index advice: "auto" uses HypoPG when it is installed, "sandbox" builds real indexes (the demo, or a copy
   * the user marked), "off" skips it.
   */
  advise?: "auto" | "sandbox" | "off";
}

/**
 * The main job: snapshot the database, explain its most time-consuming statements with their generic plans,
 * run the plan and workload detectors, and rank everything by the time it costs.
 */
export async function analyzeDatabase(
  db: PostgresConnector,
  options: AnalyzeOptions = {},
): Promise<{ report: AnalyzeReport; snapshot: Snapshot }> {
  const progress = options.onProgress ?? (() => {});
  const caps = await db.capabilities();
  const problem = caps.pgStatStatements.problem;
  if (problem) throw new DbError({ code: "extension-missing", message: problem.message, hint: problem.hint });
  progress("collecting schema, statistics, settings and workload");
  const snapshot = await collectSnapshot(db);
  const notes = privilegeNotes(snapshot, options.machine);

  const top = options.top ?? 10;
  // SET, BEGIN, VACUUM and the like have no plan: leave them out of the statements to explain.
  const candidates = snapshot.workload.statements.filter((s) => plannable(s.query)).slice(0, top);
  const statements: StatementReport[] = [];
  const failures: Array<{ why: string; hint: string | null }> = [];
  for (const [index, statement] of candidates.entries()) {
    progress(`explaining statement ${index + 1} of ${candidates.length}`);
    statements.push(
      await explainStatement(db, snapshot, statement, caps.major, options.overrides, (why, hint) =>
        failures.push({ why, hint }),
      ),
    );
  }
  notes.unshift(...explainFailureNotes(failures, candidates.length));

  // A spill the plan rules already placed on a Sort needs no second, vaguer finding from the workload rule.
  const spilling = new Set(
    statements
      .flatMap((s) => s.findings)
      .filter((f) => /spill/.test(f.ruleId))
      .map((f) => f.query),
  );
  // The statements table already shows each statement's share: no heavy-statement findings here.
  const workloadFindings = runRules(
    WORKLOAD_RULES.filter((r) => r.id !== "workload/heavy-statement"),
    { snapshot },
    options.overrides,
  ).filter((f) => !(f.ruleId === "workload/temp-spill" && spilling.has(f.query)));
  progress("running the health checks");
  const healthFindings = runRules(
    HEALTH_RULES,
    { snapshot, ...(options.machine ? { machine: options.machine } : {}) },
    options.overrides,
  );
  // One item per fix (a seq scan's index and a foreign key's index are one), and one per partitioned table (the
  // same index on its partitions goes on the parent), ranked by the time it costs.
  const merged = mergeByParent(
    [...statements.flatMap((s) => s.findings), ...workloadFindings, ...healthFindings],
    snapshot,
  );
  const advice = await adviceFor(db, snapshot, options, notes, progress);
  if (advice) markCheckedByPlanner(merged, advice);
  const findings = rankFindings(withTimeShare(merged, snapshot.workload.totalMs));
  const report: AnalyzeReport = {
    kind: "analyze",
    target: db.target.display,
    server: { version: snapshot.server.version, database: snapshot.server.database },
    capturedAt: snapshot.capturedAt,
    workload: {
      source: snapshot.workload.source,
      statementsSeen: snapshot.workload.statements.length,
      statementsExplained: statements.filter((s) => s.plan).length,
      totalMs: snapshot.workload.totalMs,
      statsResetAt: snapshot.workload.statsResetAt,
    },
    statements,
    findings,
    notes,
    advice,
  };
  return { report, snapshot };
}

async function adviceFor(
  db: PostgresConnector,
  snapshot: Snapshot,
  options: AnalyzeOptions,
  notes: string[],
  progress: (message: string) => void,
): Promise<AdviceReport | null> {
  const mode = options.advise ?? "auto";
  if (mode === "off") return null;
  const caps = await db.capabilities();
  if (mode === "auto" && !caps.hypopg.installedVersion) {
    notes.push(
      caps.hypopg.available
        ? "index advice needs HypoPG: CREATE EXTENSION hypopg; then run dbopt analyze again (or dbopt advise)"
        : "index advice needs the HypoPG extension on the server (apt install postgresql-NN-hypopg), or dbopt advise --sandbox on a copy",
    );
    return null;
  }
  progress("index advice: costing candidate indexes for the workload");
  try {
    const { report } = await adviseDatabase(
      db,
      {
        budgetBytes: null,
        maxIndexes: null,
        minImprovement: 0.05,
        sandbox: mode === "sandbox",
        apply: false,
        onProgress: progress,
      },
      snapshot,
    );
    return report;
  } catch (error) {
    // No advice is better than advice from no data; the rest of the analysis stands.
    if (!(error instanceof DbError) || error.isConnectionError) throw error;
    notes.push(`index advice: ${error.message}; ${error.hint}`);
    return null;
  }
}

/**
 * A finding whose fix builds the index the advisor recommends (the same index, or one whose keys lead the other's)
 * gets the planner's costs and the advisor's DDL as evidence: the two are one thing to do. When the two differ,
 * the report must not leave the user with two indexes to build for one lookup, so it says which one:
 * - the advisor's is wider: the finding's fix becomes the advisor's index, which serves the finding's lookup too
 *   and is the one the planner checked;
 * - the finding's is wider (it adds the ORDER BY's or another filter's column): the finding's is the one to build,
 *   since it serves every lookup the advisor's does and more; both its note and the advice's notes say so.
 */
function markCheckedByPlanner(findings: Finding[], advice: AdviceReport): void {
  const recommended = advice.recommendations.map((r) => ({ r, shape: indexShape(r.ddl) }));
  for (const f of findings) {
    const fix = f.fix;
    const shape = fix?.sql ? indexShape(fix.sql) : null;
    if (!fix || !shape) continue;
    // The same index, or one of the two serves the other (its keys lead the other's).
    const match = recommended.find(
      (x) => x.shape && (servesAsWell(x.shape, shape) || servesAsWell(shape, x.shape)),
    );
    const rec = match?.r;
    const q = rec?.queries.find((x) => x.query === f.query) ?? rec?.queries[0];
    if (!match?.shape || !rec || !q) continue;
    const cost = `${Math.round(q.costBefore)} → ${Math.round(q.costAfter)}`;
    const advised = rec.partitioned?.plainDdl ?? rec.ddl;
    f.evidence.plannerCost = `${cost} with the advised index`;
    f.evidence.advisedIndex = advised;
    if (sameIndex(match.shape, shape)) continue;
    if (servesAsWell(match.shape, shape)) {
      f.evidence.proposedIndex = fix.sql ?? null;
      f.fix = {
        sql: checkSql(rec.ddl),
        note: `The index advisor's index, wider than the one this finding alone would need: its leading keys are that index's, so it serves this lookup as well, and the planner checked it over the workload (cost ${cost}). Build this one, not both. ${fix.note}`,
      };
    } else {
      f.evidence.advisedIndexServedByThis = true;
      f.fix = {
        ...fix,
        note: `${fix.note} The index advisor recommends the narrower ${advised} (planner cost ${cost}); this one's leading keys are that index's, so it serves every lookup that one does, and its further keys serve this statement too (its ORDER BY or another filter). Build this one instead of the advisor's, not both; it costs a little more on writes and space.`,
      };
      advice.notes.push(
        `${advised} is served by the wider index the finding "${f.title}" proposes (its keys lead it): build that one instead, not both.`,
      );
    }
  }
}

/**
 * Statements EXPLAIN failed for, grouped by reason, each with the fix: when none could be explained, the plan
 * findings say nothing about the workload, and the report must say so up front.
 */
function explainFailureNotes(failures: Array<{ why: string; hint: string | null }>, total: number): string[] {
  const byWhy = new Map<string, { n: number; hint: string | null }>();
  for (const f of failures) byWhy.set(f.why, { n: (byWhy.get(f.why)?.n ?? 0) + 1, hint: f.hint });
  const all = failures.length === total && total > 0;
  return [...byWhy].map(
    ([why, { n, hint }]) =>
      `${all && byWhy.size === 1 ? `could explain none of the ${total} statements, so no plan was checked` : `could not explain ${n} of ${total} statements`}: ${why}${hint ? `; ${hint}` : ""}`,
  );
}

async function explainStatement(
  db: PostgresConnector,
  snapshot: Snapshot,
  statement: StatementFacts,
  major: number,
  overrides: RuleOverrides | undefined,
  failed: (why: string, hint: string | null) => void,
): Promise<StatementReport> {
  const base: StatementReport = {
    queryId: statement.queryId,
    query: statement.query,
    calls: statement.calls,
    totalMs: statement.totalMs,
    meanMs: statement.meanMs,
    share: snapshot.workload.totalMs > 0 ? statement.totalMs / snapshot.workload.totalMs : 0,
    planMethod: null,
    plan: null,
    planTree: null,
    findings: [],
    skipped: null,
  };
  const sql = repairNormalizedQuery(statement.query).trim().replace(/;\s*$/, "");
  let parameters: number;
  try {
    parameters = explainableStatement(sql).parameters;
  } catch (error) {
    return {
      ...base,
      skipped: error instanceof InputError ? "not a plannable statement" : "could not be parsed",
    };
  }
  const locked = skippedObjectsIn(sql, snapshot);
  if (locked.length) {
    const why = `${locked.map((o) => `${o.schema}.${o.name}`).join(", ")} ${locked.length === 1 ? "is" : "are"} ${locked.map((o) => o.reason).join("; ")}`;
    failed(why, "explain it again once the lock is released");
    return { ...base, skipped: `not explained: ${why}` };
  }
  try {
    const plan = await genericPlan(db, sql, parameters, major);
    const planReport = reportOnPlan(plan, {
      source: `queryid ${statement.queryId}`,
      sql: statement.query,
      snapshot,
      statement,
      overrides,
      withoutTree: true,
    });
    // Estimates give shares of cost: weigh them by the statement's share of all statement time, and grade
    // them by that weight (capped by what the rule allows). The time a finding accounts for is its share of the
    // statement's time over the statistics period.
    const findings = planReport.findings.map((f): Finding => {
      const weight = plan.analyzed ? base.share : base.share * f.impact;
      const runMs = plan.executionMs ?? 0;
      const timeMs = plan.analyzed
        ? runMs > 0
          ? ((f.timeMs ?? 0) / runMs) * statement.totalMs
          : 0
        : (f.costShare ?? 0) * statement.totalMs;
      return {
        ...f,
        timeMs,
        impact: plan.analyzed ? f.impact : f.impact * statement.totalMs,
        severity: plan.analyzed
          ? f.severity
          : capSeverity(weight >= 0.2 ? "error" : weight >= 0.05 ? "warning" : "info", f.ruleId),
        query: statement.query,
      };
    });
    return {
      ...base,
      planMethod: major >= 16 ? "generic" : "prepared-generic",
      plan: planReport.summary,
      planTree: plan,
      findings,
    };
  } catch (error) {
    if (error instanceof DbError && error.isConnectionError) throw error;
    let why = error instanceof Error ? error.message : String(error);
    // Locked after the snapshot was taken: name who holds the lock now.
    if (error instanceof DbError && error.code === "lock-timeout") why += await lockHolders(db);
    const hint = error instanceof DbError ? error.hint : null;
    failed(why, hint);
    return {
      ...base,
      skipped: `EXPLAIN failed: ${why}${hint && error instanceof DbError && error.code === "permission-denied" ? ` (${hint})` : ""}`,
    };
  }
}

function plannable(query: string): boolean {
  try {
    explainableStatement(repairNormalizedQuery(query));
    return true;
  } catch {
    return false;
  }
}

function capSeverity(severity: Severity, ruleId: string): Severity {
  const max = allRules().find((r) => r.id === ruleId)?.maxSeverity ?? "error";
  return SEVERITY_ORDER[severity] < SEVERITY_ORDER[max] ? max : severity;
}
