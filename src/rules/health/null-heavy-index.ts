import { partitionTree } from "../../facts/partition-tree.js";
import { indexObject } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { partitionedIndexSteps } from "../../findings/partitioned-index-sql.js";
import { formatBytes, formatPercent, round3 } from "../../util/format.js";
import { ident, lines, list, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";
import { dropIndex, freeRelationName, indexKeyColumn } from "./index-fix-suggestion.js";
import { backsConstraint, indexShape } from "./index-shape.js";

type Options = { minNullFrac: number; minBytes: number };

/** A B-tree on a column that is mostly NULL: a partial index WHERE col IS NOT NULL is a fraction of the size. */
export const nullHeavyIndex: Rule<HealthFacts, Options> = {
  id: "health/null-heavy-index",
  family: "health",
  group: "indexes",
  title: "Index on a mostly-NULL column",
  description:
    "A B-tree whose leading column is mostly NULL stores an entry for every NULL row. Queries that look for values never need those entries: a partial index without them is smaller and cheaper to maintain.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/indexes-partial.html",
  options: {
    minNullFrac: { default: 0.5, description: "share of NULLs in the leading column (pg_stats.null_frac)" },
    minBytes: {
      default: 10 * 1024 * 1024,
      description: "index bytes, below which the saving is not worth a finding",
    },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const index of snapshot.indexes) {
      if (
        index.method !== "btree" ||
        index.predicate !== null ||
        index.isUnique ||
        backsConstraint(index) ||
        // A partition's copy of its parent's index: judged once, on the parent's.
        index.parentIndex ||
        index.sizeBytes < o.minBytes
      )
        continue;
      // pg_get_indexdef prints the key quoted where needed; an expression key has no column statistics.
      const column = indexKeyColumn(index.columns[0] ?? "");
      const stats = snapshot.columnStats.find(
        (c) => c.schema === index.tableSchema && c.table === index.table && c.column === column,
      );
      if (!column || !stats || stats.nullFrac < o.minNullFrac) continue;
      const saved = index.sizeBytes * stats.nullFrac;
      const shape = indexShape(index);
      const name = freeRelationName(snapshot, index.schema, `${index.name}_not_null`);
      const drop = dropIndex(snapshot, index);
      const keys = shape.keys.map((k) => sqlFrom("server", k));
      const include = shape.include.map((k) => sqlFrom("server", k));
      findings.push({
        ruleId: this.id,
        severity: saved >= 100 * 1024 * 1024 ? "warning" : "info",
        title: `${index.name}: ${formatPercent(stats.nullFrac)} of ${index.table}.${column} is NULL`,
        detail: `A partial index WHERE ${column} IS NOT NULL would be about ${formatBytes(index.sizeBytes - saved)} instead of ${formatBytes(index.sizeBytes)}. Queries that compare ${column} with a value (or IS NOT NULL) can use it; queries for IS NULL cannot.`,
        evidence: {
          index: index.name,
          column,
          nullFrac: round3(stats.nullFrac),
          bytes: index.sizeBytes,
          bytesSaved: Math.round(saved),
        },
        fix: {
          sql: sql`${createPartial(snapshot, index, name, sql` USING btree (${list(keys)})${include.length ? sql` INCLUDE (${list(include)})` : sql``} WHERE ${ident(column)} IS NOT NULL`)}\n${drop.sql}`,
          note: `Check first that no query searches this column for IS NULL through the index. The new index is built in ${index.schema}, beside the old one.${drop.caveat}`,
        },
        docsUrl: this.docsUrl,
        impact: saved,
        objects: [indexObject(index)],
      });
    }
    return findings;
  },
};

/**
 * CREATE INDEX CONCURRENTLY, or on a partitioned table (which refuses it) the ON ONLY / CONCURRENTLY / ATTACH
 * recipe. `body` is what follows the table's name.
 */
function createPartial(
  snapshot: Parameters<typeof dropIndex>[0],
  index: Parameters<typeof dropIndex>[1],
  name: string,
  body: SqlText,
): SqlText {
  const tree = partitionTree(snapshot, index.tableSchema, index.table);
  if (!tree || tree.children.length === 0)
    return sql`CREATE INDEX CONCURRENTLY ${ident(name)} ON ${qname(index.tableSchema, index.table)}${body};`;
  const reserved = new Set<string>();
  const steps = partitionedIndexSteps(tree, {
    name: (t) => {
      if (t === tree.table) return name;
      let leafName = freeRelationName(snapshot, t.schema, `${t.name}_${name}`);
      for (let n = 2; reserved.has(`${t.schema}.${leafName}`); n++) leafName = `${leafName}_${n}`;
      reserved.add(`${t.schema}.${leafName}`);
      return leafName;
    },
    create: (t, indexName, kind) =>
      kind === "only"
        ? sql`CREATE INDEX ${ident(indexName)} ON ONLY ${qname(t.schema, t.name)}${body};`
        : sql`CREATE INDEX CONCURRENTLY ${ident(indexName)} ON ${qname(t.schema, t.name)}${body};`,
  });
  return lines(steps.map((s) => s.sql));
}
