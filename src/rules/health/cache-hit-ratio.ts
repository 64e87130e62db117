import { settingBytes, statsAgeSeconds } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatAge, formatBytes, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minRatio: number; minReads: number };

/** Share of block requests answered from shared_buffers, for this database since statistics began. */
export const cacheHitRatio: Rule<HealthFacts, Options> = {
  id: "health/cache-hit-ratio",
  family: "health",
  group: "workload",
  title: "Low buffer cache hit ratio",
  description:
    "blks_hit / (blks_hit + blks_read) of pg_stat_database. An OLTP database usually serves over 99% of reads from shared_buffers; lower means the working set does not fit, or scans read far more than they need.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-SHARED-BUFFERS",
  options: {
    minRatio: { default: 0.99, description: "hit ratio below which the database is reported" },
    minReads: {
      default: 100_000,
      description: "blocks read from outside shared_buffers, below which the ratio means little",
    },
  },
  check({ snapshot }, o) {
    const { blksHit, blksRead } = snapshot.database;
    if (blksRead < o.minReads) return [];
    const ratio = blksHit / Math.max(1, blksHit + blksRead);
    if (ratio >= o.minRatio) return [];
    const shared = settingBytes(snapshot, "shared_buffers");
    const age = statsAgeSeconds(snapshot);
    const finding: Finding = {
      ruleId: this.id,
      severity: ratio < 0.9 ? "warning" : "info",
      title: `${formatPercent(ratio, 1)} of block reads came from shared_buffers`,
      detail: `${blksRead.toLocaleString("en-US")} blocks (${formatBytes(blksRead * 8192)}) were read from outside shared_buffers (${formatBytes(shared)}) ${age === null ? "since statistics began" : `in ${formatAge(age)}`}, against a database of ${formatBytes(snapshot.database.sizeBytes)}.`,
      evidence: {
        hitRatio: round3(ratio),
        blocksHit: blksHit,
        blocksRead: blksRead,
        sharedBuffersBytes: shared,
        databaseBytes: snapshot.database.sizeBytes,
      },
      fix: {
        note: "First make the heavy queries read less (the missing-index findings); then size shared_buffers to about 25% of RAM (dbopt tune) with effective_cache_size near 75%.",
      },
      docsUrl: this.docsUrl,
      impact: blksRead,
    };
    return [finding];
  },
};
