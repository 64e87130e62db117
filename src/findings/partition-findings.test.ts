import { beforeAll, describe, expect, it } from "vitest";
import { partitionSnapshot } from "../../test/fixtures/partitions/partition-snapshot.js";
import { loadSqlParser } from "../util/sql-parser.js";
import { checkSql, sqlFrom } from "../util/sql-text.js";
import type { Finding } from "./finding.js";
import { collapsePartitionFindings, mergeByParent } from "./partition-findings.js";

const finding = (over: Partial<Finding> & Pick<Finding, "ruleId">, fixSql?: string): Finding => ({
  severity: "info",
  title: `${over.ruleId} title`,
  detail: "Detail.",
  evidence: {},
  docsUrl: "https://example.org",
  impact: 1,
  ...(fixSql ? { fix: { sql: sqlFrom("dbopt", fixSql), note: `${over.ruleId} note.` } } : {}),
  ...over,
});

const scanOn = (partition: string, timeMs: number) =>
  finding(
    { ruleId: "plan/seq-scan-filter", timeMs, query: `select from ${partition}`, nodeId: 1 },
    `CREATE INDEX CONCURRENTLY ON public.${partition} (customer_id, rented_at);`,
  );

beforeAll(loadSqlParser);

describe("collapsePartitionFindings", () => {
  const snapshot = partitionSnapshot("pg15");

  it("turns the same index on several partitions into one finding on the parent, with the recipe", () => {
    const collapsed = collapsePartitionFindings(
      [scanOn("rental_2024", 100), scanOn("rental_2025", 300), scanOn("rental_default", 50)],
      snapshot,
    );
    expect(collapsed).toHaveLength(1);
    const [one] = collapsed;
    expect(one?.timeMs).toBe(450);
    expect(one?.title).toBe("rental (partitioned), on 3 of 4 partitions: plan/seq-scan-filter title");
    expect(one?.evidence).toMatchObject({
      partitionedTable: "rental",
      partitions: "rental_2024, rental_2025, rental_default",
      partitionsWith: 3,
      partitionsOfParent: 4,
    });
    // The partition that did not show it gets the index too: every partition must have one for the parent's.
    expect(one?.detail).toContain("Partition rental_2026 did not show it");
    expect(one?.alsoFixes?.map((a) => a.timeMs)).toEqual([100, 50]);
    const text = one?.fix?.sql ?? "";
    expect(() => checkSql(text)).not.toThrow();
    const statements = text.split("\n");
    expect(statements[0]).toBe(
      "CREATE INDEX rental_customer_id_rented_at_idx ON ONLY rental (customer_id, rented_at);",
    );
    expect(statements.filter((s) => s.startsWith("CREATE INDEX CONCURRENTLY"))).toHaveLength(4);
    expect(
      statements.filter((s) => s.startsWith("ALTER INDEX public.rental_customer_id_rented_at_idx")),
    ).toHaveLength(4);
    expect(one?.objects?.[0]).toBe("public.rental");
  });

  it("leaves a finding on one partition, a unique index and other tables' findings as they are", () => {
    const single = scanOn("rental_2024", 100);
    const unique = [
      finding({ ruleId: "a" }, "CREATE UNIQUE INDEX CONCURRENTLY ON public.rental_2024 (customer_id);"),
      finding({ ruleId: "b" }, "CREATE UNIQUE INDEX CONCURRENTLY ON public.rental_2025 (customer_id);"),
    ];
    const other = finding({ ruleId: "c" }, "CREATE INDEX CONCURRENTLY ON public.customer (email);");
    const input = [single, ...unique, other];
    expect(collapsePartitionFindings(input, snapshot)).toEqual(input);
  });

  it("does not collapse different indexes on different partitions", () => {
    const a = scanOn("rental_2024", 100);
    const b = finding(
      { ruleId: "plan/seq-scan-filter" },
      "CREATE INDEX CONCURRENTLY ON public.rental_2025 (amount);",
    );
    expect(collapsePartitionFindings([a, b], snapshot)).toEqual([a, b]);
  });

  it("merges the parent's item with a parent-level finding its index serves", () => {
    const fk = finding(
      { ruleId: "health/fk-without-index", severity: "warning" },
      [
        "CREATE INDEX rental_cust ON ONLY public.rental (customer_id);",
        "CREATE INDEX CONCURRENTLY rental_2024_cust ON public.rental_2024 (customer_id);",
        "ALTER INDEX public.rental_cust ATTACH PARTITION public.rental_2024_cust;",
      ].join("\n"),
    );
    const merged = mergeByParent([fk, scanOn("rental_2024", 100), scanOn("rental_2025", 300)], snapshot);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.severity).toBe("warning");
    expect(merged[0]?.fix?.sql).toContain("ON ONLY rental (customer_id, rented_at)");
    expect(merged[0]?.alsoFixes?.map((a) => a.ruleId)).toContain("health/fk-without-index");
  });
});
