/**
 * What both plan parsers agree on: which EXPLAIN properties are lists, which counters the text format hides
 * when they are zero, and which JSON-only properties carry nothing the text format shows. Applying these rules
 * is what makes the same plan in TEXT and JSON produce the same model.
 */
import type { Buffers, IoTimings, PropValue } from "./plan-model.js";

/** Properties that EXPLAIN JSON prints as arrays and EXPLAIN text as comma-separated lists. */
export const LIST_PROPS: ReadonlySet<string> = new Set([
  "Sort Key",
  "Group Key",
  "Presorted Key",
  "Output",
  "Conflict Arbiter Indexes",
  "Full-sort Sort Methods",
  "Pre-sorted Sort Methods",
]);

/** Counters the text format prints only when non-zero, so a zero in JSON means "not shown". */
const ZERO_MEANS_ABSENT: ReadonlySet<string> = new Set([
  "Rows Removed by Filter",
  "Rows Removed by Index Recheck",
  "Rows Removed by Join Filter",
  "Rows Removed by Conflict Filter",
  "Exact Heap Blocks",
  "Lossy Heap Blocks",
  "WAL Records",
  "WAL FPI",
  "WAL Bytes",
  "WAL Buffers Full",
  "Planned Partitions",
  "Disk Usage",
  "Subplans Removed",
]);

/** JSON-only facts with no text counterpart, or defaults the text format leaves unsaid. */
const JSON_ONLY_DEFAULTS: Readonly<Record<string, PropValue>> = {
  "Inner Unique": "*",
  "Single Copy": false,
  Disabled: false,
};

/** Details the text format leaves unsaid because they are the default. */
export const DEFAULT_DETAILS: Readonly<Record<string, string>> = {
  "Partial Mode": "Simple",
  "Scan Direction": "Forward",
};

/** Node properties that become `details` rather than `props`. */
export const DETAIL_KEYS = [
  "Strategy",
  "Partial Mode",
  "Join Type",
  "Command",
  "Operation",
  "Scan Direction",
  "Custom Plan Provider",
] as const;

export const BUFFER_JSON_KEYS: Record<string, keyof Buffers> = {
  "Shared Hit Blocks": "sharedHit",
  "Shared Read Blocks": "sharedRead",
  "Shared Dirtied Blocks": "sharedDirtied",
  "Shared Written Blocks": "sharedWritten",
  "Local Hit Blocks": "localHit",
  "Local Read Blocks": "localRead",
  "Local Dirtied Blocks": "localDirtied",
  "Local Written Blocks": "localWritten",
  "Temp Read Blocks": "tempRead",
  "Temp Written Blocks": "tempWritten",
};

/** PostgreSQL 13-16 call the shared (and local) timing "I/O Read Time"; 17+ split it. */
export const IO_TIMING_JSON_KEYS: Record<string, keyof IoTimings> = {
  "I/O Read Time": "sharedReadMs",
  "I/O Write Time": "sharedWriteMs",
  "Shared I/O Read Time": "sharedReadMs",
  "Shared I/O Write Time": "sharedWriteMs",
  "Local I/O Read Time": "localReadMs",
  "Local I/O Write Time": "localWriteMs",
  "Temp I/O Read Time": "tempReadMs",
  "Temp I/O Write Time": "tempWriteMs",
};

/** The object a scan names, by node type: EXPLAIN JSON uses a different key for each. */
export const OBJECT_NAME_JSON_KEYS = [
  "Relation Name",
  "Function Name",
  "CTE Name",
  "Tuplestore Name",
  "Table Function Name",
] as const;

export function isAllZero(record: object): boolean {
  return Object.values(record).every((v) => v === 0);
}

/** Drop what the text format would not show, so both parsers yield the same props. */
export function normaliseProps(props: Record<string, PropValue>): Record<string, PropValue> {
  for (const key of Object.keys(props)) {
    const value = props[key];
    if (ZERO_MEANS_ABSENT.has(key) && value === 0) delete props[key];
    else if (
      key in JSON_ONLY_DEFAULTS &&
      (JSON_ONLY_DEFAULTS[key] === "*" || JSON_ONLY_DEFAULTS[key] === value)
    )
      delete props[key];
  }
  if (props["Original Hash Buckets"] === props["Hash Buckets"]) delete props["Original Hash Buckets"];
  if (props["Original Hash Batches"] === props["Hash Batches"]) delete props["Original Hash Batches"];
  return props;
}
