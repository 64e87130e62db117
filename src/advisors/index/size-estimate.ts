/**
 * The size a B-tree will have once built, estimated the way nbtree lays it out, since HypoPG's figure leaves out
 * deduplication and overstates indexes on repeated keys two to four times:
 * - rows: the planner's estimate for the table (or for the partial index's predicate), all partitions included;
 * - key width: each key's average stored size, sampled through the server (pg_column_size over a TABLESAMPLE of
 *   about 30,000 rows: expressions such as lower(email) have no statistics of their own);
 * - distinct keys: pg_stats' n_distinct (an expression over one column as many as the column, several columns
 *   as many as their product, at most one per row);
 * - deduplication (PostgreSQL 13+): a key that repeats is stored once with a 6-byte heap pointer per row, unless
 *   the index has INCLUDE columns or a key type that cannot be deduplicated (numeric, float, jsonb, arrays);
 * - leaves filled to the B-tree fillfactor (90%) by CREATE INDEX, inner pages and the metapage on top.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { leafTables } from "../../facts/partition-tree.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { qualifiedName, quoteLiteral } from "../../util/sql-identifiers.js";
import type { IndexCandidate } from "./index-candidate.js";

const PAGE = 8192;
/** Page header (24) and the B-tree special space (16). */
const USABLE = PAGE - 24 - 16;
const LEAF_FILL = 0.9;
const LINE_POINTER = 4;
const TUPLE_HEADER = 8;
const HEAP_TID = 6;
/** Posting lists are capped near a sixth of a page per tuple (BTMaxItemSize / 2 in nbtdedup.c, about 1,350 B). */
const MAX_POSTING_BYTES = 1350;
const SAMPLE_ROWS = 30_000;
const NOT_DEDUPLICATED = /^(numeric|real|double precision|jsonb|json|.*\[\]|record)$/;

const FIXED =
  /^(bigint|timestamp.*|double precision|real|date|integer|smallint|time.*|interval|uuid|oid|boolean)$/;

const maxAlign = (n: number) => Math.ceil(n / 8) * 8;

export interface SizeFacts {
  rows: number;
  /** Average stored size of each key item, and its type. */
  keys: Array<{ width: number; type: string }>;
  includeWidth: number;
  distinct: number;
  deduplicate: boolean;
}

/** Bytes of a B-tree with these facts, built by CREATE INDEX. */
export function btreeBytes(f: SizeFacts): number {
  let data = 0;
  for (const k of f.keys) {
    // Fixed-width keys are aligned to their own width (at most 8); short varlena values are not aligned.
    const align = FIXED.test(k.type) ? Math.min(8, Math.max(1, Math.round(k.width))) : 1;
    data = Math.ceil(data / align) * align + k.width;
  }
  data += f.includeWidth;
  const rows = Math.max(0, f.rows);
  const distinct = Math.min(rows, Math.max(1, f.distinct));
  let leafBytes: number;
  if (f.deduplicate && distinct < rows) {
    const perKey = rows / distinct;
    const tidsPerPosting = Math.max(2, Math.floor((MAX_POSTING_BYTES - TUPLE_HEADER - data) / HEAP_TID));
    const postings = distinct * Math.ceil(perKey / tidsPerPosting);
    leafBytes = postings * (maxAlign(TUPLE_HEADER + data) + LINE_POINTER) + rows * HEAP_TID + postings * 4; // alignment slop
  } else {
    leafBytes = rows * (maxAlign(TUPLE_HEADER + data) + LINE_POINTER);
  }
  const leaves = Math.max(1, Math.ceil(leafBytes / (USABLE * LEAF_FILL)));
  // Inner pages hold one pivot (the key) per page below them, filled to 70%.
  let inner = 0;
  const pivot = maxAlign(TUPLE_HEADER + data) + LINE_POINTER;
  for (let level = leaves; level > 1; ) {
    level = Math.ceil((level * pivot) / (USABLE * 0.7));
    inner += level;
  }
  return (1 + leaves + inner) * PAGE;
}

