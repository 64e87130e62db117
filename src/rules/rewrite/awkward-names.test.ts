/**
 * Every rewrite rule on statements whose tables, columns, aliases, CTE and output names are awkward (mixed case,
 * spaces, quotes, reserved words, statement breakouts, comment starts): the rewrite of the awkward statement, read
 * back by libpg-query with the awkward names mapped back to plain ones, must be the rewrite of the plain statement.
 * A name printed without its quotes (or with the wrong ones) fails to parse or parses into another tree.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AWKWARD_NAMES } from "../../../test/support/awkward-names.js";
import { rewritesOf, table } from "../../../test/support/rewrite-rule-harness.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { REWRITE_RULES } from "./registry.js";
import type { RewriteTable } from "./rewrite-rule.js";
import { walk } from "./rewrite-tree-shape.js";

type Quote = (plain: string) => string;

/** One statement per rule, written with q() around every name the user chose. */
const STATEMENTS: Record<string, (q: Quote) => string> = {
  "rewrite/not-in-to-not-exists": (q) =>
    `select ${q("c")}.${q("id")} from ${q("customers")} ${q("c")} where ${q("c")}.${q("id")} not in (select ${q("customer_id")} from ${q("orders")})`,
  "rewrite/in-distinct-to-exists": (q) =>
    `select ${q("c")}.${q("id")} from ${q("customers")} ${q("c")} where ${q("c")}.${q("id")} in (select distinct ${q("customer_id")} from ${q("orders")})`,
  "rewrite/count-to-exists": (q) =>
    `select ${q("c")}.${q("id")} from ${q("customers")} ${q("c")} where (select count(*) from ${q("orders")} ${q("o")} where ${q("o")}.${q("customer_id")} = ${q("c")}.${q("id")}) > 0`,
  "rewrite/not-distinct-to-equality": (q) =>
    `select ${q("id")} from ${q("orders")} where ${q("status")} is not distinct from 3`,
  "rewrite/offset-to-keyset": (q) =>
    `select ${q("id")}, ${q("ref")} from ${q("orders")} order by ${q("id")} limit 20 offset 100`,
  "rewrite/or-to-union-all": (q) =>
    `select ${q("o")}.${q("id")} from ${q("orders")} ${q("o")} join ${q("customers")} ${q("c")} on ${q("c")}.${q("id")} = ${q("o")}.${q("customer_id")} where ${q("o")}.${q("ref")} = 'A-1' or ${q("c")}.${q("email")} = 'x@y'`,
  "rewrite/sargable-date-function": (q) =>
    `select ${q("id")} from ${q("orders")} where date(${q("at")}) = '2024-03-01'`,
  "rewrite/sargable-arithmetic": (q) => `select ${q("id")} from ${q("orders")} where ${q("qty")} + 1 = 500`,
  "rewrite/coalesce-equality": (q) =>
    `select ${q("id")} from ${q("orders")} where coalesce(${q("status")}, 0) = 3`,
  "rewrite/sargable-cast": (q) => `select ${q("qty")} from ${q("orders")} where ${q("id")}::text = '42'`,
  "rewrite/union-to-union-all": (q) =>
    `select ${q("id")}, ${q("customer_id")} from ${q("orders")} where ${q("kind")} = 1 union select ${q("id")}, ${q("customer_id")} from ${q("orders")} where ${q("kind")} = 2`,
  "rewrite/distinct-join-to-exists": (q) =>
    `select distinct ${q("c")}.${q("id")}, ${q("c")}.${q("email")} from ${q("customers")} ${q("c")} join ${q("orders")} ${q("o")} on ${q("o")}.${q("customer_id")} = ${q("c")}.${q("id")} where ${q("c")}.${q("region")} = 'eu'`,
  "rewrite/scalar-subquery-to-lateral": (q) =>
    `select ${q("c")}.${q("id")}, (select sum(${q("o")}.${q("total")}) from ${q("orders")} ${q("o")} where ${q("o")}.${q("customer_id")} = ${q("c")}.${q("id")}) as ${q("paid")} from ${q("customers")} ${q("c")}`,
  "rewrite/repeated-subquery-to-cte": (q) =>
    `select ${q("id")} from ${q("orders")} where ${q("total")} > (select avg(${q("total")}) from ${q("orders")}) and ${q("total")} < (select avg(${q("total")}) from ${q("orders")}) * 2`,
  "rewrite/cte-materialized": (q) =>
    `with ${q("per_customer")} as (select ${q("customer_id")}, sum(${q("total")}) as ${q("spent")} from ${q("orders")} group by ${q("customer_id")}) select ${q("a")}.${q("spent")}, ${q("b")}.${q("spent")} from ${q("per_customer")} ${q("a")}, ${q("per_customer")} ${q("b")} where ${q("a")}.${q("customer_id")} = 7 and ${q("b")}.${q("customer_id")} = 8`,
  "rewrite/window-filter-pushdown": (q) =>
    `select * from (select ${q("id")}, ${q("customer_id")}, row_number() over (partition by ${q("customer_id")} order by ${q("total")} desc, ${q("id")}) as ${q("rn")} from ${q("orders")}) ${q("s")} where ${q("s")}.${q("customer_id")} in (select ${q("c")}.${q("id")} from ${q("customers")} ${q("c")}) and ${q("s")}.${q("rn")} <= 3`,
  "rewrite/distinct-loose-index-scan": (q) => `select distinct ${q("customer_id")} from ${q("orders")}`,
  "rewrite/count-distinct-subquery": (q) =>
    `select ${q("kind")}, count(distinct ${q("total")}) as ${q("totals")} from ${q("orders")} group by ${q("kind")}`,
  "rewrite/group-min-max-loose-scan": (q) =>
    `select ${q("customer_id")}, max(${q("total")}) as ${q("top")} from ${q("orders")} group by ${q("customer_id")}`,
};

