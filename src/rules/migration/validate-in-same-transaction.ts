import { ident, sql } from "../../util/sql-text.js";
import { alterTableCommands, migrationRule } from "./migration-rule.js";
import { relationSql } from "./statement-text.js";

type Node = Record<string, unknown>;

/** VALIDATE in the transaction that added the constraint NOT VALID keeps the add's lock for the whole scan. */
export const validateInSameTransaction = migrationRule({
  id: "migration/validate-in-same-transaction",
  title: "VALIDATE CONSTRAINT in the transaction that added it",
  description:
    "The point of NOT VALID is to validate later without blocking. In the same transaction, the ACCESS EXCLUSIVE (or SHARE ROW EXCLUSIVE) lock taken by the ADD is still held while VALIDATE scans the table.",
  maxSeverity: "error",
  docsUrl:
    "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT",
  check(st, facts) {
    if (st.transaction === null) return [];
    return alterTableCommands(st).flatMap(({ table, rel, cmd }) => {
      if (cmd.subtype !== "AT_ValidateConstraint" || !table) return [];
      const name = String(cmd.name);
      const addedHere = facts.statements.some(
        (s) =>
          s !== st &&
          s.transaction === st.transaction &&
          facts.statements.indexOf(s) < facts.statements.indexOf(st) &&
          alterTableCommands(s).some(
            (x) =>
              x.cmd.subtype === "AT_AddConstraint" &&
              ((x.cmd.def as Node).Constraint as Node).conname === name,
          ),
      );
      const target = relationSql(rel);
      if (!addedHere || !target) return [];
      return [
        {
          severity: "error" as const,
          title: `VALIDATE CONSTRAINT ${name} runs while the ADD's lock on ${table} is still held`,
          detail: `${name} was added NOT VALID earlier in this transaction; its lock lasts until COMMIT, so the validation scan blocks ${table} after all.`,
          table,
          lock: "AccessExclusiveLock" as const,
          scan: true,
          fix: {
            sql: sql`COMMIT;\nALTER TABLE ${target} VALIDATE CONSTRAINT ${ident(name)};`,
            note: "Commit after the NOT VALID add and validate in a transaction of its own (a separate migration when the runner wraps each file).",
          },
        },
      ];
    });
  },
});
