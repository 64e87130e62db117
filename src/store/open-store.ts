import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { DbError } from "../connectors/db-error.js";
import { DBOPT_TAG } from "../connectors/postgres/postgres-connector.js";
import { StoreConnection } from "./store-connection.js";

export interface OpenStore {
  store: StoreConnection;
  /** How to name the store in messages: its URL without a password, or the embedded store's folder. */
  description: string;
  close(): Promise<void>;
}

/** dbopt's data folder: $DBOPT_HOME, else ~/.local/share/dbopt (XDG_DATA_HOME/dbopt when set). */
export function dboptHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DBOPT_HOME) return env.DBOPT_HOME;
  return join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "dbopt");
}

/** The embedded store's database on its server. */
const STORE_DATABASE = "dbopt";

/**
 * Open the history store: `url` when given (a team store any PostgreSQL 13+ can hold), else the embedded
 * PostgreSQL 18 kept in `home`/store, started now and stopped by close() (and on exit or a signal).
 */
export async function openStore(options: {
  url?: string | undefined;
  home?: string;
  onProgress?: (message: string) => void;
}): Promise<OpenStore> {
  if (options.url) {
    const store = await StoreConnection.connect(options.url);
    return { store, description: store.display, close: () => store.close() };
  }
  const dataDirectory = join(options.home ?? dboptHome(), "store");
  const running = runningServer(dataDirectory);
  let stop = async () => {};
  let port: number;
  if (running) {
    // A collector killed with SIGKILL leaves its server running; another may be using it now. Use it, leave it.
    options.onProgress?.(
      `using the store server already running on port ${running.port} (pid ${running.pid})`,
    );
    port = running.port;
  } else {
    const { startEmbeddedServer } = await import("../connectors/embedded/embedded-server.js");
    const server = await startEmbeddedServer({
      dataDirectory,
      // The store keeps history: a commit is on disk before it counts.
      settings: { synchronous_commit: "on" },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    port = server.port;
    stop = () => server.stop();
  }
  try {
    await createStoreDatabase(port);
    const store = await StoreConnection.connect(`postgresql://postgres@127.0.0.1:${port}/${STORE_DATABASE}`);
    return {
      store,
      description: dataDirectory,
      close: async () => {
        await store.close();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The server a postmaster.pid in the data directory names, when its process is alive. */
function runningServer(dataDirectory: string): { pid: number; port: number } | null {
  let lines: string[];
  try {
    lines = readFileSync(join(dataDirectory, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, run by another user (the postgres account when dbopt runs as root).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return { pid, port };
}

async function createStoreDatabase(port: number): Promise<void> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  client.on("error", () => {});
  try {
    await client.connect();
    const found = await client.query(`select 1 from pg_database where datname = $1 ${DBOPT_TAG}`, [
      STORE_DATABASE,
    ]);
    if (found.rowCount === 0) await client.query(`create database ${STORE_DATABASE} ${DBOPT_TAG}`);
  } catch (error) {
    // Two collectors starting at once: the other one created it.
    if ((error as { code?: string }).code !== "42P04")
      throw new DbError({
        code: "embedded-start-failed",
        message: `the embedded history store on port ${port} did not accept dbopt: ${(error as Error).message}`,
        hint: "remove the store folder's postmaster.pid if no PostgreSQL runs there, or pass --store postgresql://...",
        cause: error,
      });
  } finally {
    await client.end().catch(() => {});
  }
}
