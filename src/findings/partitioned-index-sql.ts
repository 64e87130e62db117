/**
 * The statements that build an index on a partitioned table without locking it for the whole build. PostgreSQL
 * refuses CREATE INDEX CONCURRENTLY on a partitioned table, and a plain CREATE INDEX on it blocks writes to every
 * partition until done. Instead: the parent's index created ON ONLY the parent (a catalog entry, invalid until
 * every partition has its index), each leaf's index built CONCURRENTLY, and each attached with ALTER INDEX ...
 * ATTACH PARTITION; a sub-partitioned partition gets an ON ONLY index of its own, attached once its leaves are.
 * The last attachment makes the parent's index valid. The index advisor and the health rules both print it.
 */
import type { PartitionNode } from "../facts/partition-tree.js";
import type { TableFacts } from "../facts/snapshot.js";
import { ident, type SqlText, sql } from "../util/sql-text.js";

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
  sql: SqlText;
}

/** How one index is written on each table of the tree. */
export interface PartitionIndexBuilder {
  /** The name of the index on that table. */
  name(table: TableFacts): string;
  /** `CREATE INDEX name ON ONLY table ...` ("only") or `CREATE INDEX CONCURRENTLY name ON table ...` ("build"). */
  create(table: TableFacts, name: string, kind: "only" | "build"): SqlText;
  /** An index the leaf already has that matches exactly: attached instead of building another. */
  existing?(table: TableFacts): string | null;
}

/** ALTER INDEX parent ATTACH PARTITION child, both schema-qualified. */
export function attachIndex(
  schema: string,
  parentIndex: string,
  childSchema: string,
  childIndex: string,
): SqlText {
  return sql`ALTER INDEX ${ident(schema)}.${ident(parentIndex)} ATTACH PARTITION ${ident(childSchema)}.${ident(childIndex)};`;
}

/**
 * The recipe for the tree under `root`, in the order it must run: the parent's ON ONLY index first, then each
 * child's (built or, for a sub-partitioned child, its own recipe) followed by its attachment.
 */
export function partitionedIndexSteps(root: PartitionNode, build: PartitionIndexBuilder): PartitionStep[] {
  const steps: PartitionStep[] = [];
  // Explicit stack of "enter a node" and "attach a finished child" tasks, so the output order is the
  // recursive one (child's subtree, then its attachment) without recursion on depth.
  type Task = { enter: PartitionNode } | { attach: PartitionNode; parent: PartitionNode };
  const names = new Map<PartitionNode, string>();
  const nameOf = (n: PartitionNode) => {
    let name = names.get(n);
    if (name === undefined) {
      name = (n.table.kind === "partitioned" ? null : build.existing?.(n.table)) ?? build.name(n.table);
      names.set(n, name);
    }
    return name;
  };
  const tasks: Task[] = [{ enter: root }];
  for (let task = tasks.pop(); task; task = tasks.pop()) {
    if ("attach" in task) {
      const child = task.attach.table;
      steps.push({
        kind: "attach",
        schema: child.schema,
        table: child.name,
        index: nameOf(task.attach),
        parentIndex: nameOf(task.parent),
        sql: attachIndex(task.parent.table.schema, nameOf(task.parent), child.schema, nameOf(task.attach)),
      });
      continue;
    }
    const node = task.enter;
    const partitioned = node.table.kind === "partitioned";
    if (!partitioned && build.existing?.(node.table)) {
      nameOf(node);
      continue;
    }
    steps.push({
      kind: partitioned ? "only" : "build",
      schema: node.table.schema,
      table: node.table.name,
      index: nameOf(node),
      parentIndex: null,
      sql: build.create(node.table, nameOf(node), partitioned ? "only" : "build"),
    });
    if (!partitioned) continue;
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i] as PartitionNode;
      tasks.push({ attach: child, parent: node });
      tasks.push({ enter: child });
    }
  }
  return steps;
}
