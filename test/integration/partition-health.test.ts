/**
 * dbopt check on a range-partitioned table with the traps of issue #16 (test/fixtures/partitions/
 * partition-schema.sql): each partition finding reported exactly once, each printed fix run on the server as
 * psql would send it, and a second check that finds none of them again.
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/finding.js";
import { mergeByParent } from "../../src/findings/partition-findings.js";
import { loadSqlParser, parseSql } from "../../src/util/sql-parser.js";
import { sqlFrom } from "../../src/util/sql-text.js";
import { partitionSnapshot } from "../fixtures/partitions/partition-snapshot.js";
import { FIXTURES } from "../support/fixtures.js";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, type TestDatabase } from "../support/servers.js";

interface JsonFinding {
  ruleId: string;
  severity: string;
  title: string;
  evidence: Record<string, unknown>;
  fix?: { sql?: string; note: string };
  objects?: string[];
}

const SCHEMA = readFileSync(`${FIXTURES}/partitions/partition-schema.sql`, "utf8");

/** The statements of a fix, one by one as psql would send them (so CONCURRENTLY runs outside a transaction). */
function statementsOf(text: string): string[] {
  const bytes = Buffer.from(text, "utf8");
  return (parseSql(text).stmts ?? []).map((s) => {
    const from = s.stmt_location ?? 0;
    const to = s.stmt_len ? from + s.stmt_len : bytes.length;
    return bytes.subarray(from, to).toString("utf8").trim();
  });
}

