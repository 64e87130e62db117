import type { Snapshot } from "../../facts/snapshot.js";
import { checkSql, qname, sql } from "../../util/sql-text.js";
import type { DropRecommendation } from "./advice-report.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";

/** Existing plain B-trees whose keys lead a recommended B-tree: the new one serves their lookups. */
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
        keys.every((k, n) => c.columns[n]?.replace(/ DESC$/, "").replace(/"/g, "") === k.replace(/"/g, "")),
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
