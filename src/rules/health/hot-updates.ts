import { tableObject, tableOption } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatCount, formatPercent, round3 } from "../../util/format.js";
import { qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minUpdates: number; maxHotShare: number };

/**
 * Updates that could not be HOT (heap-only): each writes a new entry into every index. On 16+ the counters say
 * why: the row moved to another page (no room: lower the fillfactor) or an indexed column changed.
 */
export const hotUpdates: Rule<HealthFacts, Options> = {
  id: "health/hot-updates",
  family: "health",
  group: "maintenance",
  title: "Few updates are HOT",
  description:
    "A HOT update keeps the new row version on the same page and touches no index. Updates that are not HOT write every index and bloat them; the cause is a full page (fillfactor) or an update of an indexed column.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/storage-hot.html",
  options: {
    minUpdates: { default: 10_000, description: "updates since statistics began" },
    maxHotShare: { default: 0.5, description: "share of HOT updates below which a table is reported" },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const table of snapshot.tables) {
      const stats = table.stats;
      if (!stats || stats.nTupUpd < o.minUpdates) continue;
      const hotShare = stats.nTupHotUpd / stats.nTupUpd;
      if (hotShare >= o.maxHotShare) continue;
      const notHot = stats.nTupUpd - stats.nTupHotUpd;
      const moved = stats.nTupNewpageUpd;
      // 16+: updates that moved pages were not HOT for lack of room; the rest changed an indexed column.
      const lackOfRoom = moved === null ? null : Math.min(1, moved / Math.max(1, notHot));
      const fillfactor = Number(tableOption(table, "fillfactor") ?? 100);
      // 85 first; a table already below that loses another 10 points, down to 50 (half of each page empty).
      const target = fillfactor > 85 ? 85 : Math.max(50, fillfactor - 10);
      const roomFix = (lackOfRoom === null || lackOfRoom >= 0.5) && target < fillfactor;
      const name = qname(table.schema, table.name);
      findings.push({
        ruleId: this.id,
        severity: hotShare < 0.1 && stats.nTupUpd >= 100_000 ? "warning" : "info",
        title: `${table.name}: ${formatPercent(hotShare)} of ${formatCount(stats.nTupUpd)} updates were HOT`,
        detail:
          lackOfRoom === null
            ? `Updates that are not HOT write all ${table.name}'s indexes. Either the pages are full (fillfactor ${fillfactor}) or the updates change indexed columns.`
            : `${formatPercent(lackOfRoom)} of the ${formatCount(notHot)} non-HOT updates moved the row to another page (no room on its own, fillfactor ${fillfactor}); the rest changed an indexed column.`,
        evidence: {
          table: table.name,
          updates: stats.nTupUpd,
          hotUpdates: stats.nTupHotUpd,
          hotShare: round3(hotShare),
          newPageUpdates: moved,
          fillfactor,
        },
        fix: roomFix
          ? {
              sql: sql`ALTER TABLE ${name} SET (fillfactor = ${target});`,
              note: "A lower fillfactor leaves room on each page for updated rows; it applies to pages written from now on (VACUUM FULL or pg_repack applies it to all).",
            }
          : {
              note:
                lackOfRoom === null || lackOfRoom >= 0.5
                  ? `fillfactor is already ${fillfactor}: the rows grow on update (wide text, new columns filled in) faster than free space helps; keep updated columns narrow, or vacuum more often so freed space is reused.`
                  : "The updates change indexed columns: drop indexes on frequently updated columns that queries do not need, or update those columns less often.",
            },
        docsUrl: this.docsUrl,
        impact: notHot,
        objects: [tableObject(table)],
      });
    }
    return findings;
  },
};
