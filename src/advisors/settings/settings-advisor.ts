/**
 * `dbopt tune`: PGTune's baseline for the machine, then adjusted by what the database shows: statements that
 * spill to temporary files (work_mem), checkpoints forced by WAL volume (max_wal_size), a database smaller than
 * the cache it would get (shared_buffers), and autovacuum falling behind (its cost limit and workers).
 */
import type { Snapshot } from "../../facts/snapshot.js";
import { setting, settingBytes, tableFlag } from "../../facts/snapshot-accessors.js";
import type { EvidenceValue } from "../../findings/finding.js";
import {
  analyzeCheckpoints,
  checkpointEvidence,
  maxWalSizeReason,
  OTHER_CHECKPOINT_CAUSES,
} from "../../rules/health/checkpoints.js";
import { autovacuumThreshold } from "../../rules/health/dead-tuples.js";
import { formatBytes, formatPercent } from "../../util/format.js";
import { ident, literal, sql } from "../../util/sql-text.js";
import { memoryText, pgtuneBaseline, type SettingValue, type TuneMachine } from "./pgtune-baseline.js";

export interface SettingRecommendation {
  name: string;
  /** The server's value as PostgreSQL shows it with its unit, or null when not known (offline). */
  current: string | null;
  recommended: string;
  changed: boolean;
  restart: boolean;
  reason: string;
  evidence: Record<string, EvidenceValue>;
}

export interface TuneReport {
  kind: "tune";
  target: string | null;
  machine: TuneMachine;
  recommendations: SettingRecommendation[];
  notes: string[];
}

const MB = 1024 ** 2;
const RESTART = new Set([
  "shared_buffers",
  "max_connections",
  "wal_buffers",
  "max_worker_processes",
  "huge_pages",
  "autovacuum_max_workers",
]);
const MEMORY = new Set([
  "shared_buffers",
  "effective_cache_size",
  "maintenance_work_mem",
  "wal_buffers",
  "work_mem",
  "min_wal_size",
  "max_wal_size",
]);

const BASE_REASONS: Record<string, string> = {
  max_connections:
    "connections the workload needs; each one costs memory, so prefer a pooler to a higher number",
  shared_buffers: "25% of RAM (PGTune)",
  effective_cache_size: "75% of RAM: what the planner may assume the OS caches",
  maintenance_work_mem: "RAM / 16 (RAM / 8 for data warehouses), at most 2GB: faster VACUUM and CREATE INDEX",
  checkpoint_completion_target: "spread checkpoint writes over the whole interval",
  wal_buffers: "3% of shared_buffers, at most 16MB",
  default_statistics_target: "planner statistics detail for the workload",
  random_page_cost: "random reads cost about as much as sequential ones on SSD/SAN",
  effective_io_concurrency: "concurrent reads the storage can serve (bitmap heap scans prefetch this many)",
  work_mem: "(RAM - shared_buffers) / (3 × connections × parallel workers) (PGTune)",
  min_wal_size: "WAL kept for reuse between checkpoints",
  max_wal_size: "WAL between checkpoints for this workload",
  max_worker_processes: "one per core",
  max_parallel_workers_per_gather: "half the cores, at most 4 outside data warehouses",
  max_parallel_workers: "one per core",
  max_parallel_maintenance_workers: "parallel CREATE INDEX and VACUUM",
  huge_pages: "large shared memory is cheaper to map with huge pages",
};