/** A key item as an expression to sample: without DESC/ASC and NULLS FIRST/LAST. */
function sampleExpression(item: string): string {
  return item.replace(/\s+(ASC|DESC)?(\s+NULLS\s+(FIRST|LAST))?\s*$/i, "").trim() || item;
}

/** The plain column a key item is, or the one column an expression reads; null for several. */
function columnOf(item: string, columns: string[]): string | null {
  const bare = sampleExpression(item).replace(/^"(.*)"$/, "$1");
  if (columns.includes(bare)) return bare;
  const used = columns.filter((c) =>
    new RegExp(`(^|[^\\w"])"?${c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"?($|[^\\w"])`).test(item),
  );
  return used.length === 1 ? (used[0] as string) : null;
}

/**
 * The estimated size of a B-tree candidate, from the server's statistics and a sample of the table; null for
 * other methods (the caller keeps HypoPG's figure) or when the table cannot be sampled.
 */
export async function estimateBtreeSize(
  db: PostgresConnector,
  c: IndexCandidate,
  snapshot: Snapshot,
): Promise<number | null> {
  if (c.method !== "btree") return null;
  const table = snapshot.tables.find((t) => t.schema === c.schema && t.name === c.table);
  if (!table) return null;
  const relation = qualifiedName(c.schema, c.table);
  const where = c.where ? ` WHERE ${c.where}` : "";
  const [plan] = await db.query<{ "QUERY PLAN": Array<{ Plan: { "Plan Rows": number } }> }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${relation}${where}`,
  );
  const rows = Number(plan?.["QUERY PLAN"]?.[0]?.Plan?.["Plan Rows"] ?? 0);
  const [all] = await db.query<{ "QUERY PLAN": Array<{ Plan: { "Plan Rows": number } }> }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${relation}`,
  );
  const tableRows = Math.max(1, Number(all?.["QUERY PLAN"]?.[0]?.Plan?.["Plan Rows"] ?? rows));
  const items = [...c.columns, ...c.include].map(sampleExpression);
  const percent = Math.min(100, Math.max(0.0001, (SAMPLE_ROWS / tableRows) * 100));
  const selects = items
    .map((e, i) => `avg(pg_column_size(${e}))::float8 as w${i}, min(pg_typeof(${e})::text) as t${i}`)
    .join(", ");
  const sample = async (clause: string) =>
    (
      await db.query<Record<string, unknown>>(
        `SELECT count(*)::float8 as n, ${selects} FROM ${relation}${clause}${where}`,
      )
    )[0];
  let row = await sample(` TABLESAMPLE SYSTEM (${percent})`);
  // A small table's few pages may all be skipped by the page sample: read it whole then.
  if (!row || Number(row.n) === 0) row = await sample("");
  if (!row) return null;
  const widths = items.map((item, i) => {
    const type = String(row[`t${i}`] ?? "");
    let width = Number(row[`w${i}`] ?? 0) || 0;
    // A computed value (lower(email)) carries a 4-byte length header; stored in the index, a value under 127 bytes
    // gets the 1-byte one. Columns are sampled as stored, already short.
    if (item.startsWith("(") && !FIXED.test(type) && width > 4 && width < 130) width -= 3;
    return { width, type };
  });
  const keys = widths.slice(0, c.columns.length);
  const includeWidth = widths.slice(c.columns.length).reduce((s, k) => s + k.width, 0);

  // Distinct keys, from the statistics of the columns the keys read.
  const columns = table.columns.map((x) => x.name);
  const stats = await db.query<{ attname: string; n_distinct: number }>(
    `SELECT attname, n_distinct::float8 as n_distinct FROM pg_stats
      WHERE schemaname = ${quoteLiteral(c.schema)} AND tablename = ${quoteLiteral(c.table)} AND inherited = ${table.kind === "partitioned"}`,
  );
  const distinctOf = (column: string | null) => {
    const s = stats.find((x) => x.attname === column);
    if (!s) return tableRows;
    return s.n_distinct < 0 ? -s.n_distinct * tableRows : s.n_distinct;
  };
  let distinct = 1;
  for (const item of c.columns) distinct *= distinctOf(columnOf(item, columns));
  distinct = Math.min(distinct, rows);
  const deduplicate =
    snapshot.server.versionNum >= 130000 &&
    c.include.length === 0 &&
    keys.every((k) => k.type !== "" && !NOT_DEDUPLICATED.test(k.type));
  return btreeBytes({ rows, keys, includeWidth, distinct, deduplicate });
}

