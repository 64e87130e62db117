import { nodeLabel } from "../../facts/plan/node-label.js";
import { alterSystem } from "../../findings/fix-sql.js";
import { round3 } from "../../util/format.js";
import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { nodeFindings, type PlanFacts, settingOf } from "./plan-facts.js";

type Options = Record<string, never>;

/** Fewer parallel workers started than planned: the server's worker pool was exhausted. */
export const parallelWorkersShort: Rule<PlanFacts, Options> = {
  id: "plan/parallel-workers-short",
  family: "plan",
  title: "Fewer parallel workers launched than planned",
  description:
    "The plan was made for N parallel workers but fewer started, because max_parallel_workers or max_worker_processes were used up by other queries; the leader did the rest of the work.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/how-parallel-query-works.html",
  options: {},
  check(facts) {
    const { analyzed } = facts;
    return nodeFindings(analyzed, (node, m, id) => {
      if (node.nodeType !== "Gather" && node.nodeType !== "Gather Merge") return null;
      const planned = Number(node.props["Workers Planned"] ?? 0);
      const launched = node.props["Workers Launched"];
      if (typeof launched !== "number" || launched >= planned) return null;
      const share =
        m?.inclusiveMs !== null && m?.inclusiveMs !== undefined && analyzed.totalMs
          ? m.inclusiveMs / analyzed.totalMs
          : 0;
      const maxWorkers = settingOf(facts, "max_parallel_workers");
      // Room for the workers that did not start, on top of what is allowed now (8 by default).
      const suggested = Number(maxWorkers ?? 8) + (planned - launched);
      const processes = Number(settingOf(facts, "max_worker_processes") ?? Number.NaN);
      const restart = Number.isFinite(processes) && suggested > processes;
      return {
        ruleId: this.id,
        severity: launched === 0 && share >= 0.3 ? "warning" : "info",
        title: `${nodeLabel(node)} launched ${launched} of ${planned} planned workers`,
        detail: `The parallel part ran with ${launched + 1} processes instead of ${planned + 1}, so it took up to ${round3((planned + 1) / (launched + 1))}× longer than planned. Other parallel queries held the workers (max_parallel_workers${maxWorkers ? ` = ${maxWorkers}` : ""}).`,
        evidence: {
          workersPlanned: planned,
          workersLaunched: launched,
          maxParallelWorkers: maxWorkers,
          timeShare: round3(share),
        },
        fix: {
          sql: restart
            ? sql`${alterSystem("max_worker_processes", suggested, true)}\n${alterSystem("max_parallel_workers", suggested)}`
            : alterSystem("max_parallel_workers", suggested),
          note: `Raise max_parallel_workers by the ${planned - launched} worker${planned - launched === 1 ? "" : "s"} that did not start${restart ? ` (and max_worker_processes, ${processes} now, which takes effect only after a restart)` : " (at most max_worker_processes)"} if the machine has idle cores at peak; otherwise lower max_parallel_workers_per_gather so plans expect what they will get.`,
        },
        docsUrl: this.docsUrl,
        impact: m?.inclusiveMs ?? 0,
        nodeId: id,
      };
    });
  },
};
