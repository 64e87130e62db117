/**
 * A scratch copy for --sample N%: each base table of the live database made again in the scratch database
 * (CREATE TABLE ... LIKE: columns, indexes, engine; no foreign keys, which a row sample would break) and filled
 * with about N% of its rows, chosen by RAND with a fixed seed so two runs copy the same rows. Generated columns
 * are left to the server. Then ANALYZE TABLE, so the optimizer's statistics describe the sample.
 *
 * The live rows are read on a read-only session of their own, in one consistent snapshot: a plain SELECT there
 * is a non-locking read. `INSERT INTO scratch.t SELECT ... FROM live.t` in one statement would not be: InnoDB
 * takes a shared lock on every source row it reads for an INSERT ... SELECT, and the live table's writers wait
 * on them (ERROR 1205 after innodb_lock_wait_timeout). The rows are written to the scratch database in batches
 * on the sandbox's session.
 */
import { MysqlConnector } from "../../connectors/mysql/mysql-connector.js";
import type { MysqlSandbox } from "../../connectors/mysql/mysql-sandbox.js";
import { list, mysqlIdent, mysqlQname, sql } from "../../util/sql-text.js";

export interface SampleCopy {
  tables: Array<{ table: string; rows: number }>;
}

/** Rows and bytes in one INSERT: far below max_allowed_packet (16 MB by default on MariaDB and MySQL). */
const BATCH_ROWS = 2000;
const BATCH_BYTES = 4 << 20;

export async function copySchemaAndSample(
  sandbox: MysqlSandbox,
  liveDatabase: string,
  percent: number,
  timeLimitMs: number,
  onTable: (table: string) => void = () => {},
): Promise<SampleCopy> {
  const tables = await sandbox.query<{ name: string }>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    [liveDatabase],
  );
  const columns = await sandbox.query<{ table: string; name: string }>(
    `SELECT TABLE_NAME AS \`table\`, COLUMN_NAME AS name FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND EXTRA NOT LIKE '%GENERATED%' ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [liveDatabase],
  );
  const fraction = Math.min(1, Math.max(0, percent / 100));
  const out: SampleCopy = { tables: [] };
  const live = await MysqlConnector.connect(
    {
      ...sandbox.target,
      database: liveDatabase,
      display: sandbox.target.display.replace(/\/[^/]*$/, `/${liveDatabase}`),
    },
    { ...sandbox.options, statementTimeoutMs: timeLimitMs },
  );
  try {
    // Plain SELECTs lock nothing under REPEATABLE READ (SERIALIZABLE would make them locking reads): one snapshot
    // for every table, so the sample is of one moment.
    await live.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    await live.query("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    for (const { name } of tables) {
      onTable(name);
      await sandbox.execute(
        sql`CREATE TABLE ${mysqlQname(sandbox.database, name)} LIKE ${mysqlQname(liveDatabase, name)}`,
      );
      const names = columns.filter((c) => c.table === name).map((c) => c.name);
      const rows = live.streamRows(
        sql`SELECT ${list(names.map((c) => mysqlIdent(c)))} FROM ${mysqlQname(liveDatabase, name)} WHERE RAND(7) < ${fraction}`,
      );
      const copied = await insertInBatches(sandbox, name, names, rows, timeLimitMs);
      out.tables.push({ table: name, rows: copied });
    }
    await live.query("COMMIT");
  } finally {
    await live.close();
  }
  if (tables.length > 0) {
    await sandbox.query(sql`ANALYZE TABLE ${list(tables.map((t) => mysqlQname(sandbox.database, t.name)))}`);
  }
  return out;
}

async function insertInBatches(
  sandbox: MysqlSandbox,
  table: string,
  columns: string[],
  rows: AsyncIterable<Record<string, unknown>>,
  timeLimitMs: number,
): Promise<number> {
  const head = `${sql`INSERT INTO ${mysqlQname(sandbox.database, table)} (${list(columns.map((c) => mysqlIdent(c)))}) VALUES `}`;
  const one = `(${columns.map(() => "?").join(", ")})`;
  let values: unknown[] = [];
  let count = 0;
  let pending = 0;
  let bytes = 0;
  const flush = async () => {
    if (!pending) return;
    await sandbox.execute(`${head}${Array(pending).fill(one).join(", ")}`, { params: values, timeLimitMs });
    values = [];
    pending = 0;
    bytes = 0;
  };
  for await (const row of rows) {
    for (const c of columns) {
      const v = row[c];
      values.push(v);
      bytes += typeof v === "string" || Buffer.isBuffer(v) ? v.length * 2 : 8;
    }
    pending++;
    count++;
    if (pending >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return count;
}
