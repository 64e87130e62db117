/**
 * The health rules on what the store keeps of a target's latest sample: table and index sizes and counters, the
 * database's size and statistics reset. The store keeps no columns, pg_stats, constraints, sequences, sessions or
 * server settings' context, so only the rules that read nothing else run here; the page names the others and
 * sends people to `dbopt check` for them.
 */
import type { Finding } from "../findings/finding.js";
import { HEALTH_RULES } from "../rules/registry.js";
import { runRules } from "../rules/run-rules.js";
import type { LatestObjects } from "../store/read-latest-objects.js";
import { storedSnapshot } from "../store/stored-snapshot.js";

/** The health rules whose facts are all in the store. */
const STORED_HEALTH_RULES = [
  "health/dead-tuples",
  "health/hot-updates",
  "health/invalid-index",
  "health/stale-statistics",
  "health/unused-index",
  "health/xid-wraparound",
] as const;

export interface StoredHealth {
  findings: Finding[];
  ran: string[];
  /** Rules that need facts the store does not keep. */
  notRun: string[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function storedHealth(latest: LatestObjects, databaseName: string): StoredHealth {
  const snapshot = storedSnapshot({
    capturedAt: latest.takenAt.toISOString(),
    dboptVersion: "store",
    server: {
      version: latest.serverVersion ?? "",
      versionNum: 0,
      database: databaseName,
      currentUser: "",
      startedAt: iso(latest.serverStartedAt),
      canMonitor: true,
      isSuperuser: false,
      extensions: {},
    },
    database: {
      sizeBytes: latest.databaseBytes ?? 0,
      xactCommit: 0,
      xactRollback: 0,
      blksRead: 0,
      blksHit: 0,
      tempFiles: 0,
      tempBytes: 0,
      deadlocks: 0,
      statsResetAt: iso(latest.statsResetAt),
    },
    // The page does not read the store's statements or settings: the rules it runs need neither.
    tables: latest.tables,
    indexes: latest.indexes,
    blockSize: 8192,
    settings: [],
    workload: {
      source: "none",
      problem: null,
      statsResetAt: null,
      totalCalls: 0,
      totalMs: 0,
      statements: [],
    },
    checkpoints: null,
  });
  const wanted = new Set<string>(STORED_HEALTH_RULES);
  const rules = HEALTH_RULES.filter((r) => wanted.has(r.id));
  return {
    findings: runRules(rules, { snapshot }),
    ran: rules.map((r) => r.id),
    notRun: HEALTH_RULES.filter((r) => !wanted.has(r.id)).map((r) => r.id),
  };
}
