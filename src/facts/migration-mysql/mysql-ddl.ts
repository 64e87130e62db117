/**
 * What a MySQL/MariaDB migration statement does to a table, read from its tokens: the ALTER TABLE operations
 * (and CREATE INDEX / DROP INDEX / OPTIMIZE TABLE as the ALTER they are), with the ALGORITHM and LOCK the statement
 * asks for. A focused reader, not a grammar: node-sql-parser 5 refuses ALTER COLUMN SET DEFAULT, CONVERT TO
 * CHARACTER SET, RENAME INDEX, ALTER ONLINE TABLE and MariaDB's ADD FOREIGN KEY, and keeps `` ` `` doubled in
 * names; an operation this reader does not know stays `other` with its text, never guessed.
 */
import { codeText, type Token } from "./mysql-ddl-tokens.js";

export interface TableName {
  schema: string | null;
  name: string;
}

export interface ColumnSpec {
  name: string;
  /** The type as written, lower case without spaces: "varchar(100)", "int unsigned". */
  type: string;
  /** NOT NULL given (true), NULL given (false), neither (null). */
  notNull: boolean | null;
  hasDefault: boolean;
  autoIncrement: boolean;
  generated: "virtual" | "stored" | null;
  /** PRIMARY KEY or UNIQUE in the column definition. */
  key: "primary" | "unique" | null;
  /** CHARACTER SET and COLLATE as written, lower case (utf8 read as utf8mb3); null when not given. */
  charset: string | null;
  collation: string | null;
  /** The names a parenthesised DEFAULT expression uses (not the functions it calls); absent without one. */
  defaultNames?: string[];
}

export type Position = { kind: "last" } | { kind: "first" } | { kind: "after"; column: string };

export type AlterOperation =
  | { kind: "add-column"; column: ColumnSpec; position: Position }
  | { kind: "drop-column"; column: string }
  | { kind: "rename-column"; from: string; to: string }
  | { kind: "change-column"; from: string; column: ColumnSpec; position: Position }
  | { kind: "set-default" | "drop-default"; column: string }
  | {
      kind: "add-index";
      index: "secondary" | "unique" | "fulltext" | "spatial" | "primary";
      name: string | null;
      columns: string[];
      /** The key parts as written, parentheses included: "(a, b(10) DESC)". */
      keyParts: string;
    }
  | { kind: "drop-index"; name: string }
  | { kind: "drop-primary-key" }
  | { kind: "rename-index"; from: string; to: string }
  | { kind: "index-visibility"; name: string }
  | { kind: "add-foreign-key"; name: string | null }
  | { kind: "drop-foreign-key"; name: string }
  | { kind: "add-check" }
  | { kind: "drop-constraint"; name: string }
  | { kind: "convert-charset"; charset: string }
  | { kind: "table-charset"; charset: string }
  | { kind: "table-option"; option: string; value: string }
  | { kind: "force" }
  | { kind: "rename-table"; to: TableName }
  /** A partition clause; `hashed` when it adds partitions by count or without VALUES (HASH/KEY: rows move). */
  | { kind: "partition"; action: string; hashed?: boolean }
  /** DISCARD or IMPORT TABLESPACE of the whole table: its .ibd file detached or attached. */
  | { kind: "tablespace"; action: "DISCARD" | "IMPORT" }
  | { kind: "other"; text: string };

export type Algorithm = "INSTANT" | "NOCOPY" | "INPLACE" | "COPY";
export type LockLevel = "NONE" | "SHARED" | "EXCLUSIVE";

export type MysqlDdl =
  | {
      kind: "alter-table";
      /** What the statement was written as: an ALTER TABLE, a CREATE/DROP INDEX, an OPTIMIZE TABLE. */
      verb: "alter" | "create-index" | "drop-index" | "optimize";
      table: TableName;
      operations: AlterOperation[];
      /** What the statement asks for; null when it does not say (DEFAULT counts as not saying). */
      algorithm: Algorithm | null;
      lock: LockLevel | null;
      /** The operations' text as written, ALGORITHM and LOCK left out (for pt-online-schema-change and gh-ost). */
      specsText: string;
      /** Offsets of the ALGORITHM/LOCK clauses, to leave out when the fix adds its own. */
      clauseRanges: Array<[number, number]>;
      /** Why the server cannot parse the statement as written (ERROR 1064), for where its clauses stand; else null. */
      syntaxError: string | null;
      /** The statement with its ALGORITHM/LOCK clauses where the grammar takes them; null when no such form exists. */
      placedText: string | null;
      /**
       * The statement without ALGORITHM/LOCK as the grammar takes it when a partition or tablespace clause ends it
       * (no comma before PARTITION BY or REMOVE PARTITIONING); null otherwise or when no such form exists.
       */
      unclausedText: string | null;
    }
  | { kind: "create-table"; table: TableName; columns: ColumnSpec[] }
  | { kind: "drop-table"; tables: TableName[] }
  | { kind: "rename-table"; pairs: Array<[TableName, TableName]> }
  | { kind: "set-foreign-key-checks"; on: boolean }
  | { kind: "other" };

