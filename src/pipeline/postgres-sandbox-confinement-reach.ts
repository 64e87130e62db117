/**
 * What a statement run in the sandbox database could reach beyond it, read from its parse tree: the cluster's
 * shared objects (roles, databases, tablespaces, settings, other sessions), other databases and hosts (dblink,
 * foreign servers, subscriptions), the server's files and programs (COPY ... PROGRAM or to/from a file,
 * lo_import, pg_read_file, untrusted languages), and SQL text built at run time, which cannot be read before it runs.
 */
import { walkObjectTree } from "../util/object-tree-walk.js";
import { tryParseSql } from "../util/sql-parser.js";
import { visitPlpgsqlBody } from "./postgres-sandbox-confinement-plpgsql.js";

type Node = Record<string, unknown>;

export type Reach =
  /** Acts on objects every database of the cluster shares. */
  | { kind: "cluster"; what: string }
  /** Connects to, reads or writes something outside the database: `where` says what. */
  | { kind: "outside"; what: string; where: string }
  /** EXECUTE of text built at run time. */
  | { kind: "dynamic"; what: string };

/** Statements on objects of the whole cluster, by their parse-tree node. */
const CLUSTER_STATEMENTS: Record<string, string> = {
  CreateRoleStmt: "CREATE ROLE/USER",
  AlterRoleStmt: "ALTER ROLE",
  AlterRoleSetStmt: "ALTER ROLE ... SET",
  DropRoleStmt: "DROP ROLE/USER",
  GrantRoleStmt: "GRANT/REVOKE of a role",
  ReassignOwnedStmt: "REASSIGN OWNED",
  CreatedbStmt: "CREATE DATABASE",
  DropdbStmt: "DROP DATABASE",
  AlterDatabaseStmt: "ALTER DATABASE",
  AlterDatabaseSetStmt: "ALTER DATABASE ... SET",
  AlterDatabaseRefreshCollStmt: "ALTER DATABASE ... REFRESH COLLATION VERSION",
  AlterSystemStmt: "ALTER SYSTEM",
  CreateTableSpaceStmt: "CREATE TABLESPACE",
  DropTableSpaceStmt: "DROP TABLESPACE",
  AlterTableSpaceOptionsStmt: "ALTER TABLESPACE",
  CheckPointStmt: "CHECKPOINT",
};

/** Object types of GRANT, RENAME, ALTER ... OWNER and COMMENT that belong to the cluster, not the database. */
const CLUSTER_OBJECTS = new Set(["OBJECT_DATABASE", "OBJECT_ROLE", "OBJECT_TABLESPACE"]);

const FOREIGN = "a foreign server: another database, host or the server's files";
/** Statements that reach other databases, hosts or the server's disk. */
const OUTSIDE_STATEMENTS: Record<string, [string, string]> = {
  CreateFdwStmt: ["CREATE FOREIGN DATA WRAPPER", FOREIGN],
  AlterFdwStmt: ["ALTER FOREIGN DATA WRAPPER", FOREIGN],
  CreateForeignServerStmt: ["CREATE SERVER", FOREIGN],
  AlterForeignServerStmt: ["ALTER SERVER", FOREIGN],
  CreateUserMappingStmt: ["CREATE USER MAPPING", FOREIGN],
  AlterUserMappingStmt: ["ALTER USER MAPPING", FOREIGN],
  CreateForeignTableStmt: ["CREATE FOREIGN TABLE", FOREIGN],
  ImportForeignSchemaStmt: ["IMPORT FOREIGN SCHEMA", FOREIGN],
  CreateSubscriptionStmt: ["CREATE SUBSCRIPTION", "it connects to another server"],
  AlterSubscriptionStmt: ["ALTER SUBSCRIPTION", "it connects to another server"],
  DropSubscriptionStmt: ["DROP SUBSCRIPTION", "it drops its replication slot on the publishing server"],
  LoadStmt: ["LOAD", "a library from the server's disk"],
};

/** Procedural languages whose code is not confined to the database (PostgreSQL's "untrusted" ones). */
const UNTRUSTED_LANGUAGES = ["plperlu", "plpythonu", "plpython2u", "plpython3u", "pltclu"];
const UNCONFINED = "its code runs unconfined on the server";

/** Extensions whose functions reach other databases, hosts or the server's files, and untrusted languages. */
const OUTSIDE_EXTENSIONS: Record<string, string> = {
  dblink: "its functions connect to other databases and hosts",
  postgres_fdw: "its foreign tables are other databases' tables",
  file_fdw: "its foreign tables read the server's files and programs",
  adminpack: "its functions write the server's files",
  ...Object.fromEntries(UNTRUSTED_LANGUAGES.map((l) => [l, `an untrusted language: ${UNCONFINED}`])),
};

