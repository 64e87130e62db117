import type { ConstraintFacts, TableFacts } from "../../facts/snapshot.js";
import { tableObject } from "../../facts/snapshot-accessors.js";
import type { Finding } from "../../findings/finding.js";
import { formatCount } from "../../util/format.js";
import { freeName } from "../../util/sql-identifiers.js";
import { ident, lines, qname, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = { minRows: number };

/**
 * Partitions that lack a foreign key most of their siblings declare on themselves (one declared on the parent
 * reaches every partition: PostgreSQL clones it on CREATE and on ATTACH PARTITION). A partition created by
 * hand and attached, or detached and attached again, misses what was added to each partition one by one.
 */
export const partitionMissingForeignKey: Rule<HealthFacts, Options> = {
  id: "health/partition-missing-foreign-key",
  family: "health",
  group: "tables",
  title: "Partition without its siblings' foreign key",
  description:
    "A partition that lacks a foreign key most of its sibling partitions declare: rows there are not checked against the referenced table, so orphans can appear in that partition only.",
  maxSeverity: "warning",
  docsUrl:
    "https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-MAINTENANCE",
  options: {
    minRows: { default: 0, description: "rows of the partitions lacking it below which it is not reported" },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    const takenIn = (schema: string) =>
      new Set(snapshot.constraints.filter((c) => c.schema === schema).map((c) => c.name));
    for (const parent of snapshot.tables.filter((t) => t.kind === "partitioned")) {
      const leaves = snapshot.tables.filter(
        (t) => t.parent === `${parent.schema}.${parent.name}` && t.kind !== "partitioned",
      );
      if (leaves.length < 3) continue;
      const fksOf = (t: TableFacts) =>
        snapshot.constraints.filter(
          (c) => c.type === "foreign" && c.schema === t.schema && c.table === t.name,
        );
      // The same foreign key on different partitions: its definition without NOT VALID.
      const shapeOf = (c: ConstraintFacts) => c.definition.replace(/ NOT VALID$/, "");
      const models = new Map<string, ConstraintFacts>();
      const holders = new Map<string, Set<TableFacts>>();
      for (const leaf of leaves)
        for (const fk of fksOf(leaf)) {
          const shape = shapeOf(fk);
          if (!fk.parent && (!models.has(shape) || (fk.validated && !models.get(shape)?.validated)))
            models.set(shape, fk);
          holders.set(shape, (holders.get(shape) ?? new Set()).add(leaf));
        }
      for (const [shape, model] of models) {
        const have = holders.get(shape)?.size ?? 0;
        const lacking = leaves.filter((l) => !holders.get(shape)?.has(l));
        if (lacking.length === 0 || have < 2 || have <= leaves.length / 2) continue;
        const rows = lacking.reduce((n, t) => n + t.rowsEstimate, 0);
        if (rows < o.minRows) continue;
        const names = lacking.map((t) => t.name).join(", ");
        const suffix = model.name.startsWith(`${model.table}_`)
          ? model.name.slice(model.table.length + 1)
          : model.name;
        const statements = lacking.flatMap((t) => {
          const taken = takenIn(t.schema);
          const name = ident(freeName(taken, `${t.name}_${suffix}`));
          const table = qname(t.schema, t.name);
          return [
            sql`ALTER TABLE ${table} ADD CONSTRAINT ${name} ${sqlFrom("server", shape)} NOT VALID;`,
            sql`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`,
          ];
        });
        findings.push({
          ruleId: this.id,
          severity: rows >= 10_000 ? "warning" : "info",
          title: `${lacking.length === 1 ? `Partition ${names} lacks` : `Partitions ${names} lack`} the foreign key ${model.name} that ${have} of ${parent.name}'s ${leaves.length} partitions have`,
          detail: `${names} (${formatCount(rows)} rows) ${lacking.length === 1 ? "does" : "do"} not check ${shape}: rows there can reference rows that do not exist.`,
          evidence: {
            table: parent.name,
            constraint: model.name,
            definition: shape,
            partitions: names,
            partitionsLacking: lacking.length,
            partitionsOf: leaves.length,
            rows: Math.round(rows),
          },
          fix: {
            sql: lines(statements),
            note: `NOT VALID adds the key at once for new rows (a brief SHARE ROW EXCLUSIVE lock); VALIDATE then checks the existing rows without blocking writes, and fails if some reference missing rows: find them first. Declared on ${parent.name} instead, the key would reach every partition, including future ones.`,
          },
          docsUrl: this.docsUrl,
          impact: rows,
          objects: [tableObject(parent), ...lacking.map(tableObject), `${model.schema}.${model.name}`],
        });
      }
    }
    return findings;
  },
};
