import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../util/input-error.js";
import { MYSQL_PROP } from "./mysql-plan-node.js";
import { parsePlan } from "./plan-input.js";
import { type Plan, walkPlan } from "./plan-model.js";

const mariadb = join(import.meta.dirname, "../../../test/fixtures/plans/mariadb");
const mysql8 = join(import.meta.dirname, "../../../test/fixtures/plans/mysql8");
const read = (dir: string, file: string) => parsePlan(readFileSync(join(dir, file), "utf8"));

/** "Type table" per node in pre-order, wrappers by type alone. */
function shape(plan: Plan): string[] {
  return [...walkPlan(plan.root)].map(([n]) =>
    n.relationName ? `${n.nodeType} ${n.relationName}` : n.nodeType,
  );
}

/** The tables in join order, which every format of one statement agrees on. */
function tables(plan: Plan): string[] {
  return [...walkPlan(plan.root)]
    .map(([n]) => n)
    .filter((n) => n.props[MYSQL_PROP.accessType])
    .map((n) => `${n.props[MYSQL_PROP.accessType]} ${n.relationName} ${n.indexName ?? "-"} ${n.planRows}`);
}

describe("MariaDB plans captured from 10.11", () => {
  const cases = readdirSync(mariadb)
    .filter((f) => f.endsWith(".sql"))
    .map((f) => f.replace(/\.sql$/, ""));

  it("has every case captured", () => expect(cases.length).toBeGreaterThanOrEqual(9));

  for (const name of cases) {
    it(`${name}: every format reads as a MariaDB plan with the same tables in the same order`, () => {
      const json = read(mariadb, `${name}.json`);
      expect(json.dialect).toBe("mariadb");
      expect(json.analyzed).toBe(false);
      const expected = tables(json);
      expect(expected.length).toBeGreaterThan(0);
      for (const format of ["table.txt", "tsv.txt", "vertical.txt"]) {
        const plan = read(mariadb, `${name}.${format}`);
        expect(plan.dialect, format).toBe("mariadb");
        expect(tables(plan), format).toEqual(expected);
      }
      const analyzed = read(mariadb, `${name}.analyze.json`);
      expect(analyzed.analyzed).toBe(true);
      expect(analyzed.executionMs).toBeGreaterThan(0);
      expect(shape(analyzed)).toEqual(shape(json));
    });
  }

  it("reads the block nested loop with its join buffer and measured time", () => {
    const plan = read(mariadb, "block-nl-join.analyze.json");
    expect(shape(plan)).toEqual([
      "Query Block",
      "Nested Loop Join",
      "Full Table Scan p",
      "Block Nested Loop",
      "Full Table Scan c",
    ]);
    const bnl = [...walkPlan(plan.root)].map(([n]) => n).find((n) => n.nodeType === "Block Nested Loop");
    expect(bnl?.props[MYSQL_PROP.joinBuffer]).toBe("flat, BNL");
    expect(bnl?.props[MYSQL_PROP.joinTimeMs]).toBeGreaterThan(1000);
    const table = read(mariadb, "block-nl-join.table.txt");
    const c = [...walkPlan(table.root)].map(([n]) => n).find((n) => n.relationName === "c");
    expect(c?.props[MYSQL_PROP.joinBuffer]).toBe("flat, BNL join");
  });

  it("reads a dependent subquery as a subplan run once per outer row", () => {
    const plan = read(mariadb, "dependent-subquery.analyze.json");
    const sub = [...walkPlan(plan.root)].map(([n]) => n).find((n) => n.role === "subplan");
    expect(sub?.subplanName).toBe("Subquery select#2");
    expect(sub?.props[MYSQL_PROP.dependent]).toBe(true);
    const p = sub?.children[0];
    expect(p?.relationName).toBe("p");
    expect(p?.actual?.loops).toBe(1485);
    const tabular = read(mariadb, "dependent-subquery.vertical.txt");
    const block = tabular.root.children.find((n) => n.role === "subplan");
    expect(block?.props[MYSQL_PROP.selectType]).toBe("DEPENDENT SUBQUERY");
  });

  it("reads filesort and temporary table wrappers and the Extra column", () => {
    expect(shape(read(mariadb, "temporary.json"))).toEqual([
      "Query Block",
      "Filesort",
      "Temporary Table",
      "Full Table Scan orders",
    ]);
    const tabular = read(mariadb, "temporary.table.txt");
    const scan = tabular.root.children[0];
    expect(scan?.props[MYSQL_PROP.temporary]).toBe(true);
    expect(scan?.props[MYSQL_PROP.filesort]).toBe(true);
  });

  it("reads MariaDB's tabular ANALYZE r_rows and r_filtered", () => {
    const plan = read(mariadb, "low-filtered.analyze.table.txt");
    const scan = plan.root.children[0];
    expect(plan.analyzed).toBe(true);
    expect(scan?.props[MYSQL_PROP.filtered]).toBeCloseTo(0.39, 2);
    expect(scan?.props[MYSQL_PROP.actualFiltered]).toBeCloseTo(0.4, 2);
    expect(scan?.props["Actual Rows Per Loop"]).toBe(300000);
  });
});

