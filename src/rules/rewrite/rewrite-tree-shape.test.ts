import { beforeAll, describe, expect, it } from "vitest";
import { AWKWARD_NAMES } from "../../../test/support/awkward-names.js";
import { quoteIdent } from "../../util/sql-identifiers.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { andTerms, at, constant, deparseStatement, type Node, topSelect } from "./rewrite-tree-shape.js";

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
});
