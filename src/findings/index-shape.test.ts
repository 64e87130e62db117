import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../util/sql-parser.js";
import { indexShape, sameIndex, servesAsWell } from "./index-shape.js";

beforeAll(loadSqlParser);

const shape = (sql: string) => {
  const s = indexShape(sql);
  if (!s) throw new Error(`not index DDL: ${sql}`);
  return s;
};

describe("indexShape", () => {
  it("reads what the index is, not how the statement is written", () => {
    const a = shape(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "a_idx" ON "public"."t" USING btree ("x" ASC, lower(y));`,
    );
    const b = shape("create index on t (x, lower( y ))");
    expect(sameIndex(a, b)).toBe(true);
    expect(a).toMatchObject({ table: "public.t", method: "btree", unique: false, predicate: "" });
  });

  it("takes the partitioned recipe's index from its ON ONLY statement", () => {
    const recipe = [
      `CREATE INDEX "p_x_idx" ON ONLY "public"."p" ("x");`,
      `CREATE INDEX CONCURRENTLY "p1_x_idx" ON "public"."p1" ("x");`,
      `ALTER INDEX "public"."p_x_idx" ATTACH PARTITION "public"."p1_x_idx";`,
    ].join("\n");
    expect(sameIndex(shape(recipe), shape("CREATE INDEX ON p (x)"))).toBe(true);
  });

  it("is null for a fix that is not only index DDL", () => {
    expect(indexShape("ANALYZE t;")).toBeNull();
    expect(indexShape("CREATE INDEX ON t (x); ANALYZE t;")).toBeNull();
    expect(indexShape("not sql at all")).toBeNull();
  });

  it("lets a wider B-tree serve a narrower one on its leading keys, never a unique or a partial one", () => {
    const wide = shape("CREATE INDEX ON t (a, b) INCLUDE (c)");
    expect(servesAsWell(wide, shape("CREATE INDEX ON t (a)"))).toBe(true);
    expect(servesAsWell(wide, shape("CREATE INDEX ON t (a) INCLUDE (b)"))).toBe(true);
    expect(servesAsWell(wide, shape("CREATE INDEX ON t (a) INCLUDE (d)"))).toBe(false);
    expect(servesAsWell(wide, shape("CREATE INDEX ON t (b)"))).toBe(false);
    expect(servesAsWell(wide, shape("CREATE UNIQUE INDEX ON t (a)"))).toBe(false);
    expect(servesAsWell(wide, shape("CREATE INDEX ON t (a) WHERE a > 0"))).toBe(false);
    expect(
      servesAsWell(shape("CREATE INDEX ON t USING gin (a, b)"), shape("CREATE INDEX ON t USING gin (a)")),
    ).toBe(false);
    expect(servesAsWell(shape("CREATE INDEX ON t (a)"), wide)).toBe(false);
    // The same keys with more in INCLUDE: the covering variant serves the plain one, not the other way round.
    expect(servesAsWell(wide, shape("CREATE INDEX ON t (a, b)"))).toBe(true);
    expect(servesAsWell(shape("CREATE INDEX ON t (a, b)"), wide)).toBe(false);
  });
});
