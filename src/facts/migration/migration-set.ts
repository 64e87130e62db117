/**
 * A migration set as the rules see it: every statement with its file, line and column, the transaction it runs
 * in, whether a lock_timeout is in force, the rules suppressed for it, and which tables the set created before it
 * (operations on those are not hazards: nobody else uses them yet).
 */
import { readFileSync } from "node:fs";
import { InputError } from "../../util/input-error.js";
import { afterQuotedOrComment } from "../../util/pg-text-scan.js";
import { refuseBinary } from "../../util/read-input.js";
import { byteToCharOffset, parseSql, SqlError, tryParseSql } from "../../util/sql-parser.js";
import { doBlockStatements } from "./do-block-statements.js";
import { listName, relationName } from "./lock-model.js";
import { blankPsqlCommands } from "./psql-script.js";
import { runnerSections } from "./runner-sections.js";

type Node = Record<string, unknown>;

export interface MigrationStatement {
  file: string;
  line: number;
  column: number;
  /** The statement's text, without the comments before it. */
  sql: string;
  /** Where `sql` starts in its file, in bytes: parse-tree locations are byte offsets into the file. */
  byteStart: number;
  /** The parse tree: { IndexStmt: {...} }. */
  stmt: Node;
  /** The node type: "IndexStmt", "AlterTableStmt", ... */
  kind: string;
  /** Transaction it runs in (explicit BEGIN ... COMMIT, or the file with --assume-in-transaction); null: autocommit. */
  transaction: string | null;
  /** The transaction in force before this statement ran: differs from `transaction` at BEGIN and COMMIT. */
  transactionBefore: string | null;
  /** A non-zero lock_timeout is set earlier in the file (or SET LOCAL earlier in the transaction). */
  lockTimeout: boolean;
  /** Rule ids a `-- dbopt-ignore:` comment suppresses for this statement, or for its whole file. */
  ignored: Set<string>;
  /** Tables and indexes the set created before this statement, by normalised name. */
  newTables: ReadonlySet<string>;
  /** From a file given as already applied (--from): read for the schema it builds, not linted. */
  applied: boolean;
  /** For a statement inside a DO block: that block ("DO block at line N"); it runs as part of the block. */
  within?: string;
}

export interface TableSize {
  rows: number | null;
  bytes: number | null;
}

export interface MigrationFacts {
  pgVersion: number;
  statements: MigrationStatement[];
  /** Tables that exist before the set, by normalised name, when a schema dump or database was given. */
  existing: Map<string, TableSize> | null;
  /** Index name → its table's name, for indexes of the starting schema and those the set creates. */
  indexTables: Map<string, string>;
  /** Column types of the starting schema (table → column → type), when --db gave them. */
  columnTypes?: Map<string, Map<string, { name: string; mods: number[]; array: boolean }>>;
  /** Constraints of the starting schema (table → constraint name → what it is), when --db gave them. */
  constraints?: Map<string, Map<string, ExistingConstraint>>;
}

export interface ExistingConstraint {
  /** pg_constraint.contype: c check, f foreign key, p primary key, u unique, x exclusion, n not null (18). */
  type: string;
  /** pg_get_constraintdef's text: CHECK ((note IS NOT NULL)). */
  definition: string;
  validated: boolean;
}

export interface ReadOptions {
  pgVersion: number;
  assumeInTransaction?: boolean;
  existing?: Map<string, TableSize> | null;
  indexTables?: Map<string, string>;
  columnTypes?: MigrationFacts["columnTypes"];
  constraints?: MigrationFacts["constraints"];
}

/** "public.Orders" and "orders" name the same table for the rules; the parser has folded unquoted names already. */
export function normaliseTable(name: string): string {
  return name.replace(/^public\./, "");
}

