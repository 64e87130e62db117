/**
 * Statements with their secrets hidden: the literal that is a password, an encryption key or a connection string
 * becomes '***' (still a string, so the text keeps its shape and still parses). Applied where dbopt captures a
 * statement's text from the outside (pg_stat_statements, pg_stat_activity, logs, traces, performance_schema
 * samples), so snapshots, the store, the dashboard and every report get the redacted text.
 *
 * PostgreSQL texts are judged from the libpg-query tree: a role's PASSWORD, user mapping, server and other options
 * named like a password or key, a subscription's CONNECTION, SET/ALTER SYSTEM/set_config of a password-ish
 * setting (statement-wide), and the literal arguments of pgcrypto's and dblink's functions (pgp_*, *crypt*, hmac,
 * dblink*). A text that does not parse and names a secret has all its literals hidden. MySQL/MariaDB texts have no
 * parser here: a conservative scan of the code between literals (SET PASSWORD, IDENTIFIED BY/AS/USING,
 * [*_]PASSWORD [=] '...', AES_/DES_ENCRYPT/DECRYPT and other key-taking functions).
 */

import { scanMysqlNonCode } from "./mysql-text-scan.js";
import { afterQuotedOrComment } from "./pg-text-scan.js";
import { withoutUrlPasswords } from "./secret-text.js";
import { scanSql, sqlParserLoaded, tryParseSql } from "./sql-parser.js";

export type SecretDialect = "postgres" | "mysql";

/** What replaces a secret literal. */
export const SECRET_MARK = "'***'";

/**
 * The cheap test every text passes first: a text without any of these words holds no secret this module finds
 * (only URL passwords and environment values, which the last pass masks without parsing).
 */
const MAY_HOLD_SECRET =
  /pass|pwd|crypt|pgp_|dblink|conninfo|connection|set_config|secret|token|credential|identified|hmac|(?:ssl|api|private|access|auth)_?key|encode|decode|kdf/i;
/** A text the parser cannot read is redacted whole when it names one of these. */
const NAMES_A_SECRET = /pass|pwd|crypt|pgp_|dblink|conninfo|secret|token|credential|identified|hmac/i;
/** Options and settings whose value is a secret (password, passfile, sslpassword, sslkey, api_key, primary_conninfo). */
const SECRET_NAME =
  /passw|passfile|passphrase|secret|token|credential|sslkey|conninfo|api_?key|private_?key|access_?key|auth_?key/i;
/** Columns whose values are secrets: a literal assigned to or compared with one is hidden. */
const SECRET_COLUMN = /passw|passphrase|secret|api_?key|private_?key|access_?token/i;
/** PostgreSQL functions whose literal arguments are keys, passwords, plaintexts or connection strings. */
const PG_SECRET_FUNCTION = /^(?:pgp_\w*|\w*crypt\w*|hmac|dblink\w*|pg_read_binary_file_key)$/;
/** A literal that carries a password itself (dynamic SQL, a conninfo kept in a table). */
const SECRET_CONTENT = /pass(?:word|wd|phrase)|secret|identified\s+by/i;
/** MySQL/MariaDB functions whose literal arguments are keys or passwords. */
const MYSQL_SECRET_FUNCTION =
  /^(?:\w*crypt\w*|encode|decode|(?:old_)?password|validate_password_strength|kdf)$/;

/** Whether the text may hold a secret this module hides (the parser is worth loading for it). */
export function mayHoldSecret(sql: string): boolean {
  return MAY_HOLD_SECRET.test(sql);
}

/** The text with every secret literal replaced by '***', and whether the statement carries a secret at all. */
export function findSecrets(sql: string, dialect: SecretDialect): { text: string; secret: boolean } {
  const found = !MAY_HOLD_SECRET.test(sql)
    ? { text: sql, secret: false }
    : dialect === "mysql"
      ? redactMysql(sql)
      : redactPostgres(sql);
  const text = withoutUrlPasswords(found.text);
  return { text, secret: found.secret || text !== found.text };
}

