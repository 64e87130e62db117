import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { sargableCast } from "./sargable-cast.js";

const accounts = table(
  "accounts",
  [
    ["id", "integer", true],
    ["small", "smallint"],
    ["code", "character varying(20)"],
    ["plain", "integer"],
  ],
  { uniqueKeys: [["id"]], indexes: [["id"], ["small"], ["code"]] },
);
const awkward = table("Odd; Table", [["Key Col", "bigint"]], { indexes: [["Key Col"]] });

describe("rewrite/sargable-cast", () => {
  beforeAll(loadSqlParser);

  it("moves a text cast off an integer column onto the constant", () => {
    const [rewrite] = rewritesOf(sargableCast, "select * from accounts where id::text = '42'", [accounts]);
    expect(rewrite?.sql).toBe("SELECT * FROM accounts WHERE id = 42");
    expect(rewrite?.assumptions.join()).toContain(
      "accounts.id is integer and leads the index accounts_idx_0",
    );
    expect(rewrittenSql(sargableCast, "select * from accounts a where '7' = a.id::varchar", [accounts])).toBe(
      "SELECT * FROM accounts AS a WHERE a.id = 7",
    );
    expect(
      rewrittenSql(sargableCast, "select * from accounts where id::text in ('1', '-2')", [accounts]),
    ).toBe("SELECT * FROM accounts WHERE id IN (1, -2)");
  });

  it("compares an integer column with integers instead of numerics", () => {
    const cases: Array<[string, string]> = [
      ["select id from accounts where id = 42.0", "SELECT id FROM accounts WHERE id = 42"],
      ["select id from accounts where id > 42.5", "SELECT id FROM accounts WHERE id >= 43"],
      ["select id from accounts where id <= -42.5", "SELECT id FROM accounts WHERE id <= -43"],
      ["select id from accounts where id::numeric < 10", "SELECT id FROM accounts WHERE id < 10"],
      ["select id from accounts where id = 7::numeric", "SELECT id FROM accounts WHERE id = 7"],
      ["select id from accounts where small::bigint = 5", "SELECT id FROM accounts WHERE small = 5"],
      [
        `select 1 from "Odd; Table" where "Key Col"::text = '9'`,
        `SELECT 1 FROM "Odd; Table" WHERE "Key Col" = 9`,
      ],
    ];
    for (const [sql, expected] of cases)
      expect(rewrittenSql(sargableCast, sql, [accounts, awkward]), sql).toBe(expected);
  });

  it("keeps the exact meaning under OR and NOT, since the comparison itself is equivalent", () => {
    expect(
      rewrittenSql(sargableCast, "select id from accounts where not (id::text = '3') or small = 2.0", [
        accounts,
      ]),
    ).toBe("SELECT id FROM accounts WHERE NOT (id = 3) OR small = 2");
  });

  it("declines casts that are not lossless or not on an indexed column", () => {
    for (const sql of [
      "select id from accounts where id::text = '042'", // no integer's text: always false as written
      "select id from accounts where id::text = ' 42'",
      "select id from accounts where id::text like '4%'",
      "select id from accounts where id::text > '42'", // text order is not integer order
      "select id from accounts where code::int = 42", // ' 42' and '042' cast to 42 too
      "select id from accounts where id = 42.5", // always false: left to the server
      "select id from accounts where small = 40000.0", // beyond smallint
      "select id from accounts where plain::text = '1'", // no index on plain
      "select id from accounts where id = 42", // sargable already
      "select id from accounts where id::text = $1",
      "select id from accounts where id::float8 = 1",
    ])
      expect(rewrittenSql(sargableCast, sql, [accounts]), sql).toBe(null);
  });
});
