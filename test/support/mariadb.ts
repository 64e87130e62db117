/**
 * The local MariaDB (127.0.0.1:3306, root, no password; .ci/run turns performance_schema on). In CI a missing
 * server fails the run; elsewhere the suites that need it are skipped with a line naming it.
 */
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";

export const MARIADB_HOST = process.env.DBOPT_TEST_MARIADB_HOST ?? "127.0.0.1";
export const MARIADB_PORT = Number(process.env.DBOPT_TEST_MARIADB_PORT ?? "3306");

/** True when the server answers; false (with a warning) outside CI, an error in CI. */
export async function mariadbAvailable(): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ host: MARIADB_HOST, port: MARIADB_PORT, user: "root" });
    await c.end();
    return true;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (process.env.CI === "true")
      throw new Error(`MariaDB at ${MARIADB_HOST}:${MARIADB_PORT} is required in CI: ${why}`);
    console.warn(`skipping tests that need MariaDB at ${MARIADB_HOST}:${MARIADB_PORT}: ${why}`);
    return false;
  }
}

export interface MariadbTestDatabase {
  name: string;
  url: string;
  /** Run statements (several, separated by semicolons) in the database as root. */
  run(sql: string): Promise<unknown>;
  drop(): Promise<void>;
}

/** A database with a random name, set up with the given SQL, dropped by drop(). */
export async function createMariadbDatabase(setupSql = ""): Promise<MariadbTestDatabase> {
  const name = `dbopt_test_${randomBytes(5).toString("hex")}`;
  const admin = await mysql.createConnection({
    host: MARIADB_HOST,
    port: MARIADB_PORT,
    user: "root",
    multipleStatements: true,
  });
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.query(`USE \`${name}\``);
  if (setupSql) await admin.query(setupSql);
  return {
    name,
    url: `mariadb://root@${MARIADB_HOST}:${MARIADB_PORT}/${name}`,
    run: async (sql) => (await admin.query(sql))[0],
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

/**
 * Holds a server-wide named lock while a test reads or changes performance_schema's global state (the statement
 * consumers, the digests). Test files run in parallel, and one that turns the statement history off must not do
 * so while another counts on it. Returns the release.
 *
 * With the lock taken the digest table is emptied: it keeps 5,000 statement shapes until the server restarts,
 * and every test database's statements are shapes of their own, so on a server that ran the suite (or a run far
 * enough along) it is full, new digests are lost and the test finds none. Only lock holders read digests.
 */
export async function holdPerformanceSchemaLock(): Promise<() => Promise<void>> {
  const c = await mysql.createConnection({ host: MARIADB_HOST, port: MARIADB_PORT, user: "root" });
  const [rows] = await c.query("SELECT GET_LOCK('dbopt_test_performance_schema', 600) AS got");
  if ((rows as Array<{ got: number }>)[0]?.got !== 1) {
    await c.end();
    throw new Error("could not take the performance_schema test lock in 600 s");
  }
  await c.query("TRUNCATE TABLE performance_schema.events_statements_summary_by_digest");
  return async () => {
    await c.query("SELECT RELEASE_LOCK('dbopt_test_performance_schema')");
    await c.end();
  };
}