/** The text with every secret literal replaced by '***'. */
export function redactSecrets(sql: string, dialect: SecretDialect): string {
  return findSecrets(sql, dialect).text;
}

/**
 * Bound parameters as a log shows them ("$1 = 'x', $2 = NULL") with every value hidden: the parameters of a
 * statement that carries a secret (ALTER ROLE ... PASSWORD $1, pgp_sym_decrypt(col, $2)) are the secret.
 */
export function redactParameters(parameters: string): string {
  const hidden = parameters.replace(/(\$\d+\s*=\s*)(?:'(?:[^']|'')*'|[^,]*)/g, `$1${SECRET_MARK}`);
  return hidden === parameters && !/^\s*$/.test(parameters) ? SECRET_MARK : hidden;
}

/** A byte range of the text whose string literals are secret. */
interface Region {
  start: number;
  end: number;
}

function redactPostgres(sql: string): { text: string; secret: boolean } {
  // Without the parser (a caller that never loaded it) the text is judged as one that does not parse.
  const tree = sqlParserLoaded() ? tryParseSql(sql) : null;
  if (!tree)
    return NAMES_A_SECRET.test(sql)
      ? { text: allPgLiterals(sql), secret: true }
      : { text: sql, secret: false };
  const bytes = Buffer.from(sql, "utf8");
  // The lexer's tokens only once something is found: most texts that pass the pre-check hold no secret.
  let scanned: ReturnType<typeof scanSql>["tokens"] | null = null;
  const tokens = () => {
    scanned ??= scanSql(sql).tokens;
    return scanned;
  };
  const regions: Region[] = [];
  for (const raw of tree.stmts ?? []) {
    const start = raw.stmt_location ?? 0;
    const whole = { start, end: raw.stmt_len ? start + raw.stmt_len : bytes.length };
    const stack: unknown[] = [raw.stmt];
    let statementWide = false;
    while (stack.length > 0) {
      const value = stack.pop();
      if (Array.isArray(value)) {
        for (const v of value) stack.push(v);
        continue;
      }
      if (value === null || typeof value !== "object") continue;
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        const node = inner as Record<string, unknown>;
        if (key === "DefElem" && (SECRET_NAME.test(String(node.defname ?? "")) || secretBody(node.arg)))
          statementWide = true;
        // ALTER SYSTEM, ALTER ROLE/DATABASE ... SET hold the VariableSetStmt unwrapped, as `setstmt`.
        else if (
          (key === "VariableSetStmt" || key === "setstmt") &&
          SECRET_NAME.test(String(node.name ?? ""))
        )
          statementWide = true;
        else if (key === "CreateSubscriptionStmt" || (key === "AlterSubscriptionStmt" && node.conninfo))
          statementWide = true;
        else if (key === "FuncCall" && secretCall(node)) regions.push(callRegion(tokens(), node, whole));
        else if (key === "A_Const" && SECRET_CONTENT.test(constText(node) ?? ""))
          regions.push(...constants(value));
        else if (key === "ResTarget" && SECRET_COLUMN.test(String(node.name ?? "")))
          regions.push(...constants(node.val));
        else if (key === "A_Expr") regions.push(...comparedWithSecretColumn(node));
        else if (key === "InsertStmt") regions.push(...insertedIntoSecretColumns(node));
        if (inner !== null && typeof inner === "object") stack.push(inner);
      }
    }
    if (statementWide) regions.push(whole);
  }
  if (regions.length === 0) return { text: sql, secret: false };
  const secretTokens = tokens().filter(
    (t) => isPgLiteral(t.text) && regions.some((r) => t.start >= r.start && t.start < r.end),
  );
  return { text: replaceByteRanges(bytes, secretTokens), secret: true };
}

/** A DO block's or function's body (a DefElem's string or list of strings) that carries a password itself. */
function secretBody(arg: unknown): boolean {
  const strings = (arg as { List?: { items?: unknown[] } } | undefined)?.List?.items ?? [arg];
  return strings.some((s) =>
    SECRET_CONTENT.test((s as { String?: { sval?: string } } | undefined)?.String?.sval ?? ""),
  );
}

