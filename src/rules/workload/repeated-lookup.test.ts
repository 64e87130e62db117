import { beforeAll, describe, expect, it } from "vitest";
import { workloadSnapshot } from "../../../test/support/rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { defaultOptions } from "../rule.js";
import { batchedRewrite, repeatedLookup } from "./repeated-lookup.js";

beforeAll(loadSqlParser);

describe("workload/repeated-lookup", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds the N+1 loop in pg_stat_statements and writes the batched query (%s)",
    (version) => {
      const findings = repeatedLookup.check(
        { snapshot: workloadSnapshot(version) },
        defaultOptions(repeatedLookup),
      );
      expect(findings).toHaveLength(1);
      expect(findings[0]?.evidence).toMatchObject({ calls: 1200, rowsPerCall: 1, keyColumn: "id" });
      expect(findings[0]?.fix?.sql).toBe("select id, email from customers where id = ANY($1);");
    },
  );

  it("only rewrites single-key lookups", () => {
    expect(batchedRewrite("select * from t where a = $1 and b > 3")?.sql).toBe(
      "select * from t where a = ANY($1) and b > 3;",
    );
    expect(batchedRewrite("select * from t where a = $1 or b = $2")).toBeNull();
    expect(batchedRewrite("update t set x = 1 where id = $1")).toBeNull();
  });
});

describe("batchedRewrite with non-ASCII text", () => {
  it("counts the parser's byte offsets as characters", () => {
    expect(batchedRewrite("select 'é' as e, id from t where id = $1")?.sql).toBe(
      "select 'é' as e, id from t where id = ANY($1);",
    );
  });
});
