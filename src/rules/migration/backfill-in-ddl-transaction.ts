import {
  LOCK_STRENGTH,
  relationName,
  relationParts,
  statementLocks,
} from "../../facts/migration/lock-model.js";
import { isExistingTable, normaliseTable } from "../../facts/migration/migration-set.js";
import { bodyOf, migrationRule } from "./migration-rule.js";

/**
 * The tables migration tools keep their own history in: each migration ends by writing one row there (Alembic's
 * `UPDATE alembic_version SET version_num=...`), which is bookkeeping, not a backfill.
 */
const BOOKKEEPING = new Set([
  "alembic_version",
  "django_migrations",
  "schema_migrations",
  "ar_internal_metadata",
  "_prisma_migrations",
  "flyway_schema_history",
  "schema_version",
  "knex_migrations",
  "knex_migrations_lock",
  "pgmigrations",
  "__drizzle_migrations",
  "__efmigrationshistory",
  "goose_db_version",
  "databasechangelog",
  "databasechangeloglock",
  "migrations",
  "typeorm_migrations",
  "seaql_migrations",
  "_sqlx_migrations",
]);

/** An UPDATE or DELETE after DDL in the same transaction runs while the DDL's lock is still held. */
export const backfillInDdlTransaction = migrationRule({
  id: "migration/backfill-in-ddl-transaction",
  title: "Backfill in the same transaction as DDL",
  description:
    "Locks last until the transaction ends. An UPDATE or DELETE of many rows after an ALTER TABLE in the same transaction keeps the ALTER's ACCESS EXCLUSIVE lock for the whole backfill, blocking reads and writes of the table for its duration.",
  maxSeverity: "error",
  docsUrl: "https://www.postgresql.org/docs/current/explicit-locking.html",
  check(st, facts) {
    const body = bodyOf(st, "UpdateStmt") ?? bodyOf(st, "DeleteStmt");
    if (!body || st.transaction === null) return [];
    const table = relationName(body.relation);
    if (!table || !isExistingTable(st, table)) return [];
    if (BOOKKEEPING.has((relationParts(body.relation)?.name ?? "").toLowerCase())) return [];
    const before = facts.statements
      .slice(0, facts.statements.indexOf(st))
      .filter((s) => s.transaction === st.transaction);
    const held = before
      .flatMap((s) => statementLocks(s.stmt))
      .filter((l) => isExistingTable(st, l.table) && LOCK_STRENGTH[l.mode] >= LOCK_STRENGTH.ShareLock);
    const onThis = held.find((l) => normaliseTable(l.table) === normaliseTable(table));
    const lock = onThis ?? held[0];
    if (!lock) return [];
    return [
      {
        severity: onThis ? "error" : "warning",
        title: `${st.kind === "UpdateStmt" ? "UPDATE" : "DELETE"} of ${table} runs while ${lock.table} is locked by earlier DDL`,
        detail: `An earlier statement of this transaction took ${lock.mode} on ${lock.table}; it is held until COMMIT, so ${onThis ? "reads and writes of the table" : `${lock.table}`} wait for the whole backfill.`,
        table: lock.table,
        lock: lock.mode,
        fix: {
          note: "Commit the DDL first, then backfill in batches of a few thousand rows, each in its own short transaction (UPDATE ... WHERE id IN (SELECT id ... LIMIT 5000)).",
        },
      },
    ];
  },
});