/** Read one statement; `text` is the file the tokens' offsets point into. */
export function readDdl(tokens: Token[], text: string): MysqlDdl {
  const r = new Reader(tokens, text);
  const first = r.peekWord();
  if (first === "ALTER") return readAlter(r);
  if (first === "CREATE") return readCreate(r);
  if (first === "DROP") return readDrop(r);
  if (first === "OPTIMIZE") {
    r.next();
    r.acceptWord("NO_WRITE_TO_BINLOG", "LOCAL");
    if (!r.acceptWord("TABLE")) return { kind: "other" };
    const table = r.tableName();
    return table ? alterOf("optimize", table, [{ kind: "force" }], r, []) : { kind: "other" };
  }
  if (first === "RENAME") {
    r.next();
    if (!r.acceptWord("TABLE", "TABLES")) return { kind: "other" };
    const pairs: Array<[TableName, TableName]> = [];
    do {
      const from = r.tableName();
      if (!from || !r.acceptWord("TO")) return { kind: "other" };
      const to = r.tableName();
      if (!to) return { kind: "other" };
      pairs.push([from, to]);
    } while (r.acceptPunct(","));
    return { kind: "rename-table", pairs };
  }
  if (first === "SET") return readSet(r);
  return { kind: "other" };
}

/**
 * ALTER TABLE's grammar (MySQL 8.0/8.4 sql_yacc.yy, MariaDB 10.11 the same where it matters, checked on 10.11.19):
 * the partition options (PARTITION BY, REMOVE PARTITIONING) end the statement, after the other specifications and
 * ALGORITHM/LOCK with no comma before them; a standalone clause (partition management, DISCARD/IMPORT TABLESPACE)
 * is the statement's only specification, after ALGORITHM/LOCK and a comma (MySQL; MariaDB takes none). Nothing
 * may follow either: an ALGORITHM or LOCK written after them is a syntax error, not a request.
 */
function readAlter(r: Reader): MysqlDdl {
  const head = r.peek() as Token;
  r.next();
  r.acceptWord("ONLINE");
  r.acceptWord("IGNORE");
  if (!r.acceptWord("TABLE")) return { kind: "other" };
  r.ifExists();
  const table = r.tableName();
  if (!table) return { kind: "other" };
  if (r.acceptWord("WAIT")) r.next();
  else r.acceptWord("NOWAIT");
  const headEnd = r.lastEnd();
  const operations: AlterOperation[] = [];
  const clauses: Array<[number, number]> = [];
  const clauseTexts: string[] = [];
  let algorithm: Algorithm | null = null;
  let lock: LockLevel | null = null;
  const specs: Token[][] = [];
  const before: Token[][] = [];
  let ending: { kind: "options" | "standalone"; what: string; specs: Token[][] } | null = null;
  let syntaxError: string | null = null;
  let placeable = true;
  const fail = (why: string) => {
    syntaxError ??= `${why} (ERROR 1064, a syntax error)`;
  };
  for (const part of alterParts(r.restSplitAtCommas())) {
    const clause = clauseOf(part.tokens);
    if (clause) {
      if (clause.head === "ALGORITHM") algorithm = clauseValue(clause);
      else lock = clauseValue(clause);
      clauses.push([clause.start, clause.end]);
      const text = r.text.slice(clause.start, clause.end);
      clauseTexts.push(text);
      if (ending)
        fail(`${text} is written after ${ending.what}; ALTER TABLE takes ALGORITHM and LOCK before it`);
      continue;
    }
    const spec = part.tokens;
    specs.push(spec);
    if (ending) {
      // DROP PARTITION p1, p2 and REORGANIZE PARTITION p1, p2 INTO (...): the clause's own list goes on.
      if (ending.kind === "standalone" && listGoesOn(spec)) {
        ending.specs.push(spec);
        continue;
      }
      placeable = false;
      fail(
        `${r.textOf(spec).split(/\s+/).slice(0, 3).join(" ")} follows ${ending.what}, which ends an ALTER TABLE`,
      );
      operations.push(...readSpec(new Reader(spec, r.text)));
      continue;
    }
    const read = readSpec(new Reader(spec, r.text));
    operations.push(...read);
    const partition = read.find(
      (op): op is Extract<AlterOperation, { kind: "partition" | "tablespace" }> =>
        op.kind === "partition" || op.kind === "tablespace",
    );
    if (!partition) {
      before.push(spec);
      continue;
    }
    const what = partition.kind === "tablespace" ? `${partition.action} TABLESPACE` : partition.action;
    const options =
      partition.kind === "partition" && (what === "PARTITION BY" || what === "REMOVE PARTITIONING");
    ending = { kind: options ? "options" : "standalone", what, specs: [spec] };
    if (options && part.afterComma)
      fail(`a comma stands before ${what}, which follows the other specifications without one`);
    if (!options && before.length) {
      placeable = false;
      fail(`${what} cannot be combined with other changes in one ALTER TABLE`);
    } else if (!options && clauses.length && !part.afterComma)
      fail(`ALGORITHM/LOCK before ${what} need a comma after them`);
  }
  const ddl = alterOf("alter", table, operations, r, clauses, specs);
  // The statement as the grammar takes it: the specifications, the clauses, then the ending clause.
  const textOf = (list: Token[][]) => list.map((s) => r.textOf(s)).join(", ");
  const placedText =
    syntaxError && placeable && ending
      ? `${r.text.slice(head.start, headEnd)} ${[
          ...(before.length ? [textOf(before)] : []),
          ...clauseTexts,
        ].join(
          ", ",
        )}${ending.kind === "standalone" && clauseTexts.length ? "," : ""} ${textOf(ending.specs)}`.replace(
          / {2,}/g,
          " ",
        )
      : null;
  const unclausedText =
    placeable && ending && (ending.kind === "options" || !before.length)
      ? `${r.text.slice(head.start, headEnd)} ${[...(before.length ? [textOf(before)] : []), textOf(ending.specs)].join(" ")}`
      : null;
  return { ...ddl, algorithm, lock, syntaxError, placedText, unclausedText };
}

