/**
 * Indexes on partitioned tables. PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table, and a plain
 * CREATE INDEX on it locks every partition against writes for the whole build. The working recipe builds the
 * same thing without the long lock: the parent's index created ON ONLY the parent (a catalog entry, invalid
 * until every partition has its index), each leaf partition's index built CONCURRENTLY, and each attached with
 * ALTER INDEX ... ATTACH PARTITION; a sub-partitioned partition gets an ON ONLY index of its own, attached once
 * its leaves are. The last attachment makes the parent's index valid.
 */
import type { Snapshot, TableFacts, TableStats } from "../../facts/snapshot.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import { dboptIndexName } from "./index-name.js";

export interface PartitionStep {
  /** "only": CREATE INDEX ... ON ONLY; "build": CREATE INDEX CONCURRENTLY on a leaf; "attach": ALTER INDEX. */
  kind: "only" | "build" | "attach";
  /** The table the step's index is on (for "attach", the child's). */
  schema: string;
  table: string;
  /** The index the step creates, or for "attach" the child index attached. */
  index: string;
  /** For "attach": the partitioned index it is attached to. */
  parentIndex: string | null;
  sql: string;
}

export interface PartitionNode {
  table: TableFacts;
  children: PartitionNode[];
}

const keyOf = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

/** The partition tree under a partitioned table, from the snapshot's parent links; null for other tables. */
export function partitionTree(snapshot: Snapshot, schema: string, table: string): PartitionNode | null {
  const root = snapshot.tables.find((t) => t.schema === schema && t.name === table);
  if (root?.kind !== "partitioned") return null;
  const byParent = new Map<string, TableFacts[]>();
  for (const t of snapshot.tables)
    if (t.parent) byParent.set(t.parent, [...(byParent.get(t.parent) ?? []), t]);
  const seen = new Set<string>();
  const grow = (t: TableFacts): PartitionNode => {
    seen.add(keyOf(t));
    const children = (byParent.get(keyOf(t)) ?? []).filter((c) => !seen.has(keyOf(c)));
    return { table: t, children: children.map(grow) };
  };
  return grow(root);
}

/** The tables that hold the rows: the leaves of the tree (the table itself when it is not partitioned). */
export function leafTables(snapshot: Snapshot, schema: string, table: string): TableFacts[] {
  const tree = partitionTree(snapshot, schema, table);
  if (!tree) return snapshot.tables.filter((t) => t.schema === schema && t.name === table);
  const out: TableFacts[] = [];
  const walk = (n: PartitionNode) => {
    if (n.table.kind !== "partitioned") out.push(n.table);
    for (const c of n.children) walk(c);
  };
  walk(tree);
  return out;
}

/** The write counters of a partitioned table: the sums over its leaf partitions (its own are zero). */
export function summedStats(snapshot: Snapshot, table: TableFacts): TableStats | null {
  if (table.kind !== "partitioned") return table.stats;
  const leaves = leafTables(snapshot, table.schema, table.name).filter((t) => t.stats);
  const first = leaves[0]?.stats;
  if (!first) return table.stats;
  const sum = (f: (s: TableStats) => number) => leaves.reduce((n, t) => n + f(t.stats as TableStats), 0);
  return {
    ...first,
    nTupIns: sum((s) => s.nTupIns),
    nTupUpd: sum((s) => s.nTupUpd),
    nTupDel: sum((s) => s.nTupDel),
    nTupHotUpd: sum((s) => s.nTupHotUpd),
    nLiveTup: sum((s) => s.nLiveTup),
    nDeadTup: sum((s) => s.nDeadTup),
  };
}

const exact = (schema: string, name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;

/** The candidate as it would be built on another table of the tree (same keys, INCLUDE and predicate). */
function on(c: IndexCandidate, t: TableFacts): IndexCandidate {
  return { ...c, schema: t.schema, table: t.name };
}

/** The name dbopt gives the candidate's index on one table of the tree. */
export function partitionIndexName(c: IndexCandidate, t: TableFacts): string {
  return dboptIndexName({ ddl: candidateDdl(on(c, t)), table: t.name });
}

/**
 * The recipe for a candidate on a partitioned table, in the order it must run; null when the table is not
 * partitioned (or has no partitions yet: then CREATE INDEX on it is instant, and the plain statement does).
 */
export function partitionedRecipe(c: IndexCandidate, snapshot: Snapshot): PartitionStep[] | null {
  const tree = partitionTree(snapshot, c.schema, c.table);
  if (!tree || tree.children.length === 0) return null;
  const steps: PartitionStep[] = [];
  const only = (n: PartitionNode): string => {
    const name = partitionIndexName(c, n.table);
    const plain = candidateDdl(on(c, n.table), false);
    steps.push({
      kind: "only",
      schema: n.table.schema,
      table: n.table.name,
      index: name,
      parentIndex: null,
      sql: plain.replace(/^CREATE INDEX ON /, `CREATE INDEX ${quoteIdent(name)} ON ONLY `),
    });
    for (const child of n.children) {
      let childIndex: string;
      if (child.table.kind === "partitioned") childIndex = only(child);
      else {
        childIndex = partitionIndexName(c, child.table);
        steps.push({
          kind: "build",
          schema: child.table.schema,
          table: child.table.name,
          index: childIndex,
          parentIndex: null,
          sql: candidateDdl(on(c, child.table)).replace(
            /^CREATE INDEX CONCURRENTLY ON /,
            `CREATE INDEX CONCURRENTLY ${quoteIdent(childIndex)} ON `,
          ),
        });
      }
      steps.push({
        kind: "attach",
        schema: child.table.schema,
        table: child.table.name,
        index: childIndex,
        parentIndex: name,
        sql: `ALTER INDEX ${exact(n.table.schema, name)} ATTACH PARTITION ${exact(child.table.schema, childIndex)};`,
      });
    }
    return name;
  };
  only(tree);
  return steps;
}
