import type { Finding } from "../../findings/finding.js";
import { alterSystem } from "../../findings/fix-sql.js";
import { formatBytes, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import { type HealthFacts, settingBytes } from "./health-facts.js";

type Options = { maxRequestedShare: number; minCheckpoints: number };

/**
 * Checkpoints forced by WAL volume rather than started by checkpoint_timeout: max_wal_size is too small for the
 * write load, so the server flushes (and writes full-page images) more often than it needs to.
 */
export const checkpoints: Rule<HealthFacts, Options> = {
  id: "health/checkpoints",
  family: "health",
  group: "workload",
  title: "Checkpoints forced by WAL volume",
  description:
    "Requested checkpoints against timed ones (pg_stat_checkpointer on 17+, pg_stat_bgwriter before). Frequent requested checkpoints mean max_wal_size is reached between timed ones: more I/O and more WAL.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/wal-configuration.html",
  options: {
    maxRequestedShare: { default: 0.5, description: "share of checkpoints that were requested" },
    minCheckpoints: { default: 10, description: "checkpoints since statistics began" },
  },
  check({ snapshot }, o) {
    const stats = snapshot.checkpoints;
    if (!stats) return [];
    const total = stats.timed + stats.requested;
    if (total < o.minCheckpoints) return [];
    const share = stats.requested / total;
    if (share < o.maxRequestedShare) return [];
    const maxWal = settingBytes(snapshot, "max_wal_size");
    const suggested = maxWal ? `${Math.max(2, Math.ceil((maxWal * 2) / 1024 ** 3))}GB` : "4GB";
    const finding: Finding = {
      ruleId: this.id,
      severity: share >= 0.8 ? "warning" : "info",
      title: `${formatPercent(share)} of ${total} checkpoints were requested, not timed`,
      detail: `max_wal_size is ${formatBytes(maxWal)}. Note that CHECKPOINT commands and backups count as requested too (${stats.source}, since ${stats.statsResetAt ?? "server start"}).`,
      evidence: {
        timed: stats.timed,
        requested: stats.requested,
        requestedShare: round3(share),
        maxWalSizeBytes: maxWal,
        source: stats.source,
      },
      fix: {
        sql: alterSystem("max_wal_size", suggested),
        note: "A larger max_wal_size spaces checkpoints out (it needs the disk room); recovery after a crash takes longer in proportion.",
      },
      docsUrl: this.docsUrl,
      impact: stats.requested,
    };
    return [finding];
  },
};
