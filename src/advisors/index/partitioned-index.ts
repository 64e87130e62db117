/**
 * Indexes on partitioned tables. PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table, and a plain
 * CREATE INDEX on it locks every partition against writes for the whole build. The working recipe builds the
 * same thing without the long lock: the parent's index created ON ONLY the parent (a catalog entry, invalid
 * until every partition has its index), each leaf partition's index built CONCURRENTLY, and each attached with
 * ALTER INDEX ... ATTACH PARTITION; a sub-partitioned partition gets an ON ONLY index of its own, attached once
 * its leaves are. The last attachment makes the parent's index valid.
 */
import type { PartitionNode } from "../../facts/partition-tree.js";
import { partitionTree } from "../../facts/partition-tree.js";
import type { Snapshot, TableFacts } from "../../facts/snapshot.js";
import { type PartitionStep, partitionedIndexSteps } from "../../findings/partitioned-index-sql.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { sqlFrom } from "../../util/sql-text.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import { dboptIndexName } from "./index-name.js";

// The tree and the recipe's statements live below the advisors (rules print the recipe too); re-exported here
// for the advisor's modules that read them from this one.
export { leafTables, partitionTree, summedStats } from "../../facts/partition-tree.js";
export type { PartitionNode, PartitionStep };

/** The candidate as it would be built on another table of the tree (same keys, INCLUDE and predicate). */
function on(c: IndexCandidate, t: TableFacts): IndexCandidate {
  return { ...c, schema: t.schema, table: t.name };
}

/** The name dbopt gives the candidate's index on one table of the tree. */
function partitionIndexName(c: IndexCandidate, t: TableFacts): string {
  return dboptIndexName({ ddl: candidateDdl(on(c, t)), table: t.name });
}

/**
 * The recipe for a candidate on a partitioned table, in the order it must run; null when the table is not
 * partitioned (or has no partitions yet: then CREATE INDEX on it is instant, and the plain statement does).
 */
export function partitionedRecipe(c: IndexCandidate, snapshot: Snapshot): PartitionStep[] | null {
  const tree = partitionTree(snapshot, c.schema, c.table);
  if (!tree || tree.children.length === 0) return null;
  return partitionedIndexSteps(tree, {
    name: (t) => partitionIndexName(c, t),
    create: (t, name, kind) =>
      kind === "only"
        ? sqlFrom(
            "dbopt",
            candidateDdl(on(c, t), false).replace(
              /^CREATE INDEX ON /,
              `CREATE INDEX ${quoteIdent(name)} ON ONLY `,
            ),
          )
        : candidateDdl(on(c, t), true, name),
  });
}
