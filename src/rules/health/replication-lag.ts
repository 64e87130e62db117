import type { Finding } from "../../findings/finding.js";
import { formatBytes, round3 } from "../../util/format.js";
import { literal, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minRetainedBytes: number; maxLagSeconds: number; maxLagBytes: number };

/** Inactive replication slots holding WAL back, and standbys falling behind. */
export const replicationLag: Rule<HealthFacts, Options> = {
  id: "health/replication-lag",
  family: "health",
  group: "activity",
  title: "Replication slot retains WAL, or a standby lags",
  description:
    "A replication slot nobody consumes keeps every WAL file since its position (the disk fills up) and holds back the xmin horizon; a standby far behind serves stale reads and slows failover.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/warm-standby.html#STREAMING-REPLICATION-SLOTS",
  options: {
    minRetainedBytes: { default: 1024 ** 3, description: "WAL bytes an inactive slot retains" },
    maxLagSeconds: { default: 60, description: "replay lag of a standby, in seconds" },
    maxLagBytes: { default: 1024 ** 3, description: "replay lag of a standby, in bytes of WAL" },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const slot of snapshot.replication.slots) {
      if (slot.active || (slot.retainedBytes ?? 0) < o.minRetainedBytes) continue;
      const bytes = slot.retainedBytes ?? 0;
      findings.push({
        ruleId: this.id,
        severity:
          bytes >= 10 * 1024 ** 3 || slot.walStatus === "lost" || slot.walStatus === "unreserved"
            ? "error"
            : "warning",
        title: `Inactive ${slot.type} slot ${slot.name} retains ${formatBytes(bytes)} of WAL`,
        detail: `Nothing is connected to it, so the server keeps all WAL from its restart point${slot.walStatus ? ` (wal_status ${slot.walStatus})` : ""}.`,
        evidence: {
          slot: slot.name,
          type: slot.type,
          active: slot.active,
          retainedBytes: bytes,
          walStatus: slot.walStatus,
          database: slot.database,
        },
        fix: {
          sql: sql`SELECT pg_drop_replication_slot(${literal(slot.name)});`,
          note: "Drop it only if its consumer (standby, CDC tool) is gone for good; otherwise bring the consumer back. max_slot_wal_keep_size caps how much WAL a slot may hold.",
        },
        docsUrl: this.docsUrl,
        impact: bytes,
      });
    }
    for (const standby of snapshot.replication.standbys) {
      const lagS = standby.replayLagS ?? 0;
      const lagBytes = standby.replayLagBytes ?? 0;
      if (lagS < o.maxLagSeconds && lagBytes < o.maxLagBytes) continue;
      findings.push({
        ruleId: this.id,
        severity: lagS >= 10 * o.maxLagSeconds ? "error" : "warning",
        title: `Standby ${standby.application || standby.clientAddr} is ${Math.round(lagS)} s (${formatBytes(lagBytes)}) behind`,
        detail: `State ${standby.state}, ${standby.syncState}. Reads there see data that old, and a failover to it would wait for the replay.`,
        evidence: {
          standby: standby.application,
          clientAddr: standby.clientAddr,
          replayLagSeconds: round3(lagS),
          replayLagBytes: lagBytes,
        },
        fix: {
          note: "Look at the standby: replay conflicts with queries (max_standby_streaming_delay), slow disks, or a saturated network.",
        },
        docsUrl: this.docsUrl,
        impact: lagBytes,
      });
    }
    return findings;
  },
};
