import { indexObject } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatBytes, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { btreeBloat, exactBtreeBloat } from "./bloat-estimate.js";
import type { HealthFacts } from "./health-facts.js";
import { reindex } from "./index-fix-suggestion.js";
import { severityFromBytes } from "./severity-from-bytes.js";

type Options = { minBytes: number; minRatio: number };

/** A B-tree much larger than its rows need: pages left half-empty by deletes and updates. */
export const indexBloat: Rule<HealthFacts, Options> = {
  id: "health/index-bloat",
  family: "health",
  group: "indexes",
  title: "Bloated index",
  description:
    "A B-tree whose size is far above what its entries need (estimated from row count and key width in pg_stats). Bloat makes scans read more pages and wastes cache; REINDEX CONCURRENTLY rebuilds it compactly.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/routine-reindex.html",
  options: {
    minBytes: { default: 10 * 1024 * 1024, description: "estimated bloat bytes" },
    minRatio: { default: 0.4, description: "share of the index that is bloat" },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const index of snapshot.indexes) {
      const exact = exactBtreeBloat(index, snapshot.exactBloat);
      const bloat = index.isValid ? (exact ?? btreeBloat(index)) : null;
      if (!bloat || bloat.bloatBytes < o.minBytes || bloat.ratio < o.minRatio) continue;
      const rebuild = reindex(snapshot, index);
      findings.push({
        ruleId: this.id,
        severity: severityFromBytes(bloat.bloatBytes, snapshot.database.sizeBytes),
        title: `${index.name} on ${index.table}: about ${formatBytes(bloat.bloatBytes)} of ${formatBytes(index.sizeBytes)} is bloat (${formatPercent(bloat.ratio)})`,
        detail: exact
          ? `pgstatindex measured its leaf pages ${formatPercent(1 - bloat.ratio)} as full as a fresh build would make them.`
          : `It has ${bloat.actualPages.toLocaleString("en-US")} pages where its ${Math.round(index.rowsEstimate).toLocaleString("en-US")} entries need about ${bloat.expectedPages.toLocaleString("en-US")} (an estimate from pg_stats; dbopt check --exact measures it with pgstatindex).`,
        evidence: {
          index: index.name,
          pages: bloat.actualPages,
          expectedPages: bloat.expectedPages,
          bloatBytes: bloat.bloatBytes,
          ratio: round3(bloat.ratio),
          estimated: !exact,
        },
        fix: {
          sql: rebuild.sql,
          note: `A rebuild needs room for a second copy while it runs.${rebuild.caveat}`,
        },
        docsUrl: this.docsUrl,
        impact: bloat.bloatBytes,
        objects: [indexObject(index)],
      });
    }
    return findings;
  },
};
