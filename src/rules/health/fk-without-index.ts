import { leafTables, partitionTree, summedSize, summedStats } from "../../facts/partition-tree.js";
import type { ConstraintFacts, IndexFacts, Snapshot, TableFacts } from "../../facts/snapshot.js";
import { statsAgeSeconds, tableOf } from "../../facts/snapshot-accessors.js";
import type { Finding, Fix, Severity } from "../../findings/finding.js";
import { partitionedIndexSteps } from "../../findings/partitioned-index-sql.js";
import { formatAge, formatBytes, formatCount } from "../../util/format.js";
import { freeName, quoteIdent } from "../../util/sql-identifiers.js";
import { ident, lines, list, qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minRows: number; tinyPages: number; minStatsDays: number };

/**
 * A foreign key whose referencing columns are not the leading columns of a valid, non-partial index: every
 * DELETE (and key UPDATE) on the referenced table scans the referencing table to check or cascade. A foreign
 * key declared on a partitioned table is cloned to each partition: it is reported once, on the parent, for the
 * partitions that lack the index.
 */
export const fkWithoutIndex: Rule<HealthFacts, Options> = {
  id: "health/fk-without-index",
  family: "health",
  group: "tables",
  title: "Foreign key without an index",
  description:
    "PostgreSQL does not index referencing columns by itself. Without such an index, deleting or re-keying a referenced row scans the whole referencing table, and joins on the key cannot use an index. Reported once per partitioned table; kept at info when the referenced table is a small lookup table, or has seen no delete or update over days of statistics.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-FK",
  options: {
    minRows: { default: 1000, description: "rows of the referencing table below which a scan is cheap" },
    tinyPages: {
      default: 10,
      description:
        "pages of the referenced table up to which, with no deletes or updates recorded, it is a lookup table whose rows are rarely deleted (info only)",
    },
    minStatsDays: {
      default: 7,
      description:
        "days of statistics after which a referenced table with no deletes or updates is taken as never changing (info only)",
    },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    const statsDays = (statsAgeSeconds(snapshot) ?? 0) / 86_400;
    // A partition's copy of its parent's foreign key (conparentid) is covered by the parent's finding.
    for (const fk of snapshot.constraints.filter((c) => c.type === "foreign" && !c.parent)) {
      const table = tableOf(snapshot, fk.schema, fk.table);
      if (!table) continue;
      const leaves = leafTables(snapshot, table.schema, table.name);
      const unindexed = parentIndexed(snapshot, table, fk.columns)
        ? []
        : leaves.filter((leaf) => !hasLeadingIndex(snapshot, leaf, fk.columns));
      const rows = unindexed.reduce((n, t) => n + t.rowsEstimate, 0);
      const bytes = unindexed.reduce((n, t) => n + t.sizeBytes, 0);
      if (unindexed.length === 0 || rows < o.minRows) continue;
      const referenced =
        fk.refSchema && fk.refTable ? tableOf(snapshot, fk.refSchema, fk.refTable) : undefined;
      const refStats = referenced ? summedStats(snapshot, referenced) : null;
      const parentChanges = (refStats?.nTupDel ?? 0) + (refStats?.nTupUpd ?? 0);
      const refPages = referenced ? Math.ceil(summedSize(snapshot, referenced).sizeBytes / 8192) : null;
      const large = rows >= 1_000_000;
      const demotedBecause =
        large && parentChanges > 0
          ? null
          : refPages !== null && refPages <= o.tinyPages && parentChanges === 0
            ? `${fk.refTable} is a lookup table of ${formatCount(refPages)} page${refPages === 1 ? "" : "s"} with no deletes or updates recorded: its rows are rarely deleted or re-keyed`
            : refStats && parentChanges === 0 && statsDays >= o.minStatsDays
              ? `${fk.refTable} has had no deletes or updates in ${formatAge(statsDays * 86_400)} of statistics, so no check has had to scan ${fk.table}`
              : null;
      const severity: Severity = demotedBecause
        ? "info"
        : large && parentChanges > 0
          ? "error"
          : large || parentChanges > 0
            ? "warning"
            : "info";
      const partitioned = table.kind === "partitioned";
      const where = partitioned
        ? `${fk.table} (${unindexed.length} of its ${leaves.length} partitions without the index: ${formatCount(rows)} rows, ${formatBytes(bytes)})`
        : `${fk.table} (${formatCount(rows)} rows, ${formatBytes(bytes)})`;
      findings.push({
        ruleId: this.id,
        severity,
        title: `${fk.table}(${fk.columns.join(", ")}) references ${fk.refTable} without an index`,
        detail: `Each delete or key change in ${fk.refTable} scans ${where} to check ${fk.name}; ${fk.refTable} has had ${formatCount(parentChanges)} deletes and updates since statistics began.${demotedBecause ? ` Kept at info: ${demotedBecause}.` : ""}`,
        evidence: {
          constraint: fk.name,
          table: fk.table,
          columns: fk.columns.join(", "),
          referencedTable: fk.refTable,
          referencingRows: Math.round(rows),
          referencingBytes: bytes,
          referencedDeletesAndUpdates: parentChanges,
          referencedPages: refPages,
          partitionsWithoutIndex: partitioned ? unindexed.length : null,
          demotedBecause,
        },
        fix: partitioned ? partitionedFix(snapshot, table, fk) : plainFix(fk),
        docsUrl: this.docsUrl,
        // A demoted finding ranks below the others: the scans it warns about do not happen.
        impact: demotedBecause ? 0 : bytes,
        objects: [`${fk.schema}.${fk.table}`, `${fk.schema}.${fk.name}`],
      });
    }
    return findings;
  },
};