/** Words that begin an ALTER TABLE specification or table option, not a partition name of a clause's list. */
const SPEC_WORDS = new Set([
  ..."ADD DROP MODIFY CHANGE ALTER RENAME CONVERT ORDER FORCE ENABLE DISABLE DISCARD IMPORT PARTITION".split(
    " ",
  ),
  ..."REMOVE COALESCE REORGANIZE EXCHANGE TRUNCATE REBUILD ANALYZE CHECK OPTIMIZE REPAIR DEFAULT".split(" "),
  ..."CHARACTER CHARSET COLLATE ENGINE ROW_FORMAT AUTO_INCREMENT COMMENT KEY_BLOCK_SIZE".split(" "),
]);

/** A part after a partition clause's comma that continues its list: `p2` of DROP PARTITION p1, p2 (then INTO,
 * TABLESPACE, QUICK...), not another specification. */
function listGoesOn(spec: Token[]): boolean {
  const first = spec[0];
  if (!first || first.kind === "punct" || spec[1]?.value === "=") return false;
  return first.kind === "name" || !SPEC_WORDS.has(first.value);
}

const ALGORITHM_WORDS = new Set(["DEFAULT", "INSTANT", "NOCOPY", "INPLACE", "COPY"]);
const LOCK_WORDS = new Set(["DEFAULT", "NONE", "SHARED", "EXCLUSIVE"]);

/**
 * The one reader of an `ALGORITHM [=] x` or `LOCK [=] x` clause, at `tokens[i]`: its head, value, offsets and the
 * index past it, or null. `knownOnly`: only a value the server knows makes a clause (where a clause cuts a part
 * that no comma ends); else any word does, and the plan refuses one it does not know. A quoted `lock` is a name.
 */
function clauseAt(
  tokens: Token[],
  i: number,
  knownOnly = false,
): { head: "ALGORITHM" | "LOCK"; value: string; start: number; end: number; next: number } | null {
  const first = tokens[i];
  const head = first?.value;
  if (first?.kind !== "word" || (head !== "ALGORITHM" && head !== "LOCK")) return null;
  const at = tokens[i + 1]?.value === "=" ? i + 2 : i + 1;
  const value = tokens[at];
  if (value?.kind !== "word") return null;
  if (knownOnly && !(head === "ALGORITHM" ? ALGORITHM_WORDS : LOCK_WORDS).has(value.value)) return null;
  return { head, value: value.value, start: first.start, end: value.end, next: at + 1 };
}

/** What a clause asks for; DEFAULT asks for nothing. */
function clauseValue<T extends Algorithm | LockLevel>(clause: { value: string }): T | null {
  return clause.value === "DEFAULT" ? null : (clause.value as T);
}

/** `ALGORITHM [=] x` or `LOCK [=] x` as the whole of `tokens`. */
function clauseOf(tokens: Token[]): ReturnType<typeof clauseAt> {
  const clause = clauseAt(tokens, 0);
  return clause?.next === tokens.length ? clause : null;
}

