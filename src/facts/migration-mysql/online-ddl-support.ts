/**
 * Which algorithm and lock each ALTER TABLE operation can use, by flavour and version, from the documentation:
 * MySQL's "Online DDL Operations" tables (8.0 and 8.4 list the same rows; the version notes are in their
 * asterisks) and MariaDB's "InnoDB Online DDL Operations with the INSTANT / NOCOPY / INPLACE Alter Algorithm"
 * pages. Each answer names the row or section it comes from, so a finding can cite it. The MariaDB rows were
 * checked on MariaDB 10.11.19 by asking the server (dbopt migrate trace; test/integration/mysql-migrate.test.ts).
 */
import type { AlterOperation, ColumnSpec } from "./mysql-ddl.js";

export type Flavour = "mysql" | "mariadb";

export interface ServerVersion {
  flavour: Flavour;
  /** [major, minor, patch]: [8, 0, 35], [10, 11, 0]. */
  version: [number, number, number];
}

/** Best first. NOCOPY is MariaDB's (in place without a rebuild); MySQL's INPLACE covers both. */
export const ALGORITHMS = ["INSTANT", "NOCOPY", "INPLACE", "COPY"] as const;
export type OnlineAlgorithm = (typeof ALGORITHMS)[number];
export const LOCKS = ["NONE", "SHARED", "EXCLUSIVE"] as const;
export type OnlineLock = (typeof LOCKS)[number];

/** One row of a documentation table, as printed there. */
export interface DocRow {
  operation: string;
  instant: boolean;
  inPlace: boolean;
  rebuildsTable: boolean;
  permitsConcurrentDml: boolean;
  onlyModifiesMetadata: boolean;
}

/** The MySQL reference manual for the server's version (8.4 from 8.4 on, 9.x included; else 8.0), up to /en/. */
const MYSQL_MANUAL = (v: ServerVersion) =>
  `https://dev.mysql.com/doc/refman/${atLeast(v, 8, 4) ? "8.4" : "8.0"}/en`;
const MYSQL_DOCS_URL = (v: ServerVersion) => `${MYSQL_MANUAL(v)}/innodb-online-ddl-operations.html`;
const MARIADB_DOCS = "https://mariadb.com/docs/server/server-usage/storage-engines/innodb/innodb-online-ddl";
export const MARIADB_INSTANT_URL = `${MARIADB_DOCS}/innodb-online-ddl-operations-with-the-instant-alter-algorithm`;
const MARIADB_NOCOPY_URL = `${MARIADB_DOCS}/innodb-online-ddl-operations-with-the-nocopy-alter-algorithm`;
export const MARIADB_INPLACE_URL = `${MARIADB_DOCS}/innodb-online-ddl-operations-with-the-inplace-alter-algorithm`;

const row = (
  operation: string,
  instant: boolean,
  inPlace: boolean,
  rebuildsTable: boolean,
  permitsConcurrentDml: boolean,
  onlyModifiesMetadata: boolean,
): DocRow => ({ operation, instant, inPlace, rebuildsTable, permitsConcurrentDml, onlyModifiesMetadata });

/**
 * MySQL 8.0/8.4 Reference Manual, 17.12.1 "Online DDL Operations": the rows of its tables (Index, Primary Key,
 * Column, Generated Column, Foreign Key and Table Operations), Yes/No as printed; the asterisks are applied by
 * mysqlSupport below.
 */
export const MYSQL_ROWS = {
  addSecondaryIndex: row("Creating or adding a secondary index", false, true, false, true, false),
  dropIndex: row("Dropping an index", false, true, false, true, true),
  renameIndex: row("Renaming an index", false, true, false, true, true),
  addFulltextIndex: row("Adding a FULLTEXT index", false, true, false, false, false),
  addSpatialIndex: row("Adding a SPATIAL index", false, true, false, false, false),
  changeIndexType: row("Changing the index type", true, true, false, true, true),
  addPrimaryKey: row("Adding a primary key", false, true, true, true, false),
  dropPrimaryKey: row("Dropping a primary key", false, false, true, false, false),
  replacePrimaryKey: row("Dropping a primary key and adding another", false, true, true, true, false),
  addColumn: row("Adding a column", true, true, false, true, true),
  dropColumn: row("Dropping a column", true, true, true, true, true),
  renameColumn: row("Renaming a column", true, true, false, true, true),
  reorderColumns: row("Reordering columns", false, true, true, true, false),
  setDefault: row("Setting a column default value", true, true, false, true, true),
  changeType: row("Changing the column data type", false, false, true, false, false),
  extendVarchar: row("Extending VARCHAR column size", false, true, false, true, true),
  dropDefault: row("Dropping the column default value", true, true, false, true, true),
  changeAutoIncrement: row("Changing the auto-increment value", false, true, false, true, false),
  makeNull: row("Making a column NULL", false, true, true, true, false),
  makeNotNull: row("Making a column NOT NULL", false, true, true, true, false),
  modifyEnum: row("Modifying the definition of an ENUM or SET column", true, true, false, true, true),
  addStored: row("Adding a STORED column", false, false, true, false, false),
  addVirtual: row("Adding a VIRTUAL column", true, true, false, true, true),
  addForeignKey: row("Adding a foreign key constraint", false, true, false, true, true),
  dropForeignKey: row("Dropping a foreign key constraint", false, true, false, true, true),
  rowFormat: row("Changing the ROW_FORMAT", false, true, true, true, false),
  keyBlockSize: row("Changing the KEY_BLOCK_SIZE", false, true, true, true, false),
  statistics: row("Setting persistent table statistics", false, true, false, true, true),
  tableCharset: row("Specifying a character set", false, true, true, true, false),
  convertCharset: row("Converting a character set", false, false, true, false, false),
  force: row("Rebuilding with the FORCE option", false, true, true, true, false),
  nullRebuild: row("Performing a null rebuild", false, true, true, true, false),
  renameTable: row("Renaming a table", true, true, false, true, true),
} as const;

