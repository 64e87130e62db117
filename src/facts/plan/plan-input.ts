import { InputError } from "../../util/input-error.js";
import { parseExplainJson } from "./explain-json-parser.js";
import { parseExplainText } from "./explain-text-parser.js";
import type { Plan } from "./plan-model.js";

/** Read a plan as people paste it: raw EXPLAIN, psql output with frames, JSON, or an auto_explain log entry. */
export function parsePlan(input: string): Plan {
  const text = unwrapPastedPlan(input);
  if (!text.trim()) {
    throw new InputError("the plan is empty", "pass EXPLAIN output with --plan FILE or on standard input");
  }
  const first = text.trimStart()[0];
  if (first === "[" || first === "{") return parseExplainJson(text);
  if (first === "<" || /^\s*- Plan:/m.test(text)) {
    throw new InputError(
      "XML and YAML plans are not supported",
      "run EXPLAIN with FORMAT TEXT or FORMAT JSON",
    );
  }
  return parseExplainText(text);
}

/**
 * Remove what psql and GUI tools put around a plan: the "QUERY PLAN" header and its rule, the "(N rows)"
 * footer, border-2 frames, "+" continuation marks of multi-line cells, CSV quotes, and the common indent.
 */
export function unwrapPastedPlan(input: string): string {
  let lines = input
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, "    ")
    .split("\n");
  lines = lines.filter(
    (line) =>
      !/^\s*\|?\s*QUERY PLAN\s*\|?\s*$/.test(line) &&
      !/^\s*[-+]{3,}\s*$/.test(line) &&
      !/^\s*\(\d+ rows?\)\s*$/.test(line),
  );
  if (lines.some((line) => /^\s*\|.*\|\s*$/.test(line))) {
    lines = lines.map((line) => line.replace(/^\s*\| ?/, "").replace(/\s*\|\s*$/, ""));
  }
  const nonEmpty = lines.filter((line) => line.trim());
  const continued = nonEmpty.filter((line) => /\s\+$/.test(line) || /^\s*\+$/.test(line)).length;
  if (continued > 0 && continued >= nonEmpty.length / 2)
    lines = lines.map((line) => line.replace(/\s?\+\s*$/, ""));
  if (nonEmpty.length > 0 && nonEmpty.every((line) => /^\s*".*"\s*$/.test(line))) {
    lines = lines.map((line) => line.replace(/^\s*"(.*)"\s*$/, "$1").replace(/""/g, '"'));
  }
  const indents = lines.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length);
  const common = indents.reduce((min, n) => Math.min(min, n), indents[0] ?? 0);
  return lines.map((line) => line.slice(common).trimEnd()).join("\n");
}