/** BRIN's default pages_per_range: one summary tuple per 128 heap pages. */
const BRIN_PAGES_PER_RANGE = 128;
/** A page less its header (24) and BRIN's special space (8). */
const BRIN_USABLE = PAGE - 24 - 8;
/** Revmap entries per page: one 6-byte item pointer per range (REVMAP_PAGE_MAXITEMS). */
const BRIN_REVMAP_ITEMS = Math.floor(BRIN_USABLE / HEAP_TID);
const BRIN_TUPLE_HEADER = 8;

/**
 * Bytes of a minmax BRIN index, built by CREATE INDEX: per leaf table, a metapage, the revmap (one item pointer
 * per range) and the summaries (one tuple per range holding the key's minimum and maximum, packed full), at least
 * one page each. Checked on PostgreSQL 15: 3 pages for 1M timestamps in 11,364 heap pages, 12 pages for 18,692
 * heap pages at pages_per_range 8, 28 pages for 33-byte text there.
 */
export function brinBytes(leafHeapPages: number[], keys: Array<{ width: number; type: string }>): number {
  let data = 0;
  for (const k of keys) {
    const align = FIXED.test(k.type) ? Math.min(8, Math.max(1, Math.round(k.width))) : 1;
    for (let v = 0; v < 2; v++) data = Math.ceil(data / align) * align + k.width;
  }
  const perPage = Math.max(1, Math.floor(BRIN_USABLE / (maxAlign(BRIN_TUPLE_HEADER + data) + LINE_POINTER)));
  let pages = 0;
  for (const heapPages of leafHeapPages.length ? leafHeapPages : [0]) {
    const ranges = Math.max(1, Math.ceil(Math.max(0, heapPages) / BRIN_PAGES_PER_RANGE));
    pages += 1 + Math.ceil(ranges / BRIN_REVMAP_ITEMS) + Math.ceil(ranges / perPage);
  }
  return pages * PAGE;
}

/**
 * The size of a BRIN candidate from the snapshot alone: each leaf's heap pages (a partitioned table's index is
 * one BRIN per partition) and the key columns' widths from pg_stats. HypoPG's figure for a BRIN on a partitioned
 * table is hundreds of megabytes (471 MB where the six partitions' BRINs take 144 kB): it would rule BRIN out of
 * any budget. Null when a key is an expression or the table is unknown.
 */
export function estimateBrinSize(c: IndexCandidate, snapshot: Snapshot): number | null {
  if (c.method !== "brin" || c.include.length) return null;
  const table = snapshot.tables.find((t) => t.schema === c.schema && t.name === c.table);
  if (!table) return null;
  const keys: Array<{ width: number; type: string }> = [];
  for (const item of c.columns) {
    const name = item.replace(/^"(.*)"$/, "$1").replace(/""/g, '"');
    const column = table.columns.find((x) => x.name === name);
    if (!column) return null;
    const stats = snapshot.columnStats.find(
      (s) => s.schema === c.schema && s.table === c.table && s.column === name,
    );
    keys.push({ width: stats?.avgWidth ?? fixedWidth(column.type), type: column.type });
  }
  const leaves = leafTables(snapshot, c.schema, c.table).filter((t) => t.kind !== "partitioned");
  return brinBytes(
    leaves.map((t) => t.pages),
    keys,
  );
}

function fixedWidth(type: string): number {
  if (/^(smallint)$/.test(type)) return 2;
  if (/^(integer|real|date|oid)$/.test(type)) return 4;
  if (/^uuid$/.test(type)) return 16;
  if (/^boolean$/.test(type)) return 1;
  return 8;
}
