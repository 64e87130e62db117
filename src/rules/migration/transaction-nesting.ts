import type { MigrationStatement } from "../../facts/migration/migration-set.js";
import { bodyOf, type MigrationHit, migrationRule } from "./migration-rule.js";

/**
 * BEGIN inside a transaction does not nest: PostgreSQL warns and carries on, and the block's COMMIT commits the
 * outer transaction (the migration runner's), so the rest of the file runs without one. A BEGIN that no COMMIT
 * closes leaves the work uncommitted: psql and most drivers roll it back when the session ends.
 */
export const transactionNesting = migrationRule({
  id: "migration/transaction-nesting",
  title: "BEGIN inside a transaction, or never committed",
  description:
    "PostgreSQL has no nested transactions: a BEGIN inside one (the runner's, with --assume-in-transaction, or an earlier BEGIN) only warns, and its COMMIT ends the outer transaction, so what follows is no longer atomic. A BEGIN with no COMMIT after it leaves the changes uncommitted when the file ends.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-begin.html",
  check(st, facts) {
    const begin = bodyOf(st, "TransactionStmt");
    const kind = String(begin?.kind ?? "");
    if (kind !== "TRANS_STMT_BEGIN" && kind !== "TRANS_STMT_START") return [];
    const hits: MigrationHit[] = [];
    if (st.transactionBefore !== null)
      hits.push({
        severity: "warning",
        title: "BEGIN inside a transaction that is already open",
        detail: `${st.transactionBefore === st.file ? "The migration runner already wraps this file in a transaction" : "An earlier BEGIN is still open"}: PostgreSQL warns "there is already a transaction in progress", and the next COMMIT ends the outer transaction, so the statements after it are no longer rolled back together.`,
        fix: {
          note: "Drop the BEGIN/COMMIT and let the runner's transaction hold the file, or turn the runner's transaction off for this migration and manage it here.",
        },
      });
    // In a file the runner wraps, its closing COMMIT ends the last BEGIN (the COMMIT; ...; BEGIN; idiom).
    const wrapped = facts.statements.some((s) => s.file === st.file && s.transactionBefore === s.file);
    if (!wrapped && !committed(facts.statements, st))
      hits.push({
        severity: "warning",
        title: "BEGIN without a COMMIT: the changes are never committed",
        detail:
          "The file ends inside this transaction. psql and most drivers roll back an open transaction when the session closes, so the migration's changes disappear (or the runner commits them in an unknown state).",
        fix: { note: "End the transaction with COMMIT at the end of the file." },
      });
    return hits;
  },
});

/** A COMMIT, ROLLBACK or PREPARE TRANSACTION follows in the same file. */
function committed(statements: MigrationStatement[], st: MigrationStatement): boolean {
  const after = statements.slice(statements.indexOf(st) + 1).filter((s) => s.file === st.file);
  return after.some(
    (s) => s.kind === "TransactionStmt" && s.transaction === null && s.transactionBefore !== null,
  );
}
