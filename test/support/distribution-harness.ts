/**
 * Snapshots for the Citus distribution-column tests: tables and pg_stat_statements rows written by hand, set into
 * a captured snapshot (test/fixtures/snapshots/pg15-capture.json) so distributionFacts reads them as it reads a
 * real one.
 */
import type { Snapshot } from "../../src/facts/snapshot.js";
import { captureSnapshot } from "./rule-harness.js";

export interface TableSpec {
  schema?: string;
  rows: number;
  columns: string[];
  /** Primary key columns. */
  primaryKey?: string[];
  /** Foreign keys: the columns and the table (as named in the spec, same schema) they point at. */
  foreignKeys?: Array<{ columns: string[]; references: string }>;
}

/** A snapshot holding only these tables and these statements (query, calls, total ms). */
export function distributionSnapshot(
  tables: Record<string, TableSpec>,
  statements: Array<[query: string, calls: number, totalMs: number]>,
): Snapshot {
  const base = captureSnapshot("pg15");
  const entries = Object.entries(tables).map(([name, t], i) => ({ name, t, oid: 900_000 + i }));
  return {
    ...base,
    tables: entries.map(({ name, t, oid }) => ({
      oid,
      schema: t.schema ?? "public",
      name,
      kind: "table" as const,
      parent: null,
      persistence: "permanent" as const,
      rowsEstimate: t.rows,
      pages: Math.ceil(t.rows / 50),
      sizeBytes: t.rows * 160,
      totalBytes: t.rows * 200,
      options: [],
      frozenXidAge: null,
      minMxidAge: null,
      rowWidth: 120,
      anyNulls: false,
      columns: t.columns.map((c, position) => ({
        name: c,
        position: position + 1,
        type: "bigint",
        notNull: true,
        default: null,
        identity: "",
        generated: "",
      })),
      stats: null,
    })),
    indexes: [],
    columnStats: [],
    constraints: entries.flatMap(({ name, t }) => [
      ...(t.foreignKeys ?? []).map((k, i) => ({
        schema: t.schema ?? "public",
        table: name,
        name: `${name}_fk${i + 1}`,
        type: "foreign" as const,
        definition: `FOREIGN KEY (${k.columns.join(", ")})`,
        columns: k.columns,
        validated: true,
        refSchema: tables[k.references]?.schema ?? "public",
        refTable: k.references,
        refColumns: [],
      })),
      ...(t.primaryKey
        ? [
            {
              schema: t.schema ?? "public",
              table: name,
              name: `${name}_pkey`,
              type: "primary" as const,
              definition: `PRIMARY KEY (${t.primaryKey.join(", ")})`,
              columns: t.primaryKey,
              validated: true,
              refSchema: null,
              refTable: null,
              refColumns: [],
            },
          ]
        : []),
    ]),
    workload: {
      source: "pg_stat_statements",
      problem: null,
      statsResetAt: null,
      totalCalls: statements.reduce((n, s) => n + s[1], 0),
      totalMs: statements.reduce((n, s) => n + s[2], 0),
      statements: statements.map(([query, calls, totalMs], i) => ({
        queryId: String(i + 1),
        query,
        userName: "app",
        toplevel: true,
        calls,
        totalMs,
        meanMs: totalMs / calls,
        minMs: 0,
        maxMs: totalMs / calls,
        stddevMs: 0,
        rows: calls,
        planningMs: 0,
        sharedBlksHit: 0,
        sharedBlksRead: 0,
        sharedBlksDirtied: 0,
        sharedBlksWritten: 0,
        tempBlksRead: 0,
        tempBlksWritten: 0,
        blkReadMs: 0,
        blkWriteMs: 0,
      })),
    },
  };
}
