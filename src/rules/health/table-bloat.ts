import { tableObject } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatBytes, formatPercent, round3 } from "../../util/format.js";
import { qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { BLOCK_SIZE, exactTableBloat, tableBloat } from "./bloat-estimate.js";
import type { HealthFacts } from "./health-facts.js";
import { severityFromBytes } from "./severity-from-bytes.js";

type Options = { minBytes: number; minRatio: number; maxRowWidth: number };

/** A table much larger than its live rows need: space freed by VACUUM that was never reused or returned. */
export const tableBloatCheck: Rule<HealthFacts, Options> = {
  id: "health/table-bloat",
  family: "health",
  group: "tables",
  title: "Bloated table",
  description:
    "A table far larger than its rows need (estimated from the row count and pg_stats widths). Sequential scans read the empty space too. VACUUM makes it reusable; only a rewrite (pg_repack, VACUUM FULL) gives it back.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-SPACE-RECOVERY",
  options: {
    minBytes: { default: 50 * 1024 * 1024, description: "estimated bloat bytes" },
    minRatio: { default: 0.4, description: "share of the table that is bloat" },
    maxRowWidth: {
      default: 2000,
      description: "average row bytes above which values are TOASTed and the estimate is unreliable",
    },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const table of snapshot.tables) {
      const exact = exactTableBloat(table, snapshot.exactBloat);
      if (!exact && (table.rowWidth ?? 0) > o.maxRowWidth) continue;
      const bloat = exact ?? tableBloat(table);
      if (!bloat || bloat.bloatBytes < o.minBytes || bloat.ratio < o.minRatio) continue;
      const name = qname(table.schema, table.name);
      findings.push({
        ruleId: this.id,
        severity: severityFromBytes(bloat.bloatBytes, snapshot.database.sizeBytes),
        title: `${table.name}: about ${formatBytes(bloat.bloatBytes)} of ${formatBytes(table.pages * BLOCK_SIZE)} is empty space (${formatPercent(bloat.ratio)})`,
        detail: exact
          ? `pgstattuple measured ${formatBytes(bloat.bloatBytes)} of dead rows and free space in ${bloat.actualPages.toLocaleString("en-US")} pages.`
          : `${Math.round(table.rowsEstimate).toLocaleString("en-US")} rows of about ${Math.round(table.rowWidth ?? 0)} bytes need about ${bloat.expectedPages.toLocaleString("en-US")} pages; the table has ${bloat.actualPages.toLocaleString("en-US")} (an estimate from pg_stats; dbopt check --exact measures it with pgstattuple).`,
        evidence: {
          table: table.name,
          pages: bloat.actualPages,
          expectedPages: bloat.expectedPages,
          bloatBytes: bloat.bloatBytes,
          ratio: round3(bloat.ratio),
          deadTuples: table.stats?.nDeadTup ?? null,
          estimated: !exact,
        },
        fix: {
          sql: sql`VACUUM (ANALYZE) ${name};  -- makes the space reusable`,
          note: `VACUUM makes the space reusable but keeps the file's size (it cannot run inside a transaction block). To give the space back: VACUUM FULL holds an ACCESS EXCLUSIVE lock for the whole rewrite; the pg_repack extension rewrites online (pg_repack --table=${tableObject(table)}).`,
        },
        docsUrl: this.docsUrl,
        impact: bloat.bloatBytes,
        objects: [tableObject(table)],
      });
    }
    return findings;
  },
};
