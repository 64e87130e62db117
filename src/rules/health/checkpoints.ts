import type { CheckpointStats, Snapshot } from "../../facts/snapshot.js";
import { settingBytes, settingMs, settingNumber } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { alterSystem } from "../../findings/fix-sql.js";
import { formatBytes, formatPercent, round3 } from "../../util/format.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { maxRequestedShare: number; minCheckpoints: number; samePeriodMinutes: number };

const MB = 1024 ** 2;
const GB = 1024 ** 3;

/**
 * What else requests a checkpoint: each of these counts in num_requested / checkpoints_req like WAL volume does.
 * Checked on PostgreSQL 15 here: CREATE DATABASE (WAL_LOG) +0, CREATE DATABASE STRATEGY FILE_COPY +2, DROP DATABASE +1.
 */
export const OTHER_CHECKPOINT_CAUSES =
  "manual CHECKPOINT commands, base backups (pg_basebackup, pg_backup_start), shutdowns and restarts (a shutdown checkpoint), DROP DATABASE (one each), CREATE DATABASE with STRATEGY FILE_COPY (two each; the only strategy before 15, WAL_LOG since needs none) and ALTER DATABASE ... SET TABLESPACE";

export type CheckpointVerdict = "wal-driven" | "other-causes" | "unknown";

export interface CheckpointAnalysis {
  verdict: CheckpointVerdict;
  /** Why the verdict is "unknown": no pg_stat_wal (before 14, or an old snapshot), or counters over different periods. */
  unknownReason: string | null;
  timed: number;
  requested: number;
  /** Checkpoints performed: num_done on 18+, timed + requested before (which counts idle timed ones skipped). */
  performed: number;
  requestedShare: number;
  maxWalSizeBytes: number | null;
  completionTarget: number;
  /** WAL between checkpoints at which PostgreSQL requests one: max_wal_size / (1 + checkpoint_completion_target), in whole segments. */
  triggerBytes: number | null;
  walBytes: number | null;
  walPerCheckpointBytes: number | null;
  /** The largest share of the requested checkpoints the WAL written could have forced: walBytes / (requested × trigger). */
  walDrivenShareAtMost: number | null;
  /** Start of the period both counters cover (their stats_reset, or server start), ISO; null when not known. */
  periodStart: string | null;
  periodSeconds: number | null;
  /** Average WAL written per checkpoint_timeout over the period. */
  walPerTimeoutBytes: number | null;
  /** max_wal_size = WAL per checkpoint_timeout × 2 × (1 + checkpoint_completion_target), rounded up; only when WAL-driven. */
  suggestedMaxWalBytes: number | null;
  /** The average rate fits the current max_wal_size: peaks force the checkpoints, the average cannot size it. */
  peaksOnly: boolean;
  /** The counters cover less than one checkpoint_timeout: the rate per checkpoint_timeout is extrapolated. */
  shortPeriod: boolean;
  source: CheckpointStats["source"];
}

const time = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};

/** Round a WAL size up: to 128MB below 1GB, to whole GB above. */
function roundWal(bytes: number): number {
  return bytes <= GB
    ? Math.max(128 * MB, Math.ceil(bytes / (128 * MB)) * 128 * MB)
    : Math.ceil(bytes / GB) * GB;
}

/**
 * The trigger PostgreSQL uses (xlog.c, CalculateCheckpointSegments, 11+): CheckPointSegments =
 * floor(max_wal_size in segments / (1 + checkpoint_completion_target)), at least 1; XLogCheckpointNeeded requests a
 * checkpoint once a new segment is CheckPointSegments - 1 past the last checkpoint's redo segment. At the defaults
 * (1GB, 0.9, 16MB segments) that is 64 / 1.9 = 33 → 32 segments, 512MB.
 */
export function checkpointTriggerBytes(
  maxWalBytes: number,
  segmentBytes: number,
  completionTarget: number,
): number {
  const checkPointSegments = Math.max(
    1,
    Math.floor(Math.floor(maxWalBytes / segmentBytes) / (1 + completionTarget)),
  );
  // XLogCheckpointNeeded: new_segno >= redo_segno + (CheckPointSegments - 1).
  return Math.max(1, checkPointSegments - 1) * segmentBytes;
}

