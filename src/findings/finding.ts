/** The one result type every rule returns and every reporter prints. */

import type { SqlText } from "../util/sql-text.js";

export type Severity = "error" | "warning" | "info";

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export type EvidenceValue = number | string | boolean | null;

export interface Fix {
  /**
   * SQL to run as is (DDL, SET, a rewritten statement), when there is one. Built only by util/sql-text.ts
   * (sql, ident, qname, literal), so every name in it is quoted; parsed back before it is shown (checked-fix.ts).
   */
  sql?: SqlText;
  /** What the fix does and what to check before applying it. */
  note: string;
  /** SQL for MySQL/MariaDB (backtick names): checked by MySQL's quoting lexer instead of libpg-query. */
  dialect?: "mysql";
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  detail: string;
  /** The numbers behind the finding, named with their unit: { "rowsRemoved": 299700, "exclusiveMs": 105.2 }. */
  evidence: Record<string, EvidenceValue>;
  fix?: Fix;
  docsUrl: string;
  /**
   * The rule's own size of the problem, in the rule's unit (ms, bytes, rows, seconds): a tie-breaker between
   * findings of one rule. Findings are ranked by timeMs, never by impact across rules.
   */
  impact: number;
  /**
   * Statement time (ms) the problem accounts for: over the statistics period for workload and analyze findings,
   * in the one run for a plan run with EXPLAIN ANALYZE. Absent when nothing measured it (most health findings).
   */
  timeMs?: number;
  /** timeMs as a share (0..1) of all statement time recorded over the period, when that total is known. */
  timeShare?: number;
  /** For a plan that was not run: the share of the plan's estimated cost the problem accounts for. */
  costShare?: number;
  /** Where the ranking placed it (see ranking.ts); set by rankFindings, so JSON shows why it is where it is. */
  section?: Section;
  /** Other findings the same fix resolves, merged into this one (merge-findings.ts). */
  alsoFixes?: AlsoFixed[];
  /** Plan node the finding is about, for plan findings. */
  nodeId?: number;
  /** Tables, indexes and constraints concerned, as "schema.name". */
  objects?: string[];
  /** The statement the finding is about, for workload and migration findings. */
  query?: string;
  /** Where the statement is, for findings about files (migrations). */
  location?: { file: string; line: number; column: number };
}

/**
 * The three parts of a ranked list, in order: risks of an outage (ranked by severity), problems costing
 * measured time (ranked by ms), hygiene (ranked by severity). See ranking.ts.
 */
export type Section = "risk" | "time" | "hygiene";

/** A finding folded into another because one fix resolves both. */
export interface AlsoFixed {
  ruleId: string;
  severity: Severity;
  title: string;
  timeMs?: number;
  query?: string;
}

export { rankFindings, sectionOf } from "./ranking.js";
