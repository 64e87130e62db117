/**
 * What the sandbox database already holds that a migration could set off: its own functions and procedures
 * (called by a migration, fired as triggers or event triggers by its statements), views (read by them) and
 * foreign servers (behind its foreign tables). Read-only, before anything runs, and judged by the same rules as
 * the files (postgres-sandbox-confinement-reach.ts). Extensions' own objects are left out: CREATE EXTENSION of
 * one that reaches outside (dblink, postgres_fdw) is what the files are refused for, and one installed already
 * shows in the sandbox's foreign servers or in the user's functions that call it.
 */
import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { tryParseSql } from "../util/sql-parser.js";
import { type Reach, statementReach } from "./postgres-sandbox-confinement-reach.js";

type Node = Record<string, unknown>;

const NOT_FROM_EXTENSION = (classid: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${classid}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

/** The user's functions and procedures: their CREATE statements as pg_get_functiondef prints them. */
const FUNCTIONS_SQL = `SELECT format('%s.%s()', quote_ident(n.nspname), quote_ident(p.proname)) AS name,
  pg_get_functiondef(p.oid) AS definition
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND ${NOT_FROM_EXTENSION("pg_proc", "p.oid")}
ORDER BY 1`;

const VIEWS_SQL = `SELECT format('%s.%s', quote_ident(n.nspname), quote_ident(c.relname)) AS name,
  'CREATE VIEW v AS ' || pg_get_viewdef(c.oid) AS definition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND ${NOT_FROM_EXTENSION("pg_class", "c.oid")}
ORDER BY 1`;

const SERVERS_SQL = `SELECT quote_ident(s.srvname) AS name, w.fdwname AS wrapper
FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw ORDER BY 1`;

export interface SandboxObjectReach {
  /** "function public.f()", "view public.v", "foreign server prod". */
  object: string;
  reach: Reach;
}

/** The first object of the sandbox database that reaches outside it, or null. */
export async function sandboxObjectReach(
  db: PostgresConnector,
  allowDynamic: boolean,
): Promise<SandboxObjectReach | null> {
  const servers = await db.query<{ name: string; wrapper: string }>(SERVERS_SQL);
  const server = servers[0];
  if (server)
    return {
      object: `foreign server ${server.name}`,
      reach: {
        kind: "outside",
        what: `its foreign data wrapper ${server.wrapper}`,
        where: "a foreign server: another database, host or the server's files",
      },
    };
  for (const [kind, query] of [
    ["function", FUNCTIONS_SQL],
    ["view", VIEWS_SQL],
  ] as const) {
    for (const row of await db.query<{ name: string; definition: string }>(query)) {
      for (const raw of tryParseSql(row.definition)?.stmts ?? []) {
        const reach = statementReach(raw.stmt as unknown as Node, () => row.definition, allowDynamic);
        if (reach) return { object: `${kind} ${row.name}`, reach };
      }
    }
  }
  return null;
}
