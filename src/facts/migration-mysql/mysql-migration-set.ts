/**
 * A MySQL/MariaDB migration set as the rules read it: every statement with its file:line:column, what it does
 * (mysql-ddl.ts), and for each ALTER the algorithm and lock it will get on the target server (statement-plan.ts),
 * in the context the earlier statements left: tables the set created are new (never reported), columns added or
 * changed earlier are known, and `SET foreign_key_checks = 0` holds until the end of its file (a runner may give
 * each file its own session, so it is not carried further).
 */
import { readFileSync } from "node:fs";
import { InputError } from "../../util/input-error.js";
import { refuseBinary } from "../../util/read-input.js";
import { type MysqlDdl, readDdl, type TableName } from "./mysql-ddl.js";
import { lineAndColumn, type SourceStatement, splitStatements } from "./mysql-ddl-tokens.js";
import type { KnownTable, MysqlStartingSchema } from "./mysql-starting-schema.js";
import type { KnownColumn, ServerVersion } from "./online-ddl-support.js";
import { planStatement, type StatementPlan } from "./statement-plan.js";

export interface MysqlMigrationStatement {
  file: string;
  line: number;
  column: number;
  /** The statement as written, without its ';'. */
  text: string;
  /** Offset of the text in its file, for edits at token positions. */
  offset: number;
  applied: boolean;
  ddl: MysqlDdl;
  /** The table the statement changes was created earlier in the set. */
  newTable: boolean;
  plan: StatementPlan | null;
  /** Size of the table when the starting schema came from a database. */
  table: { schema: string | null; name: string; bytes: number | null; rows: number | null } | null;
}

export interface MysqlMigrationFacts {
  server: ServerVersion;
  /** The --db database, when given: pt-online-schema-change and gh-ost need it on their command line. */
  database: string | null;
  /** Where the target's host and user are, for the command lines (never a password). */
  connection: { host: string; port: number; user: string } | null;
  statements: MysqlMigrationStatement[];
}

interface TableState {
  columns: Map<string, KnownColumn>;
  hasFulltext: boolean | null;
  charset: string | null;
  collation?: string | null;
  bytes: number | null;
  rows: number | null;
  isNew: boolean;
}

/** A .sql file read once and split once into statements for the target server, for lint, trace and its checks. */
export interface MysqlSourceFile {
  file: string;
  text: string;
  statements: SourceStatement[];
}

export function readMysqlSourceFile(file: string, server: ServerVersion): MysqlSourceFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new InputError(`cannot read ${file}`, "give readable .sql files or folders");
  }
  refuseBinary(text, file, "migrations");
  return { file, text, statements: splitStatements(text, server) };
}

