import { beforeAll, describe, expect, it } from "vitest";
import { AWKWARD_NAMES } from "../../../test/support/awkward-names.js";
import { PG_CATALOG_FUNCTIONS, userFunction } from "../../../test/support/pg-catalog-functions.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { rewriteSchemaFrom } from "./rewrite-rule.js";
import {
  andTerms,
  at,
  callsSetReturning,
  callsVolatile,
  constant,
  deparseStatement,
  fromRefs,
  items,
  type Node,
  topSelect,
} from "./rewrite-tree-shape.js";

/** The parse tree without byte positions, to compare two texts' meaning. */
function shape(sql: string): string {
  return JSON.stringify(parseSql(sql), (key, value) =>
    key.endsWith("location") || key.startsWith("rexpr_list") ? undefined : value,
  );
}

describe("rewrite-tree-shape", () => {
  beforeAll(loadSqlParser);

  it("deparses every awkward name in every position to the same statement", () => {
    for (const name of AWKWARD_NAMES) {
      const n = quoteIdent(name);
      const sql = `with ${n}(${n}) as materialized (select 1) select ${n}.${n} as ${n}, sum(1) over ${n}, count(*) over (${n} order by 1) from ${n}.${n} as ${n} join (select 1 as ${n}) as s on s.${n} = 1 window ${n} as (partition by ${n}.${n})`;
      const text = deparseStatement(parseSql(sql));
      expect(text, name).not.toBe(null);
      expect(shape(text as string), name).toBe(shape(sql));
    }
  });

  it("reads the terms of an AND in order without reordering the tree, and constants (0 is ival {})", () => {
    const tree = parseSql("select 1 where a = 0 and b = 1.5 and (c or d) and e = 'x'");
    const select = topSelect(tree as never) as Node;
    const before = JSON.stringify(select.whereClause);
    const terms = andTerms(select.whereClause as Node);
    expect(terms).toHaveLength(4);
    expect(JSON.stringify(select.whereClause)).toBe(before);
    expect(constant(at(terms[0], "A_Expr", "rexpr"))).toEqual({ kind: "int", value: 0n });
    expect(constant(at(terms[1], "A_Expr", "rexpr"))).toEqual({ kind: "num", text: "1.5" });
    expect(constant(at(terms[3], "A_Expr", "rexpr"))).toEqual({ kind: "str", text: "x" });
  });

  it("counts every FROM item in fromRefs, aliased or not (functions, ROWS FROM, VALUES, XMLTABLE, TABLESAMPLE)", () => {
    const refs = (from: string) =>
      fromRefs(items(topSelect(parseSql(`select 1 from ${from}`) as never), "fromClause"));
    expect(refs("a join b on b.a_id = a.id join generate_series(1, 1) on true")).toEqual([
      "generate_series",
      "b",
      "a",
    ]);
    expect(refs("t cross join lateral unnest(t.tags)")).toHaveLength(2);
    expect(refs("t, rows from (unnest(t.tags), generate_series(1, 2))")).toHaveLength(2);
    expect(refs("t, lateral (select 1) s")).toHaveLength(2);
    expect(refs("t, (values (1), (1)) v(x)")).toHaveLength(2);
    expect(refs("t, xmltable('/a' passing t.doc columns y int)")).toHaveLength(2);
    expect(refs("t tablesample system (10) join u on true")).toEqual(["u", "t"]);
    expect(refs("t as x join u on true")).toEqual(["u", "x"]);
  });

  it("reads volatility and set-returning functions from pg_proc's facts, unknown functions as both", () => {
    const schema = rewriteSchemaFrom(
      [],
      [
        ...PG_CATALOG_FUNCTIONS,
        userFunction("audit_touch", 1),
        userFunction("tags_of", 1, { returnsSet: true, volatile: false }),
        userFunction("price_with_tax", 1, { volatile: false }),
        userFunction("secret", 1, { volatile: false, schema: "hidden" }),
      ],
    );
    const targets = (sql: string) => items(topSelect(parseSql(sql) as never), "targetList");
    // A user's function is VOLATILE unless it says otherwise: no list of names knows it.
    expect(callsVolatile(targets("select audit_touch(id) from t"), schema)).toBe(true);
    expect(callsVolatile(targets("select price_with_tax(total) from t"), schema)).toBe(false);
    expect(callsVolatile(targets("select random(), lower(name) from t"), schema)).toBe(true);
    expect(callsVolatile(targets("select lower(name), now() from t"), schema)).toBe(false);
    // Unknown: a name no function has, a wrong argument count, a schema off the search_path unqualified.
    expect(callsVolatile(targets("select no_such_function(id) from t"), schema)).toBe(true);
    expect(callsVolatile(targets("select price_with_tax(total, 2) from t"), schema)).toBe(true);
    expect(callsVolatile(targets("select secret(id) from t"), schema)).toBe(true);
    expect(callsVolatile(targets("select hidden.secret(id) from t"), schema)).toBe(false);
    expect(callsSetReturning(targets("select id, unnest(tags) from t"), schema)).toBe(true);
    expect(callsSetReturning(targets("select id, tags_of(id) from t"), schema)).toBe(true);
    expect(
      callsSetReturning(targets("select id, price_with_tax(total), count(*) over () from t"), schema),
    ).toBe(false);
    // In a subquery a set-returning function makes no row of the outer select repeat.
    expect(callsSetReturning(targets("select id, array(select unnest(tags)) from t"), schema)).toBe(false);
    expect(callsSetReturning(targets("select no_such_function(id) from t"), schema)).toBe(true);
  });
});
