/**
 * What people do to a plan between psql and dbopt: a captured plan (test/fixtures/plans/real/psql) with the
 * prompt and statement of the session around it, its lines re-indented, re-quoted or bordered the way paste
 * tools and GUI exports do. Each variant is built here from the real capture, so the expected model is the
 * capture's own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.js";
import { comparablePlan } from "../../../test/support/plan-equality.js";
import { parsePlan, unwrapPastedPlan } from "./plan-input.js";
import { countNodes, walkPlan } from "./plan-model.js";

const psqlOutput = readFileSync(join(FIXTURES, "plans", "real", "psql", "query.aligned-border1.txt"), "utf8");
/** The bare plan: what is between psql's header rule and its footer, without the cell padding. */
const plain = unwrapPastedPlan(psqlOutput);
const expected = comparablePlan(parsePlan(plain), true);
/** The input reads as the bare plan does (notes aside: each test says which it expects). */
const same = (input: string) => {
  const plan = parsePlan(input);
  expect(comparablePlan({ ...plan, notes: [] }, true)).toEqual(expected);
  return plan;
};
const mapLines = (text: string, fn: (line: string, i: number) => string) =>
  text.split("\n").map(fn).join("\n");

describe("pasted around", () => {
  it("the bare plan has every node and the summary", () => {
    const plan = parsePlan(plain);
    expect(countNodes(plan.root)).toBe(8);
    expect(plan.executionMs).toBeGreaterThan(0);
    expect(plan.notes).toEqual([]);
  });

  it("a psql prompt with the statement over several lines, and the session's next prompt", () => {
    const session = [
      "shop=# EXPLAIN (ANALYZE, VERBOSE, BUFFERS)",
      'shop-# SELECT o.status, count(*) FROM sales."line item" li',
      "shop-# JOIN sales.orders o ON o.id = li.order_id GROUP BY o.status;",
      psqlOutput,
      "shop=# \\q",
    ].join("\n");
    expect(same(session).notes).toEqual([]);
  });

  it("comments and a blank line before the plan, Windows line ends", () => {
    const input = `-- slow on production since Monday\n/* ticket 4211 */\n\n${psqlOutput}`.replace(
      /\n/g,
      "\r\n",
    );
    expect(same(input).notes).toEqual([]);
  });

  it("another column header than QUERY PLAN", () => {
    expect(same(psqlOutput.replace("QUERY PLAN", "  explain   ")).notes).toEqual([]);
  });

  it("a prompt of a customised PROMPT1 and a psql timing line", () => {
    const input = `[4021] app@shop=> EXPLAIN ANALYZE SELECT 1;\n${psqlOutput}\nTime: 12.345 ms\n`;
    expect(same(input).notes).toEqual([]);
  });
});

describe("re-indented", () => {
  it("tabs instead of spaces", () => {
    same(mapLines(plain, (line) => line.replace(/^( {2})+/, (m) => "\t".repeat(m.length / 2))));
  });

  it("one space per two columns", () => {
    same(mapLines(plain, (line) => line.replace(/^ +/, (m) => " ".repeat(Math.floor(m.length / 2)))));
  });

  it("every line shifted right, the root too", () => {
    same(mapLines(plain, (line) => `       ${line}`));
  });

  it("psql's padding lost on the first line only (the selection started at the root's first letter)", () => {
    const body = psqlOutput.split("\n").slice(2, -3); // no header, rule or footer
    expect(body[0]?.startsWith(" GroupAggregate")).toBe(true);
    same([body[0]?.trimStart(), ...body.slice(1)].join("\n"));
  });

  it("a summary line indented past the root, where a paste tool moved it", () => {
    same(plain.replace("Execution Time:", " Execution Time:"));
  });

  it("indentation lost altogether: told, with what to do", () => {
    expect(() => parsePlan(mapLines(plain, (line) => line.trimStart()))).toThrow(
      /line 6: a plan node \("->"\) at the plan's left margin: the indentation that shows the tree was lost/,
    );
  });
});

describe("re-quoted and bordered", () => {
  it("DBeaver's cell borders, leading and trailing", () => {
    same(mapLines(plain, (line) => `|${line.padEnd(130)}|`));
  });

  it("a trailing | only: every number is still read", () => {
    same(mapLines(plain, (line) => `${line}|`));
  });

  it("pgAdmin's copy: each line in double quotes, quotes inside doubled", () => {
    const quoted = mapLines(plain, (line) => `"${line.replace(/"/g, '""')}"`);
    expect(quoted).toContain('""line item""');
    same(`"QUERY PLAN"\n${quoted}`);
  });

  it("each line in single quotes", () => {
    same(mapLines(plain, (line) => `'${line.replace(/'/g, "''")}'`));
  });
});