/**
 * The specifications between commas, cut further where no comma stands: ALGORITHM/LOCK written before another
 * specification ("ALGORITHM=COPY PARTITION BY ..."), PARTITION BY or REMOVE PARTITIONING after a specification
 * ("ADD COLUMN c INT PARTITION BY ..."), and ALGORITHM/LOCK written after a partition clause. `afterComma`: a
 * comma stood before the part. The ALGORITHM of PARTITION BY KEY (1 or 2, a number) is not a clause.
 */
function alterParts(commaParts: Token[][]): Array<{ tokens: Token[]; afterComma: boolean }> {
  const out: Array<{ tokens: Token[]; afterComma: boolean }> = [];
  commaParts.forEach((whole, n) => {
    let rest = whole;
    let afterComma = n > 0;
    for (;;) {
      const cut = cutPoint(rest);
      if (cut <= 0 || cut >= rest.length) break;
      out.push({ tokens: rest.slice(0, cut), afterComma });
      rest = rest.slice(cut);
      afterComma = false;
    }
    if (rest.length) out.push({ tokens: rest, afterComma });
  });
  return out;
}

/** Where the first part of `tokens` ends when no comma ends it (see alterParts); 0 or the length when it does not. */
function cutPoint(tokens: Token[]): number {
  const clauseEndAt = (i: number) => clauseAt(tokens, i, true)?.next ?? 0;
  const leading = clauseEndAt(0);
  if (leading) return leading;
  const first = tokens[0]?.value;
  const partitionClause =
    [
      "PARTITION",
      "REMOVE",
      "ADD",
      "DROP",
      "COALESCE",
      "REORGANIZE",
      "EXCHANGE",
      "TRUNCATE",
      "REBUILD",
    ].includes(first ?? "") ||
    ((first === "ANALYZE" || first === "CHECK" || first === "OPTIMIZE" || first === "REPAIR") &&
      tokens[1]?.value === "PARTITION") ||
    ((first === "DISCARD" || first === "IMPORT") &&
      ["PARTITION", "TABLESPACE"].includes(tokens[1]?.value ?? ""));
  const partition =
    partitionClause && (first !== "ADD" && first !== "DROP" ? true : tokens[1]?.value === "PARTITION");
  let depth = 0;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === "punct" && t.text === "(") depth++;
    if (t.kind === "punct" && t.text === ")") depth--;
    if (depth !== 0 || t.kind !== "word") continue;
    // A partition clause ends where an ALGORITHM/LOCK written after it begins; any part where one ends it (the
    // last name of DROP PARTITION p1, p2 LOCK=NONE).
    const clauseEnd = clauseEndAt(i);
    if (clauseEnd && (partition || clauseEnd === tokens.length)) return i;
    // PARTITION BY / REMOVE PARTITIONING after another specification, no comma between.
    if (!partition && t.value === "PARTITION" && tokens[i + 1]?.value === "BY") return i;
    if (!partition && t.value === "REMOVE" && tokens[i + 1]?.value === "PARTITIONING") return i;
  }
  return tokens.length;
}

function alterOf(
  verb: "alter" | "create-index" | "drop-index" | "optimize",
  table: TableName,
  operations: AlterOperation[],
  r: Reader,
  clauseRanges: Array<[number, number]>,
  specs: Token[][] = [],
): Extract<MysqlDdl, { kind: "alter-table" }> {
  const specsText = specs.map((s) => r.textOf(s)).join(", ");
  return {
    kind: "alter-table",
    verb,
    table,
    operations,
    algorithm: null,
    lock: null,
    specsText,
    clauseRanges,
    syntaxError: null,
    placedText: null,
    unclausedText: null,
  };
}

