import type { Finding } from "../../findings/finding.js";
import { ident, qname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import type { HealthFacts } from "./health-facts.js";

type Options = Record<string, never>;

/** A CHECK or FOREIGN KEY added NOT VALID and never validated: old rows are unchecked. */
export const notValidConstraint: Rule<HealthFacts, Options> = {
  id: "health/not-valid-constraint",
  family: "health",
  group: "tables",
  title: "Constraint never validated",
  description:
    "A constraint added with NOT VALID is enforced for new rows only. Until it is validated, existing rows may break it and the planner cannot rely on it.",
  maxSeverity: "warning",
  docsUrl:
    "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT",
  options: {},
  check({ snapshot }) {
    return snapshot.constraints
      .filter((c) => !c.validated && (c.type === "check" || c.type === "foreign" || c.type === "not-null"))
      .map(
        (c): Finding => ({
          ruleId: this.id,
          severity: "info",
          title: `${c.type === "foreign" ? "Foreign key" : "Constraint"} ${c.name} on ${c.table} is NOT VALID`,
          detail: `${c.definition}: existing rows were never checked against it.`,
          evidence: { constraint: c.name, table: c.table, type: c.type, definition: c.definition },
          fix: {
            sql: sql`ALTER TABLE ${qname(c.schema, c.table)} VALIDATE CONSTRAINT ${ident(c.name)};`,
            note: "VALIDATE scans the table under a SHARE UPDATE EXCLUSIVE lock (foreign keys also take ROW SHARE on the referenced table): reads and writes continue.",
          },
          docsUrl: this.docsUrl,
          impact: 1,
          objects: [`${c.schema}.${c.table}`, `${c.schema}.${c.name}`],
        }),
      );
  },
};