/** Languages of code not confined to the database: C loads any library, internal binds any built-in function. */
const UNCONFINED_LANGUAGES = new Set(["c", "internal", ...UNTRUSTED_LANGUAGES]);

const SERVER_FILES = "the server's files";
/** Functions that act on the cluster (other sessions, WAL, replication slots, configuration). */
const CLUSTER_FUNCTIONS = new Set([
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_log_backend_memory_contexts",
  "pg_reload_conf",
  "pg_rotate_logfile",
  "pg_switch_wal",
  "pg_switch_xlog",
  "pg_promote",
  "pg_create_restore_point",
  "pg_backup_start",
  "pg_backup_stop",
  "pg_start_backup",
  "pg_stop_backup",
  "pg_stat_reset_shared",
  "pg_stat_reset_slru",
  "pg_stat_statements_reset",
  "pg_create_physical_replication_slot",
  "pg_create_logical_replication_slot",
  "pg_copy_physical_replication_slot",
  "pg_copy_logical_replication_slot",
  "pg_drop_replication_slot",
  "pg_replication_origin_create",
  "pg_replication_origin_drop",
  "pg_wal_replay_pause",
  "pg_wal_replay_resume",
]);
/** Functions that read or write the server's files (dblink's are matched by their prefix). */
const FILE_FUNCTIONS = new Set([
  "pg_read_file",
  "pg_read_binary_file",
  "pg_stat_file",
  "pg_ls_dir",
  "pg_ls_logdir",
  "pg_ls_waldir",
  "pg_ls_tmpdir",
  "pg_ls_archive_statusdir",
  "pg_ls_logicalsnapdir",
  "pg_ls_logicalmapdir",
  "pg_ls_replslotdir",
  "pg_file_write",
  "pg_file_rename",
  "pg_file_unlink",
  "pg_file_sync",
  "pg_logdir_ls",
  "lo_import",
  "lo_export",
]);

/** The same names, to find calls in a body PL/pgSQL's parser did not read. */
const CALLED = new RegExp(
  `\\b(dblink\\w*|${[...CLUSTER_FUNCTIONS, ...FILE_FUNCTIONS].join("|")})\\s*\\(`,
  "i",
);

/**
 * What `node` (one parsed statement; `text` gives its text) reaches outside the sandbox database, or null.
 * `allowDynamic`: the user read the EXECUTEs of text built at run time and lets them run.
 */
export function statementReach(node: Node, text: () => string, allowDynamic: boolean): Reach | null {
  const kind = Object.keys(node)[0] ?? "";
  const body = (node[kind] ?? {}) as Node;
  const own = ownReach(kind, body);
  if (own) return own;
  if (kind === "DoStmt" || kind === "CreateFunctionStmt") {
    const inBody = bodyReach(kind, body, text, allowDynamic);
    if (inBody) return inBody;
  }
  const call = calledFunction(body);
  return call ? functionReach(call) : null;
}

function ownReach(kind: string, body: Node): Reach | null {
  const cluster = CLUSTER_STATEMENTS[kind];
  if (cluster) return { kind: "cluster", what: cluster };
  const objectType = String(body.objtype ?? body.renameType ?? body.objectType);
  if (
    ["GrantStmt", "RenameStmt", "AlterOwnerStmt", "CommentStmt"].includes(kind) &&
    CLUSTER_OBJECTS.has(objectType)
  )
    return {
      kind: "cluster",
      what: `${kind.replace(/Stmt$/, "").toUpperCase()} on a ${objectType.replace("OBJECT_", "").toLowerCase()}`,
    };
  const outside = OUTSIDE_STATEMENTS[kind];
  if (outside) return { kind: "outside", what: outside[0], where: outside[1] };
  if (kind === "CopyStmt" && (body.is_program || typeof body.filename === "string")) {
    const direction = body.is_from ? "FROM" : "TO";
    return body.is_program
      ? {
          kind: "outside",
          what: `COPY ... ${direction} PROGRAM`,
          where: "a program run on the database server",
        }
      : { kind: "outside", what: `COPY ... ${direction} a file`, where: SERVER_FILES };
  }
  if (kind === "CreateExtensionStmt") {
    const name = String(body.extname ?? "").toLowerCase();
    const why = OUTSIDE_EXTENSIONS[name];
    if (why) return { kind: "outside", what: `CREATE EXTENSION ${name}`, where: why };
  }
  const language = languageOf(body);
  if ((kind === "CreateFunctionStmt" || kind === "DoStmt") && language && UNCONFINED_LANGUAGES.has(language))
    return {
      kind: "outside",
      what: `${kind === "DoStmt" ? "a DO block" : "a function"} in LANGUAGE ${language}`,
      where: UNCONFINED,
    };
  return null;
}