export function readMigrationSet(
  files: Array<{ file: string; text?: string; applied?: boolean }>,
  options: ReadOptions,
): MigrationFacts {
  const statements: MigrationStatement[] = [];
  const created = new Set<string>();
  const indexTables = new Map(options.indexTables ?? []);
  for (const { file, text: fileText = readFileSync(file, "utf8"), applied = false } of files) {
    refuseBinary(fileText, file, "migrations");
    // goose, sql-migrate and dbmate files hold the down migration too: only the up part is read.
    const sections = runnerSections(fileText);
    // Files run with psql -f: meta-commands and COPY data are blanked (lines and columns kept).
    const text = blankPsqlCommands(sections.text);
    let tree: ReturnType<typeof parseSql>;
    try {
      tree = parseSql(text);
    } catch (error) {
      const at = error instanceof SqlError ? error.sqlDetails?.cursorPosition : undefined;
      const where = at ? lineColumn(text, byteToCharOffset(text, at - 1)) : null;
      throw new InputError(
        `${file}${where ? `:${where.line}:${where.column}` : ""} does not parse: ${error instanceof Error ? error.message : String(error)}`,
        "fix the SQL (dbopt reads it with PostgreSQL's own parser)",
      );
    }
    const fileIgnored = new Set(
      [...text.matchAll(/--\s*dbopt-ignore-file:\s*([\w/, \t-]+)/g)].flatMap((m) => ids(m[1])),
    );
    let transaction: string | null =
      (sections.inTransaction ?? options.assumeInTransaction) ? `${file}` : null;
    let explicit = 0;
    let sessionTimeout = false;
    let localTimeout = false;
    let previousEnd = 0;
    const charOffset = forwardCharOffsets(text);
    const positionAt = forwardLineColumns(text);
    for (const raw of tree.stmts ?? []) {
      const startByte = Number(raw.stmt_location ?? 0);
      const start = charOffset(startByte);
      const end = raw.stmt_len ? charOffset(startByte + Number(raw.stmt_len)) : text.length;
      const first = statementStart(text, Math.max(start, previousEnd));
      // The parser starts the first statement at its first token, later ones right after the previous one's end:
      // the comments that belong to this statement are all that lies between the two.
      const comments = text.slice(previousEnd, first);
      previousEnd = end;
      const stmt = raw.stmt as Node;
      const kind = Object.keys(stmt)[0] ?? "";
      const body = stmt[kind] as Node;
      const position = positionAt(first);
      const ignored = new Set([
        ...fileIgnored,
        ...[...comments.matchAll(/--\s*dbopt-ignore:\s*([\w/, \t-]+)/g)].flatMap((m) => ids(m[1])),
      ]);

      const transactionBefore = transaction;
      if (kind === "TransactionStmt") {
        const k = String(body.kind);
        if (k === "TRANS_STMT_BEGIN" || k === "TRANS_STMT_START") transaction = `${file}#${++explicit}`;
        else if (k === "TRANS_STMT_COMMIT" || k === "TRANS_STMT_ROLLBACK") {
          // COMMIT ends the transaction, the runner's wrapping one included: what follows runs in autocommit
          // until the next BEGIN (the runner's own COMMIT at the end then only warns). COMMIT AND CHAIN opens a
          // new one at once (outside a transaction PostgreSQL refuses it, so none is opened then).
          transaction = body.chain && transaction !== null ? `${file}#${++explicit}` : null;
          localTimeout = false;
        }
      }
      if (kind === "VariableSetStmt" && body.name === "lock_timeout") {
        const on = body.kind === "VAR_SET_VALUE" && !isZero(body.args);
        if (body.is_local) localTimeout = on;
        else sessionTimeout = on;
      }
      const sql = text.slice(first, end).trim();
      const added: MigrationStatement = {
        file,
        line: position.line,
        column: position.column,
        sql,
        byteStart: startByte + Buffer.byteLength(text.slice(start, first), "utf8"),
        stmt,
        kind,
        transaction,
        transactionBefore,
        lockTimeout: sessionTimeout || (localTimeout && transaction !== null),
        ignored,
        newTables: new Set(created),
        applied,
      };
      statements.push(added);
      track(kind, body);
      if (kind === "DoStmt")
        for (const inner of doBlockMembers(added, first, positionAt)) {
          statements.push({ ...inner, newTables: new Set(created) });
          track(inner.kind, inner.stmt[inner.kind] as Node);
        }
    }
  }

  /** What a statement creates is new for the statements after it. */
  function track(kind: string, body: Node): void {
    // Tables made by already-applied migrations are in use: they belong to the starting schema.
    const applied = statements[statements.length - 1]?.applied ?? false;
    if ((kind === "CreateStmt" || kind === "CreateTableAsStmt") && !applied) {
      const name = relationName(body.relation ?? (body.into as Node | undefined)?.rel);
      if (name) created.add(normaliseTable(name));
    }
    if (kind === "IndexStmt") {
      const table = relationName(body.relation);
      if (table && typeof body.idxname === "string") indexTables.set(body.idxname, normaliseTable(table));
    }
    if (kind === "DropStmt" && body.removeType === "OBJECT_TABLE")
      for (const o of (body.objects as Node[]) ?? []) {
        const name = listName(o);
        if (name) created.delete(normaliseTable(name));
      }
  }
  return {
    pgVersion: options.pgVersion,
    statements,
    existing: options.existing ?? null,
    indexTables,
    ...(options.columnTypes ? { columnTypes: options.columnTypes } : {}),
    ...(options.constraints ? { constraints: options.constraints } : {}),
  };
}

