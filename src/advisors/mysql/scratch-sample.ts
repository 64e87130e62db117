/**
 * A scratch copy for --sample N%: each base table of the live database made again in the scratch database
 * (CREATE TABLE ... LIKE: columns, indexes, engine; no foreign keys, which a row sample would break) and filled
 * with about N% of its rows, chosen by RAND with a fixed seed so two runs copy the same rows. Generated columns
 * are left to the server. Then ANALYZE TABLE, so the optimizer's statistics describe the sample.
 */
import type { MysqlSandbox } from "../../connectors/mysql/mysql-sandbox.js";
import { list, mysqlIdent, mysqlQname, type SqlText, sql } from "../../util/sql-text.js";

export interface SampleCopy {
  tables: Array<{ table: string; rows: number }>;
}

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
  for (const { name } of tables) {
    onTable(name);
    await sandbox.execute(
      sql`CREATE TABLE ${mysqlQname(sandbox.database, name)} LIKE ${mysqlQname(liveDatabase, name)}`,
    );
    const names = columns.filter((c) => c.table === name).map((c) => mysqlIdent(c.name));
    const copy: SqlText = sql`INSERT INTO ${mysqlQname(sandbox.database, name)} (${list(names)}) SELECT ${list(names)} FROM ${mysqlQname(liveDatabase, name)} WHERE RAND(7) < ${fraction}`;
    await sandbox.execute(copy, { timeLimitMs });
    const [count] = await sandbox.query<{ n: number }>(
      sql`SELECT COUNT(*) AS n FROM ${mysqlQname(sandbox.database, name)}`,
    );
    out.tables.push({ table: name, rows: Number(count?.n ?? 0) });
  }
  if (tables.length > 0) {
    await sandbox.query(sql`ANALYZE TABLE ${list(tables.map((t) => mysqlQname(sandbox.database, t.name)))}`);
  }
  return out;
}
