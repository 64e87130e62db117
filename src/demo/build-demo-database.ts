import pg from "pg";
import type { EmbeddedServer } from "../connectors/embedded/embedded-server.js";
import { formatCount } from "../util/format.js";
import { DEMO_CONSTRAINTS_SQL, DEMO_DATA_SQL, DEMO_SCHEMA_SQL, DEMO_TABLE_ROWS } from "./demo-schema.sql.js";
import { DEMO_REQUESTS } from "./demo-workload.js";

export const DEMO_DATABASE = "shop";

/** Create the demo shop on the embedded server, load it, and drive its workload so pg_stat_statements fills up. */
export async function buildDemoDatabase(
  server: EmbeddedServer,
  progress: (message: string) => void,
): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`create database ${DEMO_DATABASE}`);
  await admin.end();

  const url = server.urlFor(DEMO_DATABASE);
  const client = new pg.Client({ connectionString: url, application_name: "shop-app" });
  await client.connect();
  try {
    await client.query(DEMO_SCHEMA_SQL);
    for (const [table, sql] of DEMO_DATA_SQL) {
      progress(
        `loading ${table} (${formatCount(DEMO_TABLE_ROWS[table as keyof typeof DEMO_TABLE_ROWS])} rows)`,
      );
      await client.query(sql);
    }
    progress("adding foreign keys and indexes, then VACUUM ANALYZE");
    await client.query(DEMO_CONSTRAINTS_SQL);
    await client.query("vacuum analyze");
    await client.query("create extension if not exists pg_stat_statements");
    await client.query("select pg_stat_statements_reset()");
    for (const request of DEMO_REQUESTS) {
      progress(`workload: ${request.story} (${request.times}×)`);
      for (let i = 0; i < request.times; i++) await request.run(client, i);
    }
  } finally {
    await client.end();
  }
  return url;
}