/**
 * The statements a DO block runs, each placed at its own line and column of the file. They run inside the block,
 * which is one transaction even in autocommit (and refuses CONCURRENTLY and VACUUM like one); their parse-tree
 * locations are offsets into their own text (byteStart 0). A statement PostgreSQL's parser refuses is left out.
 */
function doBlockMembers(
  block: MigrationStatement,
  blockStart: number,
  positionAt: (offset: number) => { line: number; column: number },
): MigrationStatement[] {
  const inner = doBlockStatements(block.sql, block.stmt.DoStmt as Node);
  if (!inner) return [];
  const within = `DO block at line ${block.line}`;
  return inner.flatMap(({ sql, offset, bodyLine }) => {
    const tree = tryParseSql(sql);
    const stmt = tree?.stmts?.[0]?.stmt as Node | undefined;
    if (!stmt || (tree?.stmts?.length ?? 0) !== 1) return [];
    const kind = Object.keys(stmt)[0] ?? "";
    if (kind === "TransactionStmt") return [];
    // block.sql starts at blockStart (its first token), so an offset in it is blockStart + offset in the file.
    const { line, column } =
      offset === null ? { line: block.line + bodyLine - 1, column: 1 } : positionAt(blockStart + offset);
    return [
      {
        ...block,
        line,
        column,
        sql,
        byteStart: 0,
        stmt,
        kind,
        transaction: block.transaction ?? `${block.file}:${within}`,
        transactionBefore: block.transaction ?? `${block.file}:${within}`,
        within,
      },
    ];
  });
}

/**
 * Byte offsets (libpg-query's) to string offsets for offsets that only grow, as statements come: each call decodes
 * only the bytes since the last one (decoding the whole file per statement made a long file quadratic).
 */
function forwardCharOffsets(text: string): (byteOffset: number) => number {
  const bytes = Buffer.from(text, "utf8");
  let lastByte = 0;
  let lastChar = 0;
  return (byteOffset) => {
    if (byteOffset < lastByte) return byteToCharOffset(text, byteOffset);
    lastChar += bytes.subarray(lastByte, byteOffset).toString("utf8").length;
    lastByte = byteOffset;
    return lastChar;
  };
}

/** Tables, per normalised name, that exist before this statement: not created earlier in the set. */
export function isExistingTable(st: MigrationStatement, name: string | null): boolean {
  if (!name) return false;
  return !st.newTables.has(normaliseTable(name));
}

/** The table an index is on, as the set or the starting schema built it; the index looked up without public. */
export function indexTable(indexTables: MigrationFacts["indexTables"], index: string): string | null {
  return indexTables.get(normaliseTable(index)) ?? null;
}

export function tableSize(facts: MigrationFacts, name: string): TableSize | null {
  return facts.existing?.get(normaliseTable(name)) ?? null;
}

function ids(list: string | undefined): string[] {
  return (list ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** SET lock_timeout = 0 (or '0', '0s') turns it off. Integer zero is an A_Const whose ival has no value. */
function isZero(args: unknown): boolean {
  const a = ((args as Node[]) ?? [])[0]?.A_Const as Node | undefined;
  if (!a) return false;
  if (a.ival) return Number((a.ival as Node).ival ?? 0) === 0;
  const text = (a.sval as Node | undefined)?.sval;
  return typeof text === "string" && Number.parseFloat(text) === 0;
}

/** Where a statement's first token is: past whitespace and comments (block comments nest, as PostgreSQL reads them). */
export function statementStart(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? "")) i++;
    if (!text.startsWith("--", i) && !text.startsWith("/*", i)) return i;
    i = afterQuotedOrComment(text, i);
  }
}

/** lineColumn for offsets that only grow: counts the newlines since the last call only. */
function forwardLineColumns(text: string): (offset: number) => { line: number; column: number } {
  let lastOffset = 0;
  let line = 1;
  let lineStart = 0;
  return (offset) => {
    if (offset < lastOffset) return lineColumn(text, offset);
    for (let i = text.indexOf("\n", lastOffset); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    lastOffset = offset;
    return { line, column: offset - lineStart + 1 };
  };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