/** The evidence for "checkpoints forced by WAL volume", shared by health/checkpoints and tune. */
export function analyzeCheckpoints(snapshot: Snapshot, samePeriodMinutes = 5): CheckpointAnalysis | null {
  const stats = snapshot.checkpoints;
  if (!stats) return null;
  const maxWal = settingBytes(snapshot, "max_wal_size");
  const segment = settingBytes(snapshot, "wal_segment_size") ?? 16 * MB;
  const completionTarget = settingNumber(snapshot, "checkpoint_completion_target") ?? 0.9;
  const timeoutMs = settingMs(snapshot, "checkpoint_timeout") ?? 300_000;
  const performed = stats.done ?? stats.timed + stats.requested;
  const total = stats.timed + stats.requested;
  const triggerBytes = maxWal ? checkpointTriggerBytes(maxWal, segment, completionTarget) : null;
  const base: CheckpointAnalysis = {
    verdict: "unknown",
    unknownReason: null,
    timed: stats.timed,
    requested: stats.requested,
    performed,
    requestedShare: total > 0 ? stats.requested / total : 0,
    maxWalSizeBytes: maxWal,
    completionTarget,
    triggerBytes,
    walBytes: stats.walBytes ?? null,
    walPerCheckpointBytes: null,
    walDrivenShareAtMost: null,
    periodStart: null,
    periodSeconds: null,
    walPerTimeoutBytes: null,
    suggestedMaxWalBytes: null,
    peaksOnly: false,
    shortPeriod: false,
    source: stats.source,
  };
  if (snapshot.replication?.inRecovery) {
    base.unknownReason =
      "this server is a standby: its checkpoints are restartpoints paced by the primary's WAL, which pg_stat_wal here does not count; judge max_wal_size from the primary's counters";
    return base;
  }
  if (stats.walBytes === null || stats.walBytes === undefined) {
    base.unknownReason =
      "this snapshot has no WAL volume (pg_stat_wal is in PostgreSQL 14 and later), so whether WAL volume forced them cannot be told";
    return base;
  }
  const started = stats.serverStartedAt ?? null;
  const counterStart = stats.statsResetAt ?? started;
  const walStart = stats.walStatsResetAt ?? started;
  const a = time(counterStart);
  const b = time(walStart);
  if (a === null || b === null || Math.abs(a - b) > samePeriodMinutes * 60_000) {
    base.unknownReason = `the checkpoint counters (${stats.source}, since ${counterStart ?? "an unknown time"}) and pg_stat_wal (since ${walStart ?? "an unknown time"}) cover different periods, so WAL per checkpoint cannot be measured; reset both together (select pg_stat_reset_shared('${stats.source === "pg_stat_checkpointer" ? "checkpointer" : "bgwriter"}'), pg_stat_reset_shared('wal')) and look again after a day`;
    return base;
  }
  const start = Math.max(a, b);
  const now = time(stats.serverNow);
  base.periodStart = new Date(start).toISOString();
  base.periodSeconds = now !== null && now > start ? (now - start) / 1000 : null;
  if (performed <= 0) return { ...base, verdict: "other-causes" };
  base.walPerCheckpointBytes = stats.walBytes / performed;
  base.walDrivenShareAtMost =
    triggerBytes && stats.requested > 0 ? Math.min(1, stats.walBytes / (stats.requested * triggerBytes)) : 0;
  if (base.periodSeconds) {
    base.walPerTimeoutBytes = (stats.walBytes / base.periodSeconds) * (timeoutMs / 1000);
    base.shortPeriod = base.periodSeconds * 1000 < timeoutMs;
  }
  // Requested checkpoints were forced by WAL volume only if the WAL written could have reached the trigger for
  // most of them: each one needs triggerBytes of WAL since the one before.
  if (base.walDrivenShareAtMost < 0.5) return { ...base, verdict: "other-causes" };
  base.verdict = "wal-driven";
  if (base.walPerTimeoutBytes !== null && maxWal) {
    const sized = roundWal(base.walPerTimeoutBytes * 2 * (1 + completionTarget));
    base.peaksOnly = sized <= maxWal;
    base.suggestedMaxWalBytes = base.peaksOnly ? roundWal(maxWal * 2) : sized;
  }
  return base;
}

/** The numbers behind the claim, as a finding's or a recommendation's evidence. */
export function checkpointEvidence(c: CheckpointAnalysis): Record<string, number | string | null> {
  return {
    timed: c.timed,
    requested: c.requested,
    performed: c.performed,
    requestedShare: round3(c.requestedShare),
    walBytes: c.walBytes,
    walPerCheckpointBytes: c.walPerCheckpointBytes === null ? null : Math.round(c.walPerCheckpointBytes),
    triggerBytes: c.triggerBytes,
    maxWalSizeBytes: c.maxWalSizeBytes,
    walDrivenShareAtMost: c.walDrivenShareAtMost === null ? null : round3(c.walDrivenShareAtMost),
    walPerTimeoutBytes: c.walPerTimeoutBytes === null ? null : Math.round(c.walPerTimeoutBytes),
    periodStart: c.periodStart,
    periodSeconds: c.periodSeconds === null ? null : Math.round(c.periodSeconds),
    source: c.source,
  };
}

