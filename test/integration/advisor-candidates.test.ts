/**
 * Candidates an expert proposes that the advisor used to miss (issue #16): an expression index for a top-N on
 * ORDER BY lower(period), BRIN for an append-only timestamp, trigram GIN for ILIKE '%x%'. On real tables, in
 * HypoPG mode (PostgreSQL 15) and on a sandbox (both servers), and the printed DDL is run on the server as printed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureUntil } from "../support/retried-measurement.js";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

const SCHEMA = `
create table rental (id bigint primary key, rented_at timestamptz not null, customer_id int not null,
  period tstzrange not null);
-- Append-only: rented_at grows with the row's position (correlation 1), 20 s apart; period is in no order.
insert into rental
  select g, timestamptz '2024-01-01' + g * interval '20 seconds', 1 + (g * 7919) % 5000,
         tstzrange(timestamptz '2024-01-01' + ((g * 7919) % 600000) * interval '20 seconds',
                   timestamptz '2024-01-01' + ((g * 7919) % 600000) * interval '20 seconds' + interval '3 days')
    from generate_series(1::bigint, 600000) g;
-- Range-partitioned by month, append-only; only the partitions are analyzed, as autovacuum does (it never
-- analyzes a partitioned parent), so the parent has no statistics of its own.
create table payment (id bigint not null, paid_at timestamptz not null, amount numeric(6,2) not null)
  partition by range (paid_at);
create table payment_2024_01 partition of payment for values from ('2024-01-01') to ('2024-02-01');
create table payment_2024_02 partition of payment for values from ('2024-02-01') to ('2024-03-01');
create table payment_2024_03 partition of payment for values from ('2024-03-01') to ('2024-04-01');
insert into payment select g, timestamptz '2024-01-01' + g * interval '20 seconds', (g % 1000) / 10.0
  from generate_series(1::bigint, 380000) g;
create table customer (id int primary key, email text not null);
insert into customer select g, 'user' || g || '@example.test' from generate_series(1, 100000) g;
`;

const WORKLOAD = `-- weight: 100
select id, customer_id from rental order by lower(period) limit 50;
-- weight: 100
select count(*) from rental where rented_at between '2024-02-01' and '2024-02-02';
-- weight: 100
select sum(amount) from payment where paid_at >= '2024-02-10' and paid_at < '2024-02-12';
-- weight: 100
select id, email from customer where email ilike '%er4242%';
`;

interface Advice {
  recommendations: Array<{
    ddl: string;
    table: string;
    method: string;
    reason: string;
    sizeBytes: number;
    requires?: { extension: string; state: string; ddl: string };
    queries: Array<{ query: string; costBefore: number; costAfter: number }>;
    measured?: Array<{ beforeMs: number; afterMs: number }>;
  }>;
  unmeasured: Array<{ ddl: string; reason: string; why: string; requires?: { state: string; ddl: string } }>;
  notes: string[];
}

const EXPRESSION = "CREATE INDEX CONCURRENTLY ON rental ((lower(period)));";
const BRIN = "CREATE INDEX CONCURRENTLY ON rental USING brin (rented_at);";
const TRIGRAM = "CREATE INDEX CONCURRENTLY ON customer USING gin (email gin_trgm_ops);";

describe.each(availableServers())("advisor candidates on $name", (server) => {
  let db: TestDatabase;
  let workload: string;
  beforeAll(async () => {
    db = await createTestDatabase(server, SCHEMA);
    await runAsAdmin(
      db.url,
      "vacuum (freeze, analyze) rental, customer, payment_2024_01, payment_2024_02, payment_2024_03",
    );
    if (server.name === "pg15") await runAsAdmin(db.url, "create extension hypopg");
    workload = join(mkdtempSync(join(tmpdir(), "dbopt-candidates-")), "workload.sql");
    writeFileSync(workload, WORKLOAD);
  }, 180_000);
  afterAll(async () => {
    await db?.drop();
  });

  const advise = async (...extra: string[]): Promise<Advice> => {
    const r = await runCli(["advise", "--db", db.url, "--workload", workload, "--format", "json", ...extra]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Advice;
  };

  it.runIf(server.name === "pg15")(
    "HypoPG: the expression top-N index, BRIN under a budget, trigram GIN listed as not measured",
    { timeout: 180_000 },
    async () => {
      const advice = await advise();
      const expression = advice.recommendations.find((r) => r.ddl === EXPRESSION);
      expect(expression?.queries[0]?.costAfter).toBeLessThan((expression?.queries[0]?.costBefore ?? 0) / 100);
      // The planner prices a BRIN scan's heap reads as scattered: the B-tree stays, and the note says why.
      expect(
        advice.notes.some((n) => /^B-tree kept over BRIN: .*by the planner's estimate.*--sandbox/.test(n)),
      ).toBe(true);
      const gin = advice.unmeasured.find((u) => u.ddl === TRIGRAM);
      expect(gin?.why).toMatch(/^Not measured: HypoPG cannot simulate GIN indexes.*--sandbox/);
      expect(gin?.reason).toMatch(
        /ILIKE '%er4242%' on email, which a B-tree cannot serve; needs the pg_trgm extension/,
      );
      expect(gin?.requires?.ddl).toBe("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
      // No B-tree for the leading wildcard.
      const all = [...advice.recommendations.map((r) => r.ddl), ...advice.unmeasured.map((u) => u.ddl)];
      expect(all.some((d) => /ON customer \(email\)/.test(d))).toBe(false);

      // A budget that rules the B-tree out (it takes about 13 MB) leaves the BRIN, sized as it builds.
      const small = await advise("--budget", "1MB");
      const brin = small.recommendations.find((r) => r.ddl === BRIN);
      expect(brin?.sizeBytes).toBe(3 * 8192);
      // The partitioned table's BRIN, from its partitions' statistics: three pages for each of its three partitions.
      const partitioned = small.recommendations.find((r) => r.table === "payment" && r.method === "brin");
      expect(partitioned?.reason).toMatch(
        /^range on paid_at, stored in value order \(correlation 1\.00, the least ordered of 3 partitions\)/,
      );
      expect(partitioned?.sizeBytes).toBe(9 * 8192);
      const inherited = await runAsAdmin(
        db.url,
        "select count(*)::int as n from pg_stats where tablename = 'payment' and inherited",
      );
      expect(inherited.rows[0].n).toBe(0);
    },
  );

  it.runIf(server.name === "pg15")(
    "sandbox --verify: the trigram GIN measured by running the statement",
    {
      timeout: 180_000,
    },
    async () => {
      const only = join(mkdtempSync(join(tmpdir(), "dbopt-candidates-")), "search.sql");
      writeFileSync(only, "-- weight: 100\nselect id, email from customer where email ilike '%er4242%';\n");
      const r = await runCli([
        "advise",
        "--db",
        db.url,
        "--workload",
        only,
        "--format",
        "json",
        "--sandbox",
        "--verify",
      ]);
      expect(r.stderr).toBe("");
      const advice = JSON.parse(r.stdout) as Advice & {
        recommendations: Array<{ measured?: Array<{ beforeMs: number; afterMs: number }> }>;
      };
      const gin = advice.recommendations.find((x) => x.ddl === TRIGRAM);
      const [measured] = gin?.measured ?? [];
      expect(measured?.afterMs).toBeLessThan((measured?.beforeMs ?? 0) / 2);
      // pg_trgm was installed for the measurement only.
      const installed = await runAsAdmin(
        db.url,
        "select count(*)::int as n from pg_extension where extname = 'pg_trgm'",
      );
      expect(installed.rows[0].n).toBe(0);
    },
  );

  it("sandbox: BRIN over the B-tree by measured time, the trigram GIN measured, the DDL builds as printed", {
    timeout: 300_000,
  }, async () => {
    // BRIN replaces the B-tree when its measured saving (median of three runs) is at least 90% of the B-tree's:
    // one stall of a loaded machine during the BRIN's runs tips that, so the advice is taken again, up to three
    // times, until BRIN is chosen. An advisor that never prefers BRIN fails all three. The trigram GIN's cost
    // after is about 73 against 1,986 here, but one CI run saw 832 once (pg18, a loaded machine): it is judged
    // on the same attempts, and its figures are printed when it fails.
    const ginCuts = (a: Awaited<ReturnType<typeof advise>>) => {
      const q = a.recommendations.find((r) => r.ddl === TRIGRAM)?.queries[0];
      return (q?.costAfter ?? Number.POSITIVE_INFINITY) < (q?.costBefore ?? 0) / 5;
    };
    const { result: advice, attempts } = await measureUntil(
      3,
      () => advise("--sandbox"),
      (a) => a.recommendations.some((r) => r.ddl === BRIN) && ginCuts(a),
    );
    const ddls = advice.recommendations.map((r) => r.ddl);
    expect(ddls).toContain(EXPRESSION);
    expect(ddls, attempts.map((a) => a.notes.filter((n) => /BRIN/.test(n)).join("; ")).join("\n")).toContain(
      BRIN,
    );
    expect(ddls.some((d) => /ON rental \(rented_at\)/.test(d))).toBe(false);
    expect(
      advice.notes.some((n) => /^BRIN chosen over a B-tree: .* keeps \d+% of the saving .*measured/.test(n)),
    ).toBe(true);
    const gin = advice.recommendations.find((r) => r.ddl === TRIGRAM);
    expect(gin?.requires).toEqual({
      extension: "pg_trgm",
      state: "available",
      ddl: "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
    });
    const ginCosts = attempts.map((a) => a.recommendations.find((r) => r.ddl === TRIGRAM)?.queries[0]);
    expect(gin?.queries[0]?.costAfter, JSON.stringify(ginCosts)).toBeLessThan(
      (gin?.queries[0]?.costBefore ?? 0) / 5,
    );
    // The sandbox installed pg_trgm for the measurement and removed it again.
    const installed = await runAsAdmin(
      db.url,
      "select count(*)::int as n from pg_extension where extname = 'pg_trgm'",
    );
    expect(installed.rows[0].n).toBe(0);

    // As printed: the extension first, then each index (CONCURRENTLY, outside a transaction).
    for (const r of advice.recommendations) {
      if (r.requires) await runAsAdmin(db.url, r.requires.ddl);
      // A partitioned table's recipe is one statement a line, run one by one as psql would.
      for (const statement of r.ddl.split("\n")) await runAsAdmin(db.url, statement);
    }
    const built = await runAsAdmin(
      db.url,
      "select indexdef from pg_indexes where schemaname = 'public' and indexname not like '%pkey' order by 1",
    );
    const defs = built.rows.map((row) => String(row.indexdef));
    expect(defs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/USING brin \(rented_at\)$/),
        expect.stringMatching(/USING gin \(email gin_trgm_ops\)$/),
        expect.stringMatching(/USING btree \(lower\(period\)\)$/),
      ]),
    );
    const brin = advice.recommendations.find((r) => r.ddl === BRIN);
    const size = await runAsAdmin(
      db.url,
      "select pg_relation_size(indexrelid)::int as n from pg_index where indrelid = 'rental'::regclass and indexrelid::regclass::text like '%rented_at%'",
    );
    expect(brin?.sizeBytes).toBe(size.rows[0].n);
  });
});
