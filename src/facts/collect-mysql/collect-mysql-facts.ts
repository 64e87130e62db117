import { DbError } from "../../connectors/db-error.js";
import type { MysqlConnector } from "../../connectors/mysql/mysql-connector.js";
import type {
  MysqlColumn,
  MysqlDigest,
  MysqlFacts,
  MysqlForeignKey,
  MysqlIndex,
  MysqlIndexUsage,
  MysqlTable,
} from "./mysql-facts.js";

type Row = Record<string, unknown>;
const CATALOGUES = /`?(information_schema|performance_schema|mysql|sys)`?\s*\./i;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));

/** Read the schema, sizes, usage, digests, status and variables of the connection's database. */
export async function collectMysqlFacts(db: MysqlConnector): Promise<MysqlFacts> {
  const caps = await db.capabilities();
  const schema = db.target.database;
  const notes: string[] = [];
  const [tables, columns, indexes, foreignKeys, status, variables] = [
    await readTables(db, schema),
    await readColumns(db, schema),
    await readIndexes(db, schema),
    await readForeignKeys(db, schema),
    await readPairs(db, "SHOW GLOBAL STATUS"),
    await readPairs(db, "SHOW GLOBAL VARIABLES"),
  ];
  await addIndexSizes(db, schema, indexes, notes);
  const serverInnodbBytes = await readServerInnodbBytes(db, notes);
  let indexUsage: MysqlIndexUsage[] | null = null;
  let digests: MysqlDigest[] | null = null;
  if (caps.performanceSchema) {
    indexUsage = await readIndexUsage(db, schema);
    digests = await readDigests(db, schema);
    if (indexUsage === null || digests === null) {
      notes.push(
        "performance_schema is on but this user cannot read it: GRANT SELECT ON performance_schema.* TO the dbopt user (index usage and statement digests were not checked)",
      );
    }
  } else if (caps.userstat) {
    indexUsage = await readUserstatIndexUsage(db, schema, indexes);
    notes.push(
      "performance_schema is off: index usage comes from userstat; statements doing full scans were not checked. Turn it on with performance_schema = ON in the [mysqld] section of the server's config file and a restart",
    );
  } else {
    notes.push(
      "performance_schema is off: unused indexes and statements doing full scans were not checked. Turn it on with performance_schema = ON in the [mysqld] section of the server's config file and a restart" +
        (caps.flavour === "mariadb"
          ? " (or SET GLOBAL userstat = ON for index usage alone, no restart)"
          : ""),
    );
  }
  return {
    engine: "mysql",
    capturedAt: new Date().toISOString(),
    server: {
      flavour: caps.flavour,
      version: caps.version,
      versionText: caps.versionText,
      database: schema,
      uptimeSeconds: num(status.uptime),
      performanceSchema: caps.performanceSchema,
      sysSchema: caps.sysSchema,
      userstat: caps.userstat,
    },
    tables,
    columns,
    indexes,
    foreignKeys,
    indexUsage,
    digests,
    status,
    variables,
    notes,
    serverInnodbBytes,
  };
}

/**
 * InnoDB data and indexes in every schema this user can see, as MySQLTuner sums them: the buffer pool is the
 * server's, so it is sized for all of them, not for the one database in --db.
 */
async function readServerInnodbBytes(db: MysqlConnector, notes: string[]): Promise<number | null> {
  try {
    const [row] = await db.query<Row>(
      `SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS bytes
         FROM information_schema.TABLES
        WHERE ENGINE = 'InnoDB'
          AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')`,
    );
    return num(row?.bytes);
  } catch (error) {
    if (error instanceof DbError && error.isConnectionError) throw error;
    notes.push(
      `the InnoDB size of the other databases could not be read (${error instanceof Error ? error.message : String(error)}): the buffer pool is judged against this database's tables alone`,
    );
    return null;
  }
}

async function readPairs(db: MysqlConnector, statement: string): Promise<Record<string, string>> {
  const rows = await db.query<{ Variable_name: string; Value: unknown }>(statement);
  return Object.fromEntries(rows.map((r) => [r.Variable_name.toLowerCase(), str(r.Value)]));
}

