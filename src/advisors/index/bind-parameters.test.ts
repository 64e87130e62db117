import { beforeAll, describe, expect, it } from "vitest";
import { captureSnapshot } from "../../../test/support/rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { prepareWorkload } from "./workload-query.js";

beforeAll(loadSqlParser);

const prepare = (sql: string) =>
  prepareWorkload([{ id: "q", sql, weight: 1, calls: 1 }], captureSnapshot("pg18"))[0];

describe("bindParameters", () => {
  it("binds a typical value for equality, a decile for ranges and 20 for LIMIT, cast to the column's type", () => {
    const q = prepare(
      "select id from orders where customer_id = $1 and created_at > $2 order by id limit $3",
    );
    expect(q?.method).toBe("bound");
    expect(q?.text).toMatch(
      /^select id from orders where customer_id = '\d+'::integer and created_at > '[^']+'::timestamp with time zone order by id limit 20$/,
    );
  });

  it("falls back to a generic plan when a parameter is not compared with a column", () => {
    const q = prepare("select count(*) from orders where created_at >= now() - $1::interval");
    expect(q?.method).toBe("generic");
    expect(q?.text).toBe("select count(*) from orders where created_at >= now() - $1::interval");
  });

  it("leaves statements without parameters as written", () => {
    expect(prepare("select 1 from orders where id = 5")?.method).toBe("literal");
  });
});
