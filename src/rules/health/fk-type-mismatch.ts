import { summedSize } from "../../facts/partition-tree.js";
import type { Snapshot } from "../../facts/snapshot.js";
import type { Finding, Severity } from "../../findings/finding.js";
import { formatBytes, formatCount, formatPercent } from "../../util/format.js";
import { ident, lines, qname, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { type HealthFacts, tableOf } from "./health-facts.js";

type Options = { warnShare: number; errorShare: number; onlineFromRows: number };

/** The largest value of each integer type. */
const INTEGER_MAX: Record<string, number> = { smallint: 32_767, integer: 2_147_483_647, bigint: 2 ** 63 - 1 };

/** Types compared by what they hold: the integers, the other numbers, the strings; anything else by its name. */
function family(type: string): string {
  if (type in INTEGER_MAX) return "integer";
  if (/^(numeric|decimal|real|double precision)\b/.test(type)) return "number";
  if (/^(text|character varying|character|varchar|char)\b/.test(type)) return "string";
  return type.replace(/\(.*$/, "");
}

/** The largest key value known: the sequence that feeds the column, or the column's statistics. */
function largestKey(snapshot: Snapshot, schema: string, table: string, column: string): number | null {
  const fromSequence = snapshot.sequences
    .filter(
      (s) =>
        s.ownedBy?.schema === schema &&
        s.ownedBy.table === table &&
        s.ownedBy.column === column &&
        s.readable,
    )
    .map((s) => s.lastValue)
    .filter((v): v is number => v !== null);
  const stats = snapshot.columnStats.find(
    (s) => s.schema === schema && s.table === table && s.column === column,
  );
  const fromStats = [...(stats?.histogramBounds ?? []), ...(stats?.mostCommonValues ?? [])]
    .filter((v) => /^-?\d+$/.test(v))
    .map(Number);
  const all = [...fromSequence, ...fromStats];
  return all.length ? Math.max(...all) : null;
}

/**
 * A foreign-key column narrower than the key it references (smallint → integer, integer → bigint): inserts fail
 * once the key outgrows the narrow type. A column of another type family (integer → numeric or text) makes
 * every join on the key cast one side.
 */
export const fkTypeMismatch: Rule<HealthFacts, Options> = {
  id: "health/fk-type-mismatch",
  family: "health",
  group: "tables",
  title: "Foreign key of another type than its key",
  description:
    "A foreign-key column whose type is narrower than the referenced key's (smallint referencing integer): once the key passes the narrow type's largest value, rows referencing it cannot be stored. One of another type family (integer referencing numeric or text) casts on every join and check.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-INT",
  options: {
    warnShare: {
      default: 0.25,
      description: "share of the narrow type's range the key uses from which it is a warning",
    },
    errorShare: {
      default: 0.75,
      description: "share of the narrow type's range the key uses from which it is an error",
    },
    onlineFromRows: {
      default: 1_000_000,
      description:
        "rows of the referencing table from which the note recommends changing the type without a long lock",
    },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    // A partition's copy of its parent's foreign key is the parent's, reported once.
    for (const fk of snapshot.constraints.filter((c) => c.type === "foreign" && !c.parent)) {
      const table = tableOf(snapshot, fk.schema, fk.table);
      const referenced =
        fk.refSchema && fk.refTable ? tableOf(snapshot, fk.refSchema, fk.refTable) : undefined;
      if (!table || !referenced) continue;
      fk.columns.forEach((columnName, k) => {
        const keyName = fk.refColumns[k];
        const column = table.columns.find((c) => c.name === columnName);
        const key = referenced.columns.find((c) => c.name === keyName);
        if (!column || !key || !keyName || column.type === key.type) return;
        const sameFamily = family(column.type) === family(key.type);
        const narrowMax = INTEGER_MAX[column.type];
        const keyMax = INTEGER_MAX[key.type];
        const narrower = sameFamily && narrowMax !== undefined && keyMax !== undefined && narrowMax < keyMax;
        if (sameFamily && !narrower) return;
        const largest = narrower ? largestKey(snapshot, referenced.schema, referenced.name, keyName) : null;
        const share = largest !== null && narrowMax ? largest / narrowMax : null;
        const severity: Severity = !narrower
          ? "warning"
          : share === null
            ? "info"
            : share >= o.errorShare
              ? "error"
              : share >= o.warnShare
                ? "warning"
                : "info";
        const size = summedSize(snapshot, table);
        const t = qname(table.schema, table.name);
        const type = sqlFrom("server", key.type);
        const used = share !== null ? `${formatPercent(share)} of ${column.type}'s range used` : null;
        findings.push({
          ruleId: this.id,
          severity,
          title: narrower
            ? `${fk.table}.${columnName} is ${column.type} but references ${fk.refTable}.${keyName} (${key.type})${used ? `: ${used}` : ""}`
            : `${fk.table}.${columnName} (${column.type}) references ${fk.refTable}.${keyName} of another type (${key.type})`,
          detail: narrower
            ? `${fk.refTable}.${keyName} ${largest !== null ? `already reaches ${formatCount(largest)}, ${formatPercent(share)} of ${column.type}'s largest value ${formatCount(narrowMax)}` : `has no known largest value (no sequence, no statistics)`}; once it passes ${formatCount(narrowMax)}, rows of ${fk.table} cannot reference the new ${fk.refTable} rows (out of range errors).`
            : `Joins and foreign-key checks between ${fk.table}.${columnName} and ${fk.refTable}.${keyName} compare ${column.type} with ${key.type}: one side is cast on every row, and an index on the cast side may not serve the join.`,
          evidence: {
            constraint: fk.name,
            table: fk.table,
            column: columnName,
            columnType: column.type,
            referencedTable: fk.refTable,
            referencedColumn: keyName,
            keyType: key.type,
            largestKey: largest,
            rangeUsed: share === null ? null : Math.round(share * 1000) / 1000,
            rows: Math.round(size.rows),
          },
          fix: {
            sql: lines([
              narrower
                ? sql`ALTER TABLE ${t} ALTER COLUMN ${ident(columnName)} TYPE ${type};`
                : sql`ALTER TABLE ${t} ALTER COLUMN ${ident(columnName)} TYPE ${type} USING ${ident(columnName)}::${type};`,
            ]),
            note: `Rewrites ${fk.table}${table.kind === "partitioned" ? " and each of its partitions" : ""} (${formatCount(size.rows)} rows, ${formatBytes(size.sizeBytes)}) and its indexes under an ACCESS EXCLUSIVE lock, which blocks reads and writes until done, and checks ${fk.name} again.${size.rows >= o.onlineFromRows ? ` On a table this large, add a new ${key.type} column instead, keep it filled by a trigger, backfill it in batches, build its index CONCURRENTLY and add the foreign key NOT VALID then VALIDATE it, and swap the columns in one short transaction.` : ""}`,
          },
          docsUrl: this.docsUrl,
          impact: share ?? 0,
          objects: [`${fk.schema}.${fk.table}`, `${fk.schema}.${fk.name}`],
        });
      });
    }
    return findings;
  },
};
