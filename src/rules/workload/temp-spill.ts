import type { Finding, Severity } from "../../findings/finding.js";
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
          const current = workMemBytes(workMem);
          // An in-memory sort or hash needs more than the bytes it wrote to disk: twice the spill, and never the
          // value the statement already ran with (a setting no larger than it is a fix that changes nothing).
          const target = Math.max(
            powerOfTwoMB(perCall * 2),
            current === null ? 0 : powerOfTwoMB(current + 1),
          );
          const setting = roundMemorySetting(target);
          return {
            ruleId: this.id,
            severity: severityOf(share, s.totalMs),
            title: `Statement writes ${formatBytes(perCall)} of temporary files per call`,
            detail: `${formatCount(s.calls)} call${s.calls === 1 ? "" : "s"} wrote ${formatBytes(s.tempBlksWritten * BLOCK)} in all; the statement takes ${formatMs(s.meanMs)} per call and ${formatPercent(share)} of all statement time. work_mem is ${workMem ? `${workMem.setting}${workMem.unit ?? ""}` : "unknown"}.`,
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
              note: `A starting point to verify, not a measured fit: twice the ${formatBytes(perCall)} spilled per call${current === null ? "" : `, and a step above the current ${formatBytes(current)}`}, since a sort or hash held in memory takes more than it wrote to disk. Run the statement with EXPLAIN (ANALYZE, BUFFERS) after SET work_mem = '${setting}': no "temp read/written" buffers (a Sort's "Sort Method: quicksort", a Hash's "Batches: 1") shows it fits; "external merge" or temp buffers, that it needs more. Set it for the role or session that runs this statement (ALTER ROLE app SET work_mem = '${setting}'), not server-wide: every sort and hash of every connection may take that much; or add an index that returns rows in the needed order.`,
            },
            docsUrl: this.docsUrl,
            impact: s.totalMs,
            query: s.query,
          };
        })
    );
  },
};

/** The smallest power of two megabytes that holds `bytes` (at least 1 MB). */
function powerOfTwoMB(bytes: number): number {
  let mb = 1;
  while (mb * 1024 * 1024 < bytes) mb *= 2;
  return mb * 1024 * 1024;
}

const UNIT_BYTES: Record<string, number> = { B: 1, kB: 1024, "8kB": 8192, MB: 1024 * 1024, GB: 1024 ** 3 };

/** work_mem in bytes from pg_settings (setting and unit, kB on every version); null when unknown. */
function workMemBytes(setting: { setting: string; unit?: string | null } | undefined): number | null {
  const value = Number(setting?.setting);
  const unit = UNIT_BYTES[setting?.unit ?? "kB"];
  return setting && Number.isFinite(value) && value > 0 && unit !== undefined ? value * unit : null;
}

/**
 * The time at stake is the statement's own time, not only its share: a 55 ms statement can be half of a quiet
 * server's time and still not be worth an error.
 */
function severityOf(share: number, totalMs: number): Severity {
  if (share >= 0.2 && totalMs >= 60_000) return "error";
  if (share >= 0.05 && totalMs >= 1_000) return "warning";
  return "info";
}
