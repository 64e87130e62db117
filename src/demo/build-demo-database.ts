import pg from "pg";
import type { EmbeddedServer } from "../connectors/embedded/embedded-server.js";
import { formatCount } from "../util/format.js";
import { DEMO_CONSTRAINTS_SQL, DEMO_DATA_SQL, DEMO_SCHEMA_SQL, DEMO_TABLE_ROWS } from "./demo-schema.sql.js";
import { DEMO_REQUESTS } from "./demo-workload.js";

const DEMO_DATABASE = "shop";

/** Create the demo shop on the embedded server, load it, and drive its workload so pg_stat_statements fills up. */
export async function buildDemoDatabase(
  server: EmbeddedServer,
  progress: (message: string) => void,
): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url });
  // A server stopped under a session (Ctrl-C) fails its query; it must not also crash on an 'error' event.
  admin.on("error", () => {});
  await admin.connect();
  await admin.query(`create database ${DEMO_DATABASE}`);
  await admin.end();

  const url = server.urlFor(DEMO_DATABASE);
  const connect = async () => {
    const client = new pg.Client({ connectionString: url, application_name: "shop-app" });
    client.on("error", () => {});
    await client.connect();
    return client;
  };
  const loader = await connect();
  try {
    await loader.query(DEMO_SCHEMA_SQL);
    for (const [table, sql] of DEMO_DATA_SQL) {
      progress(
        `loading ${table} (${formatCount(DEMO_TABLE_ROWS[table as keyof typeof DEMO_TABLE_ROWS])} rows)`,
      );
      await loader.query(sql);
    }
  } finally {
    // Closing the loading session flushes its statistics, so ANALYZE below counts as after the load.
    await loader.end();
  }
  const app = await connect();
  try {
    progress("adding foreign keys and indexes, then VACUUM ANALYZE");
    await app.query(DEMO_CONSTRAINTS_SQL);
    // Counters start with the workload, as on a server whose statistics were reset after a migration: the
    // load's million inserts are not the application's writes. ANALYZE then fills in the live-row counts.
    await app.query("select pg_stat_reset()");
    await app.query("vacuum analyze");
    await app.query("create extension if not exists pg_stat_statements");
    await app.query("select pg_stat_statements_reset()");
    for (const request of DEMO_REQUESTS) {
      progress(`workload: ${request.story} (${request.times}×)`);
      for (let i = 0; i < request.times; i++) await request.run(app, i);
    }
  } finally {
    await app.end();
  }
  return url;
}
