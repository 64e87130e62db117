import { relationParts } from "../../facts/migration/lock-model.js";
import {
  isExistingTable,
  type MigrationFacts,
  type MigrationStatement,
  normaliseTable,
} from "../../facts/migration/migration-set.js";
import { ident, list, qname, sql } from "../../util/sql-text.js";
import { alterTableCommands, migrationRule } from "./migration-rule.js";

type Node = Record<string, unknown>;

/**
 * SET NOT NULL scans the whole table under ACCESS EXCLUSIVE to prove there is no NULL, unless a validated
 * CHECK (col IS NOT NULL) already proves it (12+). The recipe builds that proof without blocking.
 */
export const setNotNull = migrationRule({
  id: "migration/set-not-null",
  title: "SET NOT NULL scans the table under an exclusive lock",
  description:
    "ALTER COLUMN ... SET NOT NULL reads every row while holding ACCESS EXCLUSIVE. From PostgreSQL 12 it skips the scan when a validated CHECK (column IS NOT NULL) exists: add it NOT VALID, VALIDATE it (no blocking lock), then SET NOT NULL. PostgreSQL 18 adds NOT NULL constraints that can be NOT VALID themselves.",
  maxSeverity: "error",
  docsUrl:
    "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL",
  check(st, facts) {
    return alterTableCommands(st).flatMap(({ table, rel, cmd }) => {
      const parts = relationParts(rel);
      if (cmd.subtype !== "AT_SetNotNull" || !table || !parts || !isExistingTable(st, table)) return [];
      const column = String(cmd.name);
      const proof = notNullProof(facts, st, table, column);
      if (proof === true) return [];
      const t = qname(parts.schema, parts.name);
      const c = ident(column);
      // The name PostgreSQL would give a NOT NULL constraint (table_column_not_null), quoted like any other name.
      const name = ident(`${parts.name}_${column}_not_null`);
      const steps =
        facts.pgVersion >= 18
          ? [
              sql`ALTER TABLE ${t} ADD CONSTRAINT ${name} NOT NULL ${c} NOT VALID;`,
              sql`ALTER TABLE ${t} VALIDATE CONSTRAINT ${name};`,
            ]
          : [
              sql`ALTER TABLE ${t} ADD CONSTRAINT ${name} CHECK (${c} IS NOT NULL) NOT VALID;`,
              sql`ALTER TABLE ${t} VALIDATE CONSTRAINT ${name};`,
              sql`ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`,
              sql`ALTER TABLE ${t} DROP CONSTRAINT ${name};`,
            ];
      // A constraint validated earlier whose definition is in an earlier migration (the two-migration pattern):
      // the scan is skipped if it is the CHECK (column IS NOT NULL), which the lint cannot see.
      const unseen = proof
        ? ` unless ${proof.name} (validated at line ${proof.line}) is CHECK (${column} IS NOT NULL)`
        : "";
      return [
        {
          severity: proof ? ("warning" as const) : ("error" as const),
          title: `SET NOT NULL on ${table}.${column} reads the whole table while blocking it${unseen}`,
          detail: `PostgreSQL checks every row of ${table} for NULLs while holding ACCESS EXCLUSIVE: reads and writes wait for the full scan.${proof ? ` ${proof.name} was added before these files, so its definition is not known here: if it is CHECK (${column} IS NOT NULL), validated, the scan is skipped and this is safe.` : ""}`,
          table,
          lock: "AccessExclusiveLock" as const,
          scan: true,
          fix: {
            sql: list(steps, "\n"),
            note:
              facts.pgVersion >= 18
                ? "PostgreSQL 18: the NOT VALID NOT NULL constraint is added instantly and validated without blocking reads or writes; run the VALIDATE in its own transaction."
                : "Adding NOT VALID is instant; VALIDATE scans with SHARE UPDATE EXCLUSIVE (reads and writes go on); SET NOT NULL then uses the validated check instead of scanning. Run each in its own transaction.",
          },
        },
      ];
    });
  },
});

/**
 * true: a validated CHECK (column IS NOT NULL) on the table proves there is no NULL: one an earlier statement of
 * the set added and validated, or (with --db) one of the database, validated there or by the set. Else, without
 * --db, the last constraint the set validated that it did not add and whose name says it may be that CHECK (its
 * definition is unknown), if any: a foreign key, primary key, unique or exclusion constraint proves nothing.
 */
