import { chmodSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
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
function dboptHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DBOPT_HOME) return env.DBOPT_HOME;
  return join(env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share"), "dbopt");
}

/** Where the embedded store is kept when dbopt runs as root and the postgres account cannot reach the home folder. */
const SYSTEM_STORE_HOME = "/var/lib/dbopt";

/** How the embedded store's server runs (the dashboard bench times pages on it too). */
export const STORE_SERVER_SETTINGS: Record<string, string> = {
  // The store keeps history: a commit is on disk before it counts.
  synchronous_commit: "on",
};

export interface StoreHome {
  home: string;
  /** Said once when the default moved: why the store is not in the user's data folder. */
  note: string | null;
}

/**
 * The folder the embedded store is kept in. $DBOPT_HOME when set (the user chose it); else dboptHome(). As root the
 * server runs as the postgres account, which cannot enter a 0700 /root: then the store goes to /var/lib/dbopt, a
 * root-owned 0711 folder (the postgres account may pass through it, not list it) holding the postgres-owned 0700
 * data directory, so `dbopt collect` works as root with nothing set.
 */
export function storeHome(
  options: { env?: NodeJS.ProcessEnv; uid?: number; systemDirectory?: string } = {},
): StoreHome {
  const env = options.env ?? process.env;
  const home = dboptHome(env);
  const uid = options.uid ?? process.getuid?.() ?? -1;
  if (env.DBOPT_HOME || uid !== 0 || othersCanEnter(home)) return { home, note: null };
  const system = options.systemDirectory ?? SYSTEM_STORE_HOME;
  try {
    mkdirSync(system, { recursive: true, mode: 0o711 });
    // The postgres account passes through to its data directory; it need not list the folder.
    if ((statSync(system).mode & 0o111) !== 0o111) chmodSync(system, 0o711);
  } catch (cause) {
    throw new DbError({
      code: "embedded-start-failed",
      message: `the embedded history store cannot be kept in ${home} (the postgres account that runs it as root cannot enter it) nor in ${system} (${(cause as Error).message})`,
      hint: "set DBOPT_HOME to a folder other users can enter, or pass --store postgresql://...",
      cause,
    });
  }
  return {
    home: system,
    note: `the store is kept in ${join(system, "store")}: the postgres account that runs it as root cannot enter ${home} (set DBOPT_HOME to choose another folder)`,
  };
}

/** Can any user enter every existing folder on the way to `path`? (o+x on each; folders still to be made will be.) */
function othersCanEnter(path: string): boolean {
  for (let current = resolve(path); ; current = dirname(current)) {
    try {
      if ((statSync(current).mode & 0o001) === 0) return false;
    } catch {
      // not made yet: mkdir makes it 0755 (the data directory itself is the postgres account's own)
    }
    if (dirname(current) === current) return true;
  }
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
  let home = options.home;
  if (home === undefined) {
    const chosen = storeHome();
    if (chosen.note) options.onProgress?.(chosen.note);
    home = chosen.home;
  }
  const dataDirectory = join(home, "store");
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
      settings: STORE_SERVER_SETTINGS,
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
