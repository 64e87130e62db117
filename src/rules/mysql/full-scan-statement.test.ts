import { describe, expect, it } from "vitest";
import { mysqlFacts } from "../../../test/support/mysql-facts-builder.js";
import { defaultOptions } from "../rule.js";
import { mysqlFullScanStatement } from "./full-scan-statement.js";

const digest = (text: string, noIndexUsed: number, rowsExamined: number) => ({
  digest: text,
  text,
  calls: 2,
  totalMs: 40,
  rowsExamined,
  rowsSent: 2,
  noIndexUsed,
  noGoodIndexUsed: 0,
  fullScans: noIndexUsed,
  fullJoins: 0,
  tmpTables: 0,
  tmpDiskTables: 0,
  sortMergePasses: 0,
});

describe("mysql/full-scan-statement", () => {
  it("reports digests that ran without an index over many rows, with their time", () => {
    const facts = mysqlFacts({
      digests: [digest("SELECT a", 2, 6000), digest("SELECT b", 0, 6000), digest("SELECT c", 2, 10)],
    });
    const findings = mysqlFullScanStatement.check({ mysql: facts }, defaultOptions(mysqlFullScanStatement));
    expect(findings.map((f) => f.query)).toEqual(["SELECT a"]);
    expect(findings[0]).toMatchObject({ timeMs: 40, severity: "warning" });
  });

  it("is quiet without performance_schema", () => {
    expect(
      mysqlFullScanStatement.check(
        { mysql: mysqlFacts({ digests: null }) },
        defaultOptions(mysqlFullScanStatement),
      ),
    ).toEqual([]);
  });
});
