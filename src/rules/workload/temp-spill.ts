import type { Finding } from "../../findings/finding.js";
import { setSession } from "../../findings/fix-sql.js";
import {
  formatBytes,
  formatCount,
  formatMs,
  formatPercent,
  round3,
  roundMemorySetting,
} from "../../util/format.js";
import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { timeShare, type WorkloadRuleFacts } from "./workload-facts.js";

type Options = { minTempBytesPerCall: number; minShare: number };

const BLOCK = 8192;
const QUERY = /^\s*(\(\s*)*(select|with|insert|update|delete|merge|values|table)\b/i;

/**
 * Statements that write temporary files on (nearly) every call: sorts and hashes larger than work_mem. A generic
 * plan cannot show a spill; pg_stat_statements' temp block counters can.
 */
export const tempSpill: Rule<WorkloadRuleFacts, Options> = {
  id: "workload/temp-spill",
  family: "workload",
  title: "Statement writes temporary files",
  description:
    "pg_stat_statements counts temporary blocks written: the statement's sorts or hashes did not fit in work_mem and spilled to disk on its calls.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM",
  options: {
    minTempBytesPerCall: { default: 1024 * 1024, description: "temporary bytes written per call" },
    minShare: { default: 0.01, description: "share of all statement time" },
  },
  check({ snapshot }, o) {
    const workMem = snapshot.settings.find((s) => s.name === "work_mem");
    return (
      snapshot.workload.statements
        // Queries only: CREATE INDEX and other maintenance sort in maintenance_work_mem by design.
        .filter((s) => QUERY.test(s.query))
        .filter((s) => s.calls > 0 && (s.tempBlksWritten * BLOCK) / s.calls >= o.minTempBytesPerCall)
        .filter((s) => timeShare(snapshot, s) >= o.minShare)
        .map((s): Finding => {
          const perCall = (s.tempBlksWritten * BLOCK) / s.calls;
          const share = timeShare(snapshot, s);
          const setting = roundMemorySetting(perCall * 2);
          return {
            ruleId: this.id,
            severity: share >= 0.2 ? "error" : share >= 0.05 ? "warning" : "info",
            title: `Statement writes ${formatBytes(perCall)} of temporary files per call`,
            detail: `${formatCount(s.calls)} calls wrote ${formatBytes(s.tempBlksWritten * BLOCK)} in all; the statement takes ${formatMs(s.meanMs)} per call and ${formatPercent(share)} of all statement time. work_mem is ${workMem ? `${workMem.setting}${workMem.unit ?? ""}` : "unknown"}.`,
            evidence: {
              calls: s.calls,
              tempBytesPerCall: Math.round(perCall),
              tempBytesTotal: s.tempBlksWritten * BLOCK,
              meanMs: round3(s.meanMs),
              share: round3(share),
              workMemKB: workMem ? Number(workMem.setting) : null,
            },
            fix: {
              sql: sql`${setSession("work_mem", setting)}  -- in the session or role that runs this statement`,
              note: `About twice the spilled size keeps the sort or hash in memory. Set it for the role or session that runs this statement (ALTER ROLE app SET work_mem = '${setting}'), not server-wide; or add an index that returns rows in the needed order.`,
            },
            docsUrl: this.docsUrl,
            impact: s.totalMs,
            query: s.query,
          };
        })
    );
  },
};
