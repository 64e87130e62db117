/**
 * `dbopt serve`: the dashboard on a history store. It listens on 127.0.0.1 unless told otherwise; on any other
 * address it requires a token (the one given, else a random one), since the pages show statement text. The store
 * session is read-only: the dashboard never writes to the store.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { DbError } from "../connectors/db-error.js";
import { dashboardServer } from "../dashboard/dashboard-server.js";
import { openStore } from "../store/open-store.js";
import { STORE_SCHEMA_VERSION, storeVersion } from "../store/store-migrations.js";
import { InputError } from "../util/input-error.js";
import { loadSqlParser } from "../util/sql-parser.js";

/** The first store schema with everything the pages read (top statements per bucket are version 4; collect upgrades a store). */
const OLDEST_SERVED_VERSION = 4;

export interface ServeOptions {
  /** A team store (postgresql://...); else the embedded store in `home`. */
  store?: string | undefined;
  home?: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Checked on every request when given; off loopback one is generated when not given. */
  token?: string | undefined;
  onProgress?: (message: string) => void;
  onRequest?: (line: { path: string; status: number; ms: number }) => void;
}

export interface RunningDashboard {
  /** The address to open, with ?token= when one is required. */
  url: string;
  host: string;
  port: number;
  token: string | null;
  store: string;
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function serveDashboard(options: ServeOptions): Promise<RunningDashboard> {
  const token = options.token ?? (isLoopback(options.host) ? null : randomBytes(18).toString("base64url"));
  // The plan rules (run on stored plans for their pictures) parse their fixes back.
  await loadSqlParser();
  const opened = await openStore({
    url: options.store,
    ...(options.home ? { home: options.home } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  try {
    const version = await storeVersion(opened.store);
    if (version < OLDEST_SERVED_VERSION || version > STORE_SCHEMA_VERSION)
      throw new DbError({
        code: "unsupported-version",
        message:
          version === 0
            ? `the history store ${opened.description} holds nothing yet`
            : `the history store ${opened.description} has schema version ${version}; this dbopt serves ${OLDEST_SERVED_VERSION} to ${STORE_SCHEMA_VERSION}`,
        hint:
          version > STORE_SCHEMA_VERSION
            ? "upgrade dbopt to the version the collectors use"
            : "run dbopt collect --store ... once: it creates or upgrades the store",
      });
    await opened.store.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
    const server = dashboardServer({
      store: opened.store,
      storeDescription: opened.description,
      token,
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    });
    await new Promise<void>((listening, failed) => {
      server.once("error", failed);
      server.listen(options.port, options.host, () => listening());
    }).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(
        `dbopt serve cannot listen on ${options.host}:${options.port}: ${error.code === "EADDRINUSE" ? "the port is in use" : error.message}`,
        "pick another --port (0 for any free one) or --host",
        { cause: error },
      );
    });
    const port = (server.address() as AddressInfo).port;
    const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
    return {
      url: `http://${shownHost}:${port}/${token ? `?token=${token}` : ""}`,
      host: options.host,
      port,
      token,
      store: opened.description,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((closed) => server.close(() => closed()));
        await opened.close();
      },
    };
  } catch (error) {
    await opened.close();
    throw error;
  }
}
