/**
 * One model for a PostgreSQL plan, whichever format it came from (EXPLAIN JSON or text).
 * Field names follow EXPLAIN's own vocabulary so a reader can match them with the docs.
 */

export interface Buffers {
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  sharedWritten: number;
  localHit: number;
  localRead: number;
  localDirtied: number;
  localWritten: number;
  tempRead: number;
  tempWritten: number;
}

/** Milliseconds spent in I/O (track_io_timing). PG 13-15 report shared+local together as "shared". */
export interface IoTimings {
  sharedReadMs: number;
  sharedWriteMs: number;
  localReadMs: number;
  localWriteMs: number;
  tempReadMs: number;
  tempWriteMs: number;
}

export interface NodeActuals {
  startupMs: number | null; // null when TIMING OFF
  totalMs: number | null;
  rows: number; // per loop, as EXPLAIN prints it
  loops: number;
}

export interface WorkerActuals {
  worker: number;
  actual: NodeActuals | null;
  buffers: Buffers | null;
  ioTimings: IoTimings | null;
  /** Per-worker details such as "Sort Method" or "JIT", keyed as EXPLAIN names them. */
  props: Record<string, PropValue>;
}

export type PropValue = string | number | boolean | string[];

/** How a node hangs under its parent. InitPlans include CTEs ("CTE name"). */
export type NodeRole = "child" | "initplan" | "subplan";

export interface PlanNode {
  /** Pre-order position in the whole plan, 0 for the root. */
  id: number;
  /** EXPLAIN JSON "Node Type": "Seq Scan", "Aggregate", "ModifyTable", ... */
  nodeType: string;
  role: NodeRole;
  /** "InitPlan 1", "SubPlan 2", "CTE recent" (PG 17+ spelling; older "(returns $0)" is kept in subplanReturns). */
  subplanName: string | null;
  parallelAware: boolean;
  asyncCapable: boolean;
  /** Aggregate/SetOp strategy, join type, partial mode, scan direction, operation, ... as in EXPLAIN JSON. */
  details: Record<string, string>;
  /** Relation, index, function, CTE and alias names. */
  relationName: string | null;
  schema: string | null;
  alias: string | null;
  indexName: string | null;
  cost: { startup: number; total: number } | null;
  planRows: number | null;
  planWidth: number | null;
  /** undefined: plan was not run with ANALYZE; null: "(never executed)". */
  actual: NodeActuals | null | undefined;
  buffers: Buffers | null;
  ioTimings: IoTimings | null;
  workers: WorkerActuals[];
  /** Every other property line ("Filter", "Rows Removed by Filter", "Sort Method", ...). */
  props: Record<string, PropValue>;
  children: PlanNode[];
}

export interface Trigger {
  name: string;
  constraintName: string | null;
  relation: string | null;
  timeMs: number | null;
  calls: number;
}

export interface JitInfo {
  functions: number;
  options: Record<string, boolean>;
  timingMs: Record<string, number> | null;
}

export interface Plan {
  root: PlanNode;
  planningMs: number | null;
  planningBuffers: Buffers | null;
  executionMs: number | null;
  /** EXPLAIN (SERIALIZE), PostgreSQL 17+; buffers when BUFFERS was on too (the detoasting reads). */
  serialization: { timeMs: number | null; outputKB: number; format: string; buffers: Buffers | null } | null;
  triggers: Trigger[];
  jit: JitInfo | null;
  settings: Record<string, string>;
  queryIdentifier: string | null;
  /** Whether the plan carries run-time figures (EXPLAIN ANALYZE). */
  analyzed: boolean;
  /**
   * What the reader had to say about the input: other plans it holds, lines it skipped. Empty when the input was
   * one plan and nothing else. Absent on plans built by hand or read from older snapshots.
   */
  notes?: string[];
  /** Which server printed the plan (mysql-plan-node.ts); absent means PostgreSQL. Rules declare the ones they read. */
  dialect?: "postgresql" | "mysql" | "mariadb";
}

export function emptyBuffers(): Buffers {
  return {
    sharedHit: 0,
    sharedRead: 0,
    sharedDirtied: 0,
    sharedWritten: 0,
    localHit: 0,
    localRead: 0,
    localDirtied: 0,
    localWritten: 0,
    tempRead: 0,
    tempWritten: 0,
  };
}

export function emptyIoTimings(): IoTimings {
  return {
    sharedReadMs: 0,
    sharedWriteMs: 0,
    localReadMs: 0,
    localWriteMs: 0,
    tempReadMs: 0,
    tempWriteMs: 0,
  };
}

/**
 * Visit every node, parents before children (pre-order). Iterative: a plan 10,000 levels deep is walked in
 * linear time without growing the call stack.
 */
export function* walkPlan(
  node: PlanNode,
  parent: PlanNode | null = null,
): Generator<[PlanNode, PlanNode | null]> {
  const stack: Array<[PlanNode, PlanNode | null]> = [[node, parent]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    yield entry;
    const [current] = entry;
    for (let i = current.children.length - 1; i >= 0; i--)
      stack.push([current.children[i] as PlanNode, current]);
  }
}

export function countNodes(root: PlanNode): number {
  let n = 0;
  for (const _ of walkPlan(root)) n++;
  return n;
}

/** Give nodes their pre-order ids once the tree is complete. */
export function numberNodes(root: PlanNode): void {
  let id = 0;
  for (const [node] of walkPlan(root)) node.id = id++;
}
