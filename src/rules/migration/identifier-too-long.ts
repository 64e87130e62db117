import type { MigrationStatement } from "../../facts/migration/migration-set.js";
import { scanSql } from "../../util/sql-parser.js";
import { migrationRule } from "./migration-rule.js";

/** NAMEDATALEN - 1: the bytes PostgreSQL keeps of an identifier. */
const MAX_BYTES = 63;

/**
 * PostgreSQL cuts identifiers longer than 63 bytes with only a NOTICE: the table, column, index or constraint
 * gets a name the migration never wrote, and code or a later migration that compares names finds nothing.
 */
export const identifierTooLong = migrationRule({
  id: "migration/identifier-too-long",
  title: "Identifier longer than 63 bytes",
  description:
    "PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN) with only a NOTICE, so the object gets a name the migration never wrote. SQL that uses the full name still works (it is cut the same way), but anything comparing names — ORM schema diffs, pg_catalog lookups, another tool's migration — sees a different one; two long names that share their first 63 bytes collide.",
  maxSeverity: "warning",
  docsUrl: "https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS",
  check(st) {
    const long = [...new Set(identifiers(st).filter((name) => Buffer.byteLength(name, "utf8") > MAX_BYTES))];
    if (!long.length) return [];
    return [
      {
        severity: "warning",
        title: `${long.length === 1 ? "Identifier" : `${long.length} identifiers`} longer than 63 bytes: ${long.map((n) => `${n.slice(0, 24)}…`).join(", ")}`,
        detail: long
          .map((n) => `"${n}" (${Buffer.byteLength(n, "utf8")} bytes) becomes "${truncate(n)}"`)
          .join("; "),
        fix: {
          note: "Shorten the name to 63 bytes or fewer, so the object is called what the migration says.",
        },
      },
    ];
  },
});

/** Names as PostgreSQL reads them: quoted ones as written, unquoted ones with ASCII letters folded to lower case. */
function identifiers(st: MigrationStatement): string[] {
  return scanSql(st.sql)
    .tokens.filter((t) => t.tokenName === "IDENT")
    .map((t) =>
      t.text.startsWith('"')
        ? t.text.slice(1, -1).replaceAll('""', '"')
        : t.text.startsWith("U&")
          ? ""
          : t.text.replace(/[A-Z]/g, (c) => c.toLowerCase()),
    );
}

/** The first 63 bytes, cut at a character boundary as PostgreSQL's pg_mbcliplen does. */
function truncate(name: string): string {
  let out = "";
  for (const ch of name) {
    if (Buffer.byteLength(out + ch, "utf8") > MAX_BYTES) break;
    out += ch;
  }
  return out;
}
