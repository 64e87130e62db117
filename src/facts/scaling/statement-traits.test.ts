import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { statementTraits } from "./statement-traits.js";

beforeAll(loadSqlParser);

describe("statement traits", () => {
  it("tells reads from writes, with the tables written", () => {
    expect(
      statementTraits("select * from orders o join items i on i.o = o.id where o.id = $1"),
    ).toMatchObject({
      kind: "read",
      tables: ["items", "orders"],
      writes: [],
    });
    expect(statementTraits("update public.orders set a = 1 where id = $1")).toMatchObject({
      kind: "write",
      writes: ["public.orders"],
    });
    expect(statementTraits("select * from orders where id = 1 for update")).toMatchObject({
      kind: "write",
      writes: ["orders"],
    });
    // A data-modifying WITH writes its target, not the CTE's name.
    expect(statementTraits("with d as (delete from t returning *) select * from d")).toMatchObject({
      kind: "write",
      tables: ["t"],
      writes: ["t"],
    });
  });

  it("keeps a read that needs the primary on the primary", () => {
    expect(statementTraits("select nextval('orders_id_seq')")).toMatchObject({
      kind: "write",
      primaryOnly: "calls nextval()",
    });
    expect(statementTraits("select myfn(a) from t").functions).toEqual(["myfn"]);
  });

  it("finds the session state a transaction-mode pooler would leak", () => {
    const features = (sql: string) => statementTraits(sql).sessionFeatures;
    expect(features("SET search_path = app")).toEqual(["set"]);
    expect(features("SET LOCAL work_mem = '64MB'")).toEqual([]);
    expect(features("select set_config('app.user', '7', false)")).toEqual(["set"]);
    expect(features("select set_config('app.user', '7', true)")).toEqual([]);
    expect(features("LISTEN orders_changed")).toEqual(["listen"]);
    expect(features("select pg_advisory_lock(42)")).toEqual(["advisory-lock"]);
    expect(features("select pg_advisory_xact_lock(42)")).toEqual([]);
    expect(features("PREPARE p AS select 1")).toEqual(["prepare"]);
    expect(features("create temp table scratch (a int)")).toEqual(["temp-table"]);
    expect(features("create temp table scratch (a int) on commit drop")).toEqual([]);
    expect(features("declare c cursor with hold for select 1")).toEqual(["cursor-with-hold"]);
    expect(features("declare c cursor for select 1")).toEqual([]);
  });

  it("finds what ties a result to the clock", () => {
    expect(statementTraits("select * from events where at > now() - interval '1 day'").clock).toBe("now()");
    expect(statementTraits("select * from events where day = current_date").clock).toBe("current_date");
    expect(statementTraits("select * from events where id = $1").clock).toBeNull();
  });

  it("says unknown for what it cannot parse", () => {
    expect(statementTraits("selec 1").kind).toBe("unknown");
  });
});
