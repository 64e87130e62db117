import { leafTables, summedSize } from "../../facts/partition-tree.js";
import type { Snapshot, TableFacts } from "../../facts/snapshot.js";
import { tableObject } from "../../facts/snapshot-accessors.js";
import type { Finding, Fix } from "../../findings/finding.js";
import { formatCount } from "../../util/format.js";
import { freeName, quoteIdent } from "../../util/sql-identifiers.js";
import {
  comment,
  ident,
  lines,
  list,
  literal,
  qname,
  type SqlText,
  sql,
  sqlFrom,
} from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";
import { freeRelationName, indexKeyColumn } from "./index-fix-suggestion.js";

type Options = { minRows: number; onlineFromRows: number };

/**
 * A table with no primary key (nor a unique index on NOT NULL columns that could be one). A partitioned table
 * is reported once, for itself and its partitions (a partition inherits its parent's key); its key must hold
 * the partition key's columns, and ADD PRIMARY KEY USING INDEX is refused on it.
 */
export const missingPrimaryKey: Rule<HealthFacts, Options> = {
  id: "health/missing-primary-key",
  family: "health",
  group: "tables",
  title: "Table without a primary key",
  description:
    "A table with no primary key: duplicate rows cannot be told apart, logical replication cannot replicate its updates and deletes, and many tools (pg_repack, ORMs) need one. A partitioned table without one is reported once, with its partitions.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-PRIMARY-KEYS",
  options: {
    minRows: { default: 0, description: "rows below which a table is not reported" },
    onlineFromRows: {
      default: 1_000_000,
      description: "rows from which the recipe adds the key without rewriting the table under a long lock",
    },
  },
  check({ snapshot }, o) {
    const withKey = new Set(
      snapshot.constraints.filter((c) => c.type === "primary").map((c) => `${c.schema}.${c.table}`),
    );
    const plain = snapshot.tables
      .filter((t) => t.kind === "table" && t.parent === null && !withKey.has(`${t.schema}.${t.name}`))
      .filter((t) => t.rowsEstimate >= o.minRows);
    const partitioned = snapshot.tables
      .filter((t) => t.kind === "partitioned" && t.parent === null && !withKey.has(`${t.schema}.${t.name}`))
      .filter((t) => summedSize(snapshot, t).rows >= o.minRows)
      .map((t) => partitionedFinding(snapshot, t, this));
    return [
      ...partitioned,
      ...plain.map((table): Finding => {
        const candidate = snapshot.indexes.find(
          (i) =>
            i.tableSchema === table.schema &&
            i.table === table.name &&
            i.isUnique &&
            i.isValid &&
            i.predicate === null &&
            i.columns
              .slice(0, i.keyColumnCount)
              // pg_get_indexdef prints a key column quoted where it needs quotes.
              .every((c) => table.columns.find((col) => quoteIdent(col.name) === c)?.notNull),
        );
        const name = qname(table.schema, table.name);
        return {
          ruleId: this.id,
          severity: table.rowsEstimate >= 10_000 ? "warning" : "info",
          title: `${table.name} has no primary key (${formatCount(table.rowsEstimate)} rows)`,
          detail: candidate
            ? `The unique index ${candidate.name} on NOT NULL columns can become the primary key without a table scan.`
            : "Add a key column (an identity), or make an existing unique, non-null set of columns the primary key.",
          evidence: {
            table: table.name,
            rows: Math.round(table.rowsEstimate),
            candidateIndex: candidate?.name ?? null,
          },
          fix: candidate
            ? {
                sql: sql`ALTER TABLE ${name} ADD PRIMARY KEY USING INDEX ${ident(candidate.name)};`,
                note: `Takes a brief ACCESS EXCLUSIVE lock; no rewrite, no scan (the columns are already NOT NULL). The index is renamed to the constraint's name.`,
              }
            : table.rowsEstimate >= o.onlineFromRows
              ? onlineKey(snapshot, table)
              : {
                  sql: sql`ALTER TABLE ${name} ADD COLUMN ${ident(freeColumn(table))} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;`,
                  note: "Adding an identity column rewrites the table and builds the index under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it is done: fine for a small table; for a large one, add the column without rewriting, fill it in batches and build the index CONCURRENTLY (dbopt prints those steps for tables from onlineFromRows rows), or make existing unique columns the key.",
                },
          docsUrl: this.docsUrl,
          impact: table.rowsEstimate,
          objects: [tableObject(table)],
        };
      }),
    ];
  },
};