async function readTables(db: MysqlConnector, schema: string): Promise<MysqlTable[]> {
  const rows = await db.query<Row>(
    `SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_ROWS AS table_rows, DATA_LENGTH AS data_length,
            INDEX_LENGTH AS index_length, AUTO_INCREMENT AS auto_increment
       FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'
      ORDER BY TABLE_NAME`,
    [schema],
  );
  return rows.map((r) => ({
    schema,
    name: str(r.name),
    engine: r.engine === null ? null : str(r.engine),
    rows: num(r.table_rows),
    dataBytes: num(r.data_length),
    indexBytes: num(r.index_length),
    autoIncrement: r.auto_increment === null || r.auto_increment === undefined ? null : num(r.auto_increment),
  }));
}

async function readColumns(db: MysqlConnector, schema: string): Promise<MysqlColumn[]> {
  const rows = await db.query<Row>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, ORDINAL_POSITION AS pos, COLUMN_TYPE AS column_type,
            DATA_TYPE AS data_type, IS_NULLABLE AS nullable, EXTRA AS extra,
            CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation_name
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ?
      ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [schema],
  );
  return rows.map((r) => ({
    schema,
    table: str(r.t),
    name: str(r.c),
    position: num(r.pos),
    columnType: str(r.column_type),
    dataType: str(r.data_type).toLowerCase(),
    nullable: r.nullable === "YES",
    extra: str(r.extra).toLowerCase(),
    charset: r.charset === null ? null : str(r.charset),
    collation: r.collation_name === null ? null : str(r.collation_name),
  }));
}

async function readIndexes(db: MysqlConnector, schema: string): Promise<MysqlIndex[]> {
  const rows = await db.query<Row>(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS non_unique, SEQ_IN_INDEX AS seq,
            COLUMN_NAME AS c, SUB_PART AS sub_part, INDEX_TYPE AS index_type
       FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ?
      ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [schema],
  );
  const byKey = new Map<string, MysqlIndex>();
  for (const r of rows) {
    const key = `${str(r.t)}\u0000${str(r.i)}`;
    let index = byKey.get(key);
    if (!index) {
      index = {
        schema,
        table: str(r.t),
        name: str(r.i),
        unique: num(r.non_unique) === 0,
        primary: str(r.i) === "PRIMARY",
        type: str(r.index_type),
        columns: [],
        sizeBytes: null,
      };
      byKey.set(key, index);
    }
    // MySQL 8's functional key parts have no COLUMN_NAME; they are read as expressions.
    index.columns.push({
      name: r.c === null ? null : str(r.c),
      subPart: r.sub_part === null ? null : num(r.sub_part),
      expression: r.c === null ? "(expression)" : null,
    });
  }
  return [...byKey.values()];
}