export function recommendSettings(
  machine: TuneMachine,
  snapshot: Snapshot | null,
  target: string | null,
): TuneReport {
  const connections =
    machine.connections ?? (snapshot ? Number(setting(snapshot, "max_connections")?.setting) : null);
  const m: TuneMachine = { ...machine, connections: connections || null };
  const values = pgtuneBaseline(m);
  const reasons: Record<string, string> = { ...BASE_REASONS };
  // The base reason is the SSD/SAN one; on spinning disks a random read costs about four sequential ones.
  if (m.storage === "hdd")
    reasons.random_page_cost =
      "a random read costs about four sequential ones on spinning disks (PostgreSQL's default)";
  boundOltpWorkMem(m, values, reasons, snapshot);
  const evidence: Record<string, Record<string, EvidenceValue>> = {};
  const notes: string[] = [];
  if (snapshot) adjustFromEvidence(snapshot, m, values, reasons, evidence, notes);
  // Evidence from table sizes and statistics leaves these out: say so rather than tune as if they were empty.
  for (const skipped of snapshot?.skipped ?? [])
    notes.push(`skipped ${skipped.kind} ${skipped.schema}.${skipped.name}: ${skipped.reason}`);
  const recommendations = Object.entries(values).map(([name, v]): SettingRecommendation => {
    const current = snapshot ? currentText(snapshot, name) : null;
    return {
      name,
      current,
      recommended: v.text,
      changed: snapshot ? !sameValue(snapshot, name, v) : true,
      restart: snapshot ? setting(snapshot, name)?.context === "postmaster" : RESTART.has(name),
      reason: reasons[name] ?? "",
      evidence: evidence[name] ?? {},
    };
  });
  if (!snapshot)
    notes.push(
      "no database given: these are PGTune's figures for the machine; with --db dbopt adjusts them to what the server shows",
    );
  return { kind: "tune", target, machine: m, recommendations, notes };
}