/** A partitioned table without a key: one finding for it and its partitions. */
function partitionedFinding(
  snapshot: Snapshot,
  table: TableFacts,
  rule: { id: string; docsUrl: string },
): Finding {
  const rows = summedSize(snapshot, table).rows;
  const leaves = leafTables(snapshot, table.schema, table.name);
  // undefined: a snapshot from before partition keys were collected.
  const keyColumns = table.partitionKeyColumns;
  const name = qname(table.schema, table.name);
  const notNull = (c: string) => table.columns.find((col) => quoteIdent(col.name) === c)?.notNull;
  // A unique index on the parent whose keys are NOT NULL (it holds the partition key, or PostgreSQL would
  // have refused it): the same columns make the key.
  const candidate = snapshot.indexes.find(
    (i) =>
      i.tableSchema === table.schema &&
      i.table === table.name &&
      i.isUnique &&
      i.predicate === null &&
      i.columns.slice(0, i.keyColumnCount).every(notNull),
  );
  let fix: Fix | undefined;
  let detail: string;
  if (keyColumns === undefined) {
    detail = `Neither ${table.name} nor its ${leaves.length} partitions have a primary key. A partitioned table's key must include the partition key's columns (this snapshot does not record them: collect a new one for the statement).`;
  } else if (keyColumns === null) {
    detail = `${table.name} is partitioned by an expression (${table.partitionKey ?? "?"}): PostgreSQL accepts no primary key or unique constraint on it, since a key must hold the partition key's plain columns. A key per partition is possible, or partitioning by a column.`;
  } else if (candidate) {
    const columns = candidate.columns.slice(0, candidate.keyColumnCount);
    detail = `The unique index ${candidate.name} on NOT NULL columns can become the primary key. ADD PRIMARY KEY USING INDEX is refused on a partitioned table, so the key builds its own index.`;
    fix = {
      sql: sql`ALTER TABLE ${name} ADD PRIMARY KEY (${list(columns.map((c) => sqlColumn(c)))});`,
      note: `Builds a unique index on each of the ${leaves.length} partitions under an ACCESS EXCLUSIVE lock on ${table.name} and its partitions. ${candidate.name} is then redundant: drop it once the key exists.`,
    };
  } else {
    const column = freeColumn(table);
    const seq = freeRelationName(snapshot, table.schema, `${table.name}_${column}_seq`);
    const seqName = qname(table.schema, seq);
    const col = ident(column);
    detail = `Neither ${table.name} nor its ${leaves.length} partition${leaves.length === 1 ? "" : "s"} have a primary key (a partition inherits its parent's). A partitioned table's key must include the partition key column${keyColumns.length === 1 ? "" : "s"} (${keyColumns.join(", ")}): PostgreSQL refuses one without them.`;
    fix = {
      sql: lines([
        sql`CREATE SEQUENCE ${seqName} AS bigint;`,
        sql`ALTER TABLE ${name} ADD COLUMN ${col} bigint NOT NULL DEFAULT nextval(${literal(seqName)}::regclass);`,
        sql`ALTER SEQUENCE ${seqName} OWNED BY ${name}.${col};`,
        sql`ALTER TABLE ${name} ADD PRIMARY KEY (${list([col, ...keyColumns.map(ident)])});`,
      ]),
      note: `A new key column numbered by a sequence, and the key (${[column, ...keyColumns].join(", ")}) with the partition key as PostgreSQL requires. Adding the column rewrites every partition, and ADD PRIMARY KEY builds each partition's index, under an ACCESS EXCLUSIVE lock on ${table.name} and its partitions (an identity column cannot be added to a partitioned table that has partitions before PostgreSQL 17). On large partitions, build a unique index on the same columns on each partition CONCURRENTLY first: ADD PRIMARY KEY attaches them instead of building. If some existing columns are unique together with ${keyColumns.join(", ")}, make them the key instead.`,
    };
  }
  return {
    ruleId: rule.id,
    severity: rows >= 10_000 ? "warning" : "info",
    title: `${table.name} (partitioned, ${leaves.length} partition${leaves.length === 1 ? "" : "s"}) has no primary key (${formatCount(rows)} rows)`,
    detail,
    evidence: {
      table: table.name,
      rows: Math.round(rows),
      partitions: leaves.length,
      partitionKey: table.partitionKey ?? null,
      candidateIndex: candidate?.name ?? null,
    },
    ...(fix ? { fix } : {}),
    docsUrl: rule.docsUrl,
    impact: rows,
    objects: [tableObject(table)],
  };
}