const MARIADB_NO_PARTITION_TABLESPACE =
  "MariaDB has no DISCARD/IMPORT PARTITION ... TABLESPACE (ERROR 1064, a syntax error)";

/**
 * MySQL 8.0/8.4 Reference Manual, 17.12.1 "Online DDL Operations", "Online DDL Support for Partitioning
 * Operations" (Table 17.23 in 8.4; test/fixtures/mysql/online-ddl-partitioning-8.4.txt holds it as printed):
 * Instant, In Place and Permits DML as printed, the lock from its notes (`LOCK={DEFAULT|NONE|...}` when DML goes
 * on, `LOCK={DEFAULT|SHARED|EXCLUSIVE}` when it does not), and whether rows are copied ("Does not copy existing
 * data for tables partitioned by RANGE or LIST"). Instant is No for every clause. ADD PARTITION is split by its
 * asterisk: LOCK=NONE for RANGE and LIST, SHARED for HASH and KEY, whose rows are redistributed. ANALYZE, CHECK
 * and REPAIR PARTITION: in place, DML permitted, no note. OPTIMIZE PARTITION: not in place, no DML, "ALGORITHM and
 * LOCK clauses are ignored. Rebuilds the entire table". DISCARD and IMPORT PARTITION ... TABLESPACE: not in place,
 * no DML, "Only permits ALGORITHM=DEFAULT, LOCK=DEFAULT"; they detach or attach the partitions' tablespace files
 * and copy no row, so dbopt calls them in place (no copy) with writes waiting, and refuses any other clause.
 */
const MYSQL_PARTITION_ROWS = {
  partitionBy: partitionRow("PARTITION BY (repartitioning)", false, false, true),
  removePartitioning: partitionRow("REMOVE PARTITIONING", false, false, true),
  addRangePartition: partitionRow("ADD PARTITION (RANGE or LIST)", true, true, false),
  addHashPartition: partitionRow("ADD PARTITION (HASH or KEY)", true, false, true),
  dropPartition: partitionRow("DROP PARTITION", true, true, false),
  truncatePartition: partitionRow("TRUNCATE PARTITION", true, true, false),
  coalescePartition: partitionRow("COALESCE PARTITION", true, false, true),
  reorganizePartition: partitionRow("REORGANIZE PARTITION", true, false, true),
  exchangePartition: partitionRow("EXCHANGE PARTITION", true, true, false),
  rebuildPartition: partitionRow("REBUILD PARTITION", true, false, true),
  analyzePartition: partitionRow("ANALYZE PARTITION", true, true, false),
  checkPartition: partitionRow("CHECK PARTITION", true, true, false),
  repairPartition: partitionRow("REPAIR PARTITION", true, true, false),
  optimizePartition: partitionRow("OPTIMIZE PARTITION (rebuilds the entire table)", false, false, true, {
    clauses: "ignored",
  }),
  discardPartition: partitionRow("DISCARD PARTITION ... TABLESPACE", true, false, false, {
    clauses: "default-only",
  }),
  importPartition: partitionRow("IMPORT PARTITION ... TABLESPACE", true, false, false, {
    clauses: "default-only",
  }),
} as const;

/**
 * MariaDB 10.11 as the server answered (10.11.19): partition management clauses take no ALGORITHM or LOCK at all
 * (ERROR 1064, a syntax error, before or after them, DEFAULT included), so what they do was measured: rows affected
 * (copied), which partitions got a new InnoDB table id (rebuilt), and whether an INSERT from another session
 * waited for the whole statement while a SELECT did not. ADD (RANGE/LIST), DROP, TRUNCATE and EXCHANGE PARTITION
 * copied no row and finished at once (metadata only); ADD (HASH/KEY), COALESCE, REORGANIZE and REBUILD PARTITION
 * copied the partitions' rows while writes waited and reads went on. ANALYZE, CHECK and REPAIR PARTITION rebuilt
 * nothing; during ANALYZE and CHECK writes went on (CHECK of 400,000 rows in three partitions: 0.6-0.7 s, INSERTs
 * sent every 10-40 ms all done in under 80 ms), REPAIR let them run for its first half and then held the next one
 * until it ended (0.4-0.6 s of a 0.8-0.95 s run, four of four runs): writes wait. OPTIMIZE PARTITION on InnoDB
 * says "All partitions will be rebuilt and analyzed": every partition got a new table id (400,000 rows, 2-5 s)
 * while INSERTs went on (a few held 0.1-0.9 s as each partition was swapped in): an online rebuild of the whole
 * table. DISCARD and IMPORT
 * PARTITION ... TABLESPACE are a syntax error (MariaDB imports a partition through a table and EXCHANGE
 * PARTITION). PARTITION BY and REMOVE PARTITIONING refuse INPLACE ("Try ALGORITHM=COPY") and LOCK=NONE ("Try
 * LOCK=SHARED"); they accept ALGORITHM=INSTANT but copy every row anyway.
 */
