/**
 * The real servers tests run against: the local PostgreSQL 15 (with HypoPG) and an embedded PostgreSQL 18
 * started once per test run (test/support/global-setup.ts). In CI a missing server fails the run; elsewhere the
 * suites that need it are skipped with a line naming it.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

export interface TestServer {
  name: "pg15" | "pg18";
  /** URL of a database that may be used to create and drop others. */
  adminUrl: string;
}

export const PG15_URL = process.env.DBOPT_TEST_PG15_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    pg18Url: string | null;
    pg18Error: string | null;
    pg15Error: string | null;
  }
}

export function availableServers(): TestServer[] {
  const servers: TestServer[] = [];
  const pg15Error = inject("pg15Error");
  const pg18Url = inject("pg18Url");
  if (pg15Error) missing("PostgreSQL 15 at 127.0.0.1:5432", pg15Error);
  else servers.push({ name: "pg15", adminUrl: PG15_URL });
  if (!pg18Url) missing("embedded PostgreSQL 18", inject("pg18Error") ?? "did not start");
  else servers.push({ name: "pg18", adminUrl: pg18Url });
  return servers;
}

export function server(name: TestServer["name"]): TestServer[] {
  return availableServers().filter((s) => s.name === name);
}

function missing(what: string, why: string): void {
  if (process.env.CI === "true") throw new Error(`${what} is required in CI but not available: ${why}`);
  console.warn(`skipping tests that need ${what}: ${why}`);
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A database with a random name, set up with the given SQL, dropped by drop(). */
export async function createTestDatabase(server: TestServer, setupSql = ""): Promise<TestDatabase> {
  const name = `dbopt_test_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = server.adminUrl.replace(/\/[^/?]*(\?.*)?$/, `/${name}$1`);
  if (setupSql) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(setupSql);
    } finally {
      await client.end();
    }
  }
  return {
    name,
    url,
    async drop() {
      const a = new pg.Client({ connectionString: server.adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Run SQL as the superuser on a test database (setting up conditions dbopt only reads). */
export async function runAsAdmin(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * pg_stat_statements_reset() for the current database only: a reset of the whole server would wipe the
 * statements of test files running at the same time on the same cluster.
 */
export const RESET_THIS_DATABASE_STATEMENTS =
  "select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)";
