import { describe, expect, it } from "vitest";
import { index, mysqlFacts, table } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlUnusedIndex } from "./unused-index.js";

const base = mysqlFacts({
  tables: [table("t")],
  indexes: [
    index("t", "PRIMARY", ["id"]),
    index("t", "t_a", ["a"]),
    index("t", "t_b", ["b"]),
    index("t", "t_c", ["c"], { unique: true }),
  ],
  indexUsage: [
    { table: "t", index: "PRIMARY", reads: 0, writes: 5 },
    { table: "t", index: "t_a", reads: 0, writes: 5 },
    { table: "t", index: "t_b", reads: 9, writes: 5 },
    { table: "t", index: "t_c", reads: 0, writes: 5 },
  ],
});
const run = (facts = base) => mysqlUnusedIndex.check({ mysql: facts }, defaultOptions(mysqlUnusedIndex));

describe("mysql/unused-index", () => {
  it("reports a non-unique index no statement read over a long enough uptime", () => {
    const findings = run();
    expect(findings.map((f) => f.evidence.index)).toEqual(["t_a"]);
    expect(findings[0]?.severity).toBe("warning");
    checkMysqlSql(String(findings[0]?.fix?.sql), 1);
  });

  it("says nothing after a fresh restart, without usage counters, or for an index a foreign key uses", () => {
    expect(run({ ...base, server: { ...base.server, uptimeSeconds: 3600 } })).toEqual([]);
    expect(run({ ...base, indexUsage: null })).toEqual([]);
    const fk = {
      schema: "shop",
      table: "t",
      name: "t_a_fk",
      columns: ["a"],
      refSchema: "shop",
      refTable: "p",
      refColumns: ["id"],
      onDelete: "RESTRICT",
      onUpdate: "RESTRICT",
    };
    expect(run({ ...base, foreignKeys: [fk] })).toEqual([]);
  });
});