/** A key item from pg_get_indexdef(oid, n, true): already quoted where needed. */
function sqlColumn(item: string): SqlText {
  const name = indexKeyColumn(item);
  return name === null ? sqlFrom("server", item) : ident(name);
}

/** The first of id, dbopt_id, dbopt_id2, ... that is not a column of the table. */
function freeColumn(table: TableFacts): string {
  const taken = new Set(table.columns.map((c) => c.name));
  if (!taken.has("id")) return "id";
  return freeName(taken, "dbopt_id");
}

/**
 * A key column added without a rewrite: a nullable column with a sequence default (both instant), the
 * existing rows numbered in batches, the unique index built CONCURRENTLY, NOT NULL proven by a CHECK validated
 * without a long lock (so SET NOT NULL, 12+, skips its scan), then the index promoted to the primary key.
 */
function onlineKey(snapshot: Snapshot, table: TableFacts): { sql: SqlText; note: string } {
  const t = qname(table.schema, table.name);
  const column = freeColumn(table);
  const col = ident(column);
  const seq = freeRelationName(snapshot, table.schema, `${table.name}_${column}_seq`);
  const index = freeRelationName(snapshot, table.schema, `${table.name}_pkey`);
  const taken = new Set(snapshot.constraints.filter((c) => c.schema === table.schema).map((c) => c.name));
  const check = freeName(taken, `${table.name}_${column}_not_null`);
  const seqName = qname(table.schema, seq);
  return {
    sql: lines([
      sql`CREATE SEQUENCE ${seqName} AS bigint;`,
      sql`ALTER TABLE ${t} ADD COLUMN ${col} bigint;`,
      sql`ALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT nextval(${literal(seqName)}::regclass);`,
      sql`ALTER SEQUENCE ${seqName} OWNED BY ${t}.${col};`,
      comment("number the existing rows, 10000 at a time: repeat until it updates 0 rows"),
      sql`UPDATE ${t} SET ${col} = nextval(${literal(seqName)}::regclass) WHERE ctid IN (SELECT ctid FROM ${t} WHERE ${col} IS NULL LIMIT 10000);`,
      sql`CREATE UNIQUE INDEX CONCURRENTLY ${ident(index)} ON ${t} (${col});`,
      sql`ALTER TABLE ${t} ADD CONSTRAINT ${ident(check)} CHECK (${col} IS NOT NULL) NOT VALID;`,
      sql`ALTER TABLE ${t} VALIDATE CONSTRAINT ${ident(check)};`,
      sql`ALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL;`,
      sql`ALTER TABLE ${t} ADD CONSTRAINT ${ident(index)} PRIMARY KEY USING INDEX ${ident(index)};`,
      sql`ALTER TABLE ${t} DROP CONSTRAINT ${ident(check)};`,
    ]),
    note: `GENERATED ... AS IDENTITY PRIMARY KEY in one statement would rewrite all ${formatCount(table.rowsEstimate)} rows under an ACCESS EXCLUSIVE lock. These steps take only brief locks: run them one at a time, outside a transaction block (CREATE INDEX CONCURRENTLY refuses one), and repeat the UPDATE until it updates no rows. SET NOT NULL uses the validated CHECK instead of a scan on PostgreSQL 12+. The column is filled by a sequence default rather than an identity; ALTER TABLE ... ALTER COLUMN ${column} ADD GENERATED BY DEFAULT AS IDENTITY can replace the default later (drop the default and the sequence, and start the identity after the largest value).`,
  };
}
