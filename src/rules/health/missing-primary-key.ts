import type { Snapshot, TableFacts } from "../../facts/snapshot.js";
import type { Finding } from "../../findings/finding.js";
import { formatCount } from "../../util/format.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { comment, ident, lines, literal, qname, type SqlText, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { type HealthFacts, tableObject } from "./health-facts.js";
import { freeName, freeRelationName } from "./index-fix-suggestion.js";

type Options = { minRows: number; onlineFromRows: number };

/** A table with no primary key (nor a unique index on NOT NULL columns that could be one). */
export const missingPrimaryKey: Rule<HealthFacts, Options> = {
  id: "health/missing-primary-key",
  family: "health",
  group: "tables",
  title: "Table without a primary key",
  description:
    "A table with no primary key: duplicate rows cannot be told apart, logical replication cannot replicate its updates and deletes, and many tools (pg_repack, ORMs) need one.",
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
    return snapshot.tables
      .filter((t) => t.kind === "table" && t.parent === null && !withKey.has(`${t.schema}.${t.name}`))
      .filter((t) => t.rowsEstimate >= o.minRows)
      .map((table): Finding => {
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
      });
  },
};

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
