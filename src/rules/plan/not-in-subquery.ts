import { nodeLabel } from "../../facts/plan/node-label.js";
import { formatCount, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { nodeFindings, nodeImpact, nodeShare, type PlanFacts } from "./plan-facts.js";

type Options = Record<string, never>;

const NOT_IN = /NOT \((?:ANY \(.*?)?(hashed )?SubPlan \d+/;

/**
 * NOT IN (subquery): PostgreSQL cannot turn it into an anti-join (NULLs make NOT IN differ from NOT EXISTS),
 * so it checks each row against the subquery's result, which is quadratic once that result outgrows work_mem.
 */
export const notInSubquery: Rule<PlanFacts, Options> = {
  id: "plan/not-in-subquery",
  family: "plan",
  title: "NOT IN (subquery) cannot use an anti-join",
  description:
    "A NOT IN with a subquery is evaluated as a filter against the subquery's rows instead of an anti-join; when the result does not fit in work_mem it is re-scanned for every row. NOT EXISTS becomes an anti-join.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/functions-subquery.html#FUNCTIONS-SUBQUERY-NOTIN",
  options: {},
  check({ analyzed }) {
    return nodeFindings(analyzed, (node, m, id) => {
      const filter = node.props.Filter;
      if (typeof filter !== "string") return null;
      const match = NOT_IN.exec(filter);
      if (!match) return null;
      const hashed = Boolean(match[1]);
      const sub = node.children.find((c) => c.role === "subplan");
      return {
        ruleId: this.id,
        severity: hashed ? "info" : "warning",
        title: `${nodeLabel(node)} filters with NOT IN (subquery)${hashed ? "" : " re-scanned per row"}`,
        detail: hashed
          ? `The subquery's ${formatCount(sub?.actual?.rows ?? sub?.planRows)} rows fit in memory as a hash, so it works for now; once they outgrow work_mem every row re-scans them.`
          : "The subquery's result did not fit in work_mem, so it is scanned again for each row checked.",
        evidence: {
          filter,
          hashed,
          subqueryRows: sub?.actual?.rows ?? sub?.planRows ?? null,
          share: m ? round3(nodeShare(m)) : null,
          rewriteRule: "rewrite/not-in-to-not-exists",
        },
        fix: {
          note: "Rewrite `x NOT IN (SELECT y FROM t WHERE ...)` as `NOT EXISTS (SELECT 1 FROM t WHERE t.y = x AND ...)`; it becomes an anti-join. (If t.y can be NULL, NOT IN returns no rows at all, which is rarely what was meant.) See `dbopt rewrite` (rule rewrite/not-in-to-not-exists): it writes the rewrite (keeping NOT IN's answer where a column may be NULL) and proves on your data that it returns the same rows.",
        },
        docsUrl: this.docsUrl,
        impact: m ? nodeImpact(m) : 0,
        nodeId: id,
      };
    });
  },
};
