/**
 * Parameter draws on a real PostgreSQL 15 table with awkward names: values come from pg_stats when the column has
 * them, from a sample of the column when it has none, and both forms (bind values, cast literals) run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, server, type TestDatabase } from "../../../test/support/servers.js";
import { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../connectors/postgres/target.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { drawParameters, inlineSet, inlineSets } from "./parameter-draws.js";

const SCHEMA = `
create table "Order Items" ("Cust Id" int not null, "t; DROP TABLE canary" text, placed timestamptz not null);
insert into "Order Items"
  select case when g % 2 = 0 then 7 else g % 1000 end, case when g % 4 = 0 then null else 'name ' || (g % 50) end,
         timestamptz '2026-01-01' + g * interval '1 minute'
  from generate_series(1, 20000) g;
analyze "Order Items";
create table unanalyzed (id int, label text);
insert into unanalyzed select g, 'label ' || g from generate_series(1, 5000) g;
`;

describe.each(server("pg15"))("parameter draws on $name", (s) => {
  let db: TestDatabase;
  let conn: PostgresConnector;
  beforeAll(async () => {
    await loadSqlParser();
    db = await createTestDatabase(s, SCHEMA);
    conn = await PostgresConnector.connect(resolveTarget({ db: db.url }));
  }, 120_000);
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  const statement = `select count(*) from "Order Items" o where o."Cust Id" = $1 and placed > $2 and "t; DROP TABLE canary" like $3 limit $4`;

  it("draws from pg_stats: the common value by its frequency, ranges from the histogram, LIMIT 20", async () => {
    const draws = await drawParameters(conn, statement, { sets: 400, seed: 42 });
    expect(draws.unresolved).toEqual([]);
    expect(draws.sources.map((x) => x.from)).toEqual(["statistics", "statistics", "statistics", "limit"]);
    expect(draws.sources[0]?.column).toBe("public.Order Items.Cust Id");
    expect(draws.sets).toHaveLength(400);
    const sevens = draws.sets.filter((set) => set.values[0] === "7").length / 400;
    expect(sevens).toBeGreaterThan(0.4);
    expect(sevens).toBeLessThan(0.6);
    expect(
      draws.sets.every((set) => set.values[3] === "20" && /^name .*%$|^nam%$/.test(String(set.values[2]))),
    ).toBe(true);
    expect(String(draws.sets[0]?.literals[0])).toMatch(/^'\d+'::integer$/);
    expect(String(draws.sets[0]?.literals[1])).toMatch(/^'2026-[^']+'::timestamp with time zone$/);
  });

  it("binds the values and inlines the literals, to the same result", async () => {
    const draws = await drawParameters(conn, statement, { sets: 5, seed: 1 });
    for (const set of draws.sets) {
      const bound = await conn.query<{ count: number }>(statement, set.values);
      const inlined = await conn.query<{ count: number }>(inlineSet(statement, set));
      expect(inlined).toEqual(bound);
    }
  });

  it("inlines many sets as inlineSet inlines each, a $1 in a string or a comment left alone", async () => {
    const text = `select '$1' as "$2", count(*) /* $1 */ from "Order Items" where "Cust Id" = $1 and placed > $2`;
    const draws = await drawParameters(conn, text, { sets: 20, seed: 3 });
    expect(draws.unresolved).toEqual([]);
    const many = inlineSets(text, draws.sets);
    expect(many).toEqual(draws.sets.map((set) => inlineSet(text, set)));
    expect(String(many[0])).toContain(`select '$1' as "$2", count(*) /* $1 */ from`);
    expect(new Set(many).size).toBeGreaterThan(1);
  });

  it("samples a column without statistics, and repeats a seed's draws", async () => {
    const sql = "select label from unanalyzed where id = $1";
    const a = await drawParameters(conn, sql, { sets: 50, seed: 9 });
    expect(a.sources).toEqual([{ n: 1, column: "public.unanalyzed.id", from: "sample" }]);
    expect(a.sets.every((set) => Number(set.values[0]) >= 1 && Number(set.values[0]) <= 5000)).toBe(true);
    const b = await drawParameters(conn, sql, { sets: 50, seed: 9 });
    expect(b.sets).toEqual(a.sets);
  });

  it("says which parameter it cannot draw", async () => {
    const draws = await drawParameters(
      conn,
      `select $1::int + 1, placed from "Order Items" where placed > now() - $2::interval`,
      {
        sets: 3,
        seed: 1,
      },
    );
    expect(draws.sets).toEqual([]);
    expect(draws.unresolved.map((u) => u.n)).toEqual([1, 2]);
  });

  it("names a table that is not in the database", async () => {
    const draws = await drawParameters(conn, "select 1 from nowhere_table where id = $1", {
      sets: 3,
      seed: 1,
    });
    expect(draws.unresolved).toEqual([{ n: 1, reason: "no table nowhere_table in this database" }]);
  });

  it("draws each item of an IN list from the column", async () => {
    const draws = await drawParameters(conn, `select 1 from "Order Items" where "Cust Id" in ($1, $2)`, {
      sets: 3,
      seed: 1,
    });
    expect(draws.unresolved).toEqual([]);
    expect(draws.sources.map((x) => x.column)).toEqual([
      "public.Order Items.Cust Id",
      "public.Order Items.Cust Id",
    ]);
  });

  it("draws a range's bounds together when asked: each range holds the share given, the lower bound first", async () => {
    // placed runs one minute per row over 20,000 rows: a 1% range is about 200 minutes wide.
    const range = `select count(*) from "Order Items" where placed < $2 and placed >= $1`;
    const apart = await drawParameters(conn, range, { sets: 50, seed: 3 });
    const together = await drawParameters(conn, range, {
      sets: 50,
      seed: 3,
      correlatedRanges: { rowShare: 0.01 },
    });
    expect(together.ranges).toEqual([
      { lower: 1, upper: 2, column: "public.Order Items.placed", share: 0.01, from: "given" },
    ]);
    const minutes = (set: { values: Array<string | null> }) =>
      (Date.parse(String(set.values[1])) - Date.parse(String(set.values[0]))) / 60_000;
    for (const set of together.sets) {
      expect(minutes(set)).toBeGreaterThan(150);
      expect(minutes(set)).toBeLessThan(250);
    }
    // Drawn apart, half the ranges are empty (upper below lower) and the others are wide.
    expect(apart.sets.filter((set) => minutes(set) <= 0).length).toBeGreaterThan(10);
    // The rows each range holds, counted by the server: about 200 (1% of 20,000).
    for (const set of together.sets.slice(0, 5)) {
      const rows = await conn.query<{ count: string }>(String(inlineSet(range, set)));
      expect(Number(rows[0]?.count)).toBeGreaterThan(120);
      expect(Number(rows[0]?.count)).toBeLessThan(280);
    }
    // Without a share: one histogram bucket (1/100 of the rows at the default statistics target).
    const bucket = await drawParameters(conn, range, {
      sets: 1,
      seed: 3,
      correlatedRanges: { rowShare: null },
    });
    expect(bucket.ranges?.[0]).toMatchObject({ share: 0.01, from: "histogram" });
  });
});
