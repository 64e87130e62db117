import { relationName } from "../../facts/migration/lock-model.js";
import { isExistingTable } from "../../facts/migration/migration-set.js";
import { alterTableCommands, type MigrationHit, migrationRule } from "./migration-rule.js";

type Node = Record<string, unknown>;

/**
 * A constraint added to an existing table is checked against every row while the ALTER's lock is held. CHECK and
 * FOREIGN KEY can be added NOT VALID and validated later without blocking; UNIQUE and PRIMARY KEY can take over
 * an index built CONCURRENTLY; EXCLUDE has no such path.
 */
export const constraintValidatedInPlace = migrationRule({
  id: "migration/constraint-validated-in-place",
  title: "Constraint checked against every row under the ALTER's lock",
  description:
    "ADD CONSTRAINT CHECK or FOREIGN KEY without NOT VALID scans the table (a foreign key also locks the referenced table with SHARE ROW EXCLUSIVE); UNIQUE or PRIMARY KEY without USING INDEX builds an index under ACCESS EXCLUSIVE; EXCLUDE always does.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
  check(st) {
    const hits: MigrationHit[] = [];
    for (const { table, cmd } of alterTableCommands(st)) {
      if (cmd.subtype !== "AT_AddConstraint" || !table || !isExistingTable(st, table)) continue;
      const c = (cmd.def as Node).Constraint as Node;
      const name = c.conname ? String(c.conname) : null;
      if ((c.contype === "CONSTR_CHECK" || c.contype === "CONSTR_FOREIGN") && !c.skip_validation) {
        const fk = c.contype === "CONSTR_FOREIGN";
        const referenced = fk ? relationName(c.pktable) : null;
        hits.push({
          severity: "error",
          title:
            `${fk ? "FOREIGN KEY" : "CHECK"} ${name ?? ""} on ${table} is validated while the table is locked`.replace(
              "  ",
              " ",
            ),
          detail: fk
            ? `Adding the foreign key scans ${table} holding SHARE ROW EXCLUSIVE on it and on ${referenced}: writes to both wait for the scan.`
            : `Adding the check scans ${table} holding ACCESS EXCLUSIVE: reads and writes wait for the scan.`,
          table,
          lock: fk ? "ShareRowExclusiveLock" : "AccessExclusiveLock",
          scan: true,
          fix: {
            sql: `${st.sql.replace(/;?\s*$/, "")} NOT VALID;\nALTER TABLE ${table} VALIDATE CONSTRAINT ${name ?? "<constraint name>"};`,
            note: "NOT VALID applies the constraint to new rows at once; VALIDATE checks the old rows with SHARE UPDATE EXCLUSIVE, so reads and writes go on. Run the VALIDATE in a separate transaction.",
          },
        });
      } else if ((c.contype === "CONSTR_UNIQUE" || c.contype === "CONSTR_PRIMARY") && !c.indexname) {
        const kind = c.contype === "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY";
        const keys = ((c.keys as Node[]) ?? []).map((k) => String((k.String as Node).sval)).join(", ");
        const index = name ?? `${table.replace(/.*\./, "")}_${keys.replace(/, /g, "_")}_key`;
        hits.push({
          severity: "error",
          title: `${kind} on ${table} builds its index while the table is locked`,
          detail: `Adding the ${kind} constraint builds a unique index holding ACCESS EXCLUSIVE on ${table}: reads and writes wait for the build.`,
          table,
          lock: "AccessExclusiveLock",
          scan: true,
          fix: {
            sql: `CREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${table} (${keys});\nALTER TABLE ${table} ADD CONSTRAINT ${index} ${kind} USING INDEX ${index};`,
            note: "Build the index concurrently (outside a transaction), then attach it: the ALTER is then a catalog change.",
          },
        });
      } else if (c.contype === "CONSTR_EXCLUSION") {
        hits.push({
          severity: "warning",
          title: `EXCLUDE constraint on ${table} builds its index while the table is locked`,
          detail: `An exclusion constraint builds its index under ACCESS EXCLUSIVE on ${table}, and cannot use an index built beforehand.`,
          table,
          lock: "AccessExclusiveLock",
          scan: true,
          fix: {
            note: "Run it in a maintenance window, or on a table small enough that the build takes moments.",
          },
        });
      }
    }
    return hits;
  },
});
