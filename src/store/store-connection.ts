import pg from "pg";
import { DbError } from "../connectors/db-error.js";
import { toDbError } from "../connectors/postgres/pg-error-mapping.js";
import { DBOPT_TAG, tagged } from "../connectors/postgres/postgres-connector.js";
import { type PgTarget, resolveTarget } from "../connectors/postgres/target.js";
import { inTransactionBlock } from "../connectors/postgres/transaction-block.js";

/** How long one store statement may run, and wait for a lock (another collector writing the same target). */
const STORE_STATEMENT_TIMEOUT_MS = 120_000;
const STORE_LOCK_TIMEOUT_MS = 60_000;

/**
 * A session on dbopt's own history store. Unlike the read-only connector, it writes: the store is dbopt's
 * database, not the user's. Everything it runs carries the dbopt tag and a timeout.
 */
export class StoreConnection {
  private constructor(
    private readonly client: pg.Client,
    private readonly target: PgTarget,
  ) {}

  /** The store as shown to people: user@host:port/database, never a password. */
  get display(): string {
    return this.target.display;
  }

  static async connect(url: string): Promise<StoreConnection> {
    const target = resolveTarget({ db: url });
    const client = new pg.Client({ ...target.config, application_name: "dbopt store" });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query(
        `SET statement_timeout = ${STORE_STATEMENT_TIMEOUT_MS} ${DBOPT_TAG}; SET lock_timeout = ${STORE_LOCK_TIMEOUT_MS} ${DBOPT_TAG}`,
      );
    } catch (error) {
      await client.end().catch(() => {});
      throw storeError(error, target);
    }
    return new StoreConnection(client, target);
  }

  async query<R = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.client.query(tagged(text), params)).rows as R[];
    } catch (error) {
      throw storeError(error, this.target);
    }
  }

  /** Run work in one transaction: all of it is written, or none of it (an error or a killed process). */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    return inTransactionBlock((sql) => this.query(sql), "BEGIN", work);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}

/** A store error as one line that says it is the store (not the database being sampled), with no password. */
function storeError(error: unknown, target: PgTarget): DbError {
  const e = toDbError(error, target);
  return new DbError({
    code: e.code,
    message: `history store ${target.display}: ${e.message}`,
    // The connector's hints name --db, the flag of the database being read; this is the store's.
    hint: e.hint.replaceAll("--db", "--store"),
    cause: error,
    ...(e.sqlState ? { sqlState: e.sqlState } : {}),
  });
}
