/**
 * What keeps `migrate trace --sandbox` on MySQL/MariaDB inside the sandbox database. The sandbox is one database
 * of a server that may also hold production's, and a MySQL session reaches every database it has privileges on:
 * a schema dump's `USE shop`, a `DROP DATABASE`, or a name qualified with another database (`shop.orders`, in
 * DDL or DML, a trigger's or a view's body) would run there. Such statements are refused before anything runs,
 * from the statement's tokens; so are statements that act on the whole server (users, grants, global settings)
 * and dynamic SQL, whose text cannot be checked.
 */
import type { Token } from "../facts/migration-mysql/mysql-ddl-tokens.js";

/** Schemas every server has, whether or not the user can list them. */
const SYSTEM_SCHEMAS = ["mysql", "information_schema", "performance_schema", "sys"];

export interface SandboxScope {
  /** The sandbox database's name, as the server spells it. */
  sandbox: string;
  /** Every database the server lists (information_schema.SCHEMATA). */
  databases: string[];
  /** lower_case_table_names is not 0: database names compare without case. */
  namesIgnoreCase: boolean;
}

export interface ConfinementRefusal {
  /** What the statement would do outside the sandbox, in a few words. */
  reason: string;
  hint: string;
}

const DUMP_HINT =
  "dump the schema of the one database without --databases (mysqldump --no-data shop > schema.sql), or remove the line";

/** Why the statement could act outside the sandbox database, or null when it stays inside it. */
export function confinementRefusal(
  tokens: Token[],
  scope: SandboxScope,
  source: "schema" | "migration" = "schema",
): ConfinementRefusal | null {
  const databaseHint =
    source === "schema" ? DUMP_HINT : "remove the line: the trace runs the migration in the sandbox database";
  const words = tokens.map((t) => (t.kind === "word" || t.text === ";" ? t.value : ""));
  const [w0 = ""] = words;
  const nameOf = (t: Token | undefined) => (t ? (t.kind === "name" ? t.value : t.text) : "");
  const isSandbox = (name: string) =>
    name === scope.sandbox || (scope.namesIgnoreCase && name.toLowerCase() === scope.sandbox.toLowerCase());

  if (w0 === "USE") {
    const target = nameOf(tokens[1]);
    if (tokens.length === 2 && isSandbox(target)) return null;
    return { reason: `USE ${target} would switch the session to another database`, hint: databaseHint };
  }
  // A trigger's, routine's or event's body holds statements of its own (mysqldump's DELIMITER ;; blocks): each is
  // checked from where it starts, as the statement itself is.
  for (const head of statementHeads(tokens)) {
    const end = words.indexOf(";", head);
    const own = words.slice(head, end < 0 ? undefined : end);
    const [h0 = "", h1 = ""] = own;
    if (["CREATE", "DROP", "ALTER"].includes(h0) && (h1 === "DATABASE" || h1 === "SCHEMA"))
      return { reason: `${h0} ${h1} acts on a whole database, outside the sandbox`, hint: databaseHint };
    const serverWide = serverWideStatement(own);
    if (serverWide)
      return {
        reason: `${serverWide} acts on the whole server, not on the sandbox database`,
        hint: "run such statements yourself; the trace runs schema changes on the sandbox only",
      };
  }
  if (remoteTable(words, tokens))
    return {
      reason:
        "a FEDERATED, CONNECT or SPIDER table (or a CONNECTION string) reaches another database through a string",
      hint: "trace the table with a local engine",
    };
  if (dynamicSql(words))
    return {
      reason: "dynamic SQL (PREPARE / EXECUTE IMMEDIATE) runs text that cannot be checked before it runs",
      hint: "write the statement itself in the migration",
    };

  const others = new Map<string, string>();
  for (const name of [...scope.databases, ...SYSTEM_SCHEMAS]) others.set(name.toLowerCase(), name);
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1] as Token;
    if (next.kind !== "punct" || next.text !== "." || (t.kind !== "name" && t.kind !== "word")) continue;
    // A name before a dot is a database or a table (alias) qualifier: only a database's name is refused, so
    // `o.id` and a trigger's `NEW.col` pass, and so does the sandbox's own name.
    const qualifier = nameOf(t);
    if (qualifier.startsWith("@") || isSandbox(qualifier)) continue;
    const database = others.get(qualifier.toLowerCase());
    if (database !== undefined)
      return {
        reason: `${qualifier}.${nameOf(tokens[i + 2])} names a table of database ${database}, not of the sandbox ${scope.sandbox}`,
        hint: `name the table without its database (or as ${scope.sandbox}.…), so the statement runs on the sandbox`,
      };
  }
  return null;
}

