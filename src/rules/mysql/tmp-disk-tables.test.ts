import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMariadbDatabase,
  type MariadbTestDatabase,
  mariadbAvailable,
} from "../../../test/support/mariadb.js";
import { type CounterSession, counterSession } from "../../../test/support/mariadb-counters.js";
import { mysqlFacts } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlTmpDiskTables } from "./tmp-disk-tables.js";

const MB = 1024 ** 2;
const run = (status: Record<string, string>, variables: Record<string, string>, options = {}) =>
  mysqlTmpDiskTables.check(
    { mysql: mysqlFacts({ status, variables }) },
    { ...defaultOptions(mysqlTmpDiskTables), ...options },
  );

describe("mysql/tmp-disk-tables", () => {
  it("raises both limits together, from the smaller one", () => {
    const v = { tmp_table_size: String(16 * MB), max_heap_table_size: String(32 * MB) };
    expect(run({ created_tmp_disk_tables: "50", created_tmp_tables: "1000" }, v)).toEqual([]);
    const [f] = run({ created_tmp_disk_tables: "500", created_tmp_tables: "1000" }, v);
    expect(f?.evidence).toMatchObject({ createdTmpDiskTables: 500, createdTmpTables: 1000 });
    expect(checkMysqlSql(String(f?.fix?.sql), 2)).toBe(
      `SET GLOBAL tmp_table_size = ${64 * MB}; SET GLOBAL max_heap_table_size = ${64 * MB}`,
    );
  });
});

const available = await mariadbAvailable();

describe.skipIf(!available)("mysql/tmp-disk-tables on MariaDB's own counters", () => {
  let db: MariadbTestDatabase;
  let session: CounterSession;
  beforeAll(async () => {
    db = await createMariadbDatabase(`
      CREATE TABLE note (id INT PRIMARY KEY, body TEXT, n INT);
      INSERT INTO note SELECT seq, CONCAT('note ', seq MOD 50), seq MOD 7 FROM seq_1_to_2000;`);
  }, 60_000);
  afterAll(async () => {
    await session?.end();
    await db?.drop();
  });

  it("reports a session whose GROUP BY on a TEXT column went to disk every time, not one grouping integers", async () => {
    // MariaDB writes an internal temporary table with a TEXT/BLOB column to disk (Aria) whatever its size.
    session = await counterSession(db.name);
    for (let i = 0; i < 20; i++) await session.run("SELECT body, COUNT(*) FROM note GROUP BY body");
    const status = await session.status("SESSION");
    const variables = await session.variables("SESSION");
    expect(Number(status.created_tmp_disk_tables)).toBeGreaterThanOrEqual(20);
    const [f] = run(status, variables, { minDiskTables: 20 });
    expect(f?.evidence.createdTmpDiskTables).toBe(Number(status.created_tmp_disk_tables));
    expect(f?.evidence.tmpTableSizeBytes).toBe(Number(variables.tmp_table_size));

    const other = await counterSession(db.name);
    try {
      for (let i = 0; i < 20; i++) await other.run("SELECT n, COUNT(*) FROM note GROUP BY n");
      const inMemory = await other.status("SESSION");
      expect(Number(inMemory.created_tmp_disk_tables)).toBe(0);
      expect(run(inMemory, await other.variables("SESSION"), { minDiskTables: 0 })).toEqual([]);
    } finally {
      await other.end();
    }
  }, 60_000);
});
