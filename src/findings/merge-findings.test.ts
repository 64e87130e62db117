import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../util/sql-parser.js";
import { sqlFrom } from "../util/sql-text.js";
import type { Finding } from "./finding.js";
import { mergeFindings } from "./merge-findings.js";

const finding = (
  over: Partial<Finding> & Pick<Finding, "ruleId" | "severity">,
  fixSql?: string,
): Finding => ({
  title: `${over.ruleId} title`,
  detail: "",
  evidence: {},
  docsUrl: "https://example.org",
  impact: 0,
  ...(fixSql ? { fix: { sql: sqlFrom("dbopt", fixSql), note: `${over.ruleId} note.` } } : {}),
  ...over,
});

beforeAll(loadSqlParser);

describe("mergeFindings", () => {
  it("merges a seq-scan fix and a foreign-key fix that build the same index, whatever their text", () => {
    const scan = finding(
      { ruleId: "plan/seq-scan-filter", severity: "info", timeMs: 1900, query: "select 1", nodeId: 1 },
      `CREATE INDEX CONCURRENTLY "rental_customer_id_idx" ON "public"."rental" USING btree ("customer_id");`,
    );
    const fk = finding(
      { ruleId: "health/fk-without-index", severity: "warning", objects: ["public.rental"] },
      "create index if not exists rental_fk on rental (customer_id asc);",
    );
    const merged = mergeFindings([fk, scan]);
    expect(merged).toHaveLength(1);
    const [one] = merged;
    expect(one?.ruleId).toBe("plan/seq-scan-filter");
    expect(one?.timeMs).toBe(1900);
    expect(one?.severity).toBe("warning");
    expect(one?.fix?.sql).toBe(scan.fix?.sql);
    expect(one?.alsoFixes).toEqual([
      { ruleId: "health/fk-without-index", severity: "warning", title: "health/fk-without-index title" },
    ]);
    expect(one?.objects).toEqual(["public.rental"]);
  });

  it("merges into the wider index when the other's keys lead it, and says so", () => {
    const fk = finding(
      { ruleId: "health/fk-without-index", severity: "warning" },
      `CREATE INDEX CONCURRENTLY ON "public"."rental" ("customer_id");`,
    );
    const scan = finding(
      { ruleId: "plan/seq-scan-filter", severity: "info", timeMs: 40, query: "q" },
      `CREATE INDEX CONCURRENTLY ON "public"."rental" ("customer_id", "rental_date");`,
    );
    const [one, ...rest] = mergeFindings([fk, scan]);
    expect(rest).toEqual([]);
    expect(one?.fix?.sql).toContain(`("customer_id", "rental_date")`);
    expect(one?.fix?.note).toMatch(/also serves what health\/fk-without-index proposed a narrower index for/);
    expect(one?.timeMs).toBe(40);
  });

  it("keeps the narrower timed finding on top, with the wider fix, when the untimed one proposes more keys", () => {
    const scan = finding(
      { ruleId: "plan/seq-scan-filter", severity: "info", timeMs: 40, query: "q" },
      `CREATE INDEX ON rental (customer_id);`,
    );
    const other = finding(
      { ruleId: "health/fk-without-index", severity: "info" },
      `CREATE INDEX ON rental (customer_id, staff_id);`,
    );
    const [one] = mergeFindings([scan, other]);
    expect(one?.ruleId).toBe("plan/seq-scan-filter");
    expect(one?.fix?.sql).toContain("staff_id");
    expect(one?.fix?.note).toMatch(/plan\/seq-scan-filter proposed a narrower index/);
  });

  it("keeps indexes apart that differ in predicate, method, order of keys, or uniqueness", () => {
    const fixes = [
      "CREATE INDEX ON t (a, b)",
      "CREATE INDEX ON t (b, a)",
      "CREATE INDEX ON t (a) WHERE a > 0",
      "CREATE INDEX ON t USING hash (a)",
      "CREATE UNIQUE INDEX ON t (a)",
      "CREATE INDEX ON t (lower(a))",
      "CREATE INDEX ON other.t (a)",
    ];
    const findings = fixes.map((sql, i) => finding({ ruleId: `r/${i}`, severity: "info" }, sql));
    // (a, b) would serve a plain (a), but none of these is a plain (a).
    expect(mergeFindings(findings)).toHaveLength(fixes.length);
  });

  it("adds the time of the same fix proposed for several statements, once per plan node", () => {
    const ddl = "CREATE INDEX ON t (a)";
    const merged = mergeFindings([
      finding({ ruleId: "plan/seq-scan-filter", severity: "info", timeMs: 10, query: "q1", nodeId: 2 }, ddl),
      finding({ ruleId: "plan/seq-scan-filter", severity: "info", timeMs: 30, query: "q2", nodeId: 1 }, ddl),
      finding({ ruleId: "plan/index-filter", severity: "info", timeMs: 25, query: "q2", nodeId: 1 }, ddl),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.timeMs).toBe(40);
    expect(merged[0]?.evidence.statements).toBe(2);
    expect(merged[0]?.alsoFixes?.map((a) => a.query)).toEqual(["q2", "q1"]);
  });

  it("merges fixes that are not index DDL only when their text is the same", () => {
    const analyze = (ruleId: string, text: string) => finding({ ruleId, severity: "info" }, text);
    const merged = mergeFindings([
      analyze("health/stale-statistics", "ANALYZE public.t;"),
      analyze("plan/row-misestimate", "ANALYZE public.t;"),
      analyze("health/dead-tuples", "VACUUM public.t;"),
      finding({ ruleId: "health/no-fix", severity: "info" }),
    ]);
    expect(merged.map((f) => [f.ruleId, f.alsoFixes?.length ?? 0]).sort()).toEqual([
      ["health/dead-tuples", 0],
      ["health/no-fix", 0],
      ["health/stale-statistics", 1],
    ]);
  });
});