/** The schema with each name passed through `name`. */
function tables(name: (plain: string) => string): RewriteTable[] {
  const orders = table(
    name("orders"),
    [
      [name("id"), "bigint", true],
      [name("customer_id"), "bigint", true],
      [name("total"), "numeric(12,2)", true],
      [name("qty"), "integer", true],
      [name("at"), "timestamp without time zone", true],
      [name("ref"), "text"],
      [name("status"), "integer"],
      [name("kind"), "integer", true],
    ],
    {
      uniqueKeys: [[name("id")]],
      indexes: [["id"], ["customer_id"], ["customer_id", "total"], ["qty"], ["at"], ["ref"], ["status"]].map(
        (cols) => cols.map(name),
      ),
      rows: 200_000,
    },
  );
  const customers = table(
    name("customers"),
    [
      [name("id"), "bigint", true],
      [name("email"), "text"],
      [name("region"), "text", true],
    ],
    { uniqueKeys: [[name("id")]], indexes: [[name("id")], [name("email")]], rows: 20_000 },
  );
  return [orders, customers];
}

/** The parse tree without byte positions, every awkward name mapped back to its plain one. */
function shape(sql: string, back: Map<string, string>): string {
  const tree = parseSql(sql);
  walk(tree, (node) => {
    for (const [key, value] of Object.entries(node))
      if (typeof value === "string" && back.has(value)) node[key] = back.get(value);
    return true;
  });
  return JSON.stringify(tree, (key, value) =>
    key.endsWith("location") || key.startsWith("rexpr_list") ? undefined : value,
  );
}

describe("rewrite rules with awkward names", () => {
  beforeAll(loadSqlParser);

  it("has a statement for every rule", () => {
    expect(Object.keys(STATEMENTS).sort()).toEqual(REWRITE_RULES.map((r) => r.id).sort());
  });

  it.each(REWRITE_RULES.map((rule) => ({ rule, id: rule.id })))(
    "$id quotes every name it prints",
    ({ rule }) => {
      const statement = STATEMENTS[rule.id] as (q: Quote) => string;
      const plainSql = statement(quoteIdent);
      const [plain] = rewritesOf(
        rule,
        plainSql,
        tables((n) => n),
      );
      expect(plain, `${rule.id} rewrites ${plainSql}`).toBeDefined();
      for (const awkward of AWKWARD_NAMES.filter((n) => n !== "plain")) {
        // The main table is the awkward name itself (a bare reserved word too), every other name carries it.
        const name = (plain: string) => (plain === "orders" ? awkward : `${awkward} ${plain}`);
        const back = new Map<string, string>();
        const q = (plain: string) => {
          back.set(name(plain), plain);
          return quoteIdent(name(plain));
        };
        const sql = statement(q);
        const found = rewritesOf(rule, sql, tables(name));
        expect(found, `${rule.id} with ${awkward}: ${sql}`).toHaveLength(1);
        const [rewrite] = found;
        const none = new Map<string, string>();
        expect(shape(rewrite?.sql as string, back), `${awkward}: ${rewrite?.sql}`).toBe(
          shape(plain?.sql as string, none),
        );
        for (const [i, added] of (rewrite?.addedParameters ?? []).entries())
          expect(shape(added.valueSql, back), awkward).toBe(
            shape(plain?.addedParameters?.[i]?.valueSql as string, none),
          );
      }
    },
  );
});