/** Words after which a statement of a compound body starts (BEGIN …; THEN …; FOR EACH ROW …; DO …). */
const BODY_STARTS = new Set([
  "BEGIN",
  "ATOMIC",
  "DO",
  "THEN",
  "ELSE",
  "LOOP",
  "REPEAT",
  "ROW",
  "DETERMINISTIC",
  "SQL",
  "DATA",
  "DEFINER",
  "INVOKER",
  "SQLEXCEPTION",
  "SQLWARNING",
  "FOUND",
]);

/**
 * Where the statement and each statement of a stored program's body begin: after ';', a label's ':', the words
 * that open a body or a branch, a routine's parameter list or its characteristics (DETERMINISTIC, READS SQL DATA,
 * SQL SECURITY INVOKER, COMMENT '…'), a trigger's FOLLOWS/PRECEDES name, a handler's condition. Taking a few
 * positions too many only checks more text; missing one would let a body's GRANT through.
 */
function statementHeads(tokens: Token[]): number[] {
  const heads = [0];
  for (let i = 1; i < tokens.length; i++) {
    const before = tokens[i - 1] as Token;
    const twoBefore = tokens[i - 2];
    const after =
      (before.kind === "punct" && (before.text === ";" || before.text === ")")) ||
      (before.text === ":" && tokens[i]?.text !== "=") ||
      (before.kind === "word" && BODY_STARTS.has(before.value)) ||
      (before.kind === "string" && ["COMMENT", "SQLSTATE", "VALUE"].includes(twoBefore?.value ?? "")) ||
      ((before.kind === "name" || before.kind === "word" || before.kind === "number") &&
        ["FOLLOWS", "PRECEDES", "FOR"].includes(twoBefore?.value ?? ""));
    if (after) heads.push(i);
  }
  return heads;
}

/** The statement's head when it changes users, grants, global settings, replication or the server itself. */
function serverWideStatement(words: string[]): string | null {
  const [w0 = "", w1 = ""] = words;
  const heads = ["GRANT", "REVOKE", "FLUSH", "KILL", "SHUTDOWN", "INSTALL", "UNINSTALL", "PURGE", "RESET"];
  if (heads.includes(w0)) return w0;
  if (["CREATE", "DROP", "ALTER", "RENAME"].includes(w0) && ["USER", "ROLE", "SERVER"].includes(w1))
    return `${w0} ${w1}`;
  if (["START", "STOP"].includes(w0) && ["SLAVE", "REPLICA", "ALL"].includes(w1)) return `${w0} ${w1}`;
  if (w0 === "CHANGE" && (w1 === "MASTER" || w1 === "REPLICATION")) return `${w0} ${w1}`;
  if (w0 === "SET") {
    const global = words.find((w) =>
      ["GLOBAL", "PERSIST", "PERSIST_ONLY", "@@GLOBAL", "@@PERSIST", "@@PERSIST_ONLY", "PASSWORD"].includes(
        w,
      ),
    );
    if (global) return `SET ${global.replace(/^@@/, "")}`;
  }
  return null;
}

/** A table whose rows live elsewhere, named by a string: ENGINE=FEDERATED/CONNECT/SPIDER, or CONNECTION='…'. */
function remoteTable(words: string[], tokens: Token[]): boolean {
  const engines = ["FEDERATED", "FEDERATEDX", "CONNECT", "SPIDER"];
  return words.some((w, i) => {
    const next = tokens[i + 1];
    const value = next?.text === "=" ? tokens[i + 2] : next;
    if (w === "ENGINE")
      return engines.includes(value?.kind === "name" ? value.value.toUpperCase() : (value?.value ?? ""));
    return w === "CONNECTION" && value?.kind === "string";
  });
}

function dynamicSql(words: string[]): boolean {
  return words.some(
    (w, i) =>
      (w === "PREPARE" && words[i + 2] === "FROM") || (w === "EXECUTE" && words[i + 1] === "IMMEDIATE"),
  );
}