/** The literals of a subtree, each a region of its first byte. */
function constants(tree: unknown): Region[] {
  const out: Region[] = [];
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) stack.push(...value);
    else
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (key === "A_Const") {
          const at = Number((inner as { location?: number }).location ?? -1);
          if (at >= 0) out.push({ start: at, end: at + 1 });
        } else stack.push(inner);
      }
  }
  return out;
}

/** The last name of a column reference (`u.password` → password), or "". */
function columnName(node: unknown): string {
  const fields = (node as { ColumnRef?: { fields?: Array<{ String?: { sval?: string } }> } } | undefined)
    ?.ColumnRef?.fields;
  return fields?.at(-1)?.String?.sval ?? "";
}

/** `password = 'x'`, `password IN ('x', 'y')`: the other side's literals. */
function comparedWithSecretColumn(expr: Record<string, unknown>): Region[] {
  if (SECRET_COLUMN.test(columnName(expr.lexpr))) return constants(expr.rexpr);
  if (SECRET_COLUMN.test(columnName(expr.rexpr))) return constants(expr.lexpr);
  return [];
}

/** INSERT INTO users (name, password) VALUES ('a', 'x'): the literals of the secret columns' places. */
function insertedIntoSecretColumns(insert: Record<string, unknown>): Region[] {
  const columns = ((insert.cols as Array<{ ResTarget?: { name?: string } }> | undefined) ?? []).map(
    (c) => c.ResTarget?.name ?? "",
  );
  const places = columns.flatMap((name, i) => (SECRET_COLUMN.test(name) ? [i] : []));
  if (places.length === 0) return [];
  const select = (
    insert.selectStmt as { SelectStmt?: { valuesLists?: Array<{ List?: { items?: unknown[] } }> } }
  )?.SelectStmt;
  return (select?.valuesLists ?? []).flatMap((row) => places.flatMap((i) => constants(row.List?.items?.[i])));
}

/** pgcrypto, dblink and other key-taking functions, and set_config of a password-ish setting. */
function secretCall(call: Record<string, unknown>): boolean {
  const names = (call.funcname as Array<{ String?: { sval?: string } }> | undefined) ?? [];
  const name = (names.at(-1)?.String?.sval ?? "").toLowerCase();
  if (PG_SECRET_FUNCTION.test(name)) return true;
  if (name !== "set_config") return false;
  const first = (call.args as Array<Record<string, unknown>> | undefined)?.[0];
  const setting = first?.A_Const ? constText(first.A_Const as Record<string, unknown>) : null;
  // A setting named by an expression may be any setting.
  return setting === null || SECRET_NAME.test(setting);
}

/** A call's bytes: from its name to its closing parenthesis, found among the lexer's tokens. */
function callRegion(
  tokens: Array<{ start: number; end: number; text: string }>,
  call: Record<string, unknown>,
  statement: Region,
): Region {
  const start = Number(call.location ?? statement.start);
  let depth = 0;
  for (const t of tokens) {
    if (t.start < start) continue;
    if (t.text === "(") depth++;
    else if (t.text === ")" && --depth === 0) return { start, end: t.end };
  }
  return { start, end: statement.end };
}

function constText(node: Record<string, unknown>): string | null {
  const sval = (node.sval as { sval?: string } | undefined)?.sval;
  return typeof sval === "string" ? sval : null;
}

/** A string literal token of PostgreSQL's lexer: '…', E'…', B'…', X'…', N'…', U&'…', $tag$…$tag$. */
function isPgLiteral(token: string): boolean {
  return /^(?:[eEbBxXnN]?'|[uU]&'|\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$)/.test(token);
}

/** Every string literal of a text the parser cannot read (a statement cut short, a logged syntax error). */
function allPgLiterals(sql: string): string {
  let out = "";
  let copied = 0;
  for (let i = 0; i < sql.length; ) {
    const after = afterQuotedOrComment(sql, i);
    if (after === i) {
      i++;
      continue;
    }
    const ch = sql[i];
    if (ch === "'" || ch === "$") {
      out += sql.slice(copied, i) + SECRET_MARK;
      copied = after;
    }
    i = after;
  }
  return out + sql.slice(copied);
}

