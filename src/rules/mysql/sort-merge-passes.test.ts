import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMariadbDatabase,
  type MariadbTestDatabase,
  mariadbAvailable,
} from "../../../test/support/mariadb.js";
import { counterSession } from "../../../test/support/mariadb-counters.js";
import { mysqlFacts } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlSortMergePasses } from "./sort-merge-passes.js";

const run = (status: Record<string, string>, variables: Record<string, string>, options = {}) =>
  mysqlSortMergePasses.check(
    { mysql: mysqlFacts({ status, variables }) },
    { ...defaultOptions(mysqlSortMergePasses), ...options },
  );

describe("mysql/sort-merge-passes", () => {
  it("merge passes per sort above the limit, with a larger buffer as the fix", () => {
    const [f] = run({ sort_merge_passes: "5000", sort_scan: "100" }, { sort_buffer_size: "262144" });
    expect(f?.evidence).toMatchObject({ sortMergePasses: 5000, sorts: 100, sortBufferSizeBytes: 262144 });
    expect(checkMysqlSql(String(f?.fix?.sql), 1)).toBe("SET GLOBAL sort_buffer_size = 1048576");
    expect(run({ sort_merge_passes: "5000", sort_scan: "1000000" }, { sort_buffer_size: "262144" })).toEqual(
      [],
    );
  });
});

const available = await mariadbAvailable();

describe.skipIf(!available)("mysql/sort-merge-passes on MariaDB's own counters", () => {
  let db: MariadbTestDatabase;
  beforeAll(async () => {
    db = await createMariadbDatabase(`
      CREATE TABLE line (id INT PRIMARY KEY, label VARCHAR(200));
      INSERT INTO line SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_5000;`);
  }, 60_000);
  afterAll(() => db?.drop());

  it("reports a sort larger than a 16 kB sort buffer, and not the same sort in 8 MB", async () => {
    const small = await counterSession(db.name);
    const large = await counterSession(db.name);
    try {
      await small.run("SET SESSION sort_buffer_size = 16384");
      await small.run("SELECT id, label FROM line ORDER BY label");
      const spilled = await small.status("SESSION");
      expect(Number(spilled.sort_merge_passes)).toBeGreaterThan(0);
      const [f] = run(spilled, await small.variables("SESSION"), { minPasses: 1 });
      expect(f?.evidence).toMatchObject({
        sortMergePasses: Number(spilled.sort_merge_passes),
        sortBufferSizeBytes: 16384,
      });

      await large.run("SET SESSION sort_buffer_size = 8388608");
      await large.run("SELECT id, label FROM line ORDER BY label");
      const fitted = await large.status("SESSION");
      expect(Number(fitted.sort_merge_passes)).toBe(0);
      expect(run(fitted, await large.variables("SESSION"), { minPasses: 0 })).toEqual([]);
    } finally {
      await small.end();
      await large.end();
    }
  }, 60_000);
});
