/**
 * The partition trees of a snapshot, from its parent links: which tables hold the rows of a partitioned table,
 * and its counters summed over them (a partitioned table's own are zero). Rules and advisors both read them.
 */
import type { Snapshot, TableFacts, TableStats } from "./snapshot.js";

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
  // Iterative: a deep tree (sub-partitions of sub-partitions) must not grow the call stack.
  const rootNode: PartitionNode = { table: root, children: [] };
  const stack = [rootNode];
  seen.add(keyOf(root));
  for (let node = stack.pop(); node; node = stack.pop()) {
    for (const child of byParent.get(keyOf(node.table)) ?? []) {
      if (seen.has(keyOf(child))) continue;
      seen.add(keyOf(child));
      const childNode: PartitionNode = { table: child, children: [] };
      node.children.push(childNode);
      stack.push(childNode);
    }
  }
  return rootNode;
}

/** The tables that hold the rows: the leaves of the tree (the table itself when it is not partitioned). */
export function leafTables(snapshot: Snapshot, schema: string, table: string): TableFacts[] {
  const tree = partitionTree(snapshot, schema, table);
  if (!tree) return snapshot.tables.filter((t) => t.schema === schema && t.name === table);
  const out: TableFacts[] = [];
  // Depth first, children in order, as the recursive walk listed them.
  const stack = [tree];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.table.kind !== "partitioned") out.push(n.table);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as PartitionNode);
  }
  return out;
}

/** The top of the tree a table belongs to: itself when it is no partition. */
export function partitionRoot(snapshot: Snapshot, table: TableFacts): TableFacts {
  let current = table;
  const seen = new Set<string>([keyOf(table)]);
  while (current.parent) {
    const parent = snapshot.tables.find((t) => keyOf(t) === current.parent);
    if (!parent || seen.has(keyOf(parent))) break;
    seen.add(keyOf(parent));
    current = parent;
  }
  return current;
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

/** Rows, heap bytes and total bytes of a table, summed over its leaves when it is partitioned. */
export function summedSize(
  snapshot: Snapshot,
  table: TableFacts,
): { rows: number; sizeBytes: number; totalBytes: number } {
  const leaves = table.kind === "partitioned" ? leafTables(snapshot, table.schema, table.name) : [table];
  return {
    rows: leaves.reduce((n, t) => n + t.rowsEstimate, 0),
    sizeBytes: leaves.reduce((n, t) => n + t.sizeBytes, 0),
    totalBytes: leaves.reduce((n, t) => n + t.totalBytes, 0),
  };
}
