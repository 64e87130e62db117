/**
 * The fixes of the MySQL/MariaDB migration rules: the user's statement with the ALGORITHM and LOCK clauses that
 * make the server refuse, rather than silently copy, when it cannot work online (the statement's own clauses are
 * cut at their token offsets, never by pattern), and the pt-online-schema-change and gh-ost command lines for a
 * change that would block writes on a large table, every value shell-quoted.
 */
import type { MysqlMigrationFacts } from "../../facts/migration-mysql/mysql-migration-set.js";
import type { OnlineAlgorithm } from "../../facts/migration-mysql/online-ddl-support.js";
import { type SqlText, sql, sqlFrom } from "../../util/sql-text.js";
import type { PlannedStatement } from "./mysql-migration-rule.js";

/** The statement as written, with its ALGORITHM/LOCK clauses replaced by the given algorithm and LOCK=NONE. */
export function withOnlineClauses(
  st: Pick<PlannedStatement, "ddl" | "text" | "offset">,
  algorithm: OnlineAlgorithm,
  server: MysqlMigrationFacts["server"],
): SqlText {
  if (st.ddl.kind !== "alter-table") throw new Error("not an ALTER");
  const text = clausesCut(st);
  const alg = algorithm as string as SqlText;
  // MySQL accepts only LOCK=DEFAULT with ALGORITHM=INSTANT; an instant change takes no lock beyond the metadata one.
  const clause =
    algorithm === "INSTANT" && server.flavour === "mysql"
      ? sql`ALGORITHM=${alg}`
      : sql`ALGORITHM=${alg}, LOCK=NONE`;
  const base = sqlFrom("statement", text.trimEnd());
  if (st.ddl.operations.some((op) => op.kind === "partition")) {
    // MariaDB takes no ALGORITHM/LOCK with a partition clause; MySQL takes them before it, then a comma (the
    // comma that followed the user's own clauses is left behind the table name when they are cut).
    if (server.flavour === "mariadb") return withoutClauses(st);
    const at = text.lastIndexOf(st.ddl.specsText);
    if (at > 0)
      return sql`${sqlFrom("statement", text.slice(0, at).trimEnd().replace(/,$/, ""))} ${clause}, ${sqlFrom("statement", text.slice(at).trimEnd())}`;
  }
  return st.ddl.verb === "alter"
    ? sql`${base}, ${clause}`
    : sql`${base} ${clause.replace(",", "") as SqlText}`;
}

/** The statement as written without its ALGORITHM/LOCK clauses (for an operation that takes none). */
export function withoutClauses(st: Pick<PlannedStatement, "ddl" | "text" | "offset">): SqlText {
  if (st.ddl.kind !== "alter-table") throw new Error("not an ALTER");
  // A partition clause ends the statement with no comma before it: the reader's form of it, never the text as
  // written, whose comma after the cut clauses (or before REMOVE PARTITIONING) is the syntax error.
  if (st.ddl.unclausedText) return sqlFrom("statement", st.ddl.unclausedText);
  const text = clausesCut(st);
  // Clauses before a partition clause leave their comma behind the table name ("ALTER TABLE t, DROP ...").
  const at = text.lastIndexOf(st.ddl.specsText);
  if (at > 0)
    return sqlFrom(
      "statement",
      `${text.slice(0, at).trimEnd().replace(/,$/, "")} ${text.slice(at).trimEnd()}`,
    );
  return sqlFrom("statement", text.trimEnd());
}

/** The statement's text with its ALGORITHM/LOCK clauses cut at their token offsets. */
function clausesCut(st: Pick<PlannedStatement, "ddl" | "text" | "offset">): string {
  if (st.ddl.kind !== "alter-table") throw new Error("not an ALTER");
  let text = st.text;
  const ranges = [...st.ddl.clauseRanges].sort((a, b) => b[0] - a[0]);
  for (const [start, end] of ranges) {
    let from = start - st.offset;
    const to = end - st.offset;
    // Take the separating comma (ALTER's ", ALGORITHM=...") and the blanks before the clause with it.
    while (from > 0 && /\s/.test(text[from - 1] ?? "")) from--;
    if (st.ddl.verb === "alter" && text[from - 1] === ",") from--;
    text = text.slice(0, from) + text.slice(to);
  }
  return text;
}

/** A value for a POSIX shell: in single quotes, a quote inside as '\''. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** pt-online-schema-change and gh-ost command lines for the statement, dry run first. */
export function onlineToolCommands(st: PlannedStatement, facts: MysqlMigrationFacts): string {
  if (st.ddl.kind !== "alter-table") return "";
  const database = st.ddl.table.schema ?? facts.database;
  const table = st.ddl.table.name;
  const alter =
    st.ddl.verb === "alter"
      ? st.ddl.specsText
      : st.ddl.operations[0]?.kind === "drop-index"
        ? `DROP INDEX ${backtick(st.ddl.operations[0].name)}`
        : addIndexSpec(st);
  const c = facts.connection;
  const dsn = [
    ...(c ? [`h=${c.host}`, `P=${c.port}`, `u=${c.user}`] : []),
    ...(database ? [`D=${database}`] : []),
    `t=${table}`,
  ].join(",");
  // A DSN is split at commas and '=': a name holding one cannot be given to pt-online-schema-change.
  const dsnSafe = ![database ?? "", table].some((n) => /[,=]/.test(n));
  const pt = dsnSafe
    ? `pt-online-schema-change --alter ${shellQuote(alter)} ${shellQuote(dsn)} --dry-run`
    : null;
  const ghost = [
    "gh-ost",
    ...(c ? [`--host=${shellQuote(c.host)}`, `--port=${c.port}`, `--user=${shellQuote(c.user)}`] : []),
    ...(database ? [`--database=${shellQuote(database)}`] : []),
    `--table=${shellQuote(table)}`,
    `--alter=${shellQuote(alter)}`,
    "--verbose",
  ].join(" ");
  // Each command on a line of its own, so it can be copied (and run by the tests) as printed.
  return [
    ...(pt
      ? [
          pt,
          "  (copies the table in chunks while triggers keep the copy current; run again with --execute in place of --dry-run)",
        ]
      : ["  (pt-online-schema-change cannot take this name: its DSN splits at ',' and '=')"]),
    ghost,
    "  (copies in chunks following the binary log: needs binlog_format=ROW and no foreign keys on the table; add --execute to run)",
    ...(database
      ? []
      : ["  (add the database, D= or --database=: the statement does not name it and no --db was given)"]),
    "  (give the password with --ask-pass, which both tools have, or an option file; never on the command line)",
  ].join("\n");
}

function backtick(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

function addIndexSpec(st: PlannedStatement): string {
  if (st.ddl.kind !== "alter-table") return "";
  const op = st.ddl.operations[0];
  if (op?.kind !== "add-index") return "";
  const kind = op.index === "secondary" ? "INDEX" : `${op.index.toUpperCase()} INDEX`;
  return `ADD ${kind}${op.name ? ` ${backtick(op.name)}` : ""} ${op.keyParts}`;
}
