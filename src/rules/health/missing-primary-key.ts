import type { Finding } from "../../findings/finding.js";
import { formatCount } from "../../util/format.js";
import { qualifiedName } from "../../util/sql-identifiers.js";
import type { Rule } from "../rule.js";
import { type HealthFacts, tableObject } from "./health-facts.js";

type Options = { minRows: number };

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
  options: { minRows: { default: 0, description: "rows below which a table is not reported" } },
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
              .every((c) => table.columns.find((col) => col.name === c)?.notNull),
        );
        const name = qualifiedName(table.schema, table.name);
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
                sql: `ALTER TABLE ${name} ADD PRIMARY KEY USING INDEX ${qualifiedName(candidate.schema, candidate.name)};`,
                note: "Takes a brief ACCESS EXCLUSIVE lock; no rewrite.",
              }
            : {
                sql: `ALTER TABLE ${name} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;`,
                note: "Adding an identity column rewrites the table under an ACCESS EXCLUSIVE lock: do it in a maintenance window, or pick existing columns.",
              },
          docsUrl: this.docsUrl,
          impact: table.rowsEstimate,
          objects: [tableObject(table)],
        };
      });
  },
};