/** The sizing rule in words, with the measured figures. */
export function maxWalSizeReason(c: CheckpointAnalysis): string {
  const measured = `${formatBytes(c.walPerCheckpointBytes)} of WAL per checkpoint against a trigger of ${formatBytes(c.triggerBytes)} (max_wal_size ${formatBytes(c.maxWalSizeBytes)} / (1 + checkpoint_completion_target ${c.completionTarget}))`;
  if (c.suggestedMaxWalBytes === null) return `${measured}: WAL volume forces the requested checkpoints`;
  if (c.peaksOnly)
    return `${measured}: WAL volume forces the requested checkpoints, but the average ${formatBytes(c.walPerTimeoutBytes)} of WAL per checkpoint_timeout would fit, so write peaks do it; twice the current ${formatBytes(c.maxWalSizeBytes)}, then measure again`;
  const short = c.shortPeriod
    ? `; the counters cover only ${Math.round(c.periodSeconds ?? 0)} s, less than one checkpoint_timeout, so this rate is extrapolated: measure again over a day of normal load before applying it`
    : "";
  return `${measured}: WAL volume forces the requested checkpoints; max_wal_size = WAL per checkpoint_timeout (${formatBytes(c.walPerTimeoutBytes)}, the average since ${c.periodStart}) × 2 × (1 + ${c.completionTarget}) = ${formatBytes(c.suggestedMaxWalBytes)}, so that checkpoint_timeout starts them${short}`;
}

/**
 * Requested checkpoints and what forced them. A checkpoint is requested by WAL volume (max_wal_size reached between
 * timed ones), but also by CHECKPOINT commands, base backups, shutdowns and CREATE DATABASE: the share of requested
 * checkpoints alone does not say max_wal_size is too small. WAL bytes per checkpoint against the trigger does.
 */
export const checkpoints: Rule<HealthFacts, Options> = {
  id: "health/checkpoints",
  family: "health",
  group: "workload",
  title: "Requested checkpoints and what forced them",
  description:
    "Requested checkpoints against timed ones (pg_stat_checkpointer on 17+, pg_stat_bgwriter before), and WAL written per checkpoint (pg_stat_wal, 14+) against the trigger max_wal_size / (1 + checkpoint_completion_target). Only when WAL per checkpoint reaches the trigger is max_wal_size too small; otherwise the requests come from CHECKPOINT commands, backups, restarts or CREATE DATABASE.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/wal-configuration.html",
  options: {
    maxRequestedShare: { default: 0.5, description: "share of checkpoints that were requested" },
    minCheckpoints: { default: 10, description: "checkpoints since statistics began" },
    samePeriodMinutes: {
      default: 5,
      description: "how far apart the two stats_reset times may be for the counters to count as one period",
    },
  },
  check({ snapshot }, o) {
    const c = analyzeCheckpoints(snapshot, o.samePeriodMinutes);
    if (!c) return [];
    const total = c.timed + c.requested;
    if (total < o.minCheckpoints || c.requestedShare < o.maxRequestedShare) return [];
    const share = `${formatPercent(c.requestedShare)} of ${total} checkpoints`;
    const evidence = checkpointEvidence(c);
    const common = { ruleId: this.id, evidence, docsUrl: this.docsUrl, impact: c.requested };
    if (c.verdict === "wal-driven") {
      const finding: Finding = {
        ...common,
        severity: c.requestedShare >= 0.8 ? "warning" : "info",
        title: `${share} were requested, forced by WAL volume: max_wal_size is too small`,
        detail: `${maxWalSizeReason(c)}. Counters since ${c.periodStart}.`,
      };
      if (c.suggestedMaxWalBytes !== null)
        finding.fix = {
          sql: alterSystem("max_wal_size", sizeText(c.suggestedMaxWalBytes)),
          note: "A larger max_wal_size spaces checkpoints out (fewer full-page images, less I/O); it needs that much disk room for pg_wal, and crash recovery takes longer in proportion.",
        };
      return [finding];
    }
    if (c.verdict === "other-causes")
      return [
        {
          ...common,
          severity: "info",
          title: `${share} were requested, but not by WAL volume: max_wal_size is not the cause`,
          detail: `${formatBytes(c.walPerCheckpointBytes)} of WAL per checkpoint against a trigger of ${formatBytes(c.triggerBytes)} (max_wal_size ${formatBytes(c.maxWalSizeBytes)} / (1 + checkpoint_completion_target ${c.completionTarget})): WAL volume could have forced at most ${formatPercent(c.walDrivenShareAtMost ?? 0)} of the ${c.requested} requested checkpoints since ${c.periodStart}. The others come from ${OTHER_CHECKPOINT_CAUSES}. Raising max_wal_size would not change them; log_checkpoints = on names each one's cause in the server log ("checkpoint starting: immediate force wait" is a CHECKPOINT command or a backup, "wal" is WAL volume).`,
        },
      ];
    return [
      {
        ...common,
        severity: "info",
        title: `${share} were requested, not timed; the cause is not measured`,
        detail: `Requested checkpoints come from WAL volume (max_wal_size ${formatBytes(c.maxWalSizeBytes)} reached) or from ${OTHER_CHECKPOINT_CAUSES}; ${c.unknownReason}. Raise max_wal_size only if log_checkpoints shows "checkpoint starting: wal" or the log warns "checkpoints are occurring too frequently".`,
      },
    ];
  },
};

function sizeText(bytes: number): string {
  return bytes % GB === 0 ? `${bytes / GB}GB` : `${Math.round(bytes / MB)}MB`;
}