/** The schema's foreign keys, each with its columns and the referenced table's, in key order. */
export async function readForeignKeys(db: MysqlConnector, schema: string): Promise<MysqlForeignKey[]> {
  const rows = await db.query<Row>(
    `SELECT k.TABLE_NAME AS t, k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS c,
            k.REFERENCED_TABLE_SCHEMA AS ref_schema, k.REFERENCED_TABLE_NAME AS ref_table,
            k.REFERENCED_COLUMN_NAME AS ref_column, r.DELETE_RULE AS on_delete, r.UPDATE_RULE AS on_update
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
        AND r.TABLE_NAME = k.TABLE_NAME
      WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [schema],
  );
  const byKey = new Map<string, MysqlForeignKey>();
  for (const r of rows) {
    const key = `${str(r.t)}\u0000${str(r.name)}`;
    let fk = byKey.get(key);
    if (!fk) {
      fk = {
        schema,
        table: str(r.t),
        name: str(r.name),
        columns: [],
        refSchema: str(r.ref_schema),
        refTable: str(r.ref_table),
        refColumns: [],
        onDelete: str(r.on_delete),
        onUpdate: str(r.on_update),
      };
      byKey.set(key, fk);
    }
    fk.columns.push(str(r.c));
    fk.refColumns.push(str(r.ref_column));
  }
  return [...byKey.values()];
}

/** Per-index sizes from InnoDB's persistent statistics (pages × page size); absent for other engines. */
async function addIndexSizes(db: MysqlConnector, schema: string, indexes: MysqlIndex[], notes: string[]) {
  const rows = await db.tryQuery<Row>(
    `SELECT table_name AS t, index_name AS i, stat_value * @@innodb_page_size AS bytes
       FROM mysql.innodb_index_stats
      WHERE database_name = ? AND stat_name = 'size'`,
    [schema],
  );
  if (rows === null) {
    notes.push(
      "mysql.innodb_index_stats is not readable: per-index sizes are unknown (GRANT SELECT ON mysql.innodb_index_stats)",
    );
    return;
  }
  const sizes = new Map(rows.map((r) => [`${str(r.t)}\u0000${str(r.i)}`, num(r.bytes)]));
  for (const index of indexes) index.sizeBytes = sizes.get(`${index.table}\u0000${index.name}`) ?? null;
}

async function readIndexUsage(db: MysqlConnector, schema: string): Promise<MysqlIndexUsage[] | null> {
  const rows = await db.tryQuery<Row>(
    `SELECT OBJECT_NAME AS t, INDEX_NAME AS i, COUNT_READ AS n_reads, COUNT_WRITE AS n_writes
       FROM performance_schema.table_io_waits_summary_by_index_usage
      WHERE OBJECT_SCHEMA = ? AND INDEX_NAME IS NOT NULL`,
    [schema],
  );
  return (
    rows?.map((r) => ({
      table: str(r.t),
      index: str(r.i),
      reads: num(r.n_reads),
      writes: num(r.n_writes),
    })) ?? null
  );
}

/** MariaDB's userstat lists only indexes that were read: an index of a listed table missing from it read 0 rows. */
async function readUserstatIndexUsage(
  db: MysqlConnector,
  schema: string,
  indexes: MysqlIndex[],
): Promise<MysqlIndexUsage[] | null> {
  const rows = await db.tryQuery<Row>(
    "SELECT TABLE_NAME AS t, INDEX_NAME AS i, ROWS_READ AS n_reads FROM information_schema.INDEX_STATISTICS WHERE TABLE_SCHEMA = ?",
    [schema],
  );
  if (rows === null) return null;
  const read = new Map(rows.map((r) => [`${str(r.t)}\u0000${str(r.i)}`, num(r.n_reads)]));
  return indexes.map((i) => ({
    table: i.table,
    index: i.name,
    reads: read.get(`${i.table}\u0000${i.name}`) ?? 0,
    writes: 0,
  }));
}

async function readDigests(db: MysqlConnector, schema: string): Promise<MysqlDigest[] | null> {
  const rows = await db.tryQuery<Row>(
    `SELECT DIGEST AS digest, DIGEST_TEXT AS text, COUNT_STAR AS calls, SUM_TIMER_WAIT / 1000000000 AS total_ms,
            SUM_ROWS_EXAMINED AS rows_examined, SUM_ROWS_SENT AS rows_sent, SUM_NO_INDEX_USED AS no_index,
            SUM_NO_GOOD_INDEX_USED AS no_good_index, SUM_SELECT_SCAN AS full_scans,
            SUM_SELECT_FULL_JOIN AS full_joins, SUM_CREATED_TMP_TABLES AS tmp_tables,
            SUM_CREATED_TMP_DISK_TABLES AS tmp_disk_tables, SUM_SORT_MERGE_PASSES AS sort_merge_passes
       FROM performance_schema.events_statements_summary_by_digest
      WHERE SCHEMA_NAME = ? AND DIGEST_TEXT IS NOT NULL
      ORDER BY SUM_TIMER_WAIT DESC
      LIMIT 500`,
    [schema],
  );
  return (
    rows
      ?.map((r) => ({
        digest: str(r.digest),
        text: str(r.text),
        calls: num(r.calls),
        totalMs: num(r.total_ms),
        rowsExamined: num(r.rows_examined),
        rowsSent: num(r.rows_sent),
        noIndexUsed: num(r.no_index),
        noGoodIndexUsed: num(r.no_good_index),
        fullScans: num(r.full_scans),
        fullJoins: num(r.full_joins),
        tmpTables: num(r.tmp_tables),
        tmpDiskTables: num(r.tmp_disk_tables),
        sortMergePasses: num(r.sort_merge_passes),
      }))
      // The digest text drops comments (seen on MariaDB 10.11), so dbopt's own statements are known by what they
      // read: the catalogues (and SELECT VERSION(), @@... with no table). SHOW and SET are never the user's
      // workload to tune.
      .filter(
        (d) =>
          /^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH)\b/i.test(d.text) &&
          !CATALOGUES.test(d.text) &&
          !/^\s*SELECT\b(?![\s\S]*\bFROM\b)/i.test(d.text),
      ) ?? null
  );
}
