import { beforeAll, describe, expect, it } from "vitest";
import { userFunction } from "../../../test/support/pg-catalog-functions.js";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { windowFilterPushdown } from "./window-filter-pushdown.js";

const readings = table("readings", [
  ["id", "integer", true],
  ["sensor_id", "integer"],
  ["site", "text"],
  ["value", "numeric"],
]);
const hot = table("Hot Sensors", [["sensor_id", "integer"]]);
const tables = [readings, hot];

describe("rewrite/window-filter-pushdown", () => {
  beforeAll(loadSqlParser);

  it("moves a filter on the partition column inside the subquery", () => {
    const [rewrite] = rewritesOf(
      windowFilterPushdown,
      `select * from (select id, sensor_id, row_number() over (partition by sensor_id order by value desc) as rn from readings) s where s.sensor_id in (select h.sensor_id from "Hot Sensors" h) and s.rn = 1`,
      tables,
    );
    expect(rewrite?.sql).toBe(
      `SELECT * FROM ( SELECT id, sensor_id, row_number() OVER (PARTITION BY sensor_id ORDER BY value DESC) AS rn FROM readings WHERE sensor_id IN (SELECT h.sensor_id FROM "Hot Sensors" AS h) ) AS s WHERE s.rn = 1`,
    );
    expect(rewrite?.assumptions[0]).toBe(
      "sensor_id is in the PARTITION BY of every window of s: a partition is kept or dropped whole",
    );
  });

  it("maps renamed columns, reads named windows, and moves into a CTE referenced once", () => {
    expect(
      rewrittenSql(
        windowFilterPushdown,
        "with ranked as materialized (select r.sensor_id as sid, r.site, sum(r.value) over w as total, avg(r.value) over (w order by r.id) as running from readings r window w as (partition by r.site, r.sensor_id)) select * from ranked where sid = 3 and site = 'north' and total > 10",
        tables,
      ),
    ).toBe(
      "WITH ranked AS MATERIALIZED (SELECT r.sensor_id AS sid, r.site, sum(r.value) OVER w AS total, avg(r.value) OVER (w ORDER BY r.id) AS running FROM readings AS r WHERE r.sensor_id = 3 AND r.site = 'north' WINDOW w AS (PARTITION BY r.site, r.sensor_id)) SELECT * FROM ranked WHERE total > 10",
    );
  });

  it("declines filters that would change the window values or the rows", () => {
    for (const sql of [
      // site is not in the PARTITION BY: filtering first changes row_number
      "select * from (select id, site, row_number() over (partition by sensor_id order by id) rn from readings) s where s.site = 'x'",
      // a second window partitions by something else
      "select * from (select sensor_id, row_number() over (partition by sensor_id) a, count(*) over () b from readings) s where sensor_id = 1",
      // filtering on the window's result
      "select * from (select sensor_id, row_number() over (partition by sensor_id) rn from readings) s where rn = 1",
      // LIMIT inside: which rows are kept depends on all rows
      "select * from (select sensor_id, row_number() over (partition by sensor_id) rn from readings limit 10) s where sensor_id = 1",
      "select * from (select sensor_id, generate_series(1, 2) g, row_number() over (partition by sensor_id) rn from readings) s where sensor_id = 1",
      // max(sensor_id) without GROUP BY is over all rows
      "select * from (select max(sensor_id) as m, row_number() over (partition by max(sensor_id)) rn from readings) s where m = 1",
      // the filter's subquery reads the outer row
      `select * from (select sensor_id, row_number() over (partition by sensor_id) rn from readings) s where exists (select 1 from "Hot Sensors" h where h.sensor_id = s.sensor_id and s.rn = 1)`,
      "select * from (select sensor_id, row_number() over (partition by sensor_id) rn from readings) s where sensor_id > random()",
      // CTE referenced twice
      "with x as (select sensor_id, row_number() over (partition by sensor_id) rn from readings) select * from x where sensor_id = 1 union all select * from x",
      // a join: s could be on either side of an outer join
      "select * from (select sensor_id, row_number() over (partition by sensor_id) rn from readings) s left join readings r on r.id = s.rn where s.sensor_id = 1",
    ])
      expect(rewrittenSql(windowFilterPushdown, sql, tables), sql).toBe(null);
  });

  it("declines a subquery whose select list calls a set-returning function pg_proc knows, a user's too", () => {
    const functions = [userFunction("sites_of", 1, { returnsSet: true, volatile: false })];
    for (const sql of [
      "select * from (select sensor_id, sites_of(sensor_id) as site, row_number() over (partition by sensor_id) rn from readings) s where s.sensor_id = 1",
      "select * from (select sensor_id, unnest(array[1, 2]) as x, row_number() over (partition by sensor_id) rn from readings) s where s.sensor_id = 1",
    ])
      expect(rewrittenSql(windowFilterPushdown, sql, tables, 150000, functions), sql).toBe(null);
  });
});
