import { relationName, relationParts } from "../../facts/migration/lock-model.js";
import { isExistingTable } from "../../facts/migration/migration-set.js";
import { ident, list, type SqlText, sql } from "../../util/sql-text.js";
import { columnConstraints } from "./column-def.js";
import { alterTableCommands, type MigrationHit, migrationRule } from "./migration-rule.js";
import {
  columnConstraintEnd,
  edit,
  keywordAt,
  nodeOffset,
  relationSql,
  slice,
  statementTokens,
} from "./statement-text.js";

type Node = Record<string, unknown>;

/**
 * A constraint written inside ADD COLUMN is built or checked while the ALTER holds ACCESS EXCLUSIVE: UNIQUE and
 * PRIMARY KEY build their index under it, REFERENCES also takes SHARE ROW EXCLUSIVE on the referenced table and
 * scans, CHECK scans. (Measured with pg_locks on PostgreSQL 15 and 18: ADD COLUMN ... REFERENCES holds
 * AccessExclusiveLock on the table and ShareRowExclusiveLock on the referenced one.) Django writes exactly
 * these for `unique=True` and for a ForeignKey.
 */
export const addColumnConstraint = migrationRule({
  id: "migration/add-column-constraint",
  title: "Constraint built inside ADD COLUMN",
  description:
    "ADD COLUMN ... UNIQUE (or PRIMARY KEY) builds a unique index while reads and writes of the table wait; ADD COLUMN ... REFERENCES scans the table and blocks writes to the referenced table too; ADD COLUMN ... CHECK scans under ACCESS EXCLUSIVE. Add the column bare, then build the index CONCURRENTLY and attach it, or add the constraint NOT VALID and VALIDATE it separately.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
  check(st) {
    const hits: MigrationHit[] = [];
    const commands = alterTableCommands(st);
    for (const { table, rel, cmd } of commands) {
      if (cmd.subtype !== "AT_AddColumn" || !table || !isExistingTable(st, table)) continue;
      const def = (cmd.def as Node).ColumnDef as Node;
      const column = String(def.colname);
      const t = relationSql(rel);
      const bare = relationParts(rel)?.name ?? table;
      const risky = columnConstraints(def).filter((c) =>
        ["CONSTR_UNIQUE", "CONSTR_PRIMARY", "CONSTR_FOREIGN", "CONSTR_CHECK"].includes(String(c.contype)),
      );
      if (!risky.length) continue;
      // The recipe rewrites the user's statement, so only for an ALTER TABLE that does this one thing.
      const spans = commands.length === 1 && t ? risky.map((c) => span(st, c)) : [];
      const recipe =
        spans.length === risky.length && spans.every((x) => x !== null)
          ? (spans as Array<NonNullable<(typeof spans)[number]>>)
          : null;
      const steps: SqlText[] = recipe
        ? [
            edit(
              st,
              recipe.map((x) => ({ at: x.cut, to: x.end, text: sql`` })),
            ),
          ]
        : [];
      const parts: string[] = [];
      let fkOn: string | null = null;
      let severity: "error" | "warning" = "warning";
      for (const [i, c] of risky.entries()) {
        const kind = String(c.contype);
        const x = recipe?.[i];
        if (kind === "CONSTR_UNIQUE" || kind === "CONSTR_PRIMARY") {
          severity = "error";
          const word = kind === "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY";
          parts.push(word);
          const index = ident(String(c.conname ?? `${bare}_${column}_${word === "UNIQUE" ? "key" : "pkey"}`));
          // A new column cannot become a primary key until every row has a value: no one-step recipe.
          if (word === "PRIMARY KEY") steps.length = 0;
          if (t && steps.length)
            steps.push(
              sql`CREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${t} (${ident(column)})${c.nulls_not_distinct ? sql` NULLS NOT DISTINCT` : sql``};`,
              sql`ALTER TABLE ${t} ADD CONSTRAINT ${index} UNIQUE USING INDEX ${index};`,
            );
        } else {
          const fk = kind === "CONSTR_FOREIGN";
          parts.push(fk ? "REFERENCES" : "CHECK");
          if (fk) {
            severity = "error";
            fkOn = relationName(c.pktable);
          }
          const name = ident(String(c.conname ?? `${bare}_${column}_${fk ? "fkey" : "check"}`));
          // The constraint's own text from its REFERENCES or CHECK keyword on, as the user wrote it.
          const body = x ? keywordAt(st, fk ? "REFERENCES" : "CHECK", x.start) : null;
          const clause = x && body ? slice(st, body.start, x.end) : null;
          if (!clause || !t) steps.length = 0;
          else if (steps.length)
            steps.push(
              fk
                ? sql`ALTER TABLE ${t} ADD CONSTRAINT ${name} FOREIGN KEY (${ident(column)}) ${clause} NOT VALID;`
                : sql`ALTER TABLE ${t} ADD CONSTRAINT ${name} ${clause} NOT VALID;`,
              sql`ALTER TABLE ${t} VALIDATE CONSTRAINT ${name};`,
            );
        }
      }
      const what = parts.join(" and ");
      const harms = [
        parts.includes("UNIQUE") || parts.includes("PRIMARY KEY")
          ? "the unique index is built while reads and writes wait"
          : null,
        fkOn ? `writes to ${fkOn} wait (SHARE ROW EXCLUSIVE) while the foreign key is checked` : null,
        parts.includes("CHECK") ? "every row is checked while reads and writes wait" : null,
      ].filter(Boolean);
      hits.push({
        severity,
        title: `${what} on the new column ${table}.${column} ${fkOn ? `blocks writes to ${fkOn} and ` : ""}is built while ${table} is locked`,
        detail: `The constraint is built inside the ALTER, which holds ACCESS EXCLUSIVE on ${table}: ${harms.join("; ")}.`,
        table,
        lock: "AccessExclusiveLock",
        scan: true,
        fix: {
          ...(steps.length > 1 ? { sql: list(steps, "\n") } : {}),
          note: parts.includes("PRIMARY KEY")
            ? "A new column cannot be a primary key of a table with rows until it is filled: add it, backfill it, build a unique index CONCURRENTLY, then ADD PRIMARY KEY USING INDEX."
            : "Add the column bare; build a unique index CONCURRENTLY (outside a transaction) and attach it as the constraint; add a foreign key or check NOT VALID (instant, enforced for new rows) and VALIDATE it in its own transaction, which holds only SHARE UPDATE EXCLUSIVE.",
        },
      });
    }
    return hits;
  },
});

/** Where a column constraint is in the statement: its start, its end, and where to cut it with the space before it. */
function span(
  st: Parameters<typeof statementTokens>[0],
  c: Node,
): { start: number; end: number; cut: number } | null {
  const start = nodeOffset(st, c.location);
  if (start === null) return null;
  const before = statementTokens(st)
    .filter((t) => t.end <= start)
    .at(-1);
  return { start, end: columnConstraintEnd(st, start), cut: before?.end ?? start };
}
