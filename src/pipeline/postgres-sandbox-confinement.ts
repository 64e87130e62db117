/**
 * What keeps PostgreSQL `migrate trace --sandbox URL` inside the sandbox database. Its cluster may be production's:
 * roles, databases, tablespaces and server settings are shared by every database of the cluster, so a statement on
 * them would change production too, and a psql `\connect` would move the rest of a script to another database
 * (dbopt runs without psql and would run it on the sandbox, which is not what the file says either). Nothing a
 * migration runs there may reach other databases, hosts or the server's files either (dblink, foreign servers,
 * COPY ... PROGRAM, pg_read_file, untrusted languages), and SQL text built at run time (EXECUTE format(...)) runs
 * only when the user says so. Such files are refused before anything runs, and so is a sandbox whose own
 * functions, views or foreign servers reach outside it (a migration may call, fire or read them).
 */

import type { PostgresConnector } from "../connectors/postgres/postgres-connector.js";
import { statementStart } from "../facts/migration/migration-set.js";
import { blankPsqlCommands } from "../facts/migration/psql-script.js";
import { InputError } from "../util/input-error.js";
import { byteToCharOffset, loadSqlParser, tryParseSql } from "../util/sql-parser.js";
import { sandboxObjectReach } from "./postgres-sandbox-confinement-objects.js";
import { type Reach, statementReach } from "./postgres-sandbox-confinement-reach.js";

export interface ConfinementOptions {
  /** The user read the EXECUTEs of text built at run time (--allow-dynamic-sql) and lets them run. */
  allowDynamicSql?: boolean;
}

/**
 * Refuses, in one line naming the file and line, the first statement of `text` that acts on the whole cluster or
 * reaches outside the sandbox database.
 */
export async function refuseOutsideSandbox(
  file: string,
  text: string,
  options: ConfinementOptions = {},
): Promise<void> {
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
  let bytes: Buffer | undefined;
  const fileBytes = () => {
    bytes ??= Buffer.from(blanked, "utf8");
    return bytes;
  };
  for (const raw of tree?.stmts ?? []) {
    const node = raw.stmt as unknown as Record<string, unknown>;
    const startByte = Number(raw.stmt_location ?? 0);
    const reach = statementReach(
      node,
      () =>
        fileBytes()
          .subarray(startByte, raw.stmt_len ? startByte + Number(raw.stmt_len) : undefined)
          .toString("utf8"),
      options.allowDynamicSql === true,
    );
    if (!reach) continue;
    const line = blanked
      .slice(0, statementStart(blanked, byteToCharOffset(blanked, startByte)))
      .split("\n").length;
    throw refusal(`${file}:${line}`, reach);
  }
}

/**
 * Refuses, in one line naming it, the first of the sandbox database's own functions, views and foreign servers
 * that reaches outside it: a migration may call, fire or read it.
 */
export async function refuseSandboxObjects(
  db: PostgresConnector,
  options: ConfinementOptions = {},
): Promise<void> {
  await loadSqlParser();
  const found = await sandboxObjectReach(db, options.allowDynamicSql === true);
  if (found)
    throw refusal(
      `the sandbox database's ${found.object}`,
      found.reach,
      "change or drop it on the sandbox (a migration may call, fire or read it), then run again",
    );
}

function refusal(at: string, reach: Reach, outsideHint?: string): InputError {
  switch (reach.kind) {
    case "cluster":
      return new InputError(
        `${at}: ${reach.what} acts on the whole cluster, which the sandbox may share with production; nothing was run`,
        "run cluster-wide statements yourself; the trace runs a migration's statements on the sandbox database only",
      );
    case "outside":
      return new InputError(
        `${at}: ${reach.what} reaches outside the sandbox database (${reach.where}); nothing was run`,
        outsideHint ??
          "take it out of the traced files and run it yourself; the trace may change the sandbox database only",
      );
    case "dynamic":
      return new InputError(
        `${at}: ${reach.what} cannot be checked to stay inside the sandbox database; nothing was run`,
        "read what it runs, then pass --allow-dynamic-sql to trace it anyway",
      );
  }
}
