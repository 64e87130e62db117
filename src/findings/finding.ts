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
  /** Ranking weight: the time (ms) or, without timing, the share of cost the problem accounts for. */
  impact: number;
  /** Plan node the finding is about, for plan findings. */
  nodeId?: number;
  /** Tables, indexes and constraints concerned, as "schema.name". */
  objects?: string[];
  /** The statement the finding is about, for workload and migration findings. */
  query?: string;
  /** Where the statement is, for findings about files (migrations). */
  location?: { file: string; line: number; column: number };
}

/** Most severe first, then by impact. */
export function rankFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      b.impact - a.impact ||
      a.ruleId.localeCompare(b.ruleId),
  );
}