const MARIADB_PARTITION_ROWS = {
  partitionBy: partitionRow("PARTITION BY (repartitioning)", false, false, true),
  removePartitioning: partitionRow("REMOVE PARTITIONING", false, false, true),
  addRangePartition: partitionRow("ADD PARTITION (RANGE or LIST)", true, true, false, { clauses: "none" }),
  addHashPartition: partitionRow("ADD PARTITION (HASH or KEY)", false, false, true, { clauses: "none" }),
  dropPartition: partitionRow("DROP PARTITION", true, true, false, { clauses: "none" }),
  truncatePartition: partitionRow("TRUNCATE PARTITION", true, true, false, { clauses: "none" }),
  coalescePartition: partitionRow("COALESCE PARTITION", false, false, true, { clauses: "none" }),
  reorganizePartition: partitionRow("REORGANIZE PARTITION", false, false, true, { clauses: "none" }),
  exchangePartition: partitionRow("EXCHANGE PARTITION", true, true, false, { clauses: "none" }),
  rebuildPartition: partitionRow("REBUILD PARTITION", false, false, true, { clauses: "none" }),
  analyzePartition: partitionRow("ANALYZE PARTITION", true, true, false, { clauses: "none" }),
  checkPartition: partitionRow("CHECK PARTITION", true, true, false, { clauses: "none" }),
  repairPartition: partitionRow("REPAIR PARTITION", true, false, false, { clauses: "none" }),
  optimizePartition: partitionRow("OPTIMIZE PARTITION (InnoDB: rebuilds every partition)", true, true, true, {
    clauses: "none",
  }),
  discardPartition: partitionRow("DISCARD PARTITION ... TABLESPACE", true, true, false, {
    unsupported: MARIADB_NO_PARTITION_TABLESPACE,
  }),
  importPartition: partitionRow("IMPORT PARTITION ... TABLESPACE", true, true, false, {
    unsupported: MARIADB_NO_PARTITION_TABLESPACE,
  }),
} as const;

/** One row of a partitioning table: whether it runs in place, lets writes go on, and copies rows. */
export interface PartitionRow {
  clause: string;
  inPlace: boolean;
  permitsDml: boolean;
  copiesRows: boolean;
  /** What the server does with ALGORITHM/LOCK clauses when they are not the usual (any it can meet). */
  clauses?: ClauseHandling;
  /** The server does not have this clause at all: why, in its terms. */
  unsupported?: string;
}

/**
 * "ignored": any ALGORITHM/LOCK is taken and the operation runs as it always does (MySQL's OPTIMIZE PARTITION);
 * "default-only": only ALGORITHM=DEFAULT and LOCK=DEFAULT are accepted (MySQL's DISCARD/IMPORT PARTITION);
 * "none": no ALGORITHM or LOCK clause at all, a syntax error (MariaDB's partition management clauses).
 */
export type ClauseHandling = "ignored" | "default-only" | "none";

function partitionRow(
  clause: string,
  inPlace: boolean,
  permitsDml: boolean,
  copiesRows: boolean,
  extra: Pick<PartitionRow, "clauses" | "unsupported"> = {},
): PartitionRow {
  return { clause, inPlace, permitsDml, copiesRows, ...extra };
}

const MYSQL_PARTITION_DOCS = (v: ServerVersion) => `${MYSQL_DOCS_URL(v)}#online-ddl-partitioning`;
const MARIADB_PARTITION_DOCS =
  "https://mariadb.com/docs/server/server-usage/partitioning-tables/partition-maintenance";

/** The row of a partition clause, by its first words; null for clauses not in the tables. */
function partitionClauseRow(
  op: Extract<AlterOperation, { kind: "partition" }>,
  flavour: Flavour,
): PartitionRow | null {
  const R = flavour === "mysql" ? MYSQL_PARTITION_ROWS : MARIADB_PARTITION_ROWS;
  const [first, second] = op.action.split(" ");
  if (first === "PARTITION" && second === "BY") return R.partitionBy;
  if (first === "REMOVE") return R.removePartitioning;
  if (second !== "PARTITION") return null;
  switch (first) {
    case "ADD":
      return op.hashed ? R.addHashPartition : R.addRangePartition;
    case "DROP":
      return R.dropPartition;
    case "TRUNCATE":
      return R.truncatePartition;
    case "COALESCE":
      return R.coalescePartition;
    case "REORGANIZE":
      return R.reorganizePartition;
    case "EXCHANGE":
      return R.exchangePartition;
    case "REBUILD":
      return R.rebuildPartition;
    case "ANALYZE":
      return R.analyzePartition;
    case "CHECK":
      return R.checkPartition;
    case "REPAIR":
      return R.repairPartition;
    case "OPTIMIZE":
      return R.optimizePartition;
    case "DISCARD":
      return R.discardPartition;
    case "IMPORT":
      return R.importPartition;
    default:
      return null;
  }
}

