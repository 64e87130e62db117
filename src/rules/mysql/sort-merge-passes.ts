import { numberOf } from "../../facts/collect-mysql/mysql-facts.js";
import { sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { formatBytes, MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

type Options = { maxPassesPerSort: number; minPasses: number };

/** Sorts that did not fit sort_buffer_size merge runs from disk (Sort_merge_passes). */
export const mysqlSortMergePasses: Rule<MysqlRuleFacts, Options> = {
  id: "mysql/sort-merge-passes",
  family: "config",
  group: "settings",
  title: "Sorts merging from disk",
  description:
    "Sort_merge_passes counts the merges of sorts that did not fit sort_buffer_size: many per sort mean the sorts spill to disk.",
  maxSeverity: "info",
  docsUrl: `${MYSQL_DOCS}/server-system-variables.html#sysvar_sort_buffer_size`,
  options: {
    maxPassesPerSort: { default: 0.1, description: "merge passes per sort above which it is reported" },
    minPasses: { default: 1000, description: "merge passes below which it is not reported" },
  },
  check({ mysql }, o) {
    const passes = numberOf(mysql.status, "sort_merge_passes");
    const sorts = numberOf(mysql.status, "sort_range") + numberOf(mysql.status, "sort_scan");
    if (passes < o.minPasses || passes / Math.max(sorts, 1) <= o.maxPassesPerSort) return [];
    const buffer = numberOf(mysql.variables, "sort_buffer_size");
    const target = Math.min(Math.max(buffer * 2, 1024 * 1024), 8 * 1024 * 1024);
    return [
      {
        ruleId: this.id,
        severity: "info",
        title: `${passes} sort merge passes for ${sorts} sorts`,
        detail: `Sorts merged from disk ${passes} times since the start with sort_buffer_size ${formatBytes(buffer)}. An index that returns rows in order avoids the sort; a larger buffer is per session, so raise it with care.`,
        evidence: { sortMergePasses: passes, sorts, sortBufferSizeBytes: buffer },
        fix: {
          sql: sql`SET GLOBAL sort_buffer_size = ${target}`,
          note: "for new sessions; each sort allocates it whole, so prefer raising it for the sessions that sort (SET SESSION) and indexes that give the order",
        },
        docsUrl: this.docsUrl,
        impact: passes,
      },
    ];
  },
};
