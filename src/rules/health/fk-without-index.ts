import type { Finding } from "../../findings/finding.js";
import { formatBytes, formatCount } from "../../util/format.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { ident, list, qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { type HealthFacts, tableOf } from "./health-facts.js";

type Options = { minRows: number };

/**
 * A foreign key whose referencing columns are not the leading columns of a valid, non-partial index: every
 * DELETE (and key UPDATE) on the referenced table scans the referencing table to check or cascade.
 */
export const fkWithoutIndex: Rule<HealthFacts, Options> = {
  id: "health/fk-without-index",
  family: "health",
  group: "tables",
  title: "Foreign key without an index",
  description:
    "PostgreSQL does not index referencing columns by itself. Without such an index, deleting or re-keying a referenced row scans the whole referencing table, and joins on the key cannot use an index.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-FK",
  options: {
    minRows: { default: 1000, description: "rows of the referencing table below which a scan is cheap" },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const fk of snapshot.constraints.filter((c) => c.type === "foreign")) {
      const table = tableOf(snapshot, fk.schema, fk.table);
      if (!table || table.rowsEstimate < o.minRows) continue;
      const indexed = snapshot.indexes.some(
        (i) =>
          i.tableSchema === fk.schema &&
          i.table === fk.table &&
          i.isValid &&
          i.predicate === null &&
          i.method === "btree" &&
          i.keyColumnCount >= fk.columns.length &&
          // The key columns in any order, as long as they lead the index.
          fk.columns.every(
            (c) =>
              i.columns.slice(0, fk.columns.length).includes(quoteIdent(c)) ||
              i.columns.slice(0, fk.columns.length).includes(c),
          ),
      );
      if (indexed) continue;
      const referenced =
        fk.refSchema && fk.refTable ? tableOf(snapshot, fk.refSchema, fk.refTable) : undefined;
      const parentChanges = (referenced?.stats?.nTupDel ?? 0) + (referenced?.stats?.nTupUpd ?? 0);
      const large = table.rowsEstimate >= 1_000_000;
      findings.push({
        ruleId: this.id,
        severity: large && parentChanges > 0 ? "error" : large || parentChanges > 0 ? "warning" : "info",
        title: `${fk.table}(${fk.columns.join(", ")}) references ${fk.refTable} without an index`,
        detail: `Each delete or key change in ${fk.refTable} scans ${fk.table} (${formatCount(table.rowsEstimate)} rows, ${formatBytes(table.sizeBytes)}) to check ${fk.name}; ${fk.refTable} has had ${formatCount(parentChanges)} deletes and updates since statistics began.`,
        evidence: {
          constraint: fk.name,
          table: fk.table,
          columns: fk.columns.join(", "),
          referencedTable: fk.refTable,
          referencingRows: Math.round(table.rowsEstimate),
          referencedDeletesAndUpdates: parentChanges,
        },
        fix: {
          sql: sql`CREATE INDEX CONCURRENTLY ON ${qname(fk.schema, fk.table)} (${list(fk.columns.map(ident))});`,
          note: "The index also serves joins from the referenced table to this one.",
        },
        docsUrl: this.docsUrl,
        impact: table.sizeBytes,
        objects: [`${fk.schema}.${fk.table}`, `${fk.schema}.${fk.name}`],
      });
    }
    return findings;
  },
};