describe("older and newer servers", () => {
  it("reads 9.4-12's lower-case summary lines and 9.3's Total runtime", () => {
    const old = plain
      .replace("Planning Time:", "Planning time:")
      .replace("Execution Time:", "Execution time:");
    const plan = parsePlan(old);
    expect(plan.planningMs).toBe(parsePlan(plain).planningMs);
    expect(plan.executionMs).toBe(parsePlan(plain).executionMs);
    const older = parsePlan(
      "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.020 rows=1 loops=1)\nTotal runtime: 0.051 ms",
    );
    expect(older.executionMs).toBe(0.051);
  });
});

describe("more than one plan, and lines that are no plan's", () => {
  const second =
    "Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.002..0.002 rows=1 loops=1)\nExecution Time: 0.010 ms";

  it("two plans one after the other: the first read, the second named", () => {
    const input = `${plain}\n${second}`;
    const plan = same(input);
    const at = plain.split("\n").length + 1;
    expect(plan.notes).toEqual([
      `the input holds 2 plans (starting at lines 1, ${at}); read plan 1; pass --plan-index N to read another`,
    ]);
    const other = parsePlan(input, { index: 2 });
    expect(other.root.nodeType).toBe("Result");
    expect(other.executionMs).toBe(0.01);
  });

  it("two JSON plans in one input", () => {
    const json = '[{"Plan": {"Node Type": "Result", "Total Cost": 0.01}}]';
    const plan = parsePlan(`${json}\n${json.replace("Result", "Seq Scan")}`);
    expect(plan.notes?.[0]).toMatch(/^the input holds 2 plans/);
    expect(parsePlan(`${json}\n${json.replace("Result", "Seq Scan")}`, { index: 2 }).root.nodeType).toBe(
      "Seq Scan",
    );
  });

  it("text after a JSON plan on its closing line is named", () => {
    const plan = parsePlan('[{"Plan": {"Node Type": "Result", "Total Cost": 0.01}}] -- from staging');
    expect(plan.notes).toEqual(['skipped line 1, which is not part of a plan: "-- from staging"']);
  });

  it("a stray line inside the tree is named and skipped, the tree kept", () => {
    const lines = plain.split("\n");
    lines.splice(3, 0, "      this line was typed in by hand");
    const plan = parsePlan(lines.join("\n"));
    expect(countNodes(plan.root)).toBe(8);
    expect(plan.notes).toEqual([
      'line 4 of the plan is not a line EXPLAIN prints, skipped: "this line was typed in by hand"',
    ]);
  });

  it("text after the plan that is no plan's is named", () => {
    const plan = parsePlan(`${plain}\nthanks for looking!`);
    expect(plan.notes).toEqual([
      `skipped line ${plain.split("\n").length + 1}, which is not part of a plan: "thanks for looking!"`,
    ]);
  });

  it("input with no plan says what its first line is", () => {
    expect(() => parsePlan("hello\nworld")).toThrow(/no plan found in the input \(line 1 reads "hello"\)/);
  });

  it("a plan index out of range or not a whole number", () => {
    expect(() => parsePlan(plain, { index: 2 })).toThrow(
      /plan index 2 is out of range: the input holds 1 plan/,
    );
    expect(() => parsePlan(plain, { index: 0 })).toThrow(/plan index 0 is not a whole number from 1/);
  });
});

describe("names as VERBOSE prints them", () => {
  it("keeps the schema and reads quoted names, dots and doubled quotes inside them", () => {
    const plan = parsePlan(`Update on sales."line item" li  (cost=0.29..8.31 rows=0 width=0)
  ->  Nested Loop  (cost=0.29..8.31 rows=1 width=10)
        ->  Index Scan using "line item order" on sales."line item" li  (cost=0.29..8.30 rows=1 width=10)
              Index Cond: (li.order_id = 42)
        ->  Bitmap Heap Scan on "odd.schema"."we""ird" w  (cost=4.18..12.64 rows=4 width=4)
              Recheck Cond: (w.x = 1)
              ->  Bitmap Index Scan on "we""ird_x"  (cost=0.00..4.18 rows=4 width=0)
                    Index Cond: (w.x = 1)`);
    const [update, , indexScan, heap, bitmap] = [...walkPlan(plan.root)].map(([n]) => n);
    expect(update).toMatchObject({
      nodeType: "ModifyTable",
      schema: "sales",
      relationName: "line item",
      alias: "li",
    });
    expect(indexScan).toMatchObject({
      nodeType: "Index Scan",
      indexName: "line item order",
      schema: "sales",
      relationName: "line item",
      alias: "li",
    });
    expect(heap).toMatchObject({ schema: "odd.schema", relationName: 'we"ird', alias: "w" });
    expect(bitmap).toMatchObject({ nodeType: "Bitmap Index Scan", indexName: 'we"ird_x' });
  });

  it("keeps JSON's Schema", () => {
    const plan = parsePlan(
      '[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "line item", "Schema": "sales", "Alias": "li", "Total Cost": 1}}]',
    );
    expect(plan.root).toMatchObject({ schema: "sales", relationName: "line item", alias: "li" });
  });
});
