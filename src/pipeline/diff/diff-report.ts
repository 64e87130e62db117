import type { Finding } from "../../findings/finding.js";
import type { RegressionThresholds } from "../../store/window-statistics.js";

/** What `dbopt diff` compares on each side, as the report names it. */
export interface DiffSideSummary {
  label: string;
  database: string;
  serverVersion: string;
  at: string;
  window: { from: string | null; to: string; description: string };
  /** Calls and statement time over the window, all statements. */
  calls: number;
  totalMs: number;
  /** Whether the side carries generic plans (the store does, snapshot files do not). */
  hasPlans: boolean;
}

/** A statement's figures over one side's window. */
export interface StatementFigures {
  calls: number;
  meanMs: number;
  totalMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  tempBytes: number;
}

export interface StatementComparison {
  queryid: string;
  query: string;
  /** How the two sides' entries were paired: the same queryid, or the same fingerprint where queryids differ. */
  matchedBy: "queryid" | "fingerprint";
  before: StatementFigures;
  after: StatementFigures;
  /** Welch's t-test verdict on the mean, in words (why flagged, or the threshold it missed). */
  verdict: string;
  regressed: boolean;
}

/** A statement that ran on one side only. */
export interface StatementOnOneSide {
  queryid: string;
  query: string;
  figures: StatementFigures;
}

export interface PlanChange {
  queryid: string;
  query: string;
  before: string;
  after: string;
  shapeBefore: string;
  shapeAfter: string;
  /** Where the plans diverge and why (facts/plan/plan-diff-verdict.ts), when the comparison could say. */
  divergesAt: string | null;
  why: string[];
}

export interface IndexChange {
  index: string;
  table: string;
  definition: string;
  sizeBytes: number;
  /** Index scans in the before and after windows (for newly unused indexes). */
  scansBefore: number | null;
  scansAfter: number | null;
}

export interface SettingChange {
  name: string;
  before: string | null;
  after: string | null;
  unit: string | null;
  sourceBefore: string | null;
  sourceAfter: string | null;
}

export interface TableGrowth {
  table: string;
  rowsBefore: number;
  rowsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  factor: number;
}

export interface Reanalyzed {
  table: string;
  before: string | null;
  after: string;
}

export interface DiffReport {
  kind: "diff";
  before: DiffSideSummary;
  after: DiffSideSummary;
  thresholds: RegressionThresholds;
  /** The test a slower mean must pass, in words. */
  method: string;
  /** Regressions, each a finding with its evidence and most likely cause, ranked by the time it added. */
  findings: Finding[];
  /** Statements run on both sides, the largest total time first (at most `statementLimit`). */
  statements: StatementComparison[];
  /** How many matched statements the list left out. */
  statementsOmitted: number;
  newStatements: StatementOnOneSide[];
  goneStatements: StatementOnOneSide[];
  /** Statements on one side only that were too small to list (under 1% of the side's time). */
  minorNewGone: { new: number; gone: number };
  planChanges: PlanChange[];
  indexesAdded: IndexChange[];
  indexesDropped: IndexChange[];
  indexesNewlyUnused: IndexChange[];
  settingsChanged: SettingChange[];
  tablesGrew: TableGrowth[];
  reanalyzed: Reanalyzed[];
  notes: string[];
}