/** A partition clause as an operation: in place or a copy, its lock, and whether rows are copied. */
function partitionSupport(
  op: Extract<AlterOperation, { kind: "partition" }>,
  v: ServerVersion,
): OperationSupport | null {
  const r = partitionClauseRow(op, v.flavour);
  if (!r) return null;
  const repartitions =
    r === MARIADB_PARTITION_ROWS.partitionBy || r === MARIADB_PARTITION_ROWS.removePartitioning;
  return {
    operation: r.clause,
    docsUrl: v.flavour === "mysql" ? MYSQL_PARTITION_DOCS(v) : MARIADB_PARTITION_DOCS,
    best: r.inPlace ? "INPLACE" : "COPY",
    lock: r.permitsDml ? "NONE" : "SHARED",
    rebuildsInPlace: r.copiesRows,
    // MariaDB 10.11 refuses INPLACE for these but takes INSTANT and NOCOPY, and copies every row all the same.
    ...(repartitions ? { acceptedAndIgnored: ["INSTANT", "NOCOPY"] as OnlineAlgorithm[] } : {}),
    ...(r.clauses ? { clauses: r.clauses } : {}),
    ...(r.unsupported ? { unsupported: r.unsupported } : {}),
  };
}

/**
 * ALTER TABLE ... DISCARD TABLESPACE / IMPORT TABLESPACE of a whole table (transportable tablespaces). Neither is
 * in the online DDL tables. Both take an exclusive metadata lock for their run (MariaDB 10.11.19: DISCARD waited out
 * a transaction that had read the table, lock_wait_timeout expired), copy no row, and take no ALGORITHM or LOCK:
 * MySQL 8.0/8.4 permit only ALGORITHM=DEFAULT and LOCK=DEFAULT (the statement the manual's partitioning table
 * describes for DISCARD/IMPORT PARTITION ... TABLESPACE is the same one, Sql_cmd_discard_import_tablespace);
 * MariaDB's grammar has no clause before or after them (ERROR 1064, measured). After DISCARD every read and write
 * of the table fails (ERROR 1814 "Tablespace has been discarded", measured) until IMPORT TABLESPACE brings a file
 * back; IMPORT reads the whole .ibd file to adjust its pages, so it lasts as long as the file is large.
 */
function tablespaceSupport(
  op: Extract<AlterOperation, { kind: "tablespace" }>,
  v: ServerVersion,
): OperationSupport {
  return {
    operation: `${op.action} TABLESPACE (the whole table)`,
    docsUrl:
      v.flavour === "mysql"
        ? `${MYSQL_MANUAL(v)}/innodb-table-import.html`
        : "https://mariadb.com/docs/server/server-usage/storage-engines/innodb/innodb-tablespaces/innodb-file-per-table-tablespaces",
    best: "INPLACE",
    lock: "EXCLUSIVE",
    rebuildsInPlace: false,
    clauses: v.flavour === "mysql" ? "default-only" : "none",
  };
}

/** What one operation can do on one server, and where that is written. */
export interface OperationSupport {
  /** The documentation's name for it. */
  operation: string;
  docsUrl: string;
  /** The best algorithm the server accepts for it. */
  best: OnlineAlgorithm;
  /** The least lock at that algorithm (EXCLUSIVE: reads wait too, DISCARD/IMPORT TABLESPACE). */
  lock: OnlineLock;
  /** The table is rebuilt when done in place (INPLACE); COPY always rebuilds, INSTANT never. */
  rebuildsInPlace: boolean;
  /** What dbopt assumed where it could not know (the column's current type, foreign_key_checks). */
  assumption?: string;
  /** Better algorithms the server accepts for it and then ignores, doing `best` (MariaDB's repartitioning). */
  acceptedAndIgnored?: OnlineAlgorithm[];
  /** ALGORITHM/LOCK clauses the server takes other than by the algorithm and lock (partition clauses). */
  clauses?: ClauseHandling;
  /** The server has no such operation: the statement fails whatever its clauses (why, in its terms). */
  unsupported?: string;
}

/** What the reader knows of the table before the statement: its columns and whether a FULLTEXT index exists. */
export interface TableContext {
  column(name: string): KnownColumn | undefined;
  hasFulltext: boolean | null;
  charset: string | null;
  /** The table's default collation, which a MODIFY without CHARACTER SET or COLLATE gives the column. */
  collation?: string | null;
  /** The character sets of its text columns, when known (CONVERT TO a set they all have already copies nothing). */
  columnCharsets?: string[];
  /** The statement also adds a primary key (DROP PRIMARY KEY, ADD PRIMARY KEY). */
  addsPrimaryKey: boolean;
  dropsPrimaryKey: boolean;
  foreignKeyChecks: boolean;
}

export interface KnownColumn {
  type: string;
  notNull: boolean;
  /** Bytes per character of its character set (1 latin1, 3 utf8mb3, 4 utf8mb4), null for non-character types. */
  bytesPerChar: number | null;
  /** Its character set and collation (utf8mb3, utf8mb4_general_ci), when known; null for non-character types. */
  charset?: string | null;
  collation?: string | null;
  /** Some index holds the column (a collation change then rebuilds that index). */
  indexed?: boolean;
  /** It is AUTO_INCREMENT, when known. */
  autoIncrement?: boolean;
}

export function operationSupport(
  op: AlterOperation,
  server: ServerVersion,
  table: TableContext,
): OperationSupport | null {
  return server.flavour === "mysql" ? mysqlSupport(op, server, table) : mariadbSupport(op, server, table);
}