describe.each(availableServers())("partitioned tables in dbopt check ($name)", (server) => {
  let db: TestDatabase;
  let client: pg.Client;

  const check = async (): Promise<JsonFinding[]> => {
    // Statistics of the sessions that changed the tables reach the shared statistics once flushed.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const r = await runCli(["check", "--db", db.url, "--format", "json"]);
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout).findings as JsonFinding[];
  };
  const run = async (finding: JsonFinding | undefined) => {
    expect(finding?.fix?.sql, finding?.title).toBeTruthy();
    for (const statement of statementsOf(finding?.fix?.sql as string)) await client.query(statement);
  };
  const attached = async (parentIndex: string) => {
    const { rows } = await client.query(
      `select c.relname, i.indisvalid from pg_inherits h join pg_class c on c.oid = h.inhrelid
         join pg_index i on i.indexrelid = h.inhrelid where h.inhparent = $1::regclass order by 1`,
      [parentIndex],
    );
    return rows.map((r) => r.relname as string);
  };
  const valid = async (index: string) =>
    (await client.query("select indisvalid from pg_index where indexrelid = $1::regclass", [index])).rows[0]
      ?.indisvalid as boolean | undefined;

  beforeAll(async () => {
    await loadSqlParser();
    db = await createTestDatabase(server, SCHEMA);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("reports each problem once, and each printed fix runs and removes it", {
    timeout: 120_000,
  }, async () => {
    const findings = await check();
    const of = (ruleId: string, match: (f: JsonFinding) => boolean = () => true) =>
      findings.filter((f) => f.ruleId === ruleId && match(f));

    // The foreign keys declared on rental: once each, not once per partition.
    const customerFk = of(
      "health/fk-without-index",
      (f) => f.evidence.constraint === "rental_customer_id_fkey",
    );
    expect(customerFk).toHaveLength(1);
    expect(customerFk[0]?.evidence).toMatchObject({
      table: "rental",
      referencingRows: 10000,
      partitionsWithoutIndex: 4,
    });
    const languageFk = of(
      "health/fk-without-index",
      (f) => f.evidence.constraint === "rental_language_id_fkey",
    );
    expect(languageFk).toHaveLength(1);
    expect(languageFk[0]?.severity).toBe("info");
    expect(of("health/fk-without-index", (f) => String(f.evidence.table).startsWith("rental_"))).toEqual([]);

    const amount = of("health/partition-missing-index", (f) => f.evidence.index === "rental_amount_idx");
    expect(amount.map((f) => f.evidence.partitions)).toEqual(["rental_2026"]);
    const staff = of("health/partition-missing-index", (f) => String(f.evidence.index).endsWith("_staff"));
    expect(staff.map((f) => f.evidence.partitions)).toEqual(["rental_default"]);
    expect(of("health/partition-missing-index")).toHaveLength(2);
    // The parent's unfinished index is one item: the missing copy, not invalid-index's DROP or REINDEX.
    expect(of("health/invalid-index", (f) => f.evidence.index === "rental_amount_idx")).toEqual([]);

    const staffFk = of("health/partition-missing-foreign-key");
    expect(staffFk.map((f) => f.evidence.partitions)).toEqual(["rental_default"]);

    const catchAll = of("health/partition-catch-all");
    expect(catchAll).toHaveLength(1);
    expect(catchAll[0]?.evidence).toMatchObject({ partition: "rental_default", rows: 7000, share: 0.7 });

    const narrow = of("health/fk-type-mismatch");
    expect(narrow).toHaveLength(1);
    expect(narrow[0]?.title).toContain("37% of smallint's range used");

    const noKey = of("health/missing-primary-key");
    expect(noKey.map((f) => f.evidence.table)).toEqual(["payment"]);

    // The fixes, as printed. The parent's unfinished index first: built and attached, it becomes valid.
    await run(amount[0]);
    expect(await attached("rental_amount_idx")).toContain("rental_2026_amount_idx");
    expect(await valid("rental_amount_idx")).toBe(true);
    await run(staff[0]);
    expect(await valid("rental_default_staff")).toBe(true);
    await run(customerFk[0]);
    expect(await attached("rental_customer_id_idx")).toEqual([
      "rental_2024_customer_id_idx",
      "rental_2025_customer_id_idx",
      "rental_2026_customer_id_idx",
      "rental_default_customer_id_idx",
    ]);
    expect(await valid("rental_customer_id_idx")).toBe(true);
    await run(staffFk[0]);
    await run(catchAll[0]);
    const { rows } = await client.query(
      "select count(*)::int as n from rental_default union all select count(*)::int from rental",
    );
    expect(rows.map((r) => r.n)).toEqual([0, 10000]);
    // The new partitions got the parent's indexes when they were attached.
    expect(await attached("rental_customer_id_idx")).toHaveLength(9);
    await run(narrow[0]);
    await run(noKey[0]);

    const after = await check();
    const left = after
      .filter(
        (f) =>
          [
            "health/partition-missing-index",
            "health/partition-missing-foreign-key",
            "health/partition-catch-all",
            "health/fk-type-mismatch",
            "health/missing-primary-key",
          ].includes(f.ruleId) ||
          (f.ruleId === "health/fk-without-index" && f.evidence.constraint === "rental_customer_id_fkey"),
      )
      .map((f) => f.title);
    expect(left).toEqual([]);
  });
});

describe.each(availableServers())(
  "one finding on the parent for the same index on its partitions ($name)",
  (server) => {
    let db: TestDatabase;
    let client: pg.Client;
    beforeAll(async () => {
      await loadSqlParser();
      db = await createTestDatabase(server, SCHEMA);
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
    }, 60_000);
    afterAll(async () => {
      await client?.end();
      await db?.drop();
    });

    it("collapses three partitions' seq-scan fixes into the parent's recipe, which runs and leaves a valid index", async () => {
      // The snapshot captured from this same schema (test/fixtures/partitions/capture-partitions.ts).
      const snapshot = partitionSnapshot(server.name);
      const leafFix = (partition: string, timeMs: number): Finding => ({
        ruleId: "plan/seq-scan-filter",
        severity: "info",
        title: `Seq Scan on ${partition}`,
        detail: "",
        evidence: {},
        docsUrl: "https://example.org",
        impact: timeMs,
        timeMs,
        fix: {
          sql: sqlFrom("dbopt", `CREATE INDEX CONCURRENTLY ON ${partition} (customer_id, rented_at);`),
          note: "",
        },
      });
      const [one, ...rest] = mergeByParent(
        [leafFix("rental_2024", 10), leafFix("rental_2025", 20), leafFix("rental_default", 30)],
        snapshot,
      );
      expect(rest).toEqual([]);
      expect(one?.timeMs).toBe(60);
      expect(one?.evidence.partitionsOfParent).toBe(4);
      for (const statement of statementsOf(one?.fix?.sql as string)) await client.query(statement);
      const { rows } = await client.query(
        `select i.indisvalid, (select count(*)::int from pg_inherits h where h.inhparent = i.indexrelid) as attached
         from pg_index i join pg_class c on c.oid = i.indexrelid
        where c.relname = 'rental_customer_id_rented_at_idx'`,
      );
      expect(rows).toEqual([{ indisvalid: true, attached: 4 }]);
    });
  },
);
