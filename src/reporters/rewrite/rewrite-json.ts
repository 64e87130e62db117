import type { RewriteReport } from "../../pipeline/rewrite-statements.js";
import { stringifyJson } from "../../util/json-text.js";

/** The rewrite report as it is: statements, each rewrite with its SQL, proof, timings and verdict. */
export function renderRewriteJson(report: RewriteReport): string {
  return `${stringifyJson(report, 2)}\n`;
}
