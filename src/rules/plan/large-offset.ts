import { nodeLabel } from "../../facts/plan/node-label.js";
import type { PlanNode } from "../../facts/plan/plan-model.js";
import { formatCount, formatMs, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { inputs, nodeFindings, type PlanFacts, severityFromImpact, subtree } from "./plan-facts.js";

type Options = { minOffset: number };

/** OFFSET pagination: the server produces and throws away every row before the page. */
export const largeOffset: Rule<PlanFacts, Options> = {
  id: "plan/large-offset",
  family: "plan",
  title: "Large OFFSET discards rows",
  description:
    "A LIMIT with a large OFFSET computes every skipped row and throws it away; each later page gets slower. Keyset pagination seeks straight to the page.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/queries-limit.html",
  options: { minOffset: { default: 1000, description: "rows skipped by OFFSET" } },
  check({ analyzed }, o) {
    return nodeFindings(analyzed, (node, m, id) => {
      if (node.nodeType !== "Limit" || !node.actual) return null;
      const input = inputs(node)[0];
      const im = input ? analyzed.metrics[input.id] : null;
      if (!input || !im || im.totalRows === null) return null;
      const skipped = im.totalRows - node.actual.rows * node.actual.loops;
      if (skipped < o.minOffset) return null;
      const spent = m.inclusiveMs;
      const share = spent !== null && analyzed.totalMs ? spent / analyzed.totalMs : 0;
      const keys = sortKeys(input);
      const keyset = keysetExample(keys, node.actual.rows);
      return {
        ruleId: this.id,
        severity: severityFromImpact(share, spent),
        title: `${nodeLabel(node)} skips ${formatCount(skipped)} rows to return ${formatCount(node.actual.rows)}`,
        detail: `The rows before the requested page are produced${keys.length ? ` in ${keys.join(", ")} order` : ""} and discarded; this took ${formatMs(spent)} (${formatPercent(share)} of the statement) and grows with the page number.`,
        evidence: {
          rowsSkipped: skipped,
          rowsReturned: node.actual.rows,
          orderBy: keys.join(", ") || null,
          ms: spent === null ? null : round3(spent),
          rewriteRule: "rewrite/offset-to-keyset",
        },
        fix: keyset
          ? {
              note: `Keyset pagination: remember the last row's sort values and ask for the rows after them; with an index on the sort columns every page costs the same. In place of the OFFSET: ${keyset} See \`dbopt rewrite\` (rule rewrite/offset-to-keyset), which writes and proves it for an order on a unique key.`,
            }
          : {
              note: "Use keyset pagination: WHERE (sort columns) > (last row's values) ORDER BY sort columns LIMIT n, with an index on the sort columns. See `dbopt rewrite` (rule rewrite/offset-to-keyset), which writes and proves it for an order on a unique key.",
            },
        docsUrl: this.docsUrl,
        impact: spent ?? 0,
        nodeId: id,
      };
    });
  },
};

/** The order the Limit's input returns rows in: a Sort's keys, or nothing known. */
function sortKeys(node: PlanNode): string[] {
  for (const n of subtree(node)) {
    if ((n.nodeType === "Sort" || n.nodeType === "Incremental Sort") && Array.isArray(n.props["Sort Key"])) {
      return n.props["Sort Key"];
    }
    if (n.role !== "child") break;
  }
  return [];
}

function keysetExample(keys: string[], pageSize: number): string | null {
  if (!keys.length) return null;
  const parsed = keys.map((k) => /^(.+?)( DESC)?( NULLS (?:FIRST|LAST))?$/.exec(k));
  if (parsed.some((m) => !m || m[3])) return null; // NULLS FIRST/LAST orders need hand-written conditions
  const columns = parsed.map((m) => m?.[1] ?? "");
  const ops = parsed.map((m) => (m?.[2] ? "<" : ">"));
  const params = columns.map((_, i) => `$${i + 1}`);
  // One direction for all keys: a row comparison, which a matching index serves directly.
  const where = ops.every((op) => op === ops[0])
    ? `(${columns.join(", ")}) ${ops[0]} (${params.join(", ")})`
    : columns
        .map((_, i) =>
          [
            ...columns.slice(0, i).map((c, j) => `${c} = ${params[j]}`),
            `${columns[i]} ${ops[i]} ${params[i]}`,
          ].join(" AND "),
        )
        .map((clause) => `(${clause})`)
        .join(" OR ");
  return `WHERE ${where} ORDER BY ${keys.join(", ")} LIMIT ${pageSize}, with ${params.map((p, i) => `${p} the last row's ${columns[i]}`).join(", ")}.`;
}
