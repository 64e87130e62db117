import { summedSize } from "../../facts/partition-tree.js";
import type { ConstraintFacts, Snapshot, TableFacts } from "../../facts/snapshot.js";
import { tableOf } from "../../facts/snapshot-accessors.js";
import { type Finding, SEVERITY_ORDER, type Severity } from "../../findings/finding.js";
import { formatBytes, formatCount, formatPercent } from "../../util/format.js";
import { ident, lines, list, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

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
    const found: Mismatch[] = [];
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
        found.push({
          fk,
          table,
          column: columnName,
          columnType: column.type,
          keyName,
          keyType: key.type,
          narrower,
          narrowMax: narrowMax ?? null,
          largest,
          share,
          severity,
        });
      });
    }
    // Worst first: by severity, then by the share of the narrow type's range already used.
    found.sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        (b.share ?? -1) - (a.share ?? -1) ||
        a.fk.table.localeCompare(b.fk.table) ||
        a.column.localeCompare(b.column),
    );
    return found.length ? [groupedFinding(this.id, this.docsUrl, snapshot, found, o)] : [];
  },
};

interface Mismatch {
  fk: ConstraintFacts;
  table: TableFacts;
  column: string;
  columnType: string;
  keyName: string;
  keyType: string;
  /** Same family, narrower type (smallint → integer); otherwise another family (integer → numeric). */
  narrower: boolean;
  narrowMax: number | null;
  largest: number | null;
  share: number | null;
  severity: Severity;
}

function titleOf(m: Mismatch): string {
  const used = m.share !== null ? `: ${formatPercent(m.share)} of ${m.columnType}'s range used` : "";
  return m.narrower
    ? `${m.fk.table}.${m.column} is ${m.columnType} but references ${m.fk.refTable}.${m.keyName} (${m.keyType})${used}`
    : `${m.fk.table}.${m.column} (${m.columnType}) references ${m.fk.refTable}.${m.keyName} of another type (${m.keyType})`;
}

function detailOf(m: Mismatch): string {
  return m.narrower
    ? `${m.fk.refTable}.${m.keyName} ${m.largest !== null ? `already reaches ${formatCount(m.largest)}, ${formatPercent(m.share ?? 0)} of ${m.columnType}'s largest value ${formatCount(m.narrowMax ?? 0)}` : "has no known largest value (no sequence, no statistics)"}; once it passes ${formatCount(m.narrowMax ?? 0)}, rows of ${m.fk.table} cannot reference the new ${m.fk.refTable} rows (out of range errors).`
    : `Joins and foreign-key checks between ${m.fk.table}.${m.column} and ${m.fk.refTable}.${m.keyName} compare ${m.columnType} with ${m.keyType}: one side is cast on every row, and an index on the cast side may not serve the join.`;
}

/**
 * One item for every mismatched key column (pagila has 19): one kind of clean-up, listed worst first, with one
 * ALTER TABLE per table so each table is rewritten once.
 */
function groupedFinding(
  ruleId: string,
  docsUrl: string,
  snapshot: Snapshot,
  found: Mismatch[],
  o: Options,
): Finding {
  const [worst] = found;
  if (!worst) throw new Error("grouped only when something was found");
  const tables = [...new Set(found.map((m) => m.table))];
  const sizes = new Map(tables.map((t) => [t, summedSize(snapshot, t)]));
  const large = tables.filter((t) => (sizes.get(t)?.rows ?? 0) >= o.onlineFromRows);
  const rows = tables.reduce((n, t) => n + (sizes.get(t)?.rows ?? 0), 0);
  const bytes = tables.reduce((n, t) => n + (sizes.get(t)?.sizeBytes ?? 0), 0);
  const counts = (["error", "warning", "info"] as const)
    .map((s) => [s, found.filter((m) => m.severity === s).length] as const)
    .filter(([, n]) => n > 0);
  const single = found.length === 1;
  const rewritten = tables
    .map((t) => `${t.name}${t.kind === "partitioned" ? " and each of its partitions" : ""}`)
    .join(", ");
  const constraints = [...new Set(found.map((m) => m.fk.name))];
  const online = large.length
    ? ` On ${large.length === tables.length && single ? "a table this large" : `${large.map((t) => t.name).join(", ")} (${formatCount(o.onlineFromRows)} rows or more)`}, add a new column of the key's type instead, keep it filled by a trigger, backfill it in batches, build its index CONCURRENTLY and add the foreign key NOT VALID then VALIDATE it, and swap the columns in one short transaction.`
    : "";
  return {
    ruleId,
    severity: worst.severity,
    title: single
      ? titleOf(worst)
      : `${found.length} foreign-key columns in ${tables.length} table${tables.length === 1 ? "" : "s"} of another type than their keys (${counts.map(([s, n]) => `${n} ${s}`).join(", ")}); worst: ${titleOf(worst)}`,
    detail: single
      ? detailOf(worst)
      : `${detailOf(worst)} All of them, worst first: ${found.map((m) => `${m.fk.table}.${m.column} ${m.columnType} → ${m.fk.refTable}.${m.keyName} ${m.keyType}${m.share !== null ? ` (${formatPercent(m.share)} used)` : ""}`).join("; ")}.`,
    evidence: {
      constraint: worst.fk.name,
      table: worst.fk.table,
      column: worst.column,
      columnType: worst.columnType,
      referencedTable: worst.fk.refTable,
      referencedColumn: worst.keyName,
      keyType: worst.keyType,
      largestKey: worst.largest,
      rangeUsed: worst.share === null ? null : Math.round(worst.share * 1000) / 1000,
      rows: Math.round(sizes.get(worst.table)?.rows ?? 0),
      columns: found.length,
      tables: tables.length,
      ...Object.fromEntries(counts),
    },
    fix: {
      sql: lines(alterStatements(found)),
      note: `Rewrites ${rewritten} (${formatCount(rows)} rows, ${formatBytes(bytes)}) and ${single ? "its" : "their"} indexes under an ACCESS EXCLUSIVE lock, which blocks reads and writes until done, and checks ${constraints.join(", ")} again.${single ? "" : " Each table is rewritten once, by one ALTER TABLE."}${online}`,
    },
    docsUrl,
    impact: worst.share ?? 0,
    objects: [
      ...tables.map((t) => `${t.schema}.${t.name}`),
      ...constraints.map((name) => `${found.find((m) => m.fk.name === name)?.fk.schema}.${name}`),
    ],
  };
}

/** One ALTER TABLE per table, so each table is rewritten once however many of its key columns change. */
function alterStatements(found: Mismatch[]): SqlText[] {
  const byTable = new Map<TableFacts, SqlText[]>();
  for (const m of found) {
    const clauses = byTable.get(m.table) ?? [];
    byTable.set(m.table, clauses);
    const type = sqlFrom("server", m.keyType);
    const column = ident(m.column);
    clauses.push(
      m.narrower
        ? sql`ALTER COLUMN ${column} TYPE ${type}`
        : sql`ALTER COLUMN ${column} TYPE ${type} USING ${column}::${type}`,
    );
  }
  return [...byTable].map(
    ([table, clauses]) => sql`ALTER TABLE ${qname(table.schema, table.name)} ${list(clauses, ", ")};`,
  );
}
