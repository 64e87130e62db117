/**
 * A query rewrite rule (issue #14): it reads one statement's libpg-query tree and, where it applies, returns the
 * rewritten statement. It never decides alone that the rewrite is worth showing: the pipeline proves on the user's
 * data that both return the same rows, and times both, before a rewrite is offered as a fix.
 * Rules that need schema knowledge (NOT NULL, unique keys, foreign keys, indexes) ask RewriteSchema, which answers
 * `undefined` when it does not know; a rule that needs a fact it cannot get does not rewrite.
 */
import type { Snapshot } from "../../facts/snapshot.js";
import { indexKeyColumn } from "../health/index-fix-suggestion.js";

/** A table as a rewrite rule needs it. Names are as the catalog spells them (unquoted, case kept). */
export interface RewriteTable {
  schema: string;
  name: string;
  columns: Array<{
    name: string;
    type: string;
    notNull: boolean;
    /**
     * The column's collation when it is nondeterministic (case- or accent-insensitive: two different strings can be
     * equal); absent when it is deterministic or not known. Read from the catalog (withCollations), not the snapshot.
     */
    nondeterministicCollation?: string;
  }>;
  /** Primary key and unique constraints or unique indexes without a predicate or expression, each its columns. */
  uniqueKeys: string[][];
  foreignKeys: Array<{ columns: string[]; refSchema: string; refTable: string; refColumns: string[] }>;
  /** Every valid index's key columns (unquoted names; null for an expression key), in order, with its method. */
  indexes: Array<{ name: string; columns: Array<string | null>; method: string; predicate: string | null }>;
  rowsEstimate: number;
}

/**
 * One function of pg_proc a statement may call (each overload its own entry). Read from the catalog, because what
 * a call does to a rewrite depends on it: a set-returning function in a select list repeats rows, a volatile one
 * may return something else when evaluated another number of times.
 */
export interface RewriteFunction {
  schema: string;
  name: string;
  /** Whether a call without a schema can mean it (its schema is on the session's search_path). */
  onSearchPath: boolean;
  /** The fewest and most arguments a call may pass (defaults lower the first, VARIADIC makes the second Infinity). */
  minArgs: number;
  maxArgs: number;
  /** pg_proc.proretset. */
  returnsSet: boolean;
  /** pg_proc.provolatile = 'v'. */
  volatile: boolean;
  /** An aggregate or window function (pg_proc.prokind 'a' or 'w'). */
  aggregate: boolean;
}

/** What a call may do, over every function it could mean. */
export interface CallTraits {
  returnsSet: boolean;
  volatile: boolean;
  aggregate: boolean;
}

export interface RewriteSchema {
  /** The table a name in a statement means (schema-qualified, or found along public/the only schema holding it). */
  table(name: string, schema?: string): RewriteTable | undefined;
  /** true or false when the table and column are known, undefined when not. */
  notNull(table: RewriteTable | undefined, column: string): boolean | undefined;
  /** Whether these columns (in any order) include a unique key of the table. */
  isUnique(table: RewriteTable | undefined, columns: string[]): boolean;
  /**
   * What a call of `name` (as written: [schema,] name) with this many arguments may do: true where any function it
   * could resolve to does. Undefined when no such function is known: callers then assume the worst.
   */
  call(name: string[], argCount: number): CallTraits | undefined;
}

export interface RewriteInput {
  /** The statement as the user gave it. */
  sql: string;
  /** libpg-query's parse of `sql` (one statement): rules may not change it; copy with structuredClone first. */
  tree: { stmts: Array<{ stmt: Record<string, unknown> }> };
  schema: RewriteSchema;
  /** server_version_num, e.g. 150004; 0 when unknown. */
  serverVersion: number;
}

export interface Rewrite {
  ruleId: string;
  /** The rewritten statement, deparsed from the edited tree (it parses back; the pipeline checks again). */
  sql: string;
  /** One line: what changed, e.g. "NOT IN (subquery) → NOT EXISTS". */
  summary: string;
  /** Why it is faster, one or two sentences. */
  why: string;
  /** What the rewrite relies on (the schema facts it read), so a reader can judge it: "orders.customer_id is NOT NULL". */
  assumptions: string[];
  /**
   * $n the rewrite adds that the original lacks (keyset pagination's last seen key). For the proof, each one's
   * value is read by `valueSql` (a SELECT of one value, with the original's own $n), so both statements return
   * the same page.
   */
  addedParameters?: Array<{ number: number; meaning: string; valueSql: string }>;
}

