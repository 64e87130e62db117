import pg from "pg";
import type { TestProject } from "vitest/node";
import {
  type EmbeddedServer,
  startEmbeddedServer,
  UNSAFE_FAST_SETTINGS,
} from "../../src/connectors/embedded/embedded-server.js";
import { PG15_URL } from "./servers.js";

let embedded: EmbeddedServer | null = null;

/** Start one embedded PostgreSQL 18 for the whole run and check the local PostgreSQL 15. */
export async function setup(project: TestProject): Promise<void> {
  try {
    embedded = await startEmbeddedServer({ settings: UNSAFE_FAST_SETTINGS });
    project.provide("pg18Url", embedded.url);
    project.provide("pg18Error", null);
  } catch (error) {
    project.provide("pg18Url", null);
    project.provide("pg18Error", error instanceof Error ? error.message : String(error));
  }
  const client = new pg.Client({ connectionString: PG15_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    project.provide("pg15Error", null);
  } catch (error) {
    project.provide("pg15Error", error instanceof Error ? error.message : String(error));
  } finally {
    await client.end().catch(() => {});
  }
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
}
