import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { parseWorkloadFile } from "./workload-file.js";

beforeAll(loadSqlParser);

describe("parseWorkloadFile", () => {
  it("splits statements with the parser and reads weight comments", () => {
    const statements = parseWorkloadFile(
      "-- weight: 50\nselect * from t where a = 'x;y';\n\nselect 'é' from u where b = 2;\n-- weight: 2.5\nupdate t set a = 1 where id = 3",
      "w.sql",
    );
    expect(statements.map((s) => [s.sql, s.weight])).toEqual([
      ["select * from t where a = 'x;y'", 50],
      ["select 'é' from u where b = 2", 1],
      ["update t set a = 1 where id = 3", 2.5],
    ]);
    // Weights are call counts, for the advisor to multiply by what one call costs.
    expect(statements.map((s) => [s.calls, s.weightIs])).toEqual([
      [50, "calls"],
      [1, "calls"],
      [2.5, "calls"],
    ]);
    expect(parseWorkloadFile("-- calls: 1400\nselect 1 from t;", "w.sql")[0]?.calls).toBe(1400);
  });

  it("rejects broken SQL and empty files with the way out", () => {
    expect(() => parseWorkloadFile("selec 1", "w.sql")).toThrow(/w\.sql does not parse/);
    expect(() => parseWorkloadFile("-- nothing\n", "w.sql")).toThrow(/holds no statements/);
  });
});