function notNullProof(
  facts: MigrationFacts,
  st: MigrationStatement,
  table: string,
  column: string,
): true | { name: string; line: number } | null {
  const checks = new Map<string, boolean>();
  const added = new Set<string>();
  const validatedHere = new Map<string, number>();
  for (const earlier of facts.statements) {
    if (earlier === st) break;
    for (const { table: t, cmd } of alterTableCommands(earlier)) {
      if (!t || normaliseTable(t) !== normaliseTable(table)) continue;
      const c = (cmd.def as Node | undefined)?.Constraint as Node | undefined;
      const test = (c?.raw_expr as Node | undefined)?.NullTest as Node | undefined;
      const tested = (
        (((test?.arg as Node | undefined)?.ColumnRef as Node | undefined)?.fields as Node[]) ?? []
      ).at(-1);
      if (
        cmd.subtype === "AT_AddConstraint" &&
        c?.contype === "CONSTR_CHECK" &&
        test?.nulltesttype === "IS_NOT_NULL" &&
        (tested?.String as Node | undefined)?.sval === column
      )
        checks.set(String(c.conname ?? ""), !c.skip_validation);
      if (cmd.subtype === "AT_AddConstraint" && c?.conname) added.add(String(c.conname));
      if (cmd.subtype === "AT_ValidateConstraint" && checks.has(String(cmd.name)))
        checks.set(String(cmd.name), true);
      else if (cmd.subtype === "AT_ValidateConstraint" && !added.has(String(cmd.name)))
        validatedHere.set(String(cmd.name), earlier.line);
    }
  }
  if ([...checks.values()].some(Boolean)) return true;
  // With --db each constraint's definition is known: decide instead of assuming.
  if (facts.constraints) {
    const known = facts.constraints.get(normaliseTable(table)) ?? new Map();
    for (const [name, k] of known)
      if (
        !added.has(name) &&
        k.type === "c" &&
        (k.validated || validatedHere.has(name)) &&
        checksNotNull(k.definition, column)
      )
        return true;
    return null;
  }
  let unseen: { name: string; line: number } | null = null;
  for (const [name, line] of validatedHere) if (mayBeNotNullCheck(name, column)) unseen = { name, line };
  return unseen;
}

/**
 * pg_get_constraintdef's CHECK ((col IS NOT NULL)), alone or as one of the top-level ANDed conditions (PostgreSQL
 * proves NOT NULL from either). It parenthesises every condition, so the top level is read by counting them.
 */
export function checksNotNull(definition: string, column: string): boolean {
  const m = /^CHECK \((.*)\)( NOT VALID)?$/s.exec(definition);
  if (!m?.[1]) return false;
  const wanted = `(${ident(column)} IS NOT NULL)`;
  const body = m[1];
  if (body === wanted) return true;
  if (!body.startsWith("(") || !body.endsWith(")")) return false;
  return topLevelConjuncts(body.slice(1, -1)).includes(wanted);
}

/** "(a) AND (b) AND (c)" → its three parts; a text with an operator other than AND at the top → []. */
function topLevelConjuncts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (depth === 0 && text.startsWith(" AND ", i)) {
      parts.push(text.slice(from, i));
      from = i + 5;
      i += 4;
    } else if (depth === 0 && ch !== " ") {
      // Between the parenthesised parts only AND may stand at the top.
      const word = text.slice(i).match(/^\S+/)?.[0] ?? "";
      if (word !== "AND") return [];
    }
  }
  parts.push(text.slice(from));
  return parts;
}

/**
 * Without --db, a constraint validated by the set but added before it: may it be CHECK (column IS NOT NULL)?
 * Only when its name says so (the column, check, not null) and not a foreign key, key or exclusion constraint.
 */
function mayBeNotNullCheck(name: string, column: string): boolean {
  const n = name.toLowerCase();
  if (/(^|_)(fk|fkey|pk|pkey|key|uq|uniq|unique|excl|idx)$/.test(n)) return false;
  return n.includes(column.toLowerCase()) || /(^|_)(check|chk|ck|not_?null|nn)($|_)/.test(n);
}
