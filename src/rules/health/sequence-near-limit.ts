import type { SequenceFacts } from "../../facts/snapshot.js";
import type { Finding, Severity } from "../../findings/finding.js";
import { formatCount, formatPercent, round3 } from "../../util/format.js";
import { ident, lines, qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { warnShare: number; errorShare: number };

const COLUMN_MAX: Record<string, number> = {
  smallint: 32767,
  integer: 2147483647,
  bigint: 2 ** 63 - 1, // as a double: exact enough for a share of the range
};

/**
 * A sequence close to its maximum, or to the maximum of the column it feeds: an int4 column behind a bigint
 * sequence fails at 2,147,483,647 whatever the sequence allows. Inserts stop when either runs out.
 */
export const sequenceNearLimit: Rule<HealthFacts, Options> = {
  id: "health/sequence-near-limit",
  family: "health",
  group: "tables",
  title: "Sequence or integer key near its limit",
  description:
    "How much of its range a sequence has used, against its own maximum and against the type of the column it feeds. When either is reached, every insert fails.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-altersequence.html",
  options: {
    warnShare: { default: 0.5, description: "share of the range used from which to warn" },
    errorShare: { default: 0.85, description: "share of the range used that is an error" },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const seq of snapshot.sequences) {
      if (seq.lastValue === null || seq.increment <= 0) continue;
      const columnMax = seq.ownedBy ? COLUMN_MAX[seq.ownedBy.columnType] : undefined;
      const limit = Math.min(seq.maxValue, columnMax ?? Number.POSITIVE_INFINITY);
      const used = (seq.lastValue - seq.minValue) / Math.max(1, limit - seq.minValue);
      if (used < o.warnShare) continue;
      const columnBound = columnMax !== undefined && columnMax < seq.maxValue;
      const severity: Severity = used >= o.errorShare ? "error" : "warning";
      findings.push({
        ruleId: this.id,
        severity,
        title: `${seq.name} has used ${formatPercent(used, 1)} of ${columnBound ? `${seq.ownedBy?.table}.${seq.ownedBy?.column}'s ${seq.ownedBy?.columnType} range` : `its ${seq.dataType} range`}`,
        detail: `Last value ${formatCount(seq.lastValue)} of at most ${formatCount(limit)}; about ${formatCount(limit - seq.lastValue)} values are left.`,
        evidence: {
          sequence: seq.name,
          lastValue: seq.lastValue,
          limit,
          used: round3(used),
          sequenceType: seq.dataType,
          column: seq.ownedBy ? `${seq.ownedBy.table}.${seq.ownedBy.column}` : null,
          columnType: seq.ownedBy?.columnType ?? null,
        },
        fix: fixFor(seq, columnBound),
        docsUrl: this.docsUrl,
        impact: used,
        objects: [
          `${seq.schema}.${seq.name}`,
          ...(seq.ownedBy ? [`${seq.ownedBy.schema}.${seq.ownedBy.table}`] : []),
        ],
      });
    }
    return findings;
  },
};

function fixFor(seq: SequenceFacts, columnBound: boolean): Finding["fix"] {
  const owner = seq.ownedBy;
  const widen =
    owner && owner.columnType !== "bigint"
      ? sql`ALTER TABLE ${qname(owner.schema, owner.table)} ALTER COLUMN ${ident(owner.column)} TYPE bigint;`
      : null;
  const seqSql =
    seq.dataType !== "bigint" ? sql`ALTER SEQUENCE ${qname(seq.schema, seq.name)} AS bigint;` : null;
  if (!widen && !seqSql) {
    return {
      sql: sql`ALTER SEQUENCE ${qname(seq.schema, seq.name)} NO MAXVALUE;`,
      note: "The sequence and its column are bigint already: the sequence's own MAXVALUE is the limit. NO MAXVALUE raises it to bigint's; if the sequence cycles on purpose, check instead that old rows are gone before values come round.",
    };
  }
  return {
    sql: lines([widen, seqSql]),
    note: columnBound
      ? "The column is the limit: changing its type rewrites the table under an ACCESS EXCLUSIVE lock (and every index on it). On a large table, add a bigint column, backfill it in batches, and swap it in instead."
      : "Widen the sequence (and the column it feeds) to bigint; the column change rewrites the table, so plan it for a large one.",
  };
}