/** The server is this version or later. */
export const atLeast = (v: ServerVersion, ...min: number[]) => {
  for (let i = 0; i < 3; i++) {
    const a = v.version[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
};

function fromRow(
  r: DocRow,
  server: ServerVersion,
  overrides: Partial<OperationSupport> = {},
): OperationSupport {
  const best: OnlineAlgorithm = r.instant ? "INSTANT" : r.inPlace ? "INPLACE" : "COPY";
  return {
    operation: r.operation,
    docsUrl: MYSQL_DOCS_URL(server),
    best,
    lock: r.permitsConcurrentDml && best !== "COPY" ? "NONE" : "SHARED",
    rebuildsInPlace: r.rebuildsTable || r.operation === MYSQL_ROWS.addColumn.operation,
    ...overrides,
  };
}

/** The column change a MODIFY/CHANGE makes, against the column as it was. */
type ColumnChange =
  | "none"
  | "rename"
  | "reorder"
  | "extend-varchar"
  | "extend-varchar-length-bytes"
  | "enum-append"
  | "make-null"
  | "make-not-null"
  | "charset-utf8mb4"
  | "charset"
  | "collation"
  | "auto-increment"
  | "type";

function columnChange(
  from: string,
  to: ColumnSpec,
  moved: boolean,
  before: KnownColumn | undefined,
  table?: TableContext,
): { change: ColumnChange[]; assumption?: string } {
  if (!before)
    return {
      change: ["type"],
      assumption: `the current definition of ${from} is not known (give --db, or create the table in the set): read as a type change`,
    };
  const changes: ColumnChange[] = [];
  if (to.name.toLowerCase() !== from.toLowerCase()) changes.push("rename");
  if (moved) changes.push("reorder");
  const oldType = normaliseType(before.type);
  const newType = normaliseType(to.type);
  if (oldType !== newType) {
    const ov = /^varchar\((\d+)\)$/.exec(oldType);
    const nv = /^varchar\((\d+)\)$/.exec(newType);
    const oe = /^(enum|set)\((.*)\)$/.exec(oldType);
    const ne = /^(enum|set)\((.*)\)$/.exec(newType);
    if (ov && nv && Number(nv[1]) >= Number(ov[1])) {
      const bytes = before.bytesPerChar ?? 4;
      const lengthBytes = (n: number) => (n * bytes > 255 ? 2 : 1);
      changes.push(
        lengthBytes(Number(nv[1])) === lengthBytes(Number(ov[1]))
          ? "extend-varchar"
          : "extend-varchar-length-bytes",
      );
    } else if (oe && ne && oe[1] === ne[1] && ne[2]?.startsWith(oe[2] ?? "") && (oe[2] ?? "") !== "")
      changes.push("enum-append");
    else changes.push("type");
  }
  // Making a column AUTO_INCREMENT numbers every row (MariaDB 10.11.19: "Cannot change column type").
  if (to.autoIncrement && before.autoIncrement === false) changes.push("auto-increment");
  if (!changes.includes("type")) {
    const text = textChange(to, before, table);
    if (text) changes.push(text);
  }
  const notNull = to.notNull === true || to.key === "primary";
  if (before.notNull && !notNull) changes.push("make-null");
  if (!before.notNull && notNull) changes.push("make-not-null");
  return { change: changes.length ? changes : ["none"] };
}

/**
 * CONVERT TO CHARACTER SET the table and all its text columns have already: nothing to convert. A column in
 * another set (a latin1 column of a utf8mb4 table) is converted row by row: a copy (MariaDB 10.11.19 measured).
 */
function sameCharset(t: TableContext, charset: string): boolean {
  return t.charset !== null && t.charset === charset && (t.columnCharsets ?? []).every((c) => c === charset);
}

const TEXT_TYPE = /^(var)?char\b|^(tiny|medium|long)?text\b|^(enum|set)\(/;

/**
 * The character set or collation a MODIFY/CHANGE gives a text column, against the one it had: the definition's
 * CHARACTER SET and COLLATE, else the table's defaults (a MODIFY that names neither converts a latin1 column of a
 * utf8mb4 table; measured on MariaDB 10.11: a copy). Null when nothing changes or the column's is not known.
 */
function textChange(
  to: ColumnSpec,
  before: KnownColumn,
  table?: TableContext,
): "charset-utf8mb4" | "charset" | "collation" | null {
  if (!before.charset || !TEXT_TYPE.test(normaliseType(to.type))) return null;
  const charset = to.charset ?? to.collation?.split("_")[0] ?? table?.charset ?? null;
  if (charset && charset !== before.charset)
    return before.charset === "utf8mb3" && charset === "utf8mb4" ? "charset-utf8mb4" : "charset";
  // CHARACTER SET alone gives the set's default collation, whose name dbopt does not know: not compared.
  const collation = to.collation ?? (to.charset ? null : (table?.collation ?? null));
  return collation && before.collation && collation !== before.collation ? "collation" : null;
}

/** int(11) and int are one type since MySQL 8.0.19 hid display widths; integer, bool and spaces normalised. */
export function normaliseType(type: string): string {
  return type
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/\b(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, "$1")
    .replace(/^integer\b/, "int")
    .replace(/^bool(ean)?$/, "tinyint(1)")
    .replace(/^character varying/, "varchar")
    .replace(/\s*,\s*/g, ",")
    .trim();
}

function mysqlSupport(op: AlterOperation, v: ServerVersion, t: TableContext): OperationSupport | null {
  const R = MYSQL_ROWS;
  switch (op.kind) {
    case "add-column": {
      if (op.column.generated === "stored") return fromRow(R.addStored, v);
      if (op.column.generated === "virtual") return fromRow(R.addVirtual, v);
      // Adding an AUTO_INCREMENT column: in place, no concurrent DML (the row's asterisk); no INSTANT either.
      if (op.column.autoIncrement)
        return fromRow(R.addColumn, v, { best: "INPLACE", lock: "SHARED", rebuildsInPlace: true });
      // A key in the column definition builds an index, which INSTANT cannot.
      const keyed = op.column.key !== null;
      // INSTANT: from 8.0.12 as the last column, from 8.0.29 anywhere; not on a table with a FULLTEXT index.
      const instant =
        !keyed &&
        t.hasFulltext !== true &&
        (atLeast(v, 8, 0, 29) || (atLeast(v, 8, 0, 12) && op.position.kind === "last"));
      return fromRow(R.addColumn, v, { best: instant ? "INSTANT" : "INPLACE", rebuildsInPlace: true });
    }
    case "drop-column":
      return fromRow(R.dropColumn, v, { best: atLeast(v, 8, 0, 29) ? "INSTANT" : "INPLACE" });
    case "rename-column":
      return fromRow(R.renameColumn, v, { best: atLeast(v, 8, 0, 28) ? "INSTANT" : "INPLACE" });
    case "change-column":
      return worstOf(
        columnChangeSupport(op, t).change.map((c) => mysqlColumnChange(c, v)),
        columnChangeSupport(op, t).assumption,
      );
    case "set-default":
      return fromRow(R.setDefault, v);
    case "drop-default":
      return fromRow(R.dropDefault, v);
    case "add-index":
      if (op.index === "primary")
        return fromRow(t.dropsPrimaryKey ? R.replacePrimaryKey : R.addPrimaryKey, v);
      if (op.index === "fulltext")
        // The first FULLTEXT index rebuilds the table to add FTS_DOC_ID (the row's asterisk).
        return fromRow(R.addFulltextIndex, v, { rebuildsInPlace: t.hasFulltext !== true });
      if (op.index === "spatial") return fromRow(R.addSpatialIndex, v);
      return fromRow(R.addSecondaryIndex, v);
    case "drop-index":
      return fromRow(R.dropIndex, v);
    case "drop-primary-key":
      return fromRow(t.addsPrimaryKey ? R.replacePrimaryKey : R.dropPrimaryKey, v);
    case "rename-index":
      return fromRow(R.renameIndex, v);
    case "index-visibility":
      return { ...fromRow(R.renameIndex, v), operation: "Index visibility (metadata only)" };
    case "add-foreign-key":
      // INPLACE only with foreign_key_checks disabled; otherwise COPY (the row's asterisk).
      return t.foreignKeyChecks
        ? fromRow(R.addForeignKey, v, { best: "COPY", lock: "SHARED", rebuildsInPlace: true })
        : fromRow(R.addForeignKey, v);
    case "drop-foreign-key":
      return fromRow(R.dropForeignKey, v);
    case "convert-charset":
      return sameCharset(t, op.charset)
        ? fromRow(R.tableCharset, v, { rebuildsInPlace: false })
        : fromRow(R.convertCharset, v);
    case "table-charset":
      return fromRow(R.tableCharset, v);
    case "table-option":
      return mysqlTableOption(op.option, op.value, v);
    case "force":
      return fromRow(R.force, v);
    case "rename-table":
      return fromRow(R.renameTable, v);
    case "partition":
      return partitionSupport(op, v);
    case "tablespace":
      return tablespaceSupport(op, v);
    default:
      return null;
  }
}

function columnChangeSupport(op: Extract<AlterOperation, { kind: "change-column" }>, t: TableContext) {
  return columnChange(op.from, op.column, op.position.kind !== "last", t.column(op.from), t);
}

function mysqlColumnChange(c: ColumnChange, v: ServerVersion): OperationSupport {
  const R = MYSQL_ROWS;
  switch (c) {
    case "none":
      return fromRow(R.setDefault, v);
    case "rename":
      return fromRow(R.renameColumn, v, { best: atLeast(v, 8, 0, 28) ? "INSTANT" : "INPLACE" });
    case "reorder":
      return fromRow(R.reorderColumns, v);
    case "extend-varchar":
      return fromRow(R.extendVarchar, v);
    case "extend-varchar-length-bytes":
      // The length prefix grows from 1 to 2 bytes: in place is refused, as for any type change.
      return fromRow(R.changeType, v, { operation: `${R.extendVarchar.operation} past 255 bytes` });
    case "enum-append":
      return fromRow(R.modifyEnum, v);
    case "make-null":
      return fromRow(R.makeNull, v);
    case "make-not-null":
      return fromRow(R.makeNotNull, v);
    case "charset-utf8mb4":
    case "charset":
      // A column's character set is part of its data type: the manual's type change (a copy).
      return fromRow(R.changeType, v, { operation: `${R.changeType.operation} (its character set)` });
    case "auto-increment":
      return fromRow(R.changeType, v, {
        operation: `${R.changeType.operation} (making it AUTO_INCREMENT)`,
        assumption:
          "the manual's online DDL tables do not list adding AUTO_INCREMENT to a column: read as a type change, as MariaDB does",
      });
    case "collation":
      return fromRow(R.changeType, v, {
        operation: `${R.changeType.operation} (its collation)`,
        assumption:
          "the manual's online DDL tables list no collation change of a column: read as a type change",
      });
    case "type":
      return fromRow(R.changeType, v);
  }
}

function mysqlTableOption(option: string, value: string, v: ServerVersion): OperationSupport | null {
  const R = MYSQL_ROWS;
  if (option === "ROW_FORMAT") return fromRow(R.rowFormat, v);
  if (option === "KEY_BLOCK_SIZE") return fromRow(R.keyBlockSize, v);
  if (option === "AUTO_INCREMENT") return fromRow(R.changeAutoIncrement, v);
  if (option.startsWith("STATS_")) return fromRow(R.statistics, v);
  if (option === "ENGINE")
    return value === "INNODB"
      ? fromRow(R.nullRebuild, v)
      : { ...fromRow(R.convertCharset, v), operation: `Changing the storage engine to ${value}` };
  return null;
}

/** MariaDB: one entry per operation, with the version its INSTANT form arrived in. */
function mariadb(
  operation: string,
  best: OnlineAlgorithm,
  options: { lock?: OnlineLock; rebuilds?: boolean; url?: string } = {},
): OperationSupport {
  const url =
    options.url ??
    (best === "INSTANT" ? MARIADB_INSTANT_URL : best === "NOCOPY" ? MARIADB_NOCOPY_URL : MARIADB_INPLACE_URL);
  return {
    operation,
    docsUrl: url,
    best,
    lock: options.lock ?? (best === "COPY" ? "SHARED" : "NONE"),
    rebuildsInPlace: options.rebuilds ?? best === "INPLACE",
  };
}

function mariadbSupport(op: AlterOperation, v: ServerVersion, t: TableContext): OperationSupport | null {
  const from104 = atLeast(v, 10, 4);
  switch (op.kind) {
    case "add-column": {
      if (op.column.generated === "stored")
        return mariadb("ADD COLUMN (STORED/PERSISTENT generated)", "COPY");
      if (op.column.generated === "virtual") return mariadb("ADD COLUMN (VIRTUAL generated)", "INSTANT");
      if (op.column.autoIncrement)
        return mariadb("ADD COLUMN (auto-increment)", "INPLACE", { lock: "SHARED", rebuilds: true });
      // 10.11.19: a key in the definition builds an index with the column, which takes INPLACE (NOCOPY refused).
      if (op.column.key !== null) return mariadb("ADD COLUMN with an index", "INPLACE", { rebuilds: true });
      // 10.11.19: DEFAULT (a + 1) on another column fills every row: INPLACE refused; DEFAULT (1 + 1) was INSTANT.
      if (op.column.defaultNames?.some((n) => t.column(n)))
        return mariadb("ADD COLUMN with a DEFAULT expression on other columns", "COPY");
      // 10.3.2: INSTANT as the last column; 10.4: anywhere. Not with a hidden FTS_DOC_ID (a FULLTEXT index).
      const instant =
        t.hasFulltext !== true && (from104 || (atLeast(v, 10, 3, 2) && op.position.kind === "last"));
      return mariadb("ALTER TABLE ... ADD COLUMN", instant ? "INSTANT" : "INPLACE", { rebuilds: true });
    }
    case "drop-column":
      return mariadb("ALTER TABLE ... DROP COLUMN", from104 ? "INSTANT" : "INPLACE", { rebuilds: true });
    case "rename-column":
      return mariadb("ALTER TABLE ... CHANGE COLUMN (renaming a column)", "INSTANT");
    case "change-column": {
      const { change, assumption } = columnChangeSupport(op, t);
      const indexed = t.column(op.from)?.indexed === true;
      return worstOf(
        change.map((c) => mariadbColumnChange(c, v, indexed)),
        assumption,
      );
    }
    case "set-default":
    case "drop-default":
      return mariadb("ALTER TABLE ... ALTER COLUMN (setting or dropping a default)", "INSTANT");
    case "add-index":
      if (op.index === "primary")
        return mariadb("ALTER TABLE ... ADD PRIMARY KEY", "INPLACE", { rebuilds: true });
      if (op.index === "fulltext")
        return mariadb("ALTER TABLE ... ADD FULLTEXT INDEX", t.hasFulltext === true ? "NOCOPY" : "INPLACE", {
          lock: "SHARED",
          rebuilds: t.hasFulltext !== true,
        });
      if (op.index === "spatial")
        return mariadb("ALTER TABLE ... ADD SPATIAL INDEX", "NOCOPY", { lock: "SHARED" });
      return mariadb("ALTER TABLE ... ADD INDEX", "NOCOPY");
    case "drop-index":
      return mariadb("ALTER TABLE ... DROP INDEX", "NOCOPY");
    case "drop-primary-key":
      return t.addsPrimaryKey
        ? mariadb("ALTER TABLE ... DROP PRIMARY KEY, ADD PRIMARY KEY", "INPLACE", { rebuilds: true })
        : mariadb("ALTER TABLE ... DROP PRIMARY KEY (alone)", "COPY");
    case "rename-index":
      return mariadb("ALTER TABLE ... RENAME INDEX", "INSTANT");
    case "index-visibility":
      return mariadb("ALTER TABLE ... ALTER INDEX ... IGNORED", "INSTANT");
    case "add-foreign-key":
      return t.foreignKeyChecks
        ? mariadb("ALTER TABLE ... ADD FOREIGN KEY (foreign_key_checks=1)", "COPY")
        : mariadb("ALTER TABLE ... ADD FOREIGN KEY (foreign_key_checks=0)", "NOCOPY");
    case "drop-foreign-key":
      return mariadb("ALTER TABLE ... DROP FOREIGN KEY", "INSTANT");
    case "add-check":
      return mariadb("ALTER TABLE ... ADD CHECK (validates every row)", "COPY");
    case "drop-constraint":
      return mariadb("ALTER TABLE ... DROP CONSTRAINT", "INSTANT");
    case "convert-charset":
      return sameCharset(t, op.charset)
        ? mariadb("ALTER TABLE ... CONVERT TO CHARACTER SET (same character set)", "INSTANT")
        : mariadb("ALTER TABLE ... CONVERT TO CHARACTER SET", "COPY");
    case "table-charset":
      return mariadb("ALTER TABLE ... DEFAULT CHARACTER SET", "INSTANT");
    case "table-option":
      if (op.option === "ROW_FORMAT" || op.option === "KEY_BLOCK_SIZE")
        return mariadb(`ALTER TABLE ... ${op.option}=...`, "INPLACE", { rebuilds: true });
      if (op.option === "AUTO_INCREMENT" || op.option === "COMMENT" || op.option.startsWith("STATS_"))
        return mariadb(`ALTER TABLE ... ${op.option}=...`, "INSTANT");
      if (op.option === "ENGINE")
        return op.value === "INNODB"
          ? mariadb("ALTER TABLE ... ENGINE=InnoDB", "INPLACE", { rebuilds: true })
          : mariadb(`ALTER TABLE ... ENGINE=${op.value}`, "COPY");
      return null;
    case "force":
      return mariadb("ALTER TABLE ... FORCE", "INPLACE", { rebuilds: true });
    case "rename-table":
      return mariadb("ALTER TABLE ... RENAME TO", "INSTANT");
    case "partition":
      return partitionSupport(op, v);
    case "tablespace":
      return tablespaceSupport(op, v);
    default:
      return null;
  }
}

function mariadbColumnChange(c: ColumnChange, v: ServerVersion, indexed = false): OperationSupport {
  const from104 = atLeast(v, 10, 4);
  switch (c) {
    case "none":
    case "rename":
      return mariadb("ALTER TABLE ... CHANGE COLUMN (renaming a column)", "INSTANT");
    case "reorder":
      return mariadb("ALTER TABLE ... MODIFY COLUMN (reordering columns)", from104 ? "INSTANT" : "INPLACE", {
        rebuilds: true,
      });
    case "extend-varchar":
    case "extend-varchar-length-bytes":
      return mariadb("ALTER TABLE ... MODIFY COLUMN (extending a VARCHAR)", from104 ? "INSTANT" : "NOCOPY");
    case "enum-append":
      return mariadb("ALTER TABLE ... MODIFY COLUMN (adding ENUM or SET members at the end)", "INSTANT");
    case "make-null":
    case "make-not-null":
      return mariadb(
        `ALTER TABLE ... MODIFY COLUMN (${c === "make-null" ? "NULL" : "NOT NULL"})`,
        "INPLACE",
        {
          rebuilds: true,
        },
      );
    case "charset-utf8mb4":
      // MDEV-15564 (10.4): utf8mb3 to utf8mb4 changes no stored byte; INSTANT on 10.11.19, indexed column or not.
      return mariadb("ALTER TABLE ... MODIFY COLUMN (utf8mb3 to utf8mb4)", "INSTANT");
    case "charset":
      return mariadb("ALTER TABLE ... MODIFY COLUMN (changing the character set)", "COPY");
    case "auto-increment":
      return mariadb("ALTER TABLE ... MODIFY COLUMN (making it AUTO_INCREMENT)", "COPY");
    case "collation":
      // MDEV-17301 (10.4): the rows stay; an index on the column is rebuilt (10.11.19: INSTANT refused, NOCOPY taken).
      return indexed
        ? mariadb("ALTER TABLE ... MODIFY COLUMN (collation of an indexed column)", "NOCOPY")
        : mariadb("ALTER TABLE ... MODIFY COLUMN (collation)", "INSTANT");
    case "type":
      return mariadb("ALTER TABLE ... MODIFY COLUMN (changing the data type)", "COPY");
  }
}

/** Several changes in one MODIFY: the worst of them decides. */
function worstOf(parts: OperationSupport[], assumption?: string): OperationSupport {
  const worst = parts.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  return {
    ...worst,
    rebuildsInPlace: parts.some((p) => p.rebuildsInPlace),
    lock: parts.some((p) => p.lock === "SHARED") ? "SHARED" : worst.lock,
    ...(assumption ? { assumption } : {}),
  };
}

const rank = (s: OperationSupport) => ALGORITHMS.indexOf(s.best);
