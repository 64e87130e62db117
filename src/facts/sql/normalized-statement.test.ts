import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser, tryParseSql } from "../../util/sql-parser.js";
import { repairNormalizedQuery } from "./normalized-statement.js";

beforeAll(loadSqlParser);

describe("repairNormalizedQuery", () => {
  it("turns typed literals that pg_stat_statements normalised back into parseable casts", () => {
    const stored = "SELECT count(*) FROM orders WHERE created_at >= now() - interval $2 AND day = date $3";
    // libpg_query's grammar accepts `interval $2` (it is patched for normalised text); PostgreSQL's does not.
    const repaired = repairNormalizedQuery(stored);
    expect(repaired).toBe(
      "SELECT count(*) FROM orders WHERE created_at >= now() - $2::interval AND day = $3::date",
    );
    expect(tryParseSql(repaired)).not.toBeNull();
    expect(repairNormalizedQuery("SELECT timestamp with time zone $1")).toBe(
      "SELECT $1::timestamp with time zone",
    );
  });

  it("leaves ordinary statements alone", () => {
    const sql = "SELECT id FROM t WHERE a = $1 AND interval_col = $2";
    expect(repairNormalizedQuery(sql)).toBe(sql);
  });
});
