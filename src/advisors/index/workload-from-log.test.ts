import { describe, expect, it } from "vitest";
import { analyzeLogs } from "../../pipeline/analyze-logs.js";
import { bindLoggedParameters, workloadFromLog } from "./workload-from-log.js";

const FIXTURES = new URL("../../../test/fixtures/logs/", import.meta.url).pathname;

describe("workloadFromLog", () => {
  it("weighs each statement by its logged time and plans it with its logged values", async () => {
    const workload = workloadFromLog(await analyzeLogs([`${FIXTURES}pg18-jsonlog.json`]));
    const loop = workload.find((w) => w.sql.startsWith("select id, total from orders where customer_id"));
    expect(loop?.calls).toBe(41);
    expect(loop?.weight).toBeGreaterThan(0);
    expect(loop?.sql).not.toContain("$1");
    // Only statements the advisor can plan: no SET, LOAD, CHECKPOINT, BEGIN.
    expect(workload.every((w) => /^(select|with|update|delete|insert)\b/i.test(w.sql))).toBe(true);
  });

  it("refuses a MySQL slow log", async () => {
    expect(() => workloadFromLog({ files: [{ format: "mysql-slow" }], statements: [] } as never)).toThrow(
      /MySQL\/MariaDB slow log/,
    );
  });
});

describe("bindLoggedParameters", () => {
  it("puts logged values into placeholders outside quotes", () => {
    expect(
      bindLoggedParameters(
        "select * from t where a = $1 and b = '$2' and c = $2 and d = $10",
        "$1 = '4''2', $2 = NULL",
      ),
    ).toBe("select * from t where a = '4''2' and b = '$2' and c = NULL and d = $10");
  });

  it("leaves a value the log truncated as a placeholder", () => {
    expect(bindLoggedParameters("select * from t where a = $1", "$1 = 'abcdef...'")).toBe(
      "select * from t where a = $1",
    );
  });
});
