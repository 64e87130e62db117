import { beforeAll, describe, expect, it } from "vitest";
import { scalingFacts, statementOf } from "../../../test/support/scaling-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { poolerMode } from "./pooler-mode.js";

beforeAll(loadSqlParser);

describe("architecture/pooler-mode", () => {
  it("names what transaction pooling would break, with what to use instead", () => {
    const [f] = poolerMode.check(
      scalingFacts({
        statements: [
          statementOf("SET search_path = app, public", 400, 4),
          statementOf("LISTEN orders_changed", 3, 0.1),
          statementOf("select pg_advisory_lock($1)", 50, 1),
          statementOf("select * from orders where id = $1", 9000, 900),
        ],
      }),
      {},
    );
    expect(f?.severity).toBe("warning");
    expect(f?.title).toMatch(/set, listen, advisory-lock/);
    expect(f?.detail).toMatch(/SET LOCAL inside the transaction/);
    expect(f?.detail).toMatch(/pg_advisory_xact_lock/);
    expect(f?.detail).toMatch(/PgBouncer 1\.21/);
    expect(f?.evidence).toMatchObject({ setCalls: 400, listenCalls: 3, "advisory-lockCalls": 50 });
  });

  it("says transaction pooling fits when nothing keeps session state", () => {
    const [f] = poolerMode.check(
      scalingFacts({
        statements: [statementOf("SET LOCAL work_mem = '64MB'", 10, 1), statementOf("select 1", 5, 1)],
      }),
      {},
    );
    expect(f?.severity).toBe("info");
    expect(f?.fix?.note).toBe("pool_mode = transaction.");
  });

  it("warns that utility statements were not recorded when track_utility is off", () => {
    const [f] = poolerMode.check(
      scalingFacts({ statements: [statementOf("select 1", 5, 1)], trackUtility: false }),
      {},
    );
    expect(f?.detail).toMatch(/track_utility is off/);
  });
});