/** A DO block's or function's body: the statements written in it and what its EXECUTEs run. */
function bodyReach(kind: string, body: Node, text: () => string, allowDynamic: boolean): Reach | null {
  const where = kind === "DoStmt" ? "in a DO block" : "in a function body";
  const language = languageOf(body) ?? (kind === "DoStmt" ? "plpgsql" : null);
  if (language === "sql") {
    // LANGUAGE sql AS '…': the body is a string (BEGIN ATOMIC and RETURN bodies are in the tree already).
    for (const source of bodyStrings(body)) {
      const found = sqlReach(source, allowDynamic);
      if (found) return within(found, where);
    }
    return null;
  }
  if (language !== "plpgsql") return null;
  let found: Reach | null = null;
  const statementText = text();
  const read = visitPlpgsqlBody(statementText, {
    sql: (sql) => {
      found ??= sqlReach(sql, allowDynamic);
    },
    dynamic: () => {
      if (!allowDynamic) found ??= { kind: "dynamic", what: "EXECUTE of text built at run time" };
    },
  });
  if (!read) {
    // PL/pgSQL's parser refused the body (PostgreSQL would too, or it is beyond libpg-query): what its text shows.
    const call = CALLED.exec(statementText)?.[1];
    if (call) found = functionReach(call.toLowerCase());
    else if (!allowDynamic && /\bEXECUTE\b/i.test(statementText))
      found = { kind: "dynamic", what: "EXECUTE (in a body dbopt cannot read)" };
  }
  return found ? within(found, where) : null;
}

function within(reach: Reach, where: string): Reach {
  return { ...reach, what: `${reach.what} ${where}` };
}

/** The first reach of the statements in `sql`; text that does not parse runs nothing (PostgreSQL refuses it). */
function sqlReach(sql: string, allowDynamic: boolean): Reach | null {
  for (const raw of tryParseSql(sql)?.stmts ?? []) {
    const start = Number(raw.stmt_location ?? 0);
    const statementText = () =>
      Buffer.from(sql, "utf8")
        .subarray(start, raw.stmt_len ? start + Number(raw.stmt_len) : undefined)
        .toString("utf8");
    const found = statementReach(raw.stmt as unknown as Node, statementText, allowDynamic);
    if (found) return found;
  }
  return null;
}

function functionReach(name: string): Reach {
  if (CLUSTER_FUNCTIONS.has(name)) return { kind: "cluster", what: `${name}()` };
  if (name.startsWith("dblink"))
    return { kind: "outside", what: `${name}()`, where: "another database or host" };
  return { kind: "outside", what: `${name}()`, where: SERVER_FILES };
}

/** The first function called anywhere in the tree that reaches outside the database. */
function calledFunction(tree: unknown): string | null {
  let found: string | null = null;
  walkObjectTree(tree, (node) => {
    const call = node.FuncCall as Node | undefined;
    if (!call) return undefined;
    const names = (call.funcname as Node[] | undefined) ?? [];
    const name = String((names.at(-1)?.String as Node | undefined)?.sval ?? "").toLowerCase();
    if (!(name.startsWith("dblink") || CLUSTER_FUNCTIONS.has(name) || FILE_FUNCTIONS.has(name)))
      return undefined;
    found = name;
    return "stop";
  });
  return found;
}

/** LANGUAGE of a CREATE FUNCTION (options) or DO (args), lower-cased, or null when not given. */
function languageOf(body: Node): string | null {
  const options = ((body.options ?? body.args) as Node[] | undefined) ?? [];
  for (const option of options) {
    const def = option.DefElem as Node | undefined;
    if (def?.defname === "language") {
      const name = ((def.arg as Node | undefined)?.String as Node | undefined)?.sval;
      return typeof name === "string" ? name.toLowerCase() : null;
    }
  }
  return null;
}

/** The AS '…' strings of a CREATE FUNCTION. */
function bodyStrings(body: Node): string[] {
  for (const option of (body.options as Node[] | undefined) ?? []) {
    const def = option.DefElem as Node | undefined;
    if (def?.defname !== "as") continue;
    const items = ((def.arg as Node | undefined)?.List as Node | undefined)?.items as Node[] | undefined;
    return (items ?? [])
      .map((item) => (item.String as Node | undefined)?.sval)
      .filter((s): s is string => typeof s === "string");
  }
  return [];
}
