import { describe, expect, it } from "vitest";
import { defaultOptions } from "../rule.js";
import { planRegressed, type ReplannedStatement } from "./plan-regressed.js";

const replanned = (over: Partial<ReplannedStatement>): ReplannedStatement => ({
  id: "workload.sql:1",
  sql: "select * from accounts where region = $1",
  calls: 5000,
  totalMs: null,
  costBefore: 8.3,
  costAfter: 8.3,
  factor: 1,
  planBefore: "Index Scan using accounts_region on accounts",
  planAfter: "Index Scan using accounts_region on accounts",
  changed: false,
  worse: false,
  divergesAt: null,
  why: [],
  indexesLost: [],
  error: null,
  ...over,
});

describe("migration/plan-regressed", () => {
  const options = defaultOptions(planRegressed);

  it("reports the statement whose plan got worse, naming the index it lost and where the plans diverge", () => {
    const findings = planRegressed.check(
      {
        replanned: [
          replanned({ id: "workload.sql:2" }),
          replanned({
            costAfter: 431,
            factor: 51.9,
            planAfter: "Seq Scan on accounts",
            changed: true,
            worse: true,
            divergesAt: "Seq Scan on accounts",
            why: ["index accounts_region no longer used"],
            indexesLost: ["accounts_region"],
          }),
        ],
      },
      options,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]?.title).toBe(
      "a workload statement's plan got 51.9× costlier: it no longer uses accounts_region",
    );
    expect(findings[0]?.severity).toBe("warning");
    expect(findings[0]?.evidence.divergesAt).toBe("Seq Scan on accounts");
    expect(findings[0]?.impact).toBeCloseTo((431 - 8.3) * 5000, 3);
    expect(findings[0]?.objects).toEqual(["accounts_region"]);
  });

  it("is an error, ranked first, when a statement no longer plans", () => {
    const [finding] = planRegressed.check(
      {
        replanned: [
          replanned({
            costAfter: null,
            planAfter: null,
            worse: true,
            changed: true,
            error: 'column "region" does not exist',
          }),
        ],
      },
      options,
    );
    expect(finding?.severity).toBe("error");
    expect(finding?.title).toMatch(/no longer plans after the migrations: column "region" does not exist/);
    expect(finding?.impact).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("is quiet when no plan got worse", () => {
    expect(planRegressed.check({ replanned: [replanned({ changed: true, factor: 1.1 })] }, options)).toEqual(
      [],
    );
  });
});