function plainFix(fk: ConstraintFacts): Fix {
  return {
    sql: sql`CREATE INDEX CONCURRENTLY ON ${qname(fk.schema, fk.table)} (${list(fk.columns.map(ident))});`,
    note: "The index also serves joins from the referenced table to this one.",
  };
}

/** The ON ONLY / CONCURRENTLY / ATTACH recipe: CREATE INDEX CONCURRENTLY on a partitioned table is refused. */
function partitionedFix(snapshot: Snapshot, table: TableFacts, fk: ConstraintFacts): Fix {
  const tree = partitionTree(snapshot, table.schema, table.name);
  const columns = list(fk.columns.map(ident));
  const taken = new Set(snapshot.indexes.map((i) => `${i.schema}.${i.name}`));
  const steps = tree
    ? partitionedIndexSteps(tree, {
        name: (t) => {
          const names = new Set(
            [...taken].filter((k) => k.startsWith(`${t.schema}.`)).map((k) => k.slice(t.schema.length + 1)),
          );
          for (const r of snapshot.tables) if (r.schema === t.schema) names.add(r.name);
          const name = freeName(names, `${t.name}_${fk.columns.join("_")}_idx`);
          taken.add(`${t.schema}.${name}`);
          return name;
        },
        create: (t, name, kind) =>
          kind === "only"
            ? sql`CREATE INDEX ${ident(name)} ON ONLY ${qname(t.schema, t.name)} (${columns});`
            : sql`CREATE INDEX CONCURRENTLY ${ident(name)} ON ${qname(t.schema, t.name)} (${columns});`,
        existing: (t) => attachableIndex(snapshot, t, fk.columns)?.name ?? null,
      })
    : [];
  return {
    sql: lines(steps.map((s) => s.sql)),
    note: `${fk.table} is partitioned, and PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table (a plain CREATE INDEX would block writes to every partition for the whole build). So: the parent's index ON ONLY ${fk.table} (invalid until complete), each partition's index built CONCURRENTLY (or an equal one it has already, attached), then attached; the last ATTACH makes the parent's index valid. Run the statements one at a time, outside a transaction block. The index also serves joins from the referenced table to this one.`,
  };
}

/** A partitioned table whose own (partitioned) index on the columns is valid: every partition has one. */
function parentIndexed(snapshot: Snapshot, table: TableFacts, columns: string[]): boolean {
  return table.kind === "partitioned" && hasLeadingIndex(snapshot, table, columns);
}

function hasLeadingIndex(snapshot: Snapshot, table: TableFacts, columns: string[]): boolean {
  return snapshot.indexes.some(
    (i) =>
      i.tableSchema === table.schema &&
      i.table === table.name &&
      i.isValid &&
      i.predicate === null &&
      i.method === "btree" &&
      i.keyColumnCount >= columns.length &&
      // The key columns in any order, as long as they lead the index.
      columns.every(
        (c) =>
          i.columns.slice(0, columns.length).includes(quoteIdent(c)) ||
          i.columns.slice(0, columns.length).includes(c),
      ),
  );
}

/** A leaf's index that ATTACH PARTITION accepts for a plain index on exactly these columns. */
function attachableIndex(snapshot: Snapshot, leaf: TableFacts, columns: string[]): IndexFacts | undefined {
  return snapshot.indexes.find(
    (i) =>
      i.tableSchema === leaf.schema &&
      i.table === leaf.name &&
      i.isValid &&
      !i.isUnique &&
      !i.parentIndex &&
      i.predicate === null &&
      i.method === "btree" &&
      i.keyColumnCount === columns.length &&
      i.columns.length === columns.length &&
      columns.every((c, k) => i.columns[k] === quoteIdent(c)),
  );
}
