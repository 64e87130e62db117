import type { Plan } from "../../facts/plan/plan-model.js";
import type { ColumnUse } from "../../facts/sql/query-shape.js";
import type { IndexCandidate } from "./index-candidate.js";
import type { WorkloadQuery } from "./workload-query.js";

export interface QueryCost {
  cost: number;
  /** Candidate keys of the indexes the plan used. */
  used: string[];
  /** Tables one call inserts into, updates or deletes from, with the rows the planner expects it to write. */
  written?: WrittenRows[];
}

/**
 * "What would the planner do if these indexes existed?" Every distinct (statement, index set) question is asked
 * once: answers are cached, and `calls` counts the questions that reached the database.
 */
export interface WhatIf {
  readonly kind: "hypopg" | "sandbox";
  readonly calls: number;
  readonly cacheHits: number;
  cost(query: WorkloadQuery, config: IndexCandidate[]): Promise<QueryCost>;
  size(candidate: IndexCandidate): Promise<number>;
  /**
   * Run the statement with these indexes in place and no other candidate: its median execution time in ms.
   * Only where the indexes exist for real (a sandbox); HypoPG's exist only for the planner.
   */
  measure?(query: WorkloadQuery, config: IndexCandidate[]): Promise<number>;
  /** Remove every hypothetical or sandbox index. */
  close(): Promise<void>;
}

/**
 * Candidates relevant to a statement: only an index on a table it reads, holding a column it reads there (in its
 * keys, INCLUDE or predicate), can change its plan. A statement that reads the whole row, or no column at all
 * (count(*): any index can be scanned in place of the table), or whose shape does not name the table, is
 * relevant to every index on it. Questions that differ only by irrelevant indexes share one answer.
 */
export function relevantConfig(query: WorkloadQuery, config: IndexCandidate[]): IndexCandidate[] {
  return config.filter((c) => isRelevant(query, c));
}

const relevance = new WeakMap<WorkloadQuery, Map<string, boolean>>();

export function isRelevant(query: WorkloadQuery, c: IndexCandidate): boolean {
  if (!query.tables.has(`${c.schema}.${c.table}`)) return false;
  const known = relevance.get(query) ?? new Map<string, boolean>();
  relevance.set(query, known);
  let answer = known.get(c.key);
  if (answer === undefined) {
    answer = readsColumnOf(query, c);
    known.set(c.key, answer);
  }
  return answer;
}

function readsColumnOf(query: WorkloadQuery, c: IndexCandidate): boolean {
  const names = new Set<string>();
  for (const piece of [...c.columns, ...c.include, c.where ?? ""])
    for (const m of piece.matchAll(/"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)/g))
      names.add(m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? "").toLowerCase());
  let named = false;
  for (const block of query.shape.blocks) {
    for (const t of block.tables) {
      if (t.name !== c.table || (t.schema ?? c.schema) !== c.schema) continue;
      named = true;
      const read = block.referenced.get(t.refName);
      if (!read || read.size === 0 || read.has("*")) return true;
      for (const column of read) if (names.has(column)) return true;
    }
  }
  return !named;
}

const serving = new WeakMap<WorkloadQuery, Map<string, boolean>>();

/**
 * Whether an index can serve the statement at all, a narrower test than isRelevant for the search to skip
 * statements it need not ask about: a B-tree is scanned for a statement through a key column it filters, joins,
 * groups or sorts on (any key column, as PostgreSQL 18's skip scan can use a later one), or as a covering index
 * holding every column the statement reads of the table. A block with no GROUP BY counts its returned columns too
 * (max(x) is read off an index on x). Other methods, expressions and partial indexes keep isRelevant's answer.
 */
export function canServe(query: WorkloadQuery, c: IndexCandidate): boolean {
  if (!isRelevant(query, c)) return false;
  const known = serving.get(query) ?? new Map<string, boolean>();
  serving.set(query, known);
  let answer = known.get(c.key);
  if (answer === undefined) {
    answer = servesThroughKeys(query, c);
    known.set(c.key, answer);
  }
  return answer;
}

/** The column names of a B-tree's keys; null when a key is an expression. */
function keyColumnNames(c: IndexCandidate): Set<string> | null {
  const keys = new Set<string>();
  for (const item of c.columns) {
    const m = /^(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))(?: DESC)?$/.exec(item);
    if (!m) return null;
    keys.add(m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? "").toLowerCase());
  }
  return keys;
}

/**
 * Whether the statement joins a key column of x to a key column of y (x and y on different tables): the two
 * indexes can be worth more together than apart (orders (o_custkey) and customer (c_custkey) for a join of
 * customer and orders on those columns: with both, the planner can take either side as the outer one).
 */
export function joinsKeysOf(query: WorkloadQuery, x: IndexCandidate, y: IndexCandidate): boolean {
  if (x.schema === y.schema && x.table === y.table) return false;
  const xKeys = keyColumnNames(x);
  const yKeys = keyColumnNames(y);
  if (!xKeys || !yKeys) return false;
  const on = (u: ColumnUse, c: IndexCandidate, keys: Set<string>) =>
    !u.isExpression &&
    u.table.name === c.table &&
    (u.table.schema ?? c.schema) === c.schema &&
    keys.has(u.column);
  for (const block of query.shape.blocks)
    for (const [a, b] of block.joins)
      if ((on(a, x, xKeys) && on(b, y, yKeys)) || (on(b, x, xKeys) && on(a, y, yKeys))) return true;
  return false;
}

