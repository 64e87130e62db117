import type { TableFacts } from "../../facts/snapshot.js";
import {
  setting,
  settingNumber,
  tableFlag,
  tableObject,
  tableOption,
} from "../../facts/snapshot-accessors.js";
import type { Finding, Severity } from "../../findings/finding.js";
import { formatCount, formatPercent, round3 } from "../../util/format.js";
import { lines, qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minDeadTuples: number; minDeadShare: number };

/**
 * Dead rows piling up: with autovacuum off for the table (or the server), or more dead rows than the table's own
 * autovacuum threshold (autovacuum_vacuum_threshold + scale_factor × rows, per-table settings first), which means
 * autovacuum is behind or blocked.
 */
export const deadTuples: Rule<HealthFacts, Options> = {
  id: "health/dead-tuples",
  family: "health",
  group: "maintenance",
  title: "Dead rows not being vacuumed",
  description:
    "Dead rows make scans and indexes larger and slower. The check computes when autovacuum should vacuum each table from the table's own settings, and reports tables past that point or with autovacuum disabled.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/routine-vacuuming.html#AUTOVACUUM",
  options: {
    minDeadTuples: { default: 10_000, description: "dead rows below which a table is not reported" },
    minDeadShare: { default: 0.1, description: "dead rows as a share of live + dead" },
  },
  check({ snapshot }, o) {
    const serverOn = setting(snapshot, "autovacuum")?.setting !== "off";
    const findings: Finding[] = [];
    for (const table of snapshot.tables) {
      const stats = table.stats;
      if (!stats || stats.nDeadTup < o.minDeadTuples) continue;
      const share = stats.nDeadTup / Math.max(1, stats.nDeadTup + stats.nLiveTup);
      if (share < o.minDeadShare) continue;
      const tableOn = tableFlag(table, "autovacuum_enabled") !== false;
      const threshold = autovacuumThreshold(snapshot, table);
      const enabled = serverOn && tableOn;
      if (enabled && stats.nDeadTup <= threshold) continue;
      const severity: Severity = !enabled
        ? share >= 0.3
          ? "error"
          : "warning"
        : share >= 0.5
          ? "error"
          : "warning";
      const name = qname(table.schema, table.name);
      const lastVacuum = [stats.lastVacuum, stats.lastAutovacuum].filter(Boolean).sort().at(-1) ?? null;
      findings.push({
        ruleId: this.id,
        severity,
        title: `${table.name}: ${formatCount(stats.nDeadTup)} dead rows (${formatPercent(share)}), ${enabled ? `past its autovacuum threshold of ${formatCount(threshold)}` : "and autovacuum is off for it"}`,
        detail: enabled
          ? `Autovacuum should have vacuumed it once it passed ${formatCount(threshold)} dead rows; it is behind (busy workers, cost limits) or blocked (a long transaction, a lock). Last vacuum: ${lastVacuum ?? "never"}.`
          : `Autovacuum is disabled ${tableOn ? "for the whole server" : "for this table (autovacuum_enabled = false)"}, so nothing removes dead rows or freezes old ones. Last vacuum: ${lastVacuum ?? "never"}.`,
        evidence: {
          table: table.name,
          deadTuples: stats.nDeadTup,
          liveTuples: stats.nLiveTup,
          deadShare: round3(share),
          autovacuumThreshold: Math.round(threshold),
          autovacuumEnabled: enabled,
          lastVacuum,
        },
        fix: {
          sql: lines([
            sql`VACUUM (ANALYZE) ${name};`,
            !tableOn && sql`ALTER TABLE ${name} RESET (autovacuum_enabled);`,
          ]),
          note: enabled
            ? "VACUUM cannot run inside a transaction block. Then find what holds autovacuum back (pg_stat_activity for long transactions; autovacuum_vacuum_cost_limit); for big tables lower autovacuum_vacuum_scale_factor on the table."
            : "Turning autovacuum off also stops anti-wraparound freezing from being scheduled early; leave it on and tune it instead.",
        },
        docsUrl: this.docsUrl,
        impact: stats.nDeadTup,
        objects: [tableObject(table)],
      });
    }
    return findings;
  },
};

/** autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor × reltuples, table settings first. */
export function autovacuumThreshold(snapshot: HealthFacts["snapshot"], table: TableFacts): number {
  const base = Number(
    tableOption(table, "autovacuum_vacuum_threshold") ??
      settingNumber(snapshot, "autovacuum_vacuum_threshold") ??
      50,
  );
  const scale = Number(
    tableOption(table, "autovacuum_vacuum_scale_factor") ??
      settingNumber(snapshot, "autovacuum_vacuum_scale_factor") ??
      0.2,
  );
  return base + scale * Math.max(0, table.rowsEstimate);
}