/** One ALTER TABLE specification (the text between two top-level commas). */
function readSpec(r: Reader): AlterOperation[] {
  const other = (): AlterOperation[] => [{ kind: "other", text: r.textOfAll() }];
  const w = r.peekWord();
  if (w === "ADD") {
    r.next();
    if (r.peekWord() === "PARTITION") {
      const hashed = !r.rest().some((t) => t.kind === "word" && t.value === "VALUES");
      return [{ kind: "partition", action: "ADD PARTITION", hashed }];
    }
    if (r.acceptWord("SYSTEM")) return [{ kind: "table-option", option: "SYSTEM VERSIONING", value: "ADD" }];
    const constraint = r.acceptWord("CONSTRAINT");
    if (constraint && !r.atKeyword("PRIMARY", "UNIQUE", "FOREIGN", "CHECK")) r.name();
    const k = r.peekWord();
    if (k === "PRIMARY") return [{ kind: "add-index", index: "primary", name: null, ...r.indexKey() }];
    if (k === "UNIQUE" || k === "FULLTEXT" || k === "SPATIAL" || k === "INDEX" || k === "KEY") {
      r.next();
      if (k !== "INDEX" && k !== "KEY") r.acceptWord("INDEX", "KEY");
      r.ifNotExists();
      const name = r.atPunct("(") || r.atKeyword("USING") ? null : r.name();
      const index =
        k === "UNIQUE" ? "unique" : k === "FULLTEXT" ? "fulltext" : k === "SPATIAL" ? "spatial" : "secondary";
      return [{ kind: "add-index", index, name, ...r.indexKey() }];
    }
    if (k === "FOREIGN") {
      r.next();
      r.acceptWord("KEY");
      r.ifNotExists();
      return [{ kind: "add-foreign-key", name: r.atPunct("(") ? null : r.name() }];
    }
    if (k === "CHECK") return [{ kind: "add-check" }];
    if (constraint) return other();
    r.acceptWord("COLUMN");
    r.ifNotExists();
    if (r.acceptPunct("(")) {
      // ADD (a INT, b INT): each a column added last.
      return r.parenthesisedParts().map((part) => {
        const column = readColumn(new Reader(part, r.text));
        return column
          ? { kind: "add-column", column, position: { kind: "last" } }
          : { kind: "other", text: r.textOf(part) };
      });
    }
    const column = readColumn(r);
    return column ? [{ kind: "add-column", column, position: r.position() }] : other();
  }
  if (w === "DROP") {
    r.next();
    const k = r.peekWord();
    if (k === "PRIMARY") return [{ kind: "drop-primary-key" }];
    if (k === "INDEX" || k === "KEY") {
      r.next();
      r.ifExists();
      return [{ kind: "drop-index", name: r.name() ?? "" }];
    }
    if (k === "FOREIGN") {
      r.next();
      r.acceptWord("KEY");
      r.ifExists();
      return [{ kind: "drop-foreign-key", name: r.name() ?? "" }];
    }
    if (k === "CHECK" || k === "CONSTRAINT") {
      r.next();
      r.ifExists();
      return [{ kind: "drop-constraint", name: r.name() ?? "" }];
    }
    if (k === "PARTITION") return [{ kind: "partition", action: "DROP PARTITION" }];
    if (k === "SYSTEM") return [{ kind: "table-option", option: "SYSTEM VERSIONING", value: "DROP" }];
    r.acceptWord("COLUMN");
    r.ifExists();
    const name = r.name();
    return name ? [{ kind: "drop-column", column: name }] : other();
  }
  if (w === "MODIFY" || w === "CHANGE") {
    r.next();
    r.acceptWord("COLUMN");
    r.ifExists();
    const from = w === "CHANGE" ? r.name() : null;
    const column = readColumn(r);
    if (!column) return other();
    return [{ kind: "change-column", from: from ?? column.name, column, position: r.position() }];
  }
  if (w === "ALTER") {
    r.next();
    if (r.acceptWord("INDEX", "KEY")) return [{ kind: "index-visibility", name: r.name() ?? "" }];
    if (r.atKeyword("CHECK", "CONSTRAINT")) return other();
    r.acceptWord("COLUMN");
    const column = r.name();
    if (!column) return other();
    if (r.acceptWord("SET")) {
      if (r.acceptWord("DEFAULT")) return [{ kind: "set-default", column }];
      return other();
    }
    if (r.acceptWord("DROP") && r.acceptWord("DEFAULT")) return [{ kind: "drop-default", column }];
    return other();
  }
  if (w === "RENAME") {
    r.next();
    if (r.acceptWord("COLUMN")) {
      const from = r.name();
      r.acceptWord("TO");
      const to = r.name();
      return from && to ? [{ kind: "rename-column", from, to }] : other();
    }
    if (r.acceptWord("INDEX", "KEY")) {
      const from = r.name();
      r.acceptWord("TO");
      const to = r.name();
      return from && to ? [{ kind: "rename-index", from, to }] : other();
    }
    r.acceptWord("TO", "AS");
    const to = r.tableName();
    return to ? [{ kind: "rename-table", to }] : other();
  }
  if (w === "CONVERT") {
    r.next();
    if (!r.acceptWord("TO")) return other();
    r.acceptWord("CHARACTER");
    r.acceptWord("SET", "CHARSET");
    return [{ kind: "convert-charset", charset: (r.next()?.value ?? "").toLowerCase() }];
  }
  if (w === "DEFAULT" || w === "CHARACTER" || w === "CHARSET" || w === "COLLATE") {
    r.acceptWord("DEFAULT");
    if (r.acceptWord("CHARACTER")) r.acceptWord("SET");
    else r.acceptWord("CHARSET", "COLLATE");
    r.acceptPunct("=");
    return [{ kind: "table-charset", charset: (r.next()?.value ?? "").toLowerCase() }];
  }
  if (w === "FORCE") return [{ kind: "force" }];
  if ((w === "DISCARD" || w === "IMPORT") && r.rest()[1]?.value === "TABLESPACE")
    return [{ kind: "tablespace", action: w }];
  if (
    w === "PARTITION" ||
    w === "COALESCE" ||
    w === "REORGANIZE" ||
    w === "EXCHANGE" ||
    w === "TRUNCATE" ||
    w === "REBUILD" ||
    w === "REMOVE" ||
    w === "ANALYZE" ||
    w === "CHECK" ||
    w === "OPTIMIZE" ||
    w === "REPAIR" ||
    w === "DISCARD" ||
    w === "IMPORT"
  ) {
    const words = r
      .rest()
      .slice(0, 2)
      .map((t) => t.value);
    return [{ kind: "partition", action: words.join(" ") }];
  }
  // Table options: ENGINE=InnoDB, ROW_FORMAT=DYNAMIC, AUTO_INCREMENT=1000, COMMENT='…', several in one spec.
  const options: AlterOperation[] = [];
  while (r.peek()) {
    const option = r.next() as Token;
    if (option.kind !== "word") return other();
    r.acceptPunct("=");
    const value = r.next();
    if (!value) return other();
    options.push({ kind: "table-option", option: option.value, value: value.value });
  }
  return options.length ? options : other();
}