describe("MySQL 8 plans from published outputs", () => {
  it("reads FORMAT=TREE in a client frame", () => {
    const plan = read(mysql8, "city-roma.tree.txt");
    expect(plan.dialect).toBe("mysql");
    expect(shape(plan)).toEqual([
      "Nested Loop Join",
      "Filter",
      "Full Table Scan city",
      "Unique Index Lookup country",
    ]);
    expect(plan.root.cost?.total).toBe(550.98);
    expect(plan.root.children[0]?.children[0]?.planRows).toBe(4035);
  });

  it("reads EXPLAIN ANALYZE with \\G and wrapped actual figures", () => {
    const plan = read(mysql8, "hash-join.analyze.txt");
    expect(plan.analyzed).toBe(true);
    expect(shape(plan)).toEqual(["Hash Join", "Full Table Scan t2", "Hash", "Full Table Scan t1"]);
    expect(plan.root.actual).toEqual({ startupMs: 0.032, totalMs: 0.035, rows: 6, loops: 1 });
    expect(plan.root.props[MYSQL_PROP.joinBuffer]).toBe("hash join");
  });

  it("reads a covering index scan and a single-row lookup", () => {
    expect(tables(read(mysql8, "test1-test2.tree.txt"))).toEqual([
      "index test2 PRIMARY 2",
      "eq_ref test1 PRIMARY 1",
    ]);
  });

  it("reads FORMAT=JSON with cost_info", () => {
    const plan = read(mysql8, "country-asia.json");
    expect(plan.dialect).toBe("mysql");
    expect(plan.root.cost?.total).toBe(25.4);
    const scan = plan.root.children[0];
    expect(scan?.nodeType).toBe("Full Table Scan");
    expect(scan?.planRows).toBe(239);
    expect(scan?.props[MYSQL_PROP.filtered]).toBe(6.46);
    expect(scan?.cost?.total).toBeCloseTo(25.4, 5);
  });

  it("reads FORMAT=JSON printed with end_markers_in_json=ON, keeping the comments inside conditions", () => {
    const plan = read(mysql8, "dependent-subquery.json");
    expect(plan.dialect).toBe("mysql");
    expect(tables(plan)).toEqual(["ALL t1 - 7", "ALL t2 - 2"]);
    const t1 = [...walkPlan(plan.root)].map(([n]) => n).find((n) => n.relationName === "t1");
    expect(t1?.props[MYSQL_PROP.condition]).toContain("<exists>(/* select#2 */ select `test`.`t2`.`i`");
  });
});

describe("bad MySQL input", () => {
  it("a truncated JSON plan is one InputError", () => {
    const text = readFileSync(join(mariadb, "block-nl-join.analyze.json"), "utf8");
    expect(() => parsePlan(text.slice(0, text.length / 2))).toThrow(InputError);
  });

  it("a PostgreSQL text plan is still read as PostgreSQL", () => {
    const plan = parsePlan("Seq Scan on t  (cost=0.00..35.50 rows=2550 width=4)\n");
    expect(plan.dialect).toBeUndefined();
    expect(plan.root.nodeType).toBe("Seq Scan");
  });

  it("a deep TREE plan is read without recursion", () => {
    const lines = Array.from(
      { length: 1500 },
      (_, i) => `${" ".repeat(i * 4)}-> Nested loop inner join  (cost=1 rows=1)`,
    );
    lines.push(`${" ".repeat(1500 * 4)}-> Table scan on t  (cost=1 rows=1)`);
    const plan = parsePlan(lines.join("\n"));
    expect([...walkPlan(plan.root)].length).toBe(1501);
  });
});
