import type { MigrationStatement } from "../../facts/migration/migration-set.js";
import { bodyOf, migrationRule } from "./migration-rule.js";

type Node = Record<string, unknown>;

/**
 * ALTER DOMAIN ... ADD CONSTRAINT checks every column of that domain in every table, holding SHARE on each
 * (writes wait). NOT VALID defers the check, but VALIDATE CONSTRAINT takes the same SHARE lock: measured with
 * pg_locks on PostgreSQL 15.20 and 18.4. Unlike a table CHECK, a domain constraint has no non-blocking path.
 */
export const domainConstraint = migrationRule({
  id: "migration/domain-constraint",
  title: "Domain constraint checked under a write-blocking lock",
  description:
    "ALTER DOMAIN ... ADD CONSTRAINT (and ALTER DOMAIN ... VALIDATE CONSTRAINT) scans every column of the domain in every table while holding SHARE on each table: writes to all of them wait for the scan. NOT VALID only moves that scan to the VALIDATE, which takes the same lock. A table CHECK added NOT VALID validates under SHARE UPDATE EXCLUSIVE, which blocks no reads or writes.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-alterdomain.html",
  check(st, facts) {
    const alter = bodyOf(st, "AlterDomainStmt");
    if (!alter) return [];
    const domain = ((alter.typeName as Node[]) ?? [])
      .map((n) => String((n.String as Node | undefined)?.sval ?? ""))
      .join(".");
    const constraint = (alter.def as Node | undefined)?.Constraint as Node | undefined;
    const adding =
      (alter.subtype === "C" && constraint?.contype === "CONSTR_CHECK" && !constraint.skip_validation) ||
      alter.subtype === "O";
    const validating = alter.subtype === "V";
    if ((!adding && !validating) || createdEarlier(facts.statements, st, domain)) return [];
    return [
      {
        severity: "warning",
        title: `${adding ? "Adding a constraint to" : "Validating a constraint of"} domain ${domain} blocks writes to every table that uses it`,
        detail: `Every column of type ${domain} is checked, in every table, while each table is held with SHARE: inserts, updates and deletes wait until the scan ends.`,
        lock: "ShareLock",
        scan: true,
        fix: {
          note: "Put the rule on the tables instead: ALTER TABLE ... ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in its own transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on). Or run this when the tables using the domain are small or idle.",
        },
      },
    ];
  },
});

/** A domain the set itself created before this statement: no table of the running application uses it yet. */
function createdEarlier(statements: MigrationStatement[], st: MigrationStatement, domain: string): boolean {
  for (const earlier of statements) {
    if (earlier === st) return false;
    const create = earlier.stmt.CreateDomainStmt as Node | undefined;
    const name = ((create?.domainname as Node[]) ?? [])
      .map((n) => String((n.String as Node | undefined)?.sval ?? ""))
      .join(".");
    if (create && !earlier.applied && name === domain) return true;
  }
  return false;
}