function adjustFromEvidence(
  snapshot: Snapshot,
  m: TuneMachine,
  values: Record<string, SettingValue>,
  reasons: Record<string, string>,
  evidence: Record<string, Record<string, EvidenceValue>>,
  notes: string[],
): void {
  const shared = values.shared_buffers?.value ?? 0;
  const connections = values.max_connections?.value ?? 100;

  const oltpBound = m.workload === "oltp" || m.workload === "web" ? (values.work_mem?.value ?? null) : null;
  // Spills: the largest temporary-file volume per call among statements that matter.
  const spilling = snapshot.workload.statements
    .filter((s) => s.calls > 0 && s.tempBlksWritten > 0 && s.totalMs >= snapshot.workload.totalMs * 0.01)
    .map((s) => ({ s, perCall: (s.tempBlksWritten * 8192) / s.calls }))
    .sort((a, b) => b.perCall - a.perCall);
  const worst = spilling[0];
  const workMem = values.work_mem;
  if (worst && workMem && worst.perCall * 2 > workMem.value) {
    const needed = powerOfTwoMB(worst.perCall * 2);
    const cap =
      oltpBound ?? Math.max(workMem.value, Math.floor((m.ramBytes - shared) / connections / MB) * MB);
    evidence.work_mem = {
      spillingStatements: spilling.length,
      largestSpillPerCallBytes: Math.round(worst.perCall),
      tempBytes: snapshot.database.tempBytes,
    };
    if (needed <= cap) {
      values.work_mem = { value: needed, text: memoryText(needed) };
      reasons.work_mem = `${spilling.length} statement${spilling.length === 1 ? "" : "s"} spill up to ${formatBytes(worst.perCall)} to disk per call; twice that keeps the sort or hash in memory`;
    } else {
      reasons.work_mem += `; raising it for everyone would overcommit memory`;
      notes.push(
        `statements spill up to ${formatBytes(worst.perCall)} per call: give their role more instead of everyone (${sql`ALTER ROLE ${ident(worst.s.userName || "app")} SET work_mem = ${literal(memoryText(needed))}`};)`,
      );
    }
  }

  // Checkpoints forced by WAL volume (WAL per checkpoint reaching the trigger, not merely a high share of requested
  // checkpoints): size max_wal_size from the measured WAL rate. The same evidence as health/checkpoints.
  const cp = analyzeCheckpoints(snapshot);
  if (cp && cp.timed + cp.requested >= 10 && cp.requestedShare >= 0.5) {
    const share = `${formatPercent(cp.requestedShare)} of checkpoints were requested`;
    if (cp.verdict === "wal-driven" && cp.suggestedMaxWalBytes !== null) {
      const target = Math.max(values.max_wal_size?.value ?? 0, cp.suggestedMaxWalBytes);
      values.max_wal_size = { value: target, text: memoryText(target) };
      reasons.max_wal_size = `${share}; ${maxWalSizeReason(cp)}`;
      evidence.max_wal_size = checkpointEvidence(cp);
    } else if (cp.verdict === "other-causes") {
      evidence.max_wal_size = checkpointEvidence(cp);
      reasons.max_wal_size += "; the requested checkpoints were not forced by WAL volume (see the notes)";
      notes.push(
        `${share}, but not by WAL volume (${formatBytes(cp.walPerCheckpointBytes)} of WAL per checkpoint against a trigger of ${formatBytes(cp.triggerBytes)}): they give no reason to raise max_wal_size beyond the baseline; look for ${OTHER_CHECKPOINT_CAUSES}`,
      );
    } else if (cp.verdict === "unknown") {
      notes.push(`${share}; ${cp.unknownReason}: max_wal_size is not raised on that alone`);
    }
  }

  // The cache serves every database of the cluster, not only the one analysed: size it from all of them.
  const size = snapshot.database.sizeBytes;
  const cluster = Math.max(size, snapshot.database.clusterSizeBytes ?? 0);
  const unsized = snapshot.database.clusterDatabasesUnsized ?? 0;
  const whole =
    snapshot.database.clusterSizeBytes === undefined
      ? `the database is ${formatBytes(size)} (this snapshot does not hold the other databases' sizes)`
      : `the cluster's databases hold ${formatBytes(cluster)}${cluster > size * 1.05 ? ` (this one ${formatBytes(size)})` : ""}${unsized ? `, ${unsized} database${unsized === 1 ? "" : "s"} this role may not size left out` : ""}`;
  const hit = snapshot.database.blksHit / Math.max(1, snapshot.database.blksHit + snapshot.database.blksRead);
  evidence.shared_buffers = {
    databaseBytes: size,
    clusterBytes: cluster,
    cacheHitRatio: Math.round(hit * 1000) / 1000,
  };
  if (cluster * 2 < shared && unsized === 0) {
    const enough = Math.max(128 * MB, powerOfTwoMB(cluster * 2));
    values.shared_buffers = { value: enough, text: memoryText(enough) };
    const walBuffers = Math.min(
      16 * MB,
      Math.max(64 * 1024, Math.floor((enough * 3) / 100 / (64 * 1024)) * 64 * 1024),
    );
    values.wal_buffers = { value: walBuffers, text: memoryText(walBuffers) };
    reasons.shared_buffers = `${whole}: twice that caches all of it with room to grow (25% of RAM would be ${formatBytes(shared)})`;
  } else {
    reasons.shared_buffers += `; ${whole}, and ${formatPercent(hit, 1)} of this database's reads hit the cache`;
  }
  const cache = values.effective_cache_size;
  if (cache) {
    evidence.effective_cache_size = { clusterBytes: cluster };
    reasons.effective_cache_size +=
      cluster < cache.value
        ? `; ${whole}, so all of it fits in the cache`
        : `; ${whole}: ${formatPercent(cache.value / cluster)} of it can be cached`;
  }

  // Autovacuum behind: tables past their own threshold while autovacuum is on.
  const autovacuumOn = setting(snapshot, "autovacuum")?.setting !== "off";
  const behind = snapshot.tables.filter(
    (t) =>
      t.stats &&
      tableFlag(t, "autovacuum_enabled") !== false &&
      t.stats.nDeadTup > autovacuumThreshold(snapshot, t),
  );
  if (!autovacuumOn) {
    values.autovacuum = { value: 1, text: "on" };
    reasons.autovacuum = "autovacuum is off: dead rows pile up and nothing freezes old rows";
  } else if (behind.length > 0) {
    values.autovacuum_vacuum_cost_limit = { value: 2000, text: "2000" };
    reasons.autovacuum_vacuum_cost_limit = `${behind.length} table${behind.length === 1 ? " is" : "s are"} past the autovacuum threshold (${behind
      .slice(0, 3)
      .map((t) => t.name)
      .join(", ")}): let each worker do more per round`;
    evidence.autovacuum_vacuum_cost_limit = { tablesBehind: behind.length };
    if (behind.length >= 3) {
      values.autovacuum_max_workers = { value: 5, text: "5" };
      reasons.autovacuum_max_workers = `${behind.length} tables wait for a worker at once`;
    }
  }
}