function servesThroughKeys(query: WorkloadQuery, c: IndexCandidate): boolean {
  if (c.method !== "btree" || c.where) return true;
  const keys = keyColumnNames(c);
  if (!keys) return true;
  const held = new Set(keys);
  for (const item of c.include) {
    const m = /^(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))$/.exec(item);
    if (m) held.add(m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? "").toLowerCase());
  }
  let named = false;
  for (const block of query.shape.blocks) {
    const refs = block.tables.filter((t) => t.name === c.table && (t.schema ?? c.schema) === c.schema);
    if (!refs.length) continue;
    named = true;
    const ours = (u: { table: { refName: string }; column: string; isExpression: boolean }) =>
      !u.isExpression && refs.some((t) => t.refName === u.table.refName) && keys.has(u.column);
    if (block.predicates.some(ours) || block.orderBy.some(ours) || block.groupBy.some(ours)) return true;
    if (block.joins.some(([a, b]) => ours(a) || ours(b))) return true;
    for (const t of refs) {
      const read = block.referenced.get(t.refName);
      if (!read || read.size === 0 || read.has("*")) return true;
      if ([...read].every((column) => held.has(column))) return true;
      if (!block.groupBy.length && [...(block.selected.get(t.refName) ?? [])].some((x) => keys.has(x)))
        return true;
    }
  }
  return !named;
}

export function cacheKey(query: WorkloadQuery, config: IndexCandidate[]): string {
  return `${query.id}\u0000${relevantConfig(query, config)
    .map((c) => c.key)
    .sort()
    .join("\u0001")}`;
}

/**
 * Answers to what-if questions, exact and derived. A plan chosen with a set of indexes stays the cheapest when
 * indexes it did not use are taken away, so the cost for any set between the indexes a known plan used and the
 * set it was chosen from is that plan's cost, without asking the planner (cost derivation, as in index advisors
 * since DB2's).
 */
export class CostCache {
  /** Questions that reached the planner. */
  calls = 0;
  exactHits = 0;
  derivedHits = 0;
  private readonly exact = new Map<string, QueryCost>();
  private readonly known = new Map<string, Array<{ keys: Set<string>; result: QueryCost }>>();

  get(query: WorkloadQuery, config: IndexCandidate[]): QueryCost | undefined {
    const key = cacheKey(query, config);
    const hit = this.exact.get(key);
    if (hit) {
      this.exactHits++;
      return hit;
    }
    const keys = relevantConfig(query, config).map((c) => c.key);
    for (const k of this.known.get(query.id) ?? []) {
      if (keys.length > k.keys.size || !keys.every((x) => k.keys.has(x))) continue;
      if (!k.result.used.every((u) => keys.includes(u))) continue;
      this.derivedHits++;
      this.exact.set(key, k.result);
      return k.result;
    }
    return undefined;
  }

  /**
   * The cost of `query` with `config`, known or derived, else planned by `plan` with the indexes relevant to
   * the statement in place; `nameOf` gives the name each candidate has in the plan, to tell which it used.
   */
  async cost(
    query: WorkloadQuery,
    config: IndexCandidate[],
    plan: (relevant: IndexCandidate[]) => Promise<Plan>,
    nameOf: (key: string) => string | string[] | undefined,
  ): Promise<QueryCost> {
    const known = this.get(query, config);
    if (known) return known;
    const relevant = relevantConfig(query, config);
    const planned = await plan(relevant);
    this.calls++;
    const names = indexNamesIn(planned);
    const result = {
      cost: planned.root.cost?.total ?? 0,
      used: relevant
        .filter((c) => [nameOf(c.key) ?? []].flat().some((name) => names.has(name)))
        .map((c) => c.key),
      written: writtenRows(planned),
    };
    this.set(query, config, result);
    return result;
  }

  set(query: WorkloadQuery, config: IndexCandidate[], result: QueryCost): void {
    this.exact.set(cacheKey(query, config), result);
    const keys = new Set(relevantConfig(query, config).map((c) => c.key));
    const list = this.known.get(query.id);
    if (list) list.push({ keys, result });
    else this.known.set(query.id, [{ keys, result }]);
  }
}

export interface WrittenRows {
  schema: string | null;
  table: string;
  operation: string;
  rows: number;
}

/** What the ModifyTable nodes of a plan write: the table, the operation, and the rows fed to it, by estimate. */
function writtenRows(plan: Plan): WrittenRows[] {
  const out: WrittenRows[] = [];
  const stack = [plan.root];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.nodeType === "ModifyTable" && n.relationName)
      out.push({
        schema: n.schema,
        table: n.relationName,
        operation: n.details.Operation ?? "",
        rows: n.children.find((c) => c.role === "child")?.planRows ?? 1,
      });
    for (const child of n.children) stack.push(child);
  }
  return out;
}

/** Index names in a plan, to tell which candidates it used. */
function indexNamesIn(plan: Plan): Set<string> {
  const names = new Set<string>();
  const stack = [plan.root];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.indexName) names.add(n.indexName);
    for (const child of n.children) stack.push(child);
  }
  return names;
}
