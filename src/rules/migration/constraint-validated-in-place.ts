import { relationName, relationParts } from "../../facts/migration/lock-model.js";
import { isExistingTable } from "../../facts/migration/migration-set.js";
import { ident, list, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import { alterTableCommands, type MigrationHit, migrationRule } from "./migration-rule.js";
import { clauseEnd, edit, names, nodeOffset, relationSql } from "./statement-text.js";

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
    for (const { table, rel, cmd } of alterTableCommands(st)) {
      if (cmd.subtype !== "AT_AddConstraint" || !table || !isExistingTable(st, table)) continue;
      const c = (cmd.def as Node).Constraint as Node;
      const name = c.conname ? String(c.conname) : null;
      const t = relationSql(rel);
      const bare = relationParts(rel)?.name ?? table;
      if ((c.contype === "CONSTR_CHECK" || c.contype === "CONSTR_FOREIGN") && !c.skip_validation) {
        const fk = c.contype === "CONSTR_FOREIGN";
        const referenced = fk ? relationName(c.pktable) : null;
        // An unnamed constraint gets the name PostgreSQL would choose, written into the statement so VALIDATE can name it.
        const named = fk ? names(c.fk_attrs) : [firstColumn(c.raw_expr)].filter((x): x is string => !!x);
        const chosen = name ?? [bare, ...named, fk ? "fkey" : "check"].join("_");
        const at = nodeOffset(st, c.location);
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
            ...(at !== null && t
              ? {
                  sql: sql`${edit(st, [
                    ...(name ? [] : [{ at, text: sql`CONSTRAINT ${ident(chosen)} ` }]),
                    { at: clauseEnd(st, at), text: sql` NOT VALID` },
                  ])}\nALTER TABLE ${t} VALIDATE CONSTRAINT ${ident(chosen)};`,
                }
              : {}),
            note: "NOT VALID applies the constraint to new rows at once; VALIDATE checks the old rows with SHARE UPDATE EXCLUSIVE, so reads and writes go on. Run the VALIDATE in a separate transaction.",
          },
        });
      } else if ((c.contype === "CONSTR_UNIQUE" || c.contype === "CONSTR_PRIMARY") && !c.indexname) {
        const kind = c.contype === "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY";
        const keys = names(c.keys);
        const including = names(c.including);
        const index = ident(name ?? `${bare}_${keys.join("_")}_${kind === "UNIQUE" ? "key" : "pkey"}`);
        const columns = (cols: string[]): SqlText => list(cols.map(ident));
        const build = sql`CREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${t ?? sql``} (${columns(keys)})${including.length ? sql` INCLUDE (${columns(including)})` : sql``}${c.nulls_not_distinct ? sql` NULLS NOT DISTINCT` : sql``};`;
        const attach = sql`ALTER TABLE ${t ?? sql``} ADD CONSTRAINT ${index} ${sqlFrom("dbopt", kind)} USING INDEX ${index};`;
        hits.push({
          severity: "error",
          title: `${kind} on ${table} builds its index while the table is locked`,
          detail: `Adding the ${kind} constraint builds a unique index holding ACCESS EXCLUSIVE on ${table}: reads and writes wait for the build.`,
          table,
          lock: "AccessExclusiveLock",
          scan: true,
          fix: {
            ...(t && keys.length ? { sql: sql`${build}\n${attach}` } : {}),
            note: `Build the index concurrently (outside a transaction), then attach it: the ALTER is then a catalog change${kind === "PRIMARY KEY" ? ", except that PRIMARY KEY also sets NOT NULL on its columns, which scans the table unless they are NOT NULL already (see migration/set-not-null)" : ""}.`,
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

/** The first column an expression names: PostgreSQL names an unnamed CHECK after it (orders_total_check). */
function firstColumn(expr: unknown): string | null {
  let found: string | null = null;
  const visit = (n: unknown) => {
    if (found || !n || typeof n !== "object") return;
    const ref = (n as Node).ColumnRef as Node | undefined;
    const field = names(ref?.fields).at(-1);
    if (ref && field) {
      found = field;
      return;
    }
    for (const v of Object.values(n as Node)) visit(v);
  };
  visit(expr);
  return found;
}
