import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";

/**
 * Run work on a connection the caller holds, or on one opened here from the function given (and closed after),
 * so a pipeline can check its inputs before it connects.
 */
export async function onConnection<T>(
  db: PostgresConnector | (() => Promise<PostgresConnector>),
  work: (db: PostgresConnector) => Promise<T>,
): Promise<T> {
  if (typeof db !== "function") return work(db);
  const opened = await db();
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
