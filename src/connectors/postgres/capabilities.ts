import { quoteIdent } from "../../util/sql-identifiers.js";
import { DbError } from "../db-error.js";
import { permissionHint } from "./pg-error-mapping.js";
import type { PostgresConnector } from "./postgres-connector.js";

export interface ExtensionState {
  /** The server has the extension's files (CREATE EXTENSION would work). */
  available: boolean;
  /** Installed in this database; null when not. */
  installedVersion: string | null;
  schema: string | null;
}

export interface PgCapabilities {
  serverVersionNum: number;
  serverVersion: string;
  major: number;
  database: string;
  currentUser: string;
  isSuperuser: boolean;
  /** Member of pg_monitor (or superuser): may read every statistics view. */
  canMonitor: boolean;
  hypopg: ExtensionState;
  pgstattuple: ExtensionState;
  pgStatStatements: ExtensionState & {
    /** Installed and the library is loaded, so the view can be read. */
    readable: boolean;
    /** Column names of the view in this version (total_exec_time vs total_time, ...). */
    columns: string[];
    /** Why it cannot be read, and what to do about it. */
    problem: { message: string; hint: string } | null;
  };
}

const MIN_SUPPORTED_MAJOR = 13;
const MAX_TESTED_MAJOR = 18;

interface CapabilityRow {
  version_num: number;
  version: string;
  database: string;
  user: string;
  superuser: boolean;
  monitor: boolean;
  extensions: Array<{ name: string; installed: string | null; schema: string | null }> | null;
}

export async function detectCapabilities(db: PostgresConnector): Promise<PgCapabilities> {
  const [row] = await db.query<CapabilityRow>(`
    select current_setting('server_version_num')::int as version_num,
           current_setting('server_version') as version,
           current_database() as database,
           current_user as "user",
           coalesce((select rolsuper from pg_roles where rolname = current_user), false) as superuser,
           pg_has_role(current_user, 'pg_monitor', 'member') as monitor,
           (select json_agg(json_build_object('name', a.name, 'installed', a.installed_version, 'schema', n.nspname))
              from pg_available_extensions a
              left join pg_extension e on e.extname = a.name
              left join pg_namespace n on n.oid = e.extnamespace
             where a.name in ('hypopg', 'pg_stat_statements', 'pgstattuple')) as extensions`);
  if (!row) throw new Error("capability query returned no row");
  const major = Math.floor(row.version_num / 10000);
  if (major < MIN_SUPPORTED_MAJOR) {
    throw new DbError({
      code: "unsupported-version",
      message: `PostgreSQL ${row.version} is not supported`,
      hint: `dbopt supports PostgreSQL ${MIN_SUPPORTED_MAJOR} to ${MAX_TESTED_MAJOR}; offline commands (explain --plan) still work`,
    });
  }
  const ext = (name: string): ExtensionState => {
    const found = row.extensions?.find((e) => e.name === name);
    return {
      available: Boolean(found),
      installedVersion: found?.installed ?? null,
      schema: found?.schema ?? null,
    };
  };
  const pss = ext("pg_stat_statements");
  let columns: string[] = [];
  let problem: PgCapabilities["pgStatStatements"]["problem"] = null;
  if (!pss.installedVersion) {
    problem = pss.available
      ? {
          message: "pg_stat_statements is not installed in this database",
          hint: "run CREATE EXTENSION pg_stat_statements; (it must also be in shared_preload_libraries)",
        }
      : {
          message: "the pg_stat_statements extension is not available on this server",
          hint: "install the PostgreSQL contrib package, add pg_stat_statements to shared_preload_libraries and restart",
        };
  } else {
    const view = `${quoteIdent(pss.schema ?? "public")}.pg_stat_statements`;
    columns = (
      await db.query<{ attname: string }>(
        "select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum",
        [view],
      )
    ).map((r) => r.attname);
    try {
      await db.query(`select count(*) from (select 1 from ${view} limit 1) probe`);
    } catch (error) {
      problem =
        error instanceof DbError && /shared_preload_libraries/.test(error.message)
          ? {
              message: "pg_stat_statements is installed but not loaded",
              hint: "add pg_stat_statements to shared_preload_libraries and restart the server",
            }
          : {
              message: `pg_stat_statements cannot be read: ${error instanceof Error ? error.message : String(error)}`,
              // Only suggest pg_monitor to a role that lacks it; otherwise name what the error names.
              hint:
                row.superuser || row.monitor
                  ? permissionHint(error instanceof Error ? error.message : String(error), row.user)
                  : `GRANT pg_monitor TO ${quoteIdent(row.user)}; (pg_read_all_stats is enough for the statements)`,
            };
    }
  }
  return {
    serverVersionNum: row.version_num,
    serverVersion: row.version,
    major,
    database: row.database,
    currentUser: row.user,
    isSuperuser: row.superuser,
    canMonitor: row.superuser || row.monitor,
    hypopg: ext("hypopg"),
    pgstattuple: ext("pgstattuple"),
    pgStatStatements: { ...pss, readable: problem === null, columns, problem },
  };
}
