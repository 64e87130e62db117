/**
 * Issue #16's review, replayed: the sample app (pagila trimmed, payment range-partitioned by month; bench/sample-app/)
 * built small (scale 0.05) on PostgreSQL 15, its pgbench workload run, then dbopt check, analyze and advise as a user runs them,
 * checked against the issue's "done when" list.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleStatement, substitute } from "../../bench/sample-app/workload.js";
import { runCli } from "../support/run-cli.js";
import { buildSampleApp, runSampleWorkload } from "../support/sample-app.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

interface Finding {
  ruleId: string;
  severity: string;
  title: string;
  section?: string;
  timeMs?: number;
  evidence: Record<string, number | string | boolean | null>;
  fix?: { sql?: string };
  query?: string;
}
interface Recommendation {
  ddl: string;
  table: string;
  sizeBytes: number;
}
interface Advice {
  recommendations: Recommendation[];
  selection?: unknown;
  unmeasured: Array<{ ddl: string }>;
  notes: string[];
  unplanned: unknown[];
}

describe.each(server("pg15"))("the sample app review ($name)", (srv) => {
  let db: TestDatabase;
  let check: { findings: Finding[] };
  let analyze: { findings: Finding[]; notes: string[]; advice: Advice };
  let advise: { code: number | null; stderr: string; report: Advice };
  let markdown: string;
  let dir = "";

  beforeAll(async () => {
    db = await createTestDatabase(srv);
    // 80,000 rentals and payments: at 0.02 a payment index saved less than the INSERTs would pay for it.
    const sizes = await buildSampleApp(db.url, 0.05);
    runSampleWorkload(db.url, sizes);
    const json = async (args: string[]) => {
      const r = await runCli([...args, "--db", db.url, "--format", "json"]);
      if (r.code !== 0 && r.code !== 1)
        throw new Error(`dbopt ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    const text = async (args: string[]) => (await runCli([...args, "--db", db.url])).stdout;
    [check, analyze, markdown] = await Promise.all([
      json(["check"]),
      json(["analyze"]),
      text(["analyze", "--format", "markdown"]),
    ]);
    // The partitioned table on its own, applied (CONCURRENTLY cannot run on its parent), from a workload file: the
    // app's s09 and s19 with call counts. From pg_stat_statements at this scale the payment index saves about what
    // the INSERTs are charged for it, so whether it is advised there turns on timing noise.
    dir = mkdtempSync(join(tmpdir(), "dbopt-sample-"));
    const file = join(dir, "payments.sql");
    writeFileSync(
      file,
      `-- calls: 2000\n${substitute(sampleStatement("s09").sql, { c: "42" })};\n` +
        `-- calls: 200\n${substitute(sampleStatement("s19").sql, { c: "42", s: "1", r: "7", dd: "15", hh: "12" })};\n`,
    );
    const r = await runCli([
      "advise",
      "--workload",
      file,
      "--tables",
      "payment",
      "--apply",
      "--db",
      db.url,
      "--format",
      "json",
    ]);
    advise = { code: r.code, stderr: r.stderr, report: r.code === 0 ? JSON.parse(r.stdout) : null };
  }, 150_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finds the N+1 loop by its call ratio to the overdue-rentals statement", () => {
    const loop = analyze.findings.find(
      (f) => f.ruleId === "workload/repeated-lookup" && f.evidence.keyColumn === "customer_id",
    );
    expect(loop, "an N+1 finding").toBeDefined();
    // Each run of the script calls the parent once and the lookup 50 times.
    expect(loop?.evidence.callsPerParentCall).toBe(50);
    expect(loop?.evidence.parentRows).toBe(loop?.evidence.calls);
    expect(loop?.severity).toBe("warning");
    expect(loop?.timeMs).toBeGreaterThan(Number(loop?.evidence.totalMs));
    expect(check.findings.some((f) => f.ruleId === "workload/repeated-lookup")).toBe(true);
  });

  it("builds its advice on the partitioned table, every partition attached, sizes within 25%", async () => {
    expect(advise.code, advise.stderr).toBe(0);
    const onPayment = advise.report.recommendations.filter((r) => r.table === "payment");
    expect(onPayment.length, JSON.stringify(advise.report.selection)).toBeGreaterThan(0);
    const { rows } = await runAsAdmin(
      db.url,
      `select i.indexrelid::regclass::text as name, i.indisvalid as valid,
              (select count(*) from pg_partition_tree(i.indexrelid) t where t.isleaf)::int as leaves,
              (select sum(pg_relation_size(t.relid)) from pg_partition_tree(i.indexrelid) t)::float8 as bytes
       from pg_index i join pg_class c on c.oid = i.indexrelid
       where i.indrelid = 'payment'::regclass and c.relname like 'dbopt%'`,
    );
    expect(rows).toHaveLength(onPayment.length);
    for (const row of rows) {
      expect(row.valid, row.name).toBe(true);
      expect(row.leaves, row.name).toBe(7);
    }
    const estimated = onPayment.reduce((sum, r) => sum + r.sizeBytes, 0);
    const built = rows.reduce((sum, r) => sum + Number(r.bytes), 0);
    expect(estimated / built).toBeGreaterThan(0.75);
    expect(estimated / built).toBeLessThan(1.25);
  });

  it("proposes a trigram GIN for the wildcard title search, which no B-tree serves", () => {
    // s07: title ILIKE '%word%'. The review's other shapes, the top-N on lower(rental_period) (s04) and the partial
    // index for return_date IS NULL (s01), are weighed here against the rental writes they slow, about 140 of them
    // for 14 reports: whether they are chosen varies with the run's timings at this scale. Each is checked on its own
    // in advisor-candidates.test.ts and index-advisor.test.ts.
    const ddl = [
      ...analyze.advice.recommendations.map((r) => r.ddl),
      ...analyze.advice.unmeasured.map((u) => u.ddl),
      ...analyze.findings.map((f) => f.fix?.sql ?? ""),
    ].join("\n");
    expect(ddl).toMatch(/ON film USING gin \(title gin_trgm_ops\)/);
  });

  it("loses no statement of the workload in the advice or the explained plans", () => {
    expect(analyze.advice.unplanned).toEqual([]);
    expect(analyze.advice.notes.filter((n) => /could not/i.test(n))).toEqual([]);
    expect(analyze.notes.filter((n) => /could not explain/i.test(n))).toEqual([]);
  });

  it("ranks findings by the time they cost, each fix once", () => {
    const order = { risk: 0, time: 1, hygiene: 2 } as Record<string, number>;
    const sections = analyze.findings.map((f) => order[f.section ?? ""] ?? -1);
    expect(sections).toEqual([...sections].sort((a, b) => a - b));
    const timed = analyze.findings.filter((f) => f.section === "time").map((f) => f.timeMs ?? 0);
    expect(timed.length).toBeGreaterThan(0);
    expect(timed).toEqual([...timed].sort((a, b) => b - a));
    const fixes = analyze.findings.map((f) => f.fix?.sql).filter((s): s is string => Boolean(s));
    expect(new Set(fixes).size).toBe(fixes.length);
  });

  it("reports a partitioned table's foreign keys once, on the parent, and no foreign key before timed findings", () => {
    for (const findings of [check.findings, analyze.findings]) {
      const fks = findings.filter((f) => f.ruleId === "health/fk-without-index");
      expect(fks.some((f) => f.title.includes("payment("))).toBe(true);
      expect(fks.filter((f) => /payment_p20/.test(f.title))).toEqual([]);
      for (const f of fks) expect(f.section, f.title).toBe("hygiene");
    }
  });

  it("demotes foreign keys to small lookup tables and groups column-type smells into one item", () => {
    const fks = check.findings.filter((f) => f.ruleId === "health/fk-without-index");
    const toLookups = fks.filter((f) =>
      /references (store|staff|language|category|country|city)\b/.test(f.title),
    );
    expect(toLookups.length).toBeGreaterThan(0);
    for (const f of toLookups) expect(f.severity, f.title).toBe("info");
    expect(check.findings.filter((f) => f.ruleId === "health/column-type-smell").length).toBeLessThanOrEqual(
      1,
    );
  });

  it("reports a plan problem on a partitioned table once, on the parent, never an index on one partition", () => {
    // A partition may be named as the plan node it was seen at, but only inside the parent's one item.
    const perPartition = analyze.findings.filter(
      (f) => /payment_p20\d\d_\d\d/.test(f.title) && !f.title.startsWith("payment (partitioned)"),
    );
    expect(perPartition.map((f) => f.title)).toEqual([]);
    const onePartition = analyze.findings
      .map((f) => f.fix?.sql ?? "")
      .filter((sql) => /\bON payment_p20\d\d_\d\d\b/.test(sql) && !/\bON ONLY payment\b/.test(sql));
    expect(onePartition).toEqual([]);
    expect(analyze.findings.some((f) => f.evidence.partitionedTable === "payment")).toBe(true);
    for (const findings of [check.findings, analyze.findings])
      expect(findings.filter((f) => f.ruleId === "health/fk-type-mismatch").length).toBeLessThanOrEqual(1);
  });

  it("puts the summary of the Markdown report first, on one screen, the details folded", () => {
    const beforeDetails = markdown.slice(0, markdown.indexOf("<details>"));
    expect(markdown).toContain("<details>");
    expect(beforeDetails.split("\n").length).toBeLessThanOrEqual(30);
    expect(beforeDetails).toContain("N+1: lookup by customer_id");
  });

  it("backs the checkpoint claim with WAL per checkpoint, and raises max_wal_size only when WAL forced them", () => {
    for (const f of check.findings.filter((x) => x.ruleId === "health/checkpoints")) {
      expect(f.evidence.walPerCheckpointBytes, f.title).toEqual(expect.any(Number));
      expect(f.evidence.maxWalSizeBytes, f.title).toEqual(expect.any(Number));
      const walDriven = Number(f.evidence.walPerCheckpointBytes) >= Number(f.evidence.triggerBytes);
      if (!walDriven) expect(f.fix?.sql ?? "", f.title).not.toMatch(/max_wal_size/);
    }
  });
});
