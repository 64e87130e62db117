import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { deparseStatement } from "./rewrite-tree-shape.js";
import { sargableDateFunction } from "./sargable-date-function.js";

beforeAll(loadSqlParser);

const events = table(
  "events",
  [
    ["id", "bigint", true],
    ["at", "timestamp with time zone"],
    ["local_at", "timestamp without time zone"],
    ["day", "date"],
    ["code", "text"],
    ["loose", "timestamp without time zone"],
  ],
  { indexes: [["at"], ["local_at"], ["day"], ["code"]] },
);
const same = (sql: string) => deparseStatement(parseSql(sql));
const rewrite = (sql: string) => rewrittenSql(sargableDateFunction, sql, [events]);

describe("rewrite/sargable-date-function", () => {
  it("turns date(col) = d and col::date = d into a half-open range", () => {
    const range = same(
      "select id from events where events.at >= CAST('2024-03-01' AS date) and events.at < CAST('2024-03-01' AS date) + 1",
    );
    expect(rewrite("select id from events where date(at) = '2024-03-01'")).toBe(range);
    expect(rewrite("select id from events where at::date = '2024-03-01'")).toBe(range);
    expect(rewrite("select id from events where '2024-03-01' = at::date")).toBe(range);
  });

  it("turns one-sided comparisons into one bound", () => {
    expect(rewrite("select id from events where date(local_at) > $1")).toBe(
      same("select id from events where events.local_at >= CAST($1 AS date) + 1"),
    );
    expect(rewrite("select id from events where date(local_at) <= $1")).toBe(
      same("select id from events where events.local_at < CAST($1 AS date) + 1"),
    );
  });

  it("turns date_trunc equality into a range that keeps the answer for an untruncated value", () => {
    expect(rewrite("select id from events where date_trunc('month', local_at) = $1")).toBe(
      same(
        "select id from events where events.local_at >= CAST($1 AS timestamp) and events.local_at < CAST($1 AS timestamp) + CAST('1 month' AS interval) and date_trunc('month', CAST($1 AS timestamp)) = CAST($1 AS timestamp)",
      ),
    );
  });

  it("turns extract(year) into make_date bounds, for date columns too", () => {
    expect(rewrite("select id from events where extract(year from day) = 2023")).toBe(
      same(
        "select id from events where events.day >= make_date(CAST(2023 AS integer), 1, 1) and events.day < make_date(CAST(2023 AS integer) + 1, 1, 1)",
      ),
    );
  });

  it("declines text columns, unindexed columns, values that read columns, and other date parts", () => {
    for (const sql of [
      "select id from events where date(code) = '2024-01-01'",
      "select id from events where date(loose) = '2024-01-01'",
      "select id from events e where date(e.at) = e.day",
      "select id from events where extract(month from at) = 3",
      "select id from events where date_trunc('day', at) > $1",
      "select id from events where date(at) = '2024-01-01'::date + (random() * 3)::int",
    ])
      expect(rewrite(sql), sql).toBeNull();
  });
});

describe("rewrite/sargable-date-function and the value's type", () => {
  it("keeps date(col) compared with a timestamp: casting the bound to date would move it to midnight", () => {
    expect(rewrite("select id from events where date(at) >= TIMESTAMP '2024-01-01 12:00'")).toBeNull();
    expect(rewrite("select id from events where date(at) = now()")).toBeNull();
  });

  it("takes a date-typed value: a cast to date, or CURRENT_DATE", () => {
    expect(rewrite("select id from events where date(at) = DATE '2024-03-01'")).not.toBeNull();
    expect(rewrite("select id from events where date(at) = current_date")).not.toBeNull();
  });

  it("turns to_char(col, 'YYYY-MM-DD') = a printed day, or 'YYYY-MM' = a printed month, into that range", () => {
    expect(rewrite("select id from events where to_char(local_at, 'YYYY-MM-DD') = '2024-02-29'")).toBe(
      same(
        "select id from events where events.local_at >= CAST('2024-02-29' AS date) and events.local_at < CAST('2024-02-29' AS date) + 1",
      ),
    );
    expect(rewrite("select id from events where '0999-12' = to_char(day, 'YYYY-MM')")).toBe(
      same(
        "select id from events where events.day >= CAST('0999-12-01' AS date) and events.day < CAST('0999-12-01' AS date) + CAST('1 month' AS interval)",
      ),
    );
    const [found] = rewritesOf(
      sargableDateFunction,
      "select id from events where to_char(at, 'YYYY-MM') = '2024-02'",
      [events],
    );
    expect(found?.assumptions.join("\n")).toMatch(/no dates before year 1/);
  });

  it("declines to_char text that to_char never prints, other formats and comparisons", () => {
    for (const sql of [
      "select id from events where to_char(local_at, 'YYYY-MM-DD') = '2024-2-1'",
      "select id from events where to_char(local_at, 'YYYY-MM-DD') = '2023-02-29'",
      "select id from events where to_char(local_at, 'YYYY-MM-DD') = '0000-01-01'",
      "select id from events where to_char(local_at, 'YYYY-MM') = '2024-13'",
      "select id from events where to_char(local_at, 'YYYY-MM-DD') = $1",
      "select id from events where to_char(local_at, 'yyyy-mm-dd') = '2024-02-01'",
      "select id from events where to_char(local_at, 'FMYYYY-MM-DD') = '2024-02-01'",
      "select id from events where to_char(local_at, 'YYYY-MM-DD') >= '2024-02-01'",
      "select id from events where to_char(code, 'YYYY-MM-DD') = '2024-02-01'",
      "select id from events where to_char(loose, 'YYYY-MM-DD') = '2024-02-01'",
    ])
      expect(rewrite(sql), sql).toBeNull();
  });
});
