import { beforeAll, describe, expect, it } from "vitest";
import { queryShape } from "../../facts/sql/query-shape.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { ident } from "../../util/sql-text.js";
import { makeCandidate } from "./index-candidate.js";
import { startsWith, widened, widerColumns } from "./index-widening.js";
import type { WorkloadQuery } from "./workload-query.js";

const on = (columns: string[], include: string[] = []) =>
  makeCandidate({ schema: "public", name: "Order Lines" }, "btree", columns.map(ident), {
    include: include.map(ident),
    reason: "r",
    query: "q1",
  });

describe("index widening", () => {
  beforeAll(loadSqlParser);

  it("widens by a key column taken out of the INCLUDE, keeping the statements it serves", () => {
    const x = on(["Tenant Id"], ["status", "total"]);
    const wide = widened(x, ident("status"));
    expect(wide.columns).toEqual([ident("Tenant Id"), ident("status")]);
    expect(wide.include).toEqual([ident("total")]);
    expect([...wide.queries]).toEqual(["q1"]);
    expect(startsWith(wide, on(["Tenant Id"]))).toBe(true);
    expect(startsWith(wide, x)).toBe(true);
    expect(startsWith(on(["status", "Tenant Id"]), on(["Tenant Id"]))).toBe(false);
  });

  it("offers the columns a statement reads with all of the index's keys, and other candidates' columns", () => {
    const q = {
      id: "q1",
      tables: new Set(["public.Order Lines"]),
      shape: queryShape(
        `select "Note; --" from "Order Lines" where "Tenant Id" = $1 and status = $2`,
        (_column, tables) => tables[0] ?? null,
      ),
    } as unknown as WorkloadQuery;
    const x = on(["Tenant Id"]);
    const columns = widerColumns(x, [x, on(["sku"])], [q]);
    expect(columns).toEqual(expect.arrayContaining([ident("sku"), ident("status"), ident("Note; --")]));
    expect(columns).not.toContain(ident("Tenant Id"));
  });
});
