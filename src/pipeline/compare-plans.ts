import { missingInputs } from "../facts/plan/plan-completeness.js";
import { type DiffEntry, diffPlans } from "../facts/plan/plan-diff.js";
import { judgeDiff, type PlanVerdict, statementMismatch } from "../facts/plan/plan-diff-verdict.js";
import { parsePlan, parsePlans } from "../facts/plan/plan-input.js";
import { analyzePlan } from "../facts/plan/plan-metrics.js";
import { countNodes, type Plan } from "../facts/plan/plan-model.js";
import { looksLikeSql } from "../facts/sql/statement-kind.js";
import { InputError } from "../util/input-error.js";

export interface ComparedSide {
  /** A file name, "standard input", or "file (plan 2)". */
  source: string;
  analyzed: boolean;
  nodes: number;
  /** What the plan reader said about this input (other plans in it, skipped lines). */
  notes: string[];
}

/** `dbopt explain --compare`: two plans of one statement aligned node by node, and why they differ. */
export interface PlanComparison {
  kind: "plan-comparison";
  before: ComparedSide;
  after: ComparedSide;
  verdict: PlanVerdict;
  /** The merged tree in pre-order: every node of both plans, paired where they correspond. */
  entries: DiffEntry[];
  notes: string[];
  /** Both plans as read, for the pictures of the HTML page; the JSON output leaves them out (entries hold their figures). */
  plans: { before: Plan; after: Plan };
}

export interface PlanSource {
  text: string;
  /** Shown in the report and in errors: the file name or "standard input". */
  source: string;
  /** Which plan of the input, from 1; the first when absent. */
  index?: number | undefined;
}

/**
 * Compare two plans: `before` and `after` each from its own input, or both from one input that holds exactly two
 * plans (a psql session that ran EXPLAIN before and after a change) when `after` is null.
 */
export function comparePlans(before: PlanSource, after: PlanSource | null): PlanComparison {
  let beforePlan: Plan;
  let afterPlan: Plan;
  let beforeSource = before.source;
  let afterSource = after?.source ?? before.source;
  if (after === null) {
    const plans = readSide("the plan file", before.source, () => parsePlans(before.text), before.text);
    if (plans.length !== 2)
      throw new InputError(
        `${before.source} holds ${plans.length === 1 ? "1 plan" : `${plans.length} plans`}; --compare with one file needs exactly two (before, then after)`,
        "pass two files: --compare BEFORE AFTER (FILE:N picks plan N of a file)",
      );
    [beforePlan, afterPlan] = plans as [Plan, Plan];
    beforeSource = `${before.source} (plan 1)`;
    afterSource = `${before.source} (plan 2)`;
  } else {
    beforePlan = readSide(
      "the before plan",
      before.source,
      () => parsePlan(before.text, { index: before.index }),
      before.text,
    );
    afterPlan = readSide(
      "the after plan",
      after.source,
      () => parsePlan(after.text, { index: after.index }),
      after.text,
    );
    if (before.index !== undefined) beforeSource = `${before.source} (plan ${before.index})`;
    if (after.index !== undefined) afterSource = `${after.source} (plan ${after.index})`;
  }
  complete("the before plan", beforeSource, beforePlan);
  complete("the after plan", afterSource, afterPlan);
  const analyzedBefore = analyzePlan(beforePlan);
  const analyzedAfter = analyzePlan(afterPlan);
  const mismatch = statementMismatch(analyzedBefore, analyzedAfter);
  if (mismatch)
    throw new InputError(
      mismatch,
      "compare two plans of one statement, e.g. EXPLAIN before and after a change",
    );
  const diff = diffPlans(analyzedBefore, analyzedAfter);
  const notes: string[] = [];
  const qb = beforePlan.queryIdentifier;
  const qa = afterPlan.queryIdentifier;
  if (qb && qa && qb !== qa)
    notes.push(
      `the query identifiers differ (${qb}, ${qa}): two statements, or two servers or versions that compute them differently`,
    );
  return {
    kind: "plan-comparison",
    before: side(beforeSource, beforePlan),
    after: side(afterSource, afterPlan),
    verdict: judgeDiff(diff),
    entries: diff.entries,
    notes,
    plans: { before: beforePlan, after: afterPlan },
  };
}

/** A plan cut short parses (text has no closing mark); comparing it would report its missing nodes as removed. */
function complete(which: string, source: string, plan: Plan): void {
  const missing = missingInputs(plan.root);
  if (missing)
    throw new InputError(
      `${which} (${source}) looks cut off: ${missing}`,
      "paste the whole EXPLAIN output, every line of the tree",
    );
}

function side(source: string, plan: Plan): ComparedSide {
  return { source, analyzed: plan.analyzed, nodes: countNodes(plan.root), notes: plan.notes ?? [] };
}

/** Parse one side; an InputError names the side and the file, so the user knows which input is wrong. */
function readSide<T>(which: string, source: string, read: () => T, text: string): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (looksLikeSql(text))
      throw new InputError(`${which} (${source}) is SQL, not a plan`, "pass EXPLAIN output for both sides");
    throw new InputError(`${which} (${source}): ${error.message}`, error.hint, { cause: error });
  }
}