/** A character set's name as the servers report it now: utf8 is utf8mb3 (MySQL 8, MariaDB 10.6). */
export function charsetName(name: string): string {
  const lower = name.toLowerCase();
  return lower === "utf8" ? "utf8mb3" : lower;
}

/** A collation's name as the servers report it now: utf8_general_ci is utf8mb3_general_ci. */
export function collationName(name: string): string {
  return name.toLowerCase().replace(/^utf8_/, "utf8mb3_");
}

/** A column definition: name, type, attributes. */
function readColumn(r: Reader): ColumnSpec | null {
  const name = r.name();
  const typeStart = r.peek();
  if (!name || !typeStart || typeStart.kind !== "word") return null;
  r.next();
  let type = typeStart.value.toLowerCase();
  if (r.atPunct("(")) type += r.textOf(r.parenthesised()).replace(/\s+/g, "").toLowerCase();
  while (r.atKeyword("UNSIGNED", "SIGNED", "ZEROFILL", "BINARY", "VARYING", "PRECISION"))
    type += ` ${(r.next() as Token).value.toLowerCase()}`;
  const column: ColumnSpec = {
    name,
    type,
    notNull: null,
    hasDefault: false,
    autoIncrement: false,
    generated: null,
    key: null,
    charset: null,
    collation: null,
  };
  while (r.peek()) {
    if (r.atKeyword("FIRST", "AFTER")) break;
    const t = r.next() as Token;
    if (t.kind === "punct" && t.text === "(") {
      r.skipParenthesisedRest();
      continue;
    }
    if (t.value === "NOT" && r.acceptWord("NULL")) column.notNull = true;
    else if (t.value === "NULL") column.notNull = false;
    else if (t.value === "DEFAULT") {
      column.hasDefault = true;
      if (r.atPunct("(")) {
        const inside = r.parenthesised();
        column.defaultNames = inside.flatMap((x, i) =>
          (x.kind === "word" || x.kind === "name") && inside[i + 1]?.text !== "("
            ? [x.kind === "name" ? x.value : x.text]
            : [],
        );
      }
    } else if (t.value === "AUTO_INCREMENT") column.autoIncrement = true;
    else if (t.value === "AS" || (t.value === "GENERATED" && r.acceptWord("ALWAYS") && r.acceptWord("AS")))
      column.generated = column.generated ?? "virtual";
    else if (t.value === "STORED" || t.value === "PERSISTENT") column.generated = "stored";
    else if (t.value === "VIRTUAL") column.generated = "virtual";
    else if (t.value === "PRIMARY") column.key = "primary";
    else if (t.value === "UNIQUE") column.key = column.key ?? "unique";
    else if ((t.value === "CHARACTER" && r.acceptWord("SET")) || t.value === "CHARSET") {
      r.acceptPunct("=");
      column.charset = charsetName(r.next()?.value ?? "");
    } else if (t.value === "COLLATE") {
      r.acceptPunct("=");
      column.collation = collationName(r.next()?.value ?? "");
    }
  }
  return column;
}

