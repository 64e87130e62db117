/**
 * What dbopt reads from a MySQL or MariaDB server: plain JSON data, like the PostgreSQL Snapshot.
 *
 * A separate shape, not a section of the PostgreSQL Snapshot: the Snapshot's zod schema makes pg_class
 * counters, vacuum ages, sequences and pg_stat_statements required, and the PostgreSQL rules read them
 * without checks; MySQL's facts (engines, AUTO_INCREMENT, digests, InnoDB counters) have no place there.
 * The MySQL rules (rules/mysql/) read this, and the pipeline returns the same CheckReport, so reporters,
 * ranking and the JSON contract are shared.
 */
export interface MysqlFacts {
  engine: "mysql";
  capturedAt: string;
  server: {
    flavour: "mysql" | "mariadb";
    version: string;
    versionText: string;
    database: string;
    /** Seconds since the server started: how long the usage counters have been counting. */
    uptimeSeconds: number;
    performanceSchema: boolean;
    sysSchema: boolean;
    userstat: boolean;
  };
  tables: MysqlTable[];
  columns: MysqlColumn[];
  indexes: MysqlIndex[];
  foreignKeys: MysqlForeignKey[];
  /** Reads per index since the server started; null when neither performance_schema nor userstat could say. */
  indexUsage: MysqlIndexUsage[] | null;
  /** Statement digests of this database; null without performance_schema. */
  digests: MysqlDigest[] | null;
  /** SHOW GLOBAL STATUS and SHOW GLOBAL VARIABLES, names in lower case. */
  status: Record<string, string>;
  variables: Record<string, string>;
  /** What could not be read, and how to let dbopt read it. */
  notes: string[];
  /**
   * InnoDB data and indexes of every database this user can see (the buffer pool serves them all); absent in
   * facts files written before it was read, null when it could not be read.
   */
  serverInnodbBytes?: number | null;
}

/** The InnoDB bytes the (server-wide) buffer pool serves: the whole server's when known, else this database's. */
export function innodbBytesForPool(facts: MysqlFacts): { bytes: number; scope: "server" | "database" } {
  if (typeof facts.serverInnodbBytes === "number") return { bytes: facts.serverInnodbBytes, scope: "server" };
  const bytes = facts.tables
    .filter((t) => t.engine?.toLowerCase() === "innodb")
    .reduce((sum, t) => sum + t.dataBytes + t.indexBytes, 0);
  return { bytes, scope: "database" };
}

export interface MysqlTable {
  schema: string;
  name: string;
  engine: string | null;
  rows: number;
  dataBytes: number;
  indexBytes: number;
  autoIncrement: number | null;
}

export interface MysqlColumn {
  schema: string;
  table: string;
  name: string;
  position: number;
  /** The full type as the server prints it: "int(10) unsigned", "varchar(50)". */
  columnType: string;
  dataType: string;
  nullable: boolean;
  /** "auto_increment", "on update current_timestamp()", ... */
  extra: string;
  charset: string | null;
  collation: string | null;
}

export interface MysqlIndex {
  schema: string;
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  /** BTREE, HASH, FULLTEXT, SPATIAL. */
  type: string;
  /** Key parts in order; subPart is the prefix length of a column prefix index. */
  columns: { name: string | null; subPart: number | null; expression: string | null }[];
  /** Bytes from mysql.innodb_index_stats (leaf and non-leaf pages), when readable. */
  sizeBytes: number | null;
}

export interface MysqlForeignKey {
  schema: string;
  table: string;
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  /** RESTRICT, CASCADE, SET NULL, NO ACTION, SET DEFAULT. */
  onDelete: string;
  onUpdate: string;
}

export interface MysqlIndexUsage {
  table: string;
  index: string;
  reads: number;
  writes: number;
}

export interface MysqlDigest {
  digest: string;
  text: string;
  calls: number;
  totalMs: number;
  rowsExamined: number;
  rowsSent: number;
  noIndexUsed: number;
  noGoodIndexUsed: number;
  fullScans: number;
  fullJoins: number;
  tmpTables: number;
  tmpDiskTables: number;
  sortMergePasses: number;
}

/** A status or variable as a number (0 when absent or not a number). */
export function numberOf(values: Record<string, string>, name: string): number {
  const n = Number(values[name.toLowerCase()]);
  return Number.isFinite(n) ? n : 0;
}

/** "schema.table" for findings' objects. */
export function objectName(schema: string, name: string): string {
  return `${schema}.${name}`;
}
