import type { IndexFacts, Snapshot } from "../../facts/snapshot.js";
import { indexShape } from "../../rules/health/index-shape.js";
import { checkSql, qname, sql } from "../../util/sql-text.js";
import type { DropRecommendation } from "./advice-report.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";

/**
 * Existing plain B-trees whose key items lead a recommended B-tree, with an INCLUDE list the new one holds too: the
 * new one serves their lookups. Key items are compared as pg_get_indexdef prints them, operator class and collation
 * included (an index on name text_pattern_ops serves LIKE 'x%', one on name does not), and direction too unless the
 * old index has one key (a one-key B-tree is read either way).
 */
export function redundantExisting(chosen: IndexCandidate[], snapshot: Snapshot): DropRecommendation[] {
  const out: DropRecommendation[] = [];
  for (const i of snapshot.indexes) {
    if (i.method !== "btree" || i.isUnique || i.isPrimary || i.constraint || i.predicate || !i.isValid)
      continue;
    const keys = i.columns.slice(0, i.keyColumnCount);
    const by = chosen.find(
      (c) =>
        c.method === "btree" &&
        !c.where &&
        c.schema === i.tableSchema &&
        c.table === i.table &&
        c.columns.length > keys.length &&
        takesOver(i, c),
    );
    if (by) {
      // A partitioned table's index cannot be dropped CONCURRENTLY: DROP INDEX locks the table and its partitions.
      const partitioned = snapshot.tables.some(
        (t) => t.schema === i.tableSchema && t.name === i.table && t.kind === "partitioned",
      );
      out.push({
        ddl: partitioned
          ? checkSql(sql`DROP INDEX ${qname(i.schema, i.name)};`, 1)
          : checkSql(sql`DROP INDEX CONCURRENTLY ${qname(i.schema, i.name)};`, 1),
        index: `${i.schema}.${i.name}`,
        sizeBytes: i.sizeBytes,
        reason: `its keys (${keys.join(", ")}) lead the recommended index on (${by.columns.join(", ")}); drop it once that one is built`,
        replacedBy: candidateDdl(by),
      });
    }
  }
  return out;
}

/** The candidate's leading key items are the index's, and the index's INCLUDE columns are among the candidate's. */
function takesOver(index: IndexFacts, candidate: IndexCandidate): boolean {
  const shape = indexShape(index);
  const oneKey = shape.keys.length === 1;
  const item = (text: string) => {
    const plain = text.replace(/"/g, "").trim();
    return oneKey ? plain.replace(/ (ASC|DESC)$| (ASC |DESC )?NULLS (FIRST|LAST)$/, "") : plain;
  };
  const leads = shape.keys.every((k, n) => {
    const c = candidate.columns[n];
    return c !== undefined && item(c) === item(k);
  });
  const held = new Set([...candidate.columns, ...candidate.include].map((c) => item(c).replace(/ .*$/, "")));
  return leads && shape.include.every((c) => held.has(c.replace(/"/g, "")));
}
