import { settingNumber, tableObject, tableOption } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatCount, round3 } from "../../util/format.js";
import { qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minRows: number; staleFactor: number };

/**
 * Tables never analyzed, or changed far more since their last ANALYZE than the autoanalyze threshold allows: the
 * planner's row estimates for them are guesses.
 */
export const staleStatistics: Rule<HealthFacts, Options> = {
  id: "health/stale-statistics",
  family: "health",
  group: "maintenance",
  title: "Planner statistics missing or stale",
  description:
    "A table that was never analyzed, or whose rows changed several times the autoanalyze threshold since the last ANALYZE. The planner then estimates from defaults, which leads to bad join orders and methods.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-STATISTICS",
  options: {
    minRows: { default: 1000, description: "rows (or changed rows) below which a table is not reported" },
    staleFactor: {
      default: 2,
      description: "changes since ANALYZE, as a multiple of the autoanalyze threshold",
    },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const table of snapshot.tables) {
      const stats = table.stats;
      if (!stats || table.kind === "foreign") continue;
      const analyzed = stats.lastAnalyze ?? stats.lastAutoanalyze;
      const base = Number(
        tableOption(table, "autovacuum_analyze_threshold") ??
          settingNumber(snapshot, "autovacuum_analyze_threshold") ??
          50,
      );
      const scale = Number(
        tableOption(table, "autovacuum_analyze_scale_factor") ??
          settingNumber(snapshot, "autovacuum_analyze_scale_factor") ??
          0.1,
      );
      const threshold = base + scale * Math.max(0, table.rowsEstimate);
      const never = !analyzed && (stats.nLiveTup >= o.minRows || stats.nModSinceAnalyze >= o.minRows);
      const stale = stats.nModSinceAnalyze >= Math.max(o.minRows, threshold * o.staleFactor);
      if (!never && !stale) continue;
      const name = qname(table.schema, table.name);
      findings.push({
        ruleId: this.id,
        severity: never ? "warning" : "info",
        title: never
          ? `${table.name} has never been analyzed (${formatCount(stats.nLiveTup)} live rows)`
          : `${table.name}: ${formatCount(stats.nModSinceAnalyze)} rows changed since the last ANALYZE (${analyzed})`,
        detail: `The autoanalyze threshold for it is ${formatCount(threshold)} changed rows. Until it is analyzed, plans that read it use guessed row counts and value distributions.`,
        evidence: {
          table: table.name,
          lastAnalyze: analyzed,
          modifiedSinceAnalyze: stats.nModSinceAnalyze,
          liveTuples: stats.nLiveTup,
          analyzeThreshold: Math.round(threshold),
          ratio: round3(stats.nModSinceAnalyze / Math.max(1, threshold)),
        },
        fix: {
          sql: sql`ANALYZE ${name};`,
          note: "Run ANALYZE after bulk loads; if autoanalyze keeps falling behind on this table, lower its autovacuum_analyze_scale_factor.",
        },
        docsUrl: this.docsUrl,
        impact: stats.nModSinceAnalyze,
        objects: [tableObject(table)],
      });
    }
    return findings;
  },
};
