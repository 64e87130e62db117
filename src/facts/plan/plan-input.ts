import { InputError } from "../../util/input-error.js";
import { parseExplainJsonPlans } from "./explain-json-parser.js";
import { buildTextPlan, noPlanError } from "./explain-text-parser.js";
import { readMysqlPlan } from "./mysql-plan-input.js";
import { cleanPastedLines } from "./pasted-lines.js";
import type { Plan } from "./plan-model.js";
import { type PlanSegment, segmentPlans } from "./plan-segments.js";

export interface PlanInputOptions {
  /** Which plan to read when the input holds several, from 1 (the default). */
  index?: number;
}

/**
 * Read a plan as people paste it: raw EXPLAIN, psql output in any of its styles, JSON, an auto_explain entry, a
 * CSV or GUI export, a psql session with its prompt and statement. When the input holds several plans the
 * first (or `index`) is read and `notes` says how many there are; lines that are not part of any plan are
 * named in `notes` too, never dropped in silence. Time is linear in the size of the input.
 */
export function parsePlan(input: string, options: PlanInputOptions = {}): Plan {
  const mysql = readMysqlPlan(input);
  if (mysql) return mysql;
  const { segments, notes, firstContent } = readSegments(input);
  const index = options.index ?? 1;
  if (!Number.isInteger(index) || index < 1) {
    throw new InputError(
      `plan index ${index} is not a whole number from 1`,
      "pass --plan-index 1 for the first plan",
    );
  }
  const plans = expand(segments, index);
  if (plans.count === 0) throw noPlanError(firstContent);
  if (index > plans.count) {
    throw new InputError(
      `plan index ${index} is out of range: the input holds ${plans.count === 1 ? "1 plan" : `${plans.count.toLocaleString("en-US")} plans`}`,
      `pass --plan-index with a number from 1 to ${plans.count}`,
    );
  }
  const plan = plans.chosen as Plan;
  const all = [...notes, ...(plan.notes ?? [])];
  if (plans.count > 1) {
    const starts = plans.starts.slice(0, 5).join(", ");
    const more = plans.count > 5 ? ", ..." : "";
    all.unshift(
      `the input holds ${plans.count.toLocaleString("en-US")} plans (starting at lines ${starts}${more}); read plan ${index}; pass --plan-index N to read another`,
    );
  }
  plan.notes = all;
  return plan;
}

/** Every plan in the input, each with the notes about the input as a whole. */
export function parsePlans(input: string): Plan[] {
  const mysql = readMysqlPlan(input);
  if (mysql) return [mysql];
  const { segments, notes, firstContent } = readSegments(input);
  const plans = segments.flatMap((segment) => parseSegment(segment));
  if (plans.length === 0) throw noPlanError(firstContent);
  for (const plan of plans) plan.notes = [...notes, ...(plan.notes ?? [])];
  return plans;
}

function readSegments(input: string) {
  const lines = cleanPastedLines(input);
  if (!lines.some((line) => line.text)) {
    throw new InputError("the plan is empty", "pass EXPLAIN output with --plan FILE or on standard input");
  }
  return segmentPlans(lines);
}

function parseSegment(segment: PlanSegment): Plan[] {
  return segment.kind === "json" ? parseExplainJsonPlans(segment.text) : [buildTextPlan(segment.lines)];
}

/**
 * Count the plans and parse only the one asked for: a JSON segment may hold several plans, a text segment one.
 * (A 50 MB input of one-line plans is counted, not turned into half a million plan objects.)
 */
function expand(
  segments: PlanSegment[],
  index: number,
): { count: number; chosen: Plan | null; starts: number[] } {
  let count = 0;
  let chosen: Plan | null = null;
  const starts: number[] = [];
  for (const segment of segments) {
    if (segment.kind === "text") {
      count++;
      starts.push(segment.firstLine);
      if (count === index) chosen = buildTextPlan(segment.lines);
      continue;
    }
    const plans = parseExplainJsonPlans(segment.text);
    for (const plan of plans) {
      count++;
      starts.push(segment.firstLine);
      if (count === index) chosen = plan;
    }
  }
  return { count, chosen, starts };
}

/**
 * The input freed of what psql and GUI tools put around a plan (headers, rules, frames, footers, quotes,
 * continuation and wrap marks), with the common indent removed.
 */
export function unwrapPastedPlan(input: string): string {
  const lines = cleanPastedLines(input).filter((line) => !line.end);
  let common = Number.POSITIVE_INFINITY;
  for (const line of lines) if (line.text) common = Math.min(common, line.indent);
  if (!Number.isFinite(common)) common = 0;
  return lines.map((line) => (line.text ? " ".repeat(line.indent - common) + line.text : "")).join("\n");
}
