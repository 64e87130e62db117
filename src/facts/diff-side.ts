/**
 * One side of `dbopt diff`: what a database looked like at one time (objects, settings, plans) and what its
 * statements did over the window that ends there. Built from a snapshot file (pipeline/diff/snapshot-sides.ts) or
 * from the history store (store/read-store-sides.ts), so the comparison reads one shape whatever the source.
 */
import type { Plan } from "./plan/plan-model.js";

/** A statement's counters over a side's window (sums of pg_stat_statements counters, never cumulative across sides). */
export interface WindowCounters {
  calls: number;
  totalMs: number;
  /** Sum of squared call times: calls × (stddev² + mean²), which adds up across entries and samples. */
  sumSqMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  tempBlksRead: number;
  tempBlksWritten: number;
}

/** One pg_stat_statements entry (a queryid for one role and nesting level) over the side's window. */
export interface SideStatement {
  queryId: string;
  /** libpg_query's fingerprint of the text: the same statement where queryids differ (another server or major). */
  fingerprint: string | null;
  query: string;
  counters: WindowCounters;
}

export interface SideTable {
  schema: string;
  name: string;
  rows: number;
  totalBytes: number;
  /** The later of last_analyze and last_autoanalyze (ISO time), null when never analyzed. */
  analyzedAt: string | null;
}

export interface SideIndex {
  schema: string;
  name: string;
  tableSchema: string;
  table: string;
  definition: string;
  sizeBytes: number;
  /** Index scans within the side's window; null when not known (no statistics). */
  scans: number | null;
}

export interface SideSetting {
  name: string;
  setting: string;
  unit: string | null;
  source: string;
}

/** A statement's generic plan as seen on this side, with its shape hash (store/plan-shape.ts). */
export interface SidePlan {
  shapeHash: string;
  plan: Plan;
  seenAt: string;
}

export interface DiffSide {
  /** The snapshot file, or the store and target. */
  label: string;
  database: string;
  serverVersion: string;
  /** When the objects and settings were read (ISO). */
  at: string;
  /** The window the statement and index-scan figures cover. */
  window: { from: string | null; to: string; description: string };
  statements: SideStatement[];
  tables: SideTable[];
  indexes: SideIndex[];
  settings: SideSetting[];
  /** Generic plans by queryid; null when the source keeps none (snapshot files). */
  plans: Record<string, SidePlan> | null;
  /** block_size, to turn temp blocks into bytes. */
  blockSize: number;
  /** What a reader should know about these figures (a reset inside the window, entries cut from a snapshot). */
  notes: string[];
}
