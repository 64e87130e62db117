/**
 * How many pages a table or B-tree would need if it were freshly written, from its row count and the average
 * widths in pg_stats: the estimate check_postgres and the pgexperts bloat queries make, computed here from the
 * snapshot. It over-estimates for columns stored out of line (TOAST), which the checks leave out.
 */
import type { ExactBloat, IndexFacts, TableFacts } from "../../facts/snapshot.js";
import { tableOption } from "../../facts/snapshot-accessors.js";

export const BLOCK_SIZE = 8192;
const PAGE_HEADER = 24;
const ITEM_ID = 4;
const HEAP_TUPLE_HEADER = 23;
const INDEX_TUPLE_HEADER = 8;
const BTREE_SPECIAL = 16;

const maxalign = (n: number) => Math.ceil(n / 8) * 8;

export interface BloatEstimate {
  actualPages: number;
  expectedPages: number;
  bloatBytes: number;
  /** Share of the relation that is bloat, 0..1. */
  ratio: number;
}

export function tableBloat(table: TableFacts): BloatEstimate | null {
  if (table.rowWidth === null || table.rowsEstimate <= 0 || table.pages <= 0) return null;
  if (table.kind !== "table" && table.kind !== "matview") return null;
  const nullBitmap = table.anyNulls ? Math.ceil(table.columns.length / 8) : 0;
  const tuple = maxalign(HEAP_TUPLE_HEADER + nullBitmap) + maxalign(table.rowWidth) + ITEM_ID;
  const fillfactor = Number(tableOption(table, "fillfactor") ?? 100);
  const usable = (BLOCK_SIZE - PAGE_HEADER) * (fillfactor / 100);
  const perPage = Math.max(1, Math.floor(usable / tuple));
  return estimate(table.pages, Math.ceil(table.rowsEstimate / perPage));
}

export function btreeBloat(index: IndexFacts): BloatEstimate | null {
  if (index.method !== "btree" || index.keyWidth === null || index.rowsEstimate <= 0 || index.pages <= 1)
    return null;
  const fillfactor = Number(/fillfactor='?(\d+)/.exec(index.definition)?.[1] ?? 90);
  const entry = maxalign(INDEX_TUPLE_HEADER + index.keyWidth) + ITEM_ID;
  const usable = (BLOCK_SIZE - PAGE_HEADER - BTREE_SPECIAL) * (fillfactor / 100);
  const perPage = Math.max(2, Math.floor(usable / entry));
  const leaves = Math.ceil(index.rowsEstimate / perPage);
  // Inner pages hold one entry per page below them; add them level by level, plus the metapage.
  let pages = leaves + 1;
  for (let level = leaves; level > 1; level = Math.ceil(level / perPage)) pages += Math.ceil(level / perPage);
  return estimate(index.pages, pages);
}

function estimate(actualPages: number, expectedPages: number): BloatEstimate {
  const bloatPages = Math.max(0, actualPages - expectedPages);
  return {
    actualPages,
    expectedPages,
    bloatBytes: bloatPages * BLOCK_SIZE,
    ratio: actualPages > 0 ? bloatPages / actualPages : 0,
  };
}

/** Exact figures from pgstattuple: dead rows plus free space is what a rewrite would give back. */
export function exactTableBloat(table: TableFacts, exact: ExactBloat | null): BloatEstimate | null {
  const e = exact?.tables.find((t) => t.schema === table.schema && t.name === table.name);
  if (!e || e.tableBytes <= 0) return null;
  const bloatBytes = e.deadBytes + e.freeBytes;
  const actualPages = Math.round(e.tableBytes / BLOCK_SIZE);
  return {
    actualPages,
    expectedPages: actualPages - Math.round(bloatBytes / BLOCK_SIZE),
    bloatBytes,
    ratio: bloatBytes / e.tableBytes,
  };
}

/** From pgstatindex: leaves at 45% density where the fillfactor is 90% means half the leaf space is waste. */
export function exactBtreeBloat(index: IndexFacts, exact: ExactBloat | null): BloatEstimate | null {
  const e = exact?.indexes.find((i) => i.schema === index.schema && i.name === index.name);
  if (!e || e.indexBytes <= 0) return null;
  const fillfactor = Number(/fillfactor='?(\d+)/.exec(index.definition)?.[1] ?? 90);
  const ratio = Math.max(0, 1 - e.avgLeafDensity / fillfactor);
  const actualPages = Math.round(e.indexBytes / BLOCK_SIZE);
  return {
    actualPages,
    expectedPages: Math.round(actualPages * (1 - ratio)),
    bloatBytes: Math.round(e.indexBytes * ratio),
    ratio,
  };
}
