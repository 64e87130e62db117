import { refusedInTransaction } from "../../facts/migration/lock-model.js";
import type { MigrationStatement } from "../../facts/migration/migration-set.js";
import { bodyOf, type MigrationHit, migrationRule } from "./migration-rule.js";

/**
 * BEGIN inside a transaction does not nest: PostgreSQL warns and carries on, and the block's COMMIT commits the
 * outer transaction (the migration runner's), so the rest of the file runs without one. A BEGIN that no COMMIT
 * closes leaves the work uncommitted: psql and most drivers roll it back when the session ends.
 */
export const transactionNesting = migrationRule({
  id: "migration/transaction-nesting",
  title: "BEGIN inside a transaction, never committed, or COMMIT/ROLLBACK of the runner's transaction",
  description:
    "PostgreSQL has no nested transactions: a BEGIN inside one (the runner's, with --assume-in-transaction, or an earlier BEGIN) only warns, and its COMMIT ends the outer transaction, so what follows is no longer atomic. A BEGIN with no COMMIT after it leaves the changes uncommitted when the file ends. A COMMIT in a file the runner wraps ends the runner's transaction (unless a BEGIN follows, or only statements that must run outside a transaction do); a ROLLBACK there undoes the statements before it while the runner records the migration as applied; a COMMIT or ROLLBACK with no transaction open shows the statements before it ran without one.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-begin.html",
  check(st, facts) {
    const begin = bodyOf(st, "TransactionStmt");
    const kind = String(begin?.kind ?? "");
    if (kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK")
      return endHits(st, facts.statements, kind, begin?.chain === true);
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

/**
 * COMMIT or ROLLBACK: of the runner's transaction (the file is then no longer one unit, and a ROLLBACK undoes
 * what came before while the runner still records the migration), or of no transaction at all.
 */
function endHits(
  st: MigrationStatement,
  statements: MigrationStatement[],
  kind: string,
  chain: boolean,
): MigrationHit[] {
  const verb = kind === "TRANS_STMT_COMMIT" ? "COMMIT" : "ROLLBACK";
  const after = statements.slice(statements.indexOf(st) + 1).filter((s) => s.file === st.file);
  // AND CHAIN opens the next transaction at once: the statements after it are not in autocommit.
  const rest = chain
    ? "the statements after it run in a new transaction that the runner's COMMIT ends"
    : "the statements after it run in autocommit";
  if (st.transactionBefore === st.file) {
    if (verb === "ROLLBACK")
      return [
        {
          severity: "warning",
          title: "ROLLBACK of the migration runner's transaction",
          detail: `The runner wraps this file in a transaction: this ROLLBACK undoes every statement of the file before it, ${rest}, and the runner then records the migration as applied.`,
          fix: {
            note: "Remove the ROLLBACK; to abandon a migration, raise an error so the runner rolls back and stops.",
          },
        },
      ];
    // The COMMIT; CREATE INDEX CONCURRENTLY; BEGIN; idiom, or a file that ends with statements refused in a transaction.
    const reopened = after.some((s) => s.transactionBefore === null && s.transaction !== null);
    if (chain)
      return [
        {
          severity: "warning",
          title: "COMMIT AND CHAIN commits part of the migration runner's transaction",
          detail: `The runner wraps this file in a transaction: this COMMIT AND CHAIN commits the statements before it for good, and ${rest}, so a failure after it leaves the migration half applied.`,
          fix: { note: "Remove the COMMIT AND CHAIN and let the runner's transaction hold the whole file." },
        },
      ];
    if (reopened || (after.length > 0 && after.every((s) => refusedInTransaction(s.stmt) !== null)))
      return [];
    return [
      {
        severity: "warning",
        title: "COMMIT ends the migration runner's transaction",
        detail:
          "The runner wraps this file in a transaction: this COMMIT ends it, so the statements after it (and the runner's own bookkeeping, such as recording the migration) run in autocommit, and the runner's closing COMMIT only warns that no transaction is in progress.",
        fix: {
          note: "Remove the COMMIT, or open a new transaction after it with BEGIN (the COMMIT; ...; BEGIN; idiom for a statement that must run outside a transaction).",
        },
      },
    ];
  }
  if (st.transactionBefore !== null) return [];
  // After a nested BEGIN the extra COMMIT is part of that finding, reported at the BEGIN.
  const before = statements.slice(0, statements.indexOf(st)).filter((s) => s.file === st.file);
  if (before.some((s) => isBegin(s) && s.transactionBefore !== null)) return [];
  return [
    {
      severity: "warning",
      title: `${verb} with no transaction in progress`,
      detail: `No transaction is open here: PostgreSQL only warns "there is no transaction in progress". The statements before it ran in autocommit, each on its own, not as the unit this ${verb} suggests.`,
      fix: { note: `Remove the ${verb}, or open the transaction it ends with BEGIN.` },
    },
  ];
}

function isBegin(st: MigrationStatement): boolean {
  const kind = String(bodyOf(st, "TransactionStmt")?.kind ?? "");
  return kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START";
}
