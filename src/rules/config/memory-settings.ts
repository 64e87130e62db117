import { settingBytes, settingNumber } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { alterSystem } from "../../findings/fix-sql.js";
import { formatBytes, formatPercent, round3 } from "../../util/format.js";
import type { HealthFacts } from "../health/health-facts.js";
import type { Rule } from "../rule.js";

type Options = { minSharedShare: number };

/**
 * Memory settings measured against the machine (--ram): shared_buffers far below 25% of RAM, and the worst-case
 * sum shared_buffers + max_connections × work_mem × hash_mem_multiplier + autovacuum workers × maintenance memory
 * above RAM. Without --ram only what needs no machine figures is said.
 */
export const memorySettings: Rule<HealthFacts, Options> = {
  id: "config/memory-settings",
  family: "config",
  group: "settings",
  title: "Memory settings do not fit the machine",
  description:
    "shared_buffers far below a quarter of RAM wastes memory the database could cache with; work_mem left at 4MB while queries spill wastes it too; the worst-case total of shared and per-connection memory above RAM risks the out-of-memory killer. Needs --ram.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/runtime-config-resource.html",
  options: {
    minSharedShare: {
      default: 0.1,
      description: "shared_buffers as a share of RAM below which it is reported",
    },
  },
  check({ snapshot, machine }, o) {
    const ram = machine?.ramBytes;
    const shared = settingBytes(snapshot, "shared_buffers");
    const workMem = settingBytes(snapshot, "work_mem");
    const maintenance = settingBytes(snapshot, "autovacuum_work_mem");
    const maintenanceFallback = settingBytes(snapshot, "maintenance_work_mem") ?? 64 * 1024 ** 2;
    const connections = settingNumber(snapshot, "max_connections") ?? 100;
    const hashMultiplier = settingNumber(snapshot, "hash_mem_multiplier") ?? 2;
    const workers = settingNumber(snapshot, "autovacuum_max_workers") ?? 3;
    if (!ram || shared === null || workMem === null) return [];
    const findings: Finding[] = [];
    if (shared / ram < o.minSharedShare) {
      const target = Math.round((ram * 0.25) / 1024 ** 2);
      findings.push({
        ruleId: this.id,
        severity: "warning",
        title: `shared_buffers is ${formatBytes(shared)} on a ${formatBytes(ram)} machine (${formatPercent(shared / ram, 1)})`,
        detail:
          "About 25% of RAM is the usual starting point for a dedicated server; the operating system's cache takes most of the rest.",
        evidence: { sharedBuffersBytes: shared, ramBytes: ram, share: round3(shared / ram) },
        fix: {
          sql: alterSystem("shared_buffers", `${target}MB`, true),
          note: "Restart to apply; raise effective_cache_size to about 75% of RAM at the same time.",
        },
        docsUrl: this.docsUrl,
        impact: ram - shared,
      });
    }
    const autovacuumMemory =
      workers * (maintenance !== null && maintenance > 0 ? maintenance : maintenanceFallback);
    const worst = shared + connections * workMem * hashMultiplier + autovacuumMemory;
    if (worst > ram) {
      findings.push({
        ruleId: this.id,
        severity: worst > ram * 2 ? "error" : "warning",
        title: `Worst-case memory ${formatBytes(worst)} exceeds the machine's ${formatBytes(ram)}`,
        detail: `shared_buffers ${formatBytes(shared)} + ${connections} connections × work_mem ${formatBytes(workMem)} × hash_mem_multiplier ${hashMultiplier} + ${workers} autovacuum workers × ${formatBytes(autovacuumMemory / workers)}. A query can use several work_mem-sized sorts and hashes at once, so real peaks can be higher still.`,
        evidence: {
          worstCaseBytes: worst,
          ramBytes: ram,
          sharedBuffersBytes: shared,
          maxConnections: connections,
          workMemBytes: workMem,
          hashMemMultiplier: hashMultiplier,
        },
        fix: {
          note: "Lower work_mem globally and raise it only for the roles that need it (ALTER ROLE ... SET work_mem), and cap connections with a pooler.",
        },
        docsUrl: this.docsUrl,
        impact: worst - ram,
      });
    }
    // work_mem at its 4MB default on a machine with memory to spare, while queries write temporary files.
    const spareForSorts = (ram - shared) / (connections * 3);
    if (workMem <= 4 * 1024 ** 2 && spareForSorts >= 4 * workMem && snapshot.database.tempBytes > 0) {
      // Whole megabytes, and at most what work_mem accepts (2GB - 1kB, as 2047MB).
      const suggested = Math.min(
        Math.max(workMem, Math.floor(spareForSorts / 1024 ** 2) * 1024 ** 2),
        2047 * 1024 ** 2,
      );
      findings.push({
        ruleId: this.id,
        severity: "info",
        title: `work_mem is ${formatBytes(workMem)} while queries spill ${formatBytes(snapshot.database.tempBytes)} to temporary files`,
        detail: `With ${formatBytes(ram)} of RAM and ${connections} connections, about ${formatBytes(spareForSorts)} per sort would still fit (three per connection, after shared_buffers).`,
        evidence: {
          workMemBytes: workMem,
          tempBytes: snapshot.database.tempBytes,
          ramBytes: ram,
          maxConnections: connections,
        },
        fix: {
          sql: alterSystem("work_mem", `${Math.round(suggested / 1024 ** 2)}MB`),
          note: "dbopt tune sizes it with the workload's own spills; raise it per role where only some queries need it.",
        },
        docsUrl: this.docsUrl,
        impact: snapshot.database.tempBytes,
      });
    }
    return findings;
  },
};
