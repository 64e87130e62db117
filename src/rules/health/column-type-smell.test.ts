import { beforeAll, describe, expect, it } from "vitest";
import { captureSnapshot, healthFindings } from "../../../test/support/rule-harness.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { columnTypeSmell } from "./column-type-smell.js";

beforeAll(loadSqlParser);

describe("health/column-type-smell", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds float money, json, timestamp without zone and char(n) in one item, worst first (%s)",
    (version) => {
      const findings = healthFindings(columnTypeSmell, version);
      expect(findings).toHaveLength(1);
      const [f] = findings;
      expect(f?.severity).toBe("warning");
      expect(f?.evidence).toMatchObject({
        tables: 1,
        columns: 4,
        "float for money": 1,
        "json instead of jsonb": 1,
        "timestamp without time zone": 1,
        "char(n)": 1,
        worst: "accounts: float for money (balance)",
      });
      expect(f?.objects).toEqual(["public.accounts"]);
      // One ALTER TABLE for the table: it is rewritten once, not once per column.
      expect(parseSql(f?.fix?.sql ?? "").stmts).toHaveLength(1);
      expect(f?.fix?.sql).toBe(
        "ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(12,2), ALTER COLUMN payload TYPE jsonb, ALTER COLUMN created_at TYPE timestamp with time zone USING created_at AT TIME ZONE 'UTC', ALTER COLUMN country TYPE text;",
      );
    },
  );

  it("is quiet for sound types", () => {
    expect(healthFindings(columnTypeSmell, "pg18", { snapshot: captureSnapshot("pg18") })).toEqual([]);
  });
});
