/**
 * Index candidates from the shapes of the workload's statements and the columns' statistics: single columns,
 * equality columns together, equality then range, equality then the ORDER BY of a top-N, covering indexes
 * (INCLUDE) for the columns a query returns, partial indexes for selective constants, expression indexes,
 * join keys, GROUP BY, BRIN for columns in physical order, hash for wide equality-only keys, GIN for
 * containment, and trigram GIN (pg_trgm) for LIKE/ILIKE patterns that do not start with fixed text and for
 * regular expressions (HypoPG cannot simulate GIN). A pattern with a leading wildcard, an ILIKE or a regular
 * expression never gets a B-tree: a B-tree can only seek to a known prefix. Candidates an existing valid index
 * already serves are dropped.
 */
import { leafTables } from "../../facts/partition-tree.js";
import type { ColumnStats, IndexFacts, Snapshot, TableFacts } from "../../facts/snapshot.js";
import type { PredicateUse, QueryBlock, QueryShape, TableRef } from "../../facts/sql/query-shape.js";
import {
  blockKeyParts,
  btreeKey,
  distinctValues,
  equalityItems,
  keyItem,
  prefixLike,
  rangeItem,
} from "../../findings/btree-key-order.js";
import { ident, literal, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import { type IndexCandidate, makeCandidate } from "./index-candidate.js";

export interface ShapedQuery {
  id: string;
  shape: QueryShape;
}

const MAX_INCLUDE = 4;
const PARTIAL_MAX_SHARE = 0.1;
const PARTIAL_MAX_DISTINCT = 20;
const BRIN_MIN_ROWS = 100_000;
const BRIN_MIN_CORRELATION = 0.95;

export function generateCandidates(queries: ShapedQuery[], snapshot: Snapshot): IndexCandidate[] {
  const byKey = new Map<string, IndexCandidate>();
  const add = (c: IndexCandidate) => {
    const seen = byKey.get(c.key);
    if (seen) for (const q of c.queries) seen.queries.add(q);
    else byKey.set(c.key, c);
  };
  for (const { id, shape } of queries) {
    for (const block of shape.blocks) {
      for (const ref of block.tables) {
        const table = findTable(snapshot, ref);
        if (table && table.kind !== "foreign")
          for (const c of forTable(block, ref, table, snapshot, id)) add(c);
      }
    }
  }
  const existing = snapshot.indexes.filter((i) => i.isValid);
  return [...byKey.values()].filter((c) => !servedByExisting(c, existing));
}

/** What the candidate steps read about one table of one statement block. */
interface TableUse {
  block: QueryBlock;
  ref: TableRef;
  table: TableFacts;
  snapshot: Snapshot;
  /** The block's predicates on this table. */
  preds: PredicateUse[];
  stats: (column: string) => ColumnStats | undefined;
  /** A candidate on this table for this statement; null when a key item cannot stand in an index. */
  candidate: (
    method: IndexCandidate["method"],
    columns: Array<SqlText | null>,
    reason: string,
    extra?: { include?: SqlText[]; where?: SqlText | null; requires?: string },
  ) => IndexCandidate | null;
  /** Equality columns, most selective (most distinct values) first, and their key items. */
  equality: PredicateUse[];
  eqItems: SqlText[];
  /** Range (and prefix LIKE) predicates; the first one goes after the equality columns. */
  ranges: PredicateUse[];
  firstRange: PredicateUse | undefined;
  /** The ORDER BY of a top-N on this table alone. */
  order: QueryBlock["orderBy"];
  /** Equality columns then the ORDER BY, for a top-N; null when the ORDER BY cannot be an index key. */
  topN: SqlText[] | null;
  /** Equality columns then the first range, when there is a range. */
  rangeKey: SqlText[] | null;
  /** The key the one key-order policy gives (btree-key-order.ts): the equalities, then the top-N's order or a range. */
  wholeKey: SqlText[];
  ownGroup: boolean;
}

type CandidateStep = (t: TableUse) => Array<IndexCandidate | null>;

/** The candidates for one table of a statement block: each step proposes one kind. */
function forTable(
  block: QueryBlock,
  ref: TableRef,
  table: TableFacts,
  snapshot: Snapshot,
  query: string,
): IndexCandidate[] {
  const use = tableUse(block, ref, table, snapshot, query);
  return CANDIDATE_STEPS.flatMap((step) => step(use)).filter((c): c is IndexCandidate => c !== null);
}

function tableUse(
  block: QueryBlock,
  ref: TableRef,
  table: TableFacts,
  snapshot: Snapshot,
  query: string,
): TableUse {
  const mine = (p: { table: TableRef }) => p.table === ref;
  const stats = (column: string) => columnStats(snapshot, table, column);
  const candidate: TableUse["candidate"] = (method, columns, reason, extra = {}) =>
    columns.length && columns.every((c): c is SqlText => c !== null)
      ? makeCandidate(table, method, columns, { ...extra, reason, query })
      : null;
  const parts = blockKeyParts(block, ref, distinctValues(snapshot, table));
  const eqItems = equalityItems(parts);
  return {
    block,
    ref,
    table,
    snapshot,
    preds: block.predicates.filter(mine),
    stats,
    candidate,
    equality: parts.equality,
    eqItems,
    ranges: parts.ranges,
    firstRange: parts.ranges[0],
    order: block.orderBy.length && block.orderBy.every(mine) ? block.orderBy : [],
    topN: parts.order ? btreeKey(parts) : null,
    rangeKey: rangeItem(parts) ? btreeKey({ ...parts, order: null }) : null,
    wholeKey: btreeKey(parts),
    ownGroup: block.groupBy.length > 0 && block.groupBy.every(mine),
  };
}

/** Each column a predicate uses (not containment, not a pattern a B-tree cannot seek to). */
const singleColumns: CandidateStep = ({ preds, candidate }) =>
  unique(
    preds.filter(
      (p) => p.kind !== "contains" && p.kind !== "other" && !(p.kind === "like" && !prefixLike(p)),
    ),
  ).map((p) => candidate("btree", [keyItem(p.column, p.isExpression)], `${describe(p)}`));

/** The equality columns together, and then the first range column. */
const equalityComposites: CandidateStep = ({ equality, eqItems, firstRange, rangeKey, candidate }) => [
  eqItems.length > 1
    ? candidate("btree", eqItems, `equality on ${equality.map((p) => p.column).join(", ")}`)
    : null,
  firstRange && eqItems.length && rangeKey
    ? candidate(
        "btree",
        rangeKey,
        `equality on ${equality.map((p) => p.column).join(", ")}, then ${describe(firstRange)}`,
      )
    : null,
];

/** A top-N: equality columns, then the ORDER BY, so the index returns the first rows in order. */
const topNOrder: CandidateStep = ({ block, order, equality, eqItems, topN, candidate }) =>
  order.length && block.hasLimit
    ? [
        candidate(
          "btree",
          topN ?? [null],
          `${eqItems.length ? `equality on ${equality.map((p) => p.column).join(", ")}, then ` : ""}ORDER BY ${order.map((o) => `${o.column}${o.desc ? " DESC" : ""}`).join(", ")} with LIMIT`,
        ),
      ]
    : [];

/**
 * Covering: the best composite, the GROUP BY, or a join key, holding every other column the statement reads
 * from this table, so the index alone answers (an index-only scan).
 */
const covering: CandidateStep = ({ block, ref, firstRange, topN, wholeKey, ownGroup, candidate }) => {
  const out: Array<IndexCandidate | null> = [];
  const referenced = block.referenced.get(ref.refName);
  const cover = (keys: Array<SqlText | null>, what: string) => {
    // Not over an expression key: the scan would need the raw columns as well, and HypoPG plans an expression
    // index without statistics, which overstates what skipping the heap saves.
    if (!referenced || referenced.has("*") || keys.some((k) => k === null || k.startsWith("("))) return;
    const keyNames = new Set(keys.map((k) => normalise(k ?? "")));
    const include = [...referenced].map((c) => ident(c)).filter((c) => !keyNames.has(normalise(c)));
    if (include.length > 0 && include.length <= MAX_INCLUDE)
      out.push(
        candidate("btree", keys, `${what}, covering ${[...referenced].join(", ")} for an index-only scan`, {
          include,
        }),
      );
  };
  if (wholeKey.length) cover(wholeKey, firstRange && !topN ? describe(firstRange) : "the condition");
  if (ownGroup)
    cover(
      block.groupBy.map((g) => keyItem(g.column, g.isExpression)),
      `GROUP BY ${block.groupBy.map((g) => g.column).join(", ")}`,
    );
  for (const [a, b] of block.joins) {
    const side = a.table === ref ? a : b.table === ref ? b : null;
    if (side && !side.isExpression) cover([keyItem(side.column, false)], `join key ${side.column}`);
  }
  return out;
};

/** Partial: a constant equality that selects a small share of the table, on a column of a few categories (a status, a type). A constant on a key column (tenant 7) stands for "some value": an index for one value would serve that one alone. */
const partialConstants: CandidateStep = ({ preds, table, snapshot, stats, wholeKey, candidate }) => {
  const out: Array<IndexCandidate | null> = [];
  for (const p of preds.filter(
    (p) => !p.underOr && p.constant !== null && p.kind === "eq" && !p.isExpression,
  )) {
    const categories = stats(p.column);
    if (!categories || categories.nDistinct <= 0 || categories.nDistinct > PARTIAL_MAX_DISTINCT) continue;
    const share = valueShare(categories, p.constant as string);
    if (share === null || share > PARTIAL_MAX_SHARE) continue;
    const type = table.columns.find((c) => c.name === p.column)?.type ?? "";
    const numeric = /^(smallint|integer|bigint|numeric|real|double precision|boolean)/.test(type);
    // A numeric constant is checked to be a number before it is written as one; anything else is a literal.
    const constant = String(p.constant);
    const value =
      numeric && /^-?\d+(\.\d+)?$|^(true|false)$/i.test(constant)
        ? sqlFrom("dbopt", constant)
        : sql`${literal(constant)}`;
    const where = sql`${ident(p.column)} = ${value}`;
    const rest = wholeKey.filter((i) => i !== ident(p.column));
    const columns = rest.length ? rest : primaryKeyColumns(snapshot, table);
    if (columns.length)
      out.push(
        candidate(
          "btree",
          columns,
          `only the ${(share * 100).toFixed(1)}% of rows where ${p.column} = '${p.constant}'`,
          { where },
        ),
      );
  }
  return out;
};

/** Partial: IS NULL on a column that is rarely null. */
const partialNulls: CandidateStep = ({ preds, snapshot, table, stats, wholeKey, candidate }) => {
  const out: Array<IndexCandidate | null> = [];
  for (const p of preds.filter((p) => !p.underOr && p.kind === "null" && !p.isExpression)) {
    const nullFrac = stats(p.column)?.nullFrac;
    if (nullFrac === undefined || nullFrac > PARTIAL_MAX_SHARE) continue;
    const rest = wholeKey.filter((i) => i !== ident(p.column));
    const columns = rest.length ? rest : primaryKeyColumns(snapshot, table);
    if (columns.length)
      out.push(
        candidate(
          "btree",
          columns,
          `only the ${(nullFrac * 100).toFixed(1)}% of rows where ${p.column} IS NULL`,
          { where: sql`${ident(p.column)} IS NULL` },
        ),
      );
  }
  return out;
};

/** Join keys: an index on this side's column turns each lookup from the other side into an index probe. */
const joinKeys: CandidateStep = ({ block, ref, candidate }) => {
  const out: Array<IndexCandidate | null> = [];
  for (const [a, b] of block.joins) {
    const side = a.table === ref ? a : b.table === ref ? b : null;
    if (side)
      out.push(candidate("btree", [keyItem(side.column, side.isExpression)], `join key ${side.column}`));
  }
  return out;
};

/** GROUP BY: rows arrive grouped from a B-tree on the grouping columns. */
const groupBy: CandidateStep = ({ block, preds, ownGroup, candidate }) => {
  const out: Array<IndexCandidate | null> = [];
  if (ownGroup && preds.length === 0) {
    out.push(
      candidate(
        "btree",
        block.groupBy.map((g) => keyItem(g.column, g.isExpression)),
        `GROUP BY ${block.groupBy.map((g) => g.column).join(", ")}`,
      ),
    );
  }
  return out;
};

/** BRIN: a range condition on a column stored in (almost) the same order as its values. */
const brin: CandidateStep = ({ ranges, snapshot, table, candidate }) => {
  const out: Array<IndexCandidate | null> = [];
  for (const p of ranges.filter((p) => !p.isExpression)) {
    const order = physicalOrder(snapshot, table, p.column);
    if (order && order.rows >= BRIN_MIN_ROWS && Math.abs(order.correlation) >= BRIN_MIN_CORRELATION) {
      out.push(
        candidate(
          "brin",
          [ident(p.column)],
          `range on ${p.column}, stored in value order (correlation ${order.correlation.toFixed(2)}${order.leaves ? `, the least ordered of ${order.leaves} partitions` : ""})`,
        ),
      );
    }
  }
  return out;
};

/** Hash: equality only, on a wide value, where it is smaller than a B-tree. */
const hashIndexes: CandidateStep = ({ equality, preds, stats, candidate }) => {
  const out: Array<IndexCandidate | null> = [];
  for (const p of equality.filter((p) => p.kind === "eq" && !p.isExpression)) {
    const width = stats(p.column)?.avgWidth ?? 0;
    const onlyEquality = preds.filter((q) => q.column === p.column).every((q) => q.kind === "eq");
    if (width >= 32 && onlyEquality)
      out.push(candidate("hash", [ident(p.column)], `equality only on the wide column ${p.column}`));
  }
  return out;
};

/** Trigram GIN: a pattern a B-tree cannot seek to (a leading wildcard, any ILIKE, a regular expression) on text. */
const trigramGin: CandidateStep = ({ preds, table, candidate }) => {
  const out: Array<IndexCandidate | null> = [];
  for (const p of unique(preds.filter((p) => !p.underOr && trigramSearch(p)))) {
    const type = p.isExpression ? "text" : (table.columns.find((c) => c.name === p.column)?.type ?? "");
    const key = keyItem(p.column, p.isExpression);
    if (!TEXT_TYPES.test(type) || key === null) continue;
    out.push(
      candidate(
        "gin",
        [sql`${key} gin_trgm_ops`],
        `${patternWords(p)} on ${p.column}, which a B-tree cannot serve`,
        {
          requires: "pg_trgm",
        },
      ),
    );
  }
  return out;
};

/** GIN for containment (jsonb @>, arrays &&, @>): HypoPG cannot simulate it. */
const containmentGin: CandidateStep = ({ preds, table, candidate }) => {
  const out: Array<IndexCandidate | null> = [];
  for (const p of preds.filter((p) => p.kind === "contains" && !p.isExpression)) {
    const type = table.columns.find((c) => c.name === p.column)?.type ?? "";
    const item =
      type === "jsonb" && p.operator === "@>" ? sql`${ident(p.column)} jsonb_path_ops` : ident(p.column);
    out.push(candidate("gin", [item], `containment (${p.operator}) on ${p.column}`));
  }
  return out;
};

const CANDIDATE_STEPS: CandidateStep[] = [
  singleColumns,
  equalityComposites,
  topNOrder,
  covering,
  partialConstants,
  partialNulls,
  joinKeys,
  groupBy,
  brin,
  hashIndexes,
  trigramGin,
  containmentGin,
];

/**
 * How closely a column's values follow the rows' physical order (pg_stats' correlation), and the rows. A
 * partitioned table's BRIN is one per partition, so each partition must be in order: the least ordered one
 * counts, from the partitions' own statistics (autovacuum analyzes partitions, never their parent, so the
 * parent often has no statistics at all). Null when a partition holding rows has no correlation yet.
 */
function physicalOrder(
  snapshot: Snapshot,
  table: TableFacts,
  column: string,
): { correlation: number; rows: number; leaves: number | null } | null {
  if (table.kind !== "partitioned") {
    const correlation = columnStats(snapshot, table, column)?.correlation;
    return correlation === null || correlation === undefined
      ? null
      : { correlation, rows: table.rowsEstimate, leaves: null };
  }
  const leaves = leafTables(snapshot, table.schema, table.name).filter((t) => t.rowsEstimate > 0);
  let least: number | null = null;
  for (const leaf of leaves) {
    const correlation = columnStats(snapshot, leaf, column)?.correlation;
    if (correlation === null || correlation === undefined) return null;
    if (least === null || Math.abs(correlation) < Math.abs(least)) least = correlation;
  }
  return least === null
    ? null
    : { correlation: least, rows: leaves.reduce((n, t) => n + t.rowsEstimate, 0), leaves: leaves.length };
}

/** True when an existing valid index already starts with the candidate's keys, with the same method and predicate. */
export function servedByExisting(c: IndexCandidate, existing: IndexFacts[]): boolean {
  return existing.some((i) => {
    if (i.tableSchema !== c.schema || i.table !== c.table || i.method !== c.method) return false;
    if ((i.predicate ?? null) !== null && i.predicate !== c.where) return false;
    if (c.where && i.predicate === null) return false;
    const keys = indexKeyItems(i);
    if (!c.columns.every((col, k) => normalise(keys[k]) === normalise(col))) return false;
    const all = [...keys, ...i.columns.slice(i.keyColumnCount)].map(normalise);
    return c.include.every((col) => all.includes(normalise(col)));
  });
}

function indexKeyItems(i: IndexFacts): string[] {
  const m = /\((.*)\)(?: INCLUDE| WHERE| WITH|$)/.exec(i.definition.slice(i.definition.indexOf(" USING ")));
  const fromDef = m?.[1] ? splitKeys(m[1]) : [];
  return fromDef.length === i.keyColumnCount ? fromDef : i.columns.slice(0, i.keyColumnCount);
}

function splitKeys(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < text.length; k++) {
    if (text[k] === "(") depth++;
    else if (text[k] === ")") depth--;
    else if (text[k] === "," && depth === 0) {
      out.push(text.slice(start, k).trim());
      start = k + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

function normalise(item: string | undefined): string {
  return (item ?? "")
    .replace(/\s+ASC$/, "")
    .replace(/^\((.*)\)$/, "$1")
    .replace(/"/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function findTable(snapshot: Snapshot, ref: TableRef): TableFacts | undefined {
  const matches = snapshot.tables.filter(
    (t) => t.name === ref.name && (ref.schema === null || t.schema === ref.schema),
  );
  return matches.find((t) => t.schema === "public") ?? matches[0];
}

function columnStats(snapshot: Snapshot, table: TableFacts, column: string): ColumnStats | undefined {
  return snapshot.columnStats.find(
    (c) => c.schema === table.schema && c.table === table.name && c.column === column,
  );
}

/** The share of rows holding a value: its MCV frequency, else the rest spread over the other values. */
function valueShare(stats: ColumnStats | undefined, value: string): number | null {
  if (!stats) return null;
  const mcv = stats.mostCommonValues ?? [];
  const freqs = stats.mostCommonFreqs ?? [];
  const at = mcv.indexOf(value);
  if (at >= 0) return freqs[at] ?? null;
  const rest = 1 - freqs.reduce((a, b) => a + b, 0) - stats.nullFrac;
  const others = stats.nDistinct > 0 ? stats.nDistinct - mcv.length : null;
  return others && others > 0 ? rest / others : rest > 0.5 ? null : rest;
}

function primaryKeyColumns(snapshot: Snapshot, table: TableFacts): SqlText[] {
  const pk = snapshot.constraints.find(
    (c) => c.type === "primary" && c.schema === table.schema && c.table === table.name,
  );
  return pk ? pk.columns.map((c) => ident(c)) : [];
}

const TEXT_TYPES = /^(text|character varying|varchar)(\(|$)/;
const REGEX_OPS = new Set(["~", "~*"]);

/** A pattern match pg_trgm's GIN serves and a B-tree does not: LIKE/ILIKE without a fixed prefix, ~ and ~*. */
function trigramSearch(p: PredicateUse): boolean {
  if (p.kind === "like") return (p.operator === "~~" || p.operator === "~~*") && !prefixLike(p);
  return REGEX_OPS.has(p.operator);
}

function patternWords(p: PredicateUse): string {
  const op = { "~~": "LIKE", "~~*": "ILIKE", "~": "regular expression", "~*": "regular expression" }[
    p.operator
  ];
  return p.constant !== null && p.kind === "like" ? `${op} '${p.constant}'` : (op ?? p.operator);
}

function describe(p: PredicateUse): string {
  const kind = {
    eq: "equality",
    in: "IN",
    range: "range",
    null: "IS NULL",
    "not-null": "IS NOT NULL",
    like: "LIKE prefix",
    contains: "containment",
    other: "condition",
  }[p.kind];
  return `${kind} on ${p.column}`;
}

function unique<T extends { column: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((p) => {
    if (seen.has(p.column)) return false;
    seen.add(p.column);
    return true;
  });
}