/** The text with each token's bytes replaced by the mark (tokens in order, byte offsets of the UTF-8 text). */
function replaceByteRanges(bytes: Buffer, ranges: Array<{ start: number; end: number }>): string {
  const parts: Buffer[] = [];
  let copied = 0;
  const mark = Buffer.from(SECRET_MARK);
  for (const r of ranges) {
    if (r.start < copied) continue;
    parts.push(bytes.subarray(copied, r.start), mark);
    copied = r.end;
  }
  parts.push(bytes.subarray(copied));
  return Buffer.concat(parts).toString("utf8");
}

/** A piece of MySQL text: a word, one punctuation character, or a quoted string. */
interface MysqlPiece {
  kind: "word" | "punct" | "literal";
  text: string;
  start: number;
  end: number;
}

function mysqlPieces(sql: string): MysqlPiece[] {
  const pieces: MysqlPiece[] = [];
  const word = /[A-Za-z0-9_$@.\u0080-\uffff]+/y;
  for (let i = 0; i < sql.length; ) {
    const other = scanMysqlNonCode(sql, i);
    if (other) {
      const ch = sql[i];
      if (other.kind === "quoted" && ch !== "`")
        pieces.push({ kind: "literal", text: sql.slice(i, other.end), start: i, end: other.end });
      else if (other.kind === "quoted")
        pieces.push({ kind: "word", text: sql.slice(i, other.end), start: i, end: other.end });
      i = Math.max(other.end, i + 1);
      continue;
    }
    word.lastIndex = i;
    const w = word.exec(sql);
    if (w) {
      pieces.push({ kind: "word", text: w[0], start: i, end: i + w[0].length });
      i += w[0].length;
    } else {
      if (!/\s/.test(sql[i] as string))
        pieces.push({ kind: "punct", text: sql[i] as string, start: i, end: i + 1 });
      i++;
    }
  }
  return pieces;
}

function redactMysql(sql: string): { text: string; secret: boolean } {
  const pieces = mysqlPieces(sql);
  const code = pieces
    .filter((p) => p.kind !== "literal")
    .map((p) => p.text)
    .join(" ");
  const identified = /\bidentified\b/i.test(code);
  const setPassword = /^\s*set\s+password\b/i.test(code);
  const namesPassword = identified || /(?:^|[\s_])password\b/i.test(code);
  const secret = new Set<MysqlPiece>();
  let afterEquals = false;
  for (const [i, p] of pieces.entries()) {
    if (p.kind === "punct" && p.text === "=") afterEquals = true;
    if (
      p.kind === "word" &&
      pieces[i + 1]?.text === "(" &&
      MYSQL_SECRET_FUNCTION.test(p.text.toLowerCase())
    ) {
      // Every literal up to the call's closing parenthesis.
      let depth = 0;
      for (const q of pieces.slice(i + 1)) {
        if (q.text === "(") depth++;
        else if (q.text === ")" && q.kind === "punct" && --depth === 0) break;
        else if (q.kind === "literal") secret.add(q);
      }
    }
    if (p.kind !== "literal") continue;
    const before = pieces[i - 1];
    const word = (before?.text === "=" ? pieces[i - 2] : before)?.text.toLowerCase() ?? "";
    if (
      /(?:^|_)password$/.test(word) ||
      (identified && /^(?:by|as|using)$/.test(word)) ||
      (setPassword && afterEquals) ||
      SECRET_CONTENT.test(p.text)
    )
      secret.add(p);
  }
  // A password named in a form this scan does not know: every literal.
  if (namesPassword && secret.size === 0) for (const p of pieces) if (p.kind === "literal") secret.add(p);
  if (secret.size === 0) return { text: sql, secret: false };
  let out = "";
  let copied = 0;
  for (const p of pieces) {
    if (!secret.has(p)) continue;
    out += sql.slice(copied, p.start) + SECRET_MARK;
    copied = p.end;
  }
  return { text: out + sql.slice(copied), secret: true };
}