function readCreate(r: Reader): MysqlDdl {
  r.next();
  if (r.acceptWord("OR")) r.acceptWord("REPLACE");
  const kind = r.acceptWord("UNIQUE", "FULLTEXT", "SPATIAL");
  r.acceptWord("ONLINE");
  if (r.acceptWord("INDEX")) {
    r.ifNotExists();
    const name = r.name();
    if (r.acceptWord("USING")) r.next();
    if (!r.acceptWord("ON")) return { kind: "other" };
    const table = r.tableName();
    if (!table) return { kind: "other" };
    const key = r.indexKey();
    const index =
      kind === "UNIQUE"
        ? "unique"
        : kind === "FULLTEXT"
          ? "fulltext"
          : kind === "SPATIAL"
            ? "spatial"
            : "secondary";
    const ddl = alterOf("create-index", table, [{ kind: "add-index", index, name, ...key }], r, []);
    return { ...ddl, ...r.algorithmAndLock(ddl.clauseRanges) };
  }
  if (kind) return { kind: "other" };
  r.acceptWord("TEMPORARY");
  if (!r.acceptWord("TABLE")) return { kind: "other" };
  r.ifNotExists();
  const table = r.tableName();
  if (!table) return { kind: "other" };
  const columns: ColumnSpec[] = [];
  if (r.acceptPunct("(")) {
    for (const part of r.parenthesisedParts()) {
      const head = part[0]?.value;
      if (
        [
          "PRIMARY",
          "UNIQUE",
          "KEY",
          "INDEX",
          "FULLTEXT",
          "SPATIAL",
          "CONSTRAINT",
          "FOREIGN",
          "CHECK",
          "PERIOD",
        ].includes(head ?? "")
      )
        continue;
      const column = readColumn(new Reader(part, r.text));
      if (column) columns.push(column);
    }
  }
  return { kind: "create-table", table, columns };
}

function readDrop(r: Reader): MysqlDdl {
  r.next();
  r.acceptWord("ONLINE");
  if (r.acceptWord("INDEX")) {
    r.ifExists();
    const name = r.name();
    if (!name || !r.acceptWord("ON")) return { kind: "other" };
    const table = r.tableName();
    if (!table) return { kind: "other" };
    const ddl = alterOf("drop-index", table, [{ kind: "drop-index", name }], r, []);
    return { ...ddl, ...r.algorithmAndLock(ddl.clauseRanges) };
  }
  r.acceptWord("TEMPORARY");
  if (!r.acceptWord("TABLE", "TABLES")) return { kind: "other" };
  r.ifExists();
  const tables: TableName[] = [];
  do {
    const t = r.tableName();
    if (t) tables.push(t);
  } while (r.acceptPunct(","));
  return { kind: "drop-table", tables };
}

function readSet(r: Reader): MysqlDdl {
  r.next();
  r.acceptWord("SESSION", "LOCAL", "@@SESSION", "@@LOCAL");
  r.acceptPunct(".");
  const name = r.next();
  if (!name || !/^(@@(SESSION\.|LOCAL\.)?)?FOREIGN_KEY_CHECKS$/.test(name.value)) {
    // @@session.foreign_key_checks arrives as @@SESSION . FOREIGN_KEY_CHECKS
    if (name?.value !== "FOREIGN_KEY_CHECKS") return { kind: "other" };
  }
  if (!r.acceptPunct("=") && !(r.acceptPunct(":") && r.acceptPunct("="))) return { kind: "other" };
  const value = r.next()?.value;
  if (r.peek()) return { kind: "other" };
  return { kind: "set-foreign-key-checks", on: !(value === "0" || value === "OFF" || value === "FALSE") };
}

