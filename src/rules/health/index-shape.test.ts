import { describe, expect, it } from "vitest";
import type { IndexFacts } from "../../facts/snapshot.js";
import { indexShape } from "./index-shape.js";

const index = (definition: string) => ({ definition, method: "btree" }) as IndexFacts;

describe("indexShape", () => {
  it("reads keys, INCLUDE and the rest from pg_get_indexdef, whatever the names hold", () => {
    // As pg_get_indexdef prints an index whose names contain " USING ", parentheses and commas.
    const shape = indexShape(
      index(
        'CREATE INDEX "a USING b (x)" ON "s USING t"."u, v" USING btree ("k USING (j)", lower(("v)")::text) DESC) INCLUDE ("w,") WHERE ("k USING (j)" > 0)',
      ),
    );
    expect(shape.keys).toEqual(['"k USING (j)"', 'lower(("v)")::text) DESC']);
    expect(shape.include).toEqual(['"w,"']);
    expect(shape.rest).toBe('WHERE ("k USING (j)" > 0)');
  });
});