export interface RewriteRule {
  /** "rewrite/kebab-name", the file name under src/rules/rewrite/. */
  id: `rewrite/${string}`;
  title: string;
  description: string;
  /** PostgreSQL documentation or wiki page the rewrite rests on. */
  docsUrl: string;
  /** Lowest server_version_num the rewritten SQL needs (e.g. 120000 for CTE MATERIALIZED); absent means any. */
  minServerVersion?: number;
  rewrite(input: RewriteInput): Rewrite[];
}

/** A RewriteSchema over plain table and function descriptions (tests, and the snapshot adapter below). */
export function rewriteSchemaFrom(tables: RewriteTable[], functions: RewriteFunction[] = []): RewriteSchema {
  const byName = new Map<string, RewriteTable[]>();
  for (const t of tables) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
  return {
    table(name, schema) {
      const found = byName.get(name) ?? [];
      if (schema) return found.find((t) => t.schema === schema);
      return found.find((t) => t.schema === "public") ?? (found.length === 1 ? found[0] : undefined);
    },
    notNull(table, column) {
      return table?.columns.find((c) => c.name === column)?.notNull;
    },
    isUnique(table, columns) {
      if (!table) return false;
      const set = new Set(columns);
      return table.uniqueKeys.some((key) => key.length > 0 && key.every((c) => set.has(c)));
    },
    call(name, argCount) {
      const [schema, fn] = name.length >= 2 ? name.slice(-2) : [undefined, name[0]];
      const found = functions.filter(
        (f) =>
          f.name === fn &&
          (schema === undefined ? f.onSearchPath : f.schema === schema) &&
          argCount >= f.minArgs &&
          argCount <= f.maxArgs,
      );
      if (name.length > 2 || found.length === 0) return undefined;
      return {
        returnsSet: found.some((f) => f.returnsSet),
        volatile: found.some((f) => f.volatile),
        aggregate: found.some((f) => f.aggregate),
      };
    },
  };
}

/**
 * The schema as one statement sees it: a name its WITH clauses bind (anywhere in it) means the CTE there, not the
 * table of that name, so an unqualified reference to it is no known table (a CTE has no keys, and its columns may
 * be NULL). Conservative where the CTE is out of the reference's scope.
 */
export function statementSchema(schema: RewriteSchema, tree: unknown): RewriteSchema {
  const ctes = new Set<string>();
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== "object") continue;
    const cte = (node as { CommonTableExpr?: { ctename?: unknown } }).CommonTableExpr;
    if (typeof cte?.ctename === "string") ctes.add(cte.ctename);
    stack.push(...Object.values(node as object));
  }
  if (ctes.size === 0) return schema;
  return {
    ...schema,
    table: (name, schemaName) =>
      schemaName === undefined && ctes.has(name) ? undefined : schema.table(name, schemaName),
  };
}

/** The tables of a snapshot as rewrite rules read them. */
export function rewriteTablesFromSnapshot(snapshot: Snapshot): RewriteTable[] {
  return snapshot.tables.map((t) => {
    const constraints = snapshot.constraints.filter((c) => c.schema === t.schema && c.table === t.name);
    const indexes = snapshot.indexes.filter(
      (i) => i.tableSchema === t.schema && i.table === t.name && i.isValid,
    );
    // pg_get_indexdef prints a key column quoted when it needs quotes ("Created At"): rules compare bare names.
    const keyColumns = (i: (typeof indexes)[number]) =>
      i.columns.slice(0, i.keyColumnCount).map(indexKeyColumn);
    const uniqueKeys = [
      ...constraints.filter((c) => c.type === "primary" || c.type === "unique").map((c) => c.columns),
      ...indexes
        .filter((i) => i.isUnique && i.predicate === null)
        .map(keyColumns)
        .filter((key): key is string[] => key.every((c) => c !== null)),
    ];
    return {
      schema: t.schema,
      name: t.name,
      columns: t.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull })),
      uniqueKeys,
      foreignKeys: constraints
        .filter((c) => c.type === "foreign" && c.refTable !== null)
        .map((c) => ({
          columns: c.columns,
          refSchema: c.refSchema ?? t.schema,
          refTable: c.refTable as string,
          refColumns: c.refColumns,
        })),
      indexes: indexes.map((i) => ({
        name: i.name,
        columns: keyColumns(i),
        method: i.method,
        predicate: i.predicate,
      })),
      rowsEstimate: t.rowsEstimate,
    };
  });
}