/** `source`, when the caller read the file already (trace checks every statement before any runs). */
export function readMysqlMigrationSet(
  files: Array<{ file: string; applied: boolean; source?: MysqlSourceFile }>,
  server: ServerVersion,
  schema: MysqlStartingSchema | null,
  connection: MysqlMigrationFacts["connection"] = null,
): MysqlMigrationFacts {
  const tables = new Map<string, TableState>();
  for (const t of schema?.tables ?? []) tables.set(key(t), fromKnown(t));
  const statements: MysqlMigrationStatement[] = [];
  for (const { file, applied, source: read = readMysqlSourceFile(file, server) } of files) {
    const text = read.text;
    let foreignKeyChecks = true;
    for (const source of read.statements) {
      const ddl = readDdl(source.tokens, text);
      const at = lineAndColumn(text, source.start);
      const statement: MysqlMigrationStatement = {
        file,
        ...at,
        text: text.slice(source.start, source.end),
        offset: source.start,
        applied,
        ddl,
        newTable: false,
        plan: null,
        table: null,
      };
      if (ddl.kind === "set-foreign-key-checks") foreignKeyChecks = ddl.on;
      if (ddl.kind === "create-table") {
        tables.set(key(ddl.table), {
          columns: new Map(
            ddl.columns.map((c) => [
              c.name.toLowerCase(),
              {
                type: c.type,
                notNull: c.notNull === true || c.key === "primary",
                bytesPerChar: null,
                autoIncrement: c.autoIncrement,
              },
            ]),
          ),
          hasFulltext: false,
          charset: null,
          bytes: 0,
          rows: 0,
          isNew: true,
        });
      }
      if (ddl.kind === "drop-table") for (const t of ddl.tables) tables.delete(key(t));
      if (ddl.kind === "rename-table")
        for (const [from, to] of ddl.pairs) {
          const state = tables.get(key(from));
          tables.delete(key(from));
          if (state) tables.set(key(to), state);
        }
      if (ddl.kind === "alter-table") {
        const state = tables.get(key(ddl.table)) ?? unknownTable();
        statement.newTable = state.isNew;
        statement.table = {
          schema: ddl.table.schema,
          name: ddl.table.name,
          bytes: state.bytes,
          rows: state.rows,
        };
        statement.plan = planStatement(ddl, server, {
          column: (name) => state.columns.get(name.toLowerCase()),
          hasFulltext: state.hasFulltext,
          charset: state.charset,
          collation: state.collation ?? null,
          columnCharsets: [...state.columns.values()].flatMap((c) => (c.charset ? [c.charset] : [])),
          addsPrimaryKey: ddl.operations.some((o) => o.kind === "add-index" && o.index === "primary"),
          dropsPrimaryKey: ddl.operations.some((o) => o.kind === "drop-primary-key"),
          foreignKeyChecks,
        });
        applyAlter(ddl, state, tables);
      }
      statements.push(statement);
    }
  }
  return { server, database: schema?.database ?? null, connection, statements };
}

const key = (t: TableName | KnownTable) => t.name.toLowerCase();

function fromKnown(t: KnownTable): TableState {
  return {
    columns: new Map(t.columns),
    hasFulltext: t.hasFulltext,
    charset: t.charset,
    collation: t.collation ?? null,
    bytes: t.bytes,
    rows: t.rows,
    isNew: false,
  };
}

function unknownTable(): TableState {
  return { columns: new Map(), hasFulltext: null, charset: null, bytes: null, rows: null, isNew: false };
}

/** What the statement leaves for the next ones: columns added, changed, renamed or dropped; a FULLTEXT index. */
function applyAlter(
  ddl: Extract<MysqlDdl, { kind: "alter-table" }>,
  state: TableState,
  tables: Map<string, TableState>,
) {
  for (const op of ddl.operations) {
    if (op.kind === "add-column" || op.kind === "change-column") {
      const before = state.columns.get(
        (op.kind === "change-column" ? op.from : op.column.name).toLowerCase(),
      );
      if (op.kind === "change-column") state.columns.delete(op.from.toLowerCase());
      // A text column takes the definition's character set and collation, else the table's.
      const charset = op.column.charset ?? op.column.collation?.split("_")[0] ?? state.charset;
      state.columns.set(op.column.name.toLowerCase(), {
        type: op.column.type,
        notNull: op.column.notNull === true || op.column.key === "primary",
        bytesPerChar: null,
        autoIncrement: op.column.autoIncrement,
        ...(before?.charset && charset
          ? {
              charset,
              collation: op.column.collation ?? (op.column.charset ? null : (state.collation ?? null)),
            }
          : {}),
        ...(before?.indexed ? { indexed: true } : {}),
      });
    } else if (op.kind === "drop-column") state.columns.delete(op.column.toLowerCase());
    else if (op.kind === "rename-column") {
      const c = state.columns.get(op.from.toLowerCase());
      state.columns.delete(op.from.toLowerCase());
      if (c) state.columns.set(op.to.toLowerCase(), c);
    } else if (op.kind === "add-index" && op.index === "fulltext") state.hasFulltext = true;
    else if (op.kind === "rename-table") {
      tables.delete(key(ddl.table));
      tables.set(key(op.to), state);
    }
  }
  if (!tables.has(key(ddl.table)) && !ddl.operations.some((o) => o.kind === "rename-table"))
    tables.set(key(ddl.table), state);
}
