/**
 * What keeps PostgreSQL `migrate trace --sandbox URL` inside the sandbox database. Its cluster may be production's:
 * roles, databases, tablespaces and server settings are shared by every database of the cluster, so a statement on
 * them would change production too, and a psql `\connect` would move the rest of a script to another database
 * (dbopt runs without psql and would run it on the sandbox, which is not what the file says either). Such files
 * are refused before anything runs.
 */

import { doBlockStatements } from "../facts/migration/do-block-statements.js";
import { statementStart } from "../facts/migration/migration-set.js";
import { blankPsqlCommands } from "../facts/migration/psql-script.js";
import { InputError } from "../util/input-error.js";
import { byteToCharOffset, loadSqlParser, tryParseSql } from "../util/sql-parser.js";

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
};

/** Object types of GRANT, RENAME, ALTER ... OWNER and COMMENT that belong to the cluster, not the database. */
const CLUSTER_OBJECTS = new Set(["OBJECT_DATABASE", "OBJECT_ROLE", "OBJECT_TABLESPACE"]);

/** Refuses, in one line naming the file and line, the first statement of `text` that acts on the whole cluster. */
export async function refuseClusterWide(file: string, text: string): Promise<void> {
  const blanked = blankPsqlCommands(text);
  const original = text.split("\n");
  const lines = blanked.split("\n");
  for (let i = 0; i < original.length; i++) {
    if (lines[i] !== original[i] && /^\s*\\(c|connect)(\s|$)/.test(original[i] ?? ""))
      throw new InputError(
        `${file}:${i + 1}: \\connect moves the script to another database of the cluster; the trace runs only on the sandbox database, nothing was run`,
        "trace the statements for one database, without \\connect (pg_dump without --create)",
      );
  }
  await loadSqlParser();
  // A file that does not parse is refused with the parser's words when its statements are read, before they run.
  const tree = tryParseSql(blanked);
  for (const raw of tree?.stmts ?? []) {
    const node = raw.stmt as unknown as Record<string, Record<string, unknown>>;
    const startByte = Number(raw.stmt_location ?? 0);
    const what = clusterStatement(node, () =>
      Buffer.from(blanked, "utf8")
        .subarray(startByte, raw.stmt_len ? startByte + Number(raw.stmt_len) : undefined)
        .toString("utf8"),
    );
    if (!what) continue;
    const at = byteToCharOffset(blanked, startByte);
    throw new InputError(
      `${file}:${blanked.slice(0, statementStart(blanked, at)).split("\n").length}: ${what} acts on the whole cluster, which the sandbox may share with production; nothing was run`,
      "run cluster-wide statements yourself; the trace runs a migration's statements on the sandbox database only",
    );
  }
}

/** What the statement does to the cluster, or null; a DO block's own statements are looked at too. */
function clusterStatement(node: Record<string, Record<string, unknown>>, text: () => string): string | null {
  const kind = Object.keys(node)[0] ?? "";
  const body = node[kind] ?? {};
  if (kind === "DoStmt") {
    // Statements written in the block are checked; text built at run time (EXECUTE '…') cannot be.
    for (const inner of doBlockStatements(text(), body) ?? []) {
      for (const raw of tryParseSql(inner.sql)?.stmts ?? []) {
        const what = clusterStatement(
          raw.stmt as unknown as Record<string, Record<string, unknown>>,
          () => "",
        );
        if (what) return `${what} in a DO block`;
      }
    }
    return null;
  }
  const objectType = body.objtype ?? body.renameType ?? body.objectType;
  return (
    CLUSTER_STATEMENTS[kind] ??
    (["GrantStmt", "RenameStmt", "AlterOwnerStmt", "CommentStmt"].includes(kind) &&
    CLUSTER_OBJECTS.has(String(objectType))
      ? `${kind.replace(/Stmt$/, "").toUpperCase()} on a ${String(objectType).replace("OBJECT_", "").toLowerCase()}`
      : null)
  );
}