/**
 * OLTP and web: many connections, and any of them may be running a query at a busy moment, each with a sort and a
 * hash (a hash may use hash_mem_multiplier × work_mem). PGTune's (RAM - shared_buffers) / (3 × connections ×
 * parallel workers) is RAM / 4 / connections on a machine of 2 or 3 cores (no parallel workers): every connection
 * using one work_mem at once already takes a quarter of RAM. Bound it so that every connection running a sort and a
 * hash fits in a quarter of RAM: RAM × 0.25 / (max_connections × (1 + hash_mem_multiplier)).
 */
function oltpWorkMemBound(m: TuneMachine, connections: number, hashMemMultiplier = 2): number | null {
  if (m.workload !== "oltp" && m.workload !== "web") return null;
  const bytes = (m.ramBytes * 0.25) / (connections * (1 + hashMemMultiplier));
  return Math.max(64 * 1024, bytes >= 4 * MB ? Math.floor(bytes / MB) * MB : Math.floor(bytes / 1024) * 1024);
}

function boundOltpWorkMem(
  m: TuneMachine,
  values: Record<string, SettingValue>,
  reasons: Record<string, string>,
  snapshot: Snapshot | null,
): void {
  const connections = values.max_connections?.value ?? 100;
  const multiplier = Number(snapshot ? setting(snapshot, "hash_mem_multiplier")?.setting : 2);
  const hashMem = Number.isFinite(multiplier) && multiplier > 0 ? multiplier : snapshot ? 1 : 2;
  const bound = oltpWorkMemBound(m, connections, hashMem);
  const base = values.work_mem;
  if (bound === null || !base || base.value <= bound) return;
  values.work_mem = { value: bound, text: memoryText(bound) };
  reasons.work_mem = `RAM × 0.25 / (max_connections × (1 + hash_mem_multiplier)) = ${formatBytes(m.ramBytes)} × 0.25 / (${connections} × ${1 + hashMem}): with ${m.workload === "oltp" ? "an OLTP" : "a web"} workload every connection may be running a sort and a hash at once, and a quarter of RAM holds that (PGTune's (RAM - shared_buffers) / (3 × connections × parallel workers) would give ${base.text})`;
}

function powerOfTwoMB(bytes: number): number {
  let mb = 1;
  while (mb * MB < bytes) mb *= 2;
  return mb * MB;
}

/** The server's current value in the same spelling the recommendation uses. */
function currentText(snapshot: Snapshot, name: string): string | null {
  const s = setting(snapshot, name);
  if (!s) return null;
  if (MEMORY.has(name)) {
    const bytes = settingBytes(snapshot, name);
    return bytes === null ? s.setting : memoryText(bytes);
  }
  return s.setting;
}

function sameValue(snapshot: Snapshot, name: string, v: SettingValue): boolean {
  const s = setting(snapshot, name);
  if (!s) return false;
  if (MEMORY.has(name)) return settingBytes(snapshot, name) === v.value;
  const n = Number(s.setting);
  return Number.isFinite(n) && /^[\d.]+$/.test(v.text) ? Math.abs(n - v.value) < 1e-9 : s.setting === v.text;
}