class Reader {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    readonly text: string,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  peekWord(): string | undefined {
    const t = this.peek();
    return t?.kind === "word" ? t.value : undefined;
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  atKeyword(...words: string[]): boolean {
    const w = this.peekWord();
    return w !== undefined && words.includes(w);
  }
  acceptWord(...words: string[]): string | null {
    const w = this.peekWord();
    if (w === undefined || !words.includes(w)) return null;
    this.i++;
    return w;
  }
  atPunct(p: string): boolean {
    const t = this.peek();
    return t?.kind === "punct" && t.text === p;
  }
  acceptPunct(p: string): boolean {
    if (!this.atPunct(p)) return false;
    this.i++;
    return true;
  }
  ifExists(): void {
    if (this.atKeyword("IF") && this.tokens[this.i + 1]?.value === "EXISTS") this.i += 2;
  }
  ifNotExists(): void {
    if (this.atKeyword("IF") && this.tokens[this.i + 1]?.value === "NOT") this.i += 3;
  }
  /** A name: a word or a backtick name ("double-quoted" under ANSI_QUOTES reads as a string token, taken too). */
  name(): string | null {
    const t = this.peek();
    if (!t || t.kind === "punct" || t.kind === "number") return null;
    this.i++;
    return t.kind === "word" ? t.text : t.value;
  }
  tableName(): TableName | null {
    const first = this.name();
    if (first === null) return null;
    if (this.acceptPunct(".")) {
      const second = this.name();
      return second === null ? null : { schema: first, name: second };
    }
    return { schema: null, name: first };
  }
  position(): Position {
    if (this.acceptWord("FIRST")) return { kind: "first" };
    if (this.acceptWord("AFTER")) return { kind: "after", column: this.name() ?? "" };
    return { kind: "last" };
  }
  /** The tokens inside the parentheses that start here (the opening one included in the count), the reader after. */
  parenthesised(): Token[] {
    const inside: Token[] = [];
    if (!this.acceptPunct("(")) return inside;
    let depth = 1;
    while (this.peek()) {
      const t = this.next() as Token;
      if (t.kind === "punct" && t.text === "(") depth++;
      if (t.kind === "punct" && t.text === ")" && --depth === 0) break;
      inside.push(t);
    }
    return [this.tokens[this.i - inside.length - 2] as Token, ...inside, this.tokens[this.i - 1] as Token];
  }
  skipParenthesisedRest(): void {
    let depth = 1;
    while (this.peek()) {
      const t = this.next() as Token;
      if (t.kind === "punct" && t.text === "(") depth++;
      if (t.kind === "punct" && t.text === ")" && --depth === 0) return;
    }
  }
  /** After an opening parenthesis: the comma-separated parts up to its closing one. */
  parenthesisedParts(): Token[][] {
    const parts: Token[][] = [[]];
    let depth = 1;
    while (this.peek()) {
      const t = this.next() as Token;
      if (t.kind === "punct" && t.text === "(") depth++;
      if (t.kind === "punct" && t.text === ")" && --depth === 0) break;
      if (depth === 1 && t.kind === "punct" && t.text === ",") parts.push([]);
      else (parts[parts.length - 1] as Token[]).push(t);
    }
    return parts.filter((p) => p.length > 0);
  }
  /** (a, b(10), c DESC) after an optional name and USING: the key parts' column names and their text. */
  indexKey(): { columns: string[]; keyParts: string } {
    while (this.peek() && !this.atPunct("(")) this.next();
    const open = this.peek();
    if (!open || !this.acceptPunct("(")) return { columns: [], keyParts: "" };
    const parts = this.parenthesisedParts();
    const close = this.tokens[this.i - 1] as Token;
    return {
      columns: parts.map((p) => (p[0]?.kind === "name" ? p[0].value : (p[0]?.text ?? ""))),
      keyParts: this.text.slice(open.start, close.end),
    };
  }
  /** CREATE/DROP INDEX ... [ALGORITHM [=] x] [LOCK [=] x] anywhere after the key parts. */
  algorithmAndLock(ranges: Array<[number, number]>): { algorithm: Algorithm | null; lock: LockLevel | null } {
    let algorithm: Algorithm | null = null;
    let lock: LockLevel | null = null;
    const tokens = this.rest();
    this.i = this.tokens.length;
    for (let i = 0; i < tokens.length; i++) {
      const clause = clauseAt(tokens, i);
      if (!clause) continue;
      ranges.push([clause.start, clause.end]);
      if (clause.head === "ALGORITHM") algorithm = clauseValue(clause);
      else lock = clauseValue(clause);
      i = clause.next - 1;
    }
    return { algorithm, lock };
  }
  rest(): Token[] {
    return this.tokens.slice(this.i);
  }
  /** The end offset of the last token read. */
  lastEnd(): number {
    return this.tokens[this.i - 1]?.end ?? 0;
  }
  /** The remaining tokens split at top-level commas. */
  restSplitAtCommas(): Token[][] {
    const parts: Token[][] = [[]];
    let depth = 0;
    for (const t of this.rest()) {
      if (t.kind === "punct" && t.text === "(") depth++;
      if (t.kind === "punct" && t.text === ")") depth--;
      if (depth === 0 && t.kind === "punct" && t.text === ",") parts.push([]);
      else (parts[parts.length - 1] as Token[]).push(t);
    }
    this.i = this.tokens.length;
    return parts.filter((p) => p.length > 0);
  }
  textOf(tokens: Token[]): string {
    const first = tokens[0];
    const last = tokens[tokens.length - 1];
    return first && last ? codeText(this.text, tokens) : "";
  }
  textOfAll(): string {
    return this.textOf(this.tokens);
  }
}
