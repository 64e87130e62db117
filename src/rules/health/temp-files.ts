import { settingBytes, statsAgeSeconds } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { alterSystem } from "../../findings/fix-sql.js";
import { formatAge, formatBytes, formatCount } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minBytes: number };

/** Temporary files written by sorts and hashes that did not fit in work_mem, for the whole database. */
export const tempFiles: Rule<HealthFacts, Options> = {
  id: "health/temp-files",
  family: "health",
  group: "workload",
  title: "Queries spill to temporary files",
  description:
    "temp_files and temp_bytes of pg_stat_database: sorts, hashes and materializations larger than work_mem write to disk. The workload findings name the statements that do it.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM",
  options: {
    minBytes: { default: 1024 ** 3, description: "temporary bytes written since statistics began" },
  },
  check({ snapshot }, o) {
    const { tempFiles: files, tempBytes } = snapshot.database;
    if (tempBytes < o.minBytes) return [];
    const age = statsAgeSeconds(snapshot);
    const finding: Finding = {
      ruleId: this.id,
      severity: tempBytes >= 100 * 1024 ** 3 ? "warning" : "info",
      title: `${formatCount(files)} temporary files, ${formatBytes(tempBytes)} written ${age === null ? "since statistics began" : `in ${formatAge(age)}`}`,
      detail: `work_mem is ${formatBytes(settingBytes(snapshot, "work_mem"))}; every sort or hash above it goes to disk.`,
      evidence: { tempFiles: files, tempBytes, workMemBytes: settingBytes(snapshot, "work_mem") },
      fix: {
        sql: alterSystem("log_temp_files", "10MB"),
        note: "Logging temp files names the statements; raise work_mem for the roles that run them (ALTER ROLE ... SET work_mem), or give them an index that avoids the sort.",
      },
      docsUrl: this.docsUrl,
      impact: tempBytes,
    };
    return [finding];
  },
};
