/**
 * Index advice on a range-partitioned table with a sub-partitioned partition, on real servers: costed (HypoPG on
 * PostgreSQL 15 takes the parent's hypothetical index down to every partition; a sandbox builds it), its size
 * and write cost summed over the partitions, printed as the ON ONLY / CONCURRENTLY / ATTACH recipe, and applied
 * by --apply with the same cleanup as any other index.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

interface Advice {
  recommendations: Array<{
    ddl: string;
    table: string;
    sizeBytes: number;
    writeChargeMs: number;
    partitioned?: {
      plainDdl: string;
      leafPartitions: number;
      steps: Array<{ kind: string; table: string; index: string; parentIndex: string | null; sql: string }>;
    };
  }>;
  apply?: {
    outcomes: Array<{ name: string; status: string; detail: string | null; cleanup: string | null }>;
    complete: boolean;
  };
}

const SCHEMA = `
create table "Readings" (id bigint not null, device_id int not null, at date not null, value float8 not null)
  partition by range (at);
create table readings_2025 partition of "Readings" for values from ('2025-01-01') to ('2026-01-01')
  partition by range (at);
create table readings_2025a partition of readings_2025 for values from ('2025-01-01') to ('2025-07-01');
create table readings_2025b partition of readings_2025 for values from ('2025-07-01') to ('2026-01-01');
create table readings_2026 partition of "Readings" for values from ('2026-01-01') to ('2027-01-01');
insert into "Readings" select g, g % 2000, date '2025-01-01' + (g % 700), g from generate_series(1, 150000) g;
`;

const indexesOf = async (url: string) =>
  (
    await runAsAdmin(
      url,
      `select c.relname as name, i.indisvalid as valid, t.relname as "table",
              (select p.relname from pg_inherits h join pg_class p on p.oid = h.inhparent where h.inhrelid = c.oid) as parent
         from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
        where c.relname like 'dbopt\\_%' order by t.relname`,
    )
  ).rows as Array<{ name: string; valid: boolean; table: string; parent: string | null }>;

describe.each(availableServers())("advise on a partitioned table on $name", (server) => {
  const mode = server.name === "pg15" ? [] : ["--sandbox"];
  let db: TestDatabase;
  let dir: string;
  let workload: string;
  const advise = (...extra: string[]) =>
    runCli(["advise", "--db", db.url, "--workload", workload, "--format", "json", ...mode, ...extra]);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dbopt-partitioned-"));
    workload = join(dir, "w.sql");
    writeFileSync(
      workload,
      `-- weight: 50\nselect avg(value) from "Readings" where device_id = 42;\n-- weight: 1000\ninsert into "Readings" values (1, 1, '2026-03-01', 1);\n`,
    );
    db = await createTestDatabase(server, SCHEMA);
    await runAsAdmin(db.url, 'vacuum (freeze, analyze) "Readings"');
    if (server.name === "pg15") await runAsAdmin(db.url, "create extension hypopg");
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints the ON ONLY, CONCURRENTLY and ATTACH recipe as one recommendation, with size and writes summed", {
    timeout: 60_000,
  }, async () => {
    const r = await advise();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const advice = JSON.parse(r.stdout) as Advice;
    const rec = advice.recommendations.find((x) => x.table === "Readings");
    expect(rec?.partitioned?.leafPartitions).toBe(3);
    const lines = rec?.ddl.split("\n") ?? [];
    expect(lines[0]).toMatch(
      /^CREATE INDEX "?dbopt_readings_device_id(_value)?_[0-9a-f]{8}"? ON ONLY "Readings" \(device_id(, value)?\);$/,
    );
    expect(
      lines.filter((l) =>
        /^CREATE INDEX CONCURRENTLY \S+ ON readings_2025[ab]? \(device_id(, value)?\);$|^CREATE INDEX CONCURRENTLY \S+ ON readings_2026 \(device_id(, value)?\);$/.test(
          l,
        ),
      ),
    ).toHaveLength(3);
    expect(
      lines.filter((l) => /^CREATE INDEX \S+ ON ONLY readings_2025 \(device_id(, value)?\);$/.test(l)),
    ).toHaveLength(1);
    expect(
      lines.filter((l) => /^ALTER INDEX public\.\S+ ATTACH PARTITION public\.\S+;$/.test(l)),
    ).toHaveLength(4);
    expect(lines).toHaveLength(1 + 1 + 3 + 4);
    // Never CONCURRENTLY on a partitioned table: PostgreSQL refuses it.
    expect(lines.some((l) => /CONCURRENTLY \S+ ON ("Readings"|readings_2025) /.test(l))).toBe(false);
    // The index's size is its partitions' (built size on the sandbox, HypoPG's estimate otherwise).
    expect(rec?.sizeBytes).toBeGreaterThan(500_000);
    // 1,000 single-row inserts through the parent: one entry each in the new index.
    expect(rec?.writeChargeMs).toBe(5);
  });

  it.runIf(server.name === "pg15")(
    "--apply builds the tree, a rerun finds it, and a failed step leaves nothing",
    {
      timeout: 90_000,
    },
    async () => {
      const first = await advise("--apply");
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      const applied = JSON.parse(first.stdout) as Advice;
      expect(applied.apply?.outcomes.map((o) => o.status)).toEqual(["built"]);
      expect(applied.apply?.outcomes[0]?.detail).toMatch(
        /on its 3 partitions, each built CONCURRENTLY and attached/,
      );
      const built = await indexesOf(db.url);
      expect(built).toHaveLength(5);
      expect(built.every((i) => i.valid)).toBe(true);
      const root = built.find((i) => i.table === "Readings");
      const mid = built.find((i) => i.table === "readings_2025");
      expect(built.find((i) => i.table === "readings_2026")?.parent).toBe(root?.name);
      expect(built.find((i) => i.table === "readings_2025a")?.parent).toBe(mid?.name);
      expect(mid?.parent).toBe(root?.name);

      // Built: the advice does not ask for the same index again (a covering variant may still pay).
      const builtDdl = applied.recommendations[0]?.partitioned?.plainDdl;
      const again = JSON.parse((await advise()).stdout) as Advice;
      expect(again.recommendations.map((x) => x.partitioned?.plainDdl)).not.toContain(builtDdl);

      // A partition locked by another session: its build times out; every index of the recipe is dropped again.
      for (const i of built.filter((x) => x.table === "Readings"))
        await runAsAdmin(db.url, `drop index "${i.name}"`);
      expect(await indexesOf(db.url)).toEqual([]);
      const steps =
        (JSON.parse((await advise()).stdout) as Advice).recommendations[0]?.partitioned?.steps ?? [];
      const last = steps.filter((s) => s.kind === "build").at(-1);
      let cleanup = "";
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      try {
        await holder.query("begin");
        await holder.query(`lock table ${last?.table} in share update exclusive mode`);
        const failed = await advise("--apply", "--lock-timeout", "1s");
        expect(failed.stderr).toBe("");
        expect(failed.code).toBe(2);
        const outcome = (JSON.parse(failed.stdout) as Advice).apply?.outcomes[0];
        expect(outcome?.status).toBe("failed");
        // Dropping the parent's index needs a lock on every partition, the locked one too: dbopt says what to run.
        expect(outcome?.detail).toMatch(
          new RegExp(
            `^CREATE INDEX CONCURRENTLY \\S+ ON ${last?.table} \\(device_id(, value)?\\); failed: .*lock timeout.*holding ShareUpdateExclusiveLock: lock table ${last?.table}.*; some of the recipe's indexes could not be dropped \\(see cleanup\\)$`,
          ),
        );
        cleanup = outcome?.cleanup ?? "";
        expect(cleanup).toMatch(
          /^DROP INDEX IF EXISTS public\.dbopt_readings_device_id\S*;( DROP INDEX (CONCURRENTLY )?IF EXISTS public\.dbopt_\w+;)*$/,
        );
        // Nothing was left on the locked partition itself.
        expect((await indexesOf(db.url)).filter((i) => i.table === last?.table)).toEqual([]);
      } finally {
        await holder.query("rollback").catch(() => {});
        await holder.end();
      }
      // The statements it gave, run as given once the lock is gone, leave nothing behind.
      for (const statement of cleanup.split(/;\s*/).filter(Boolean)) await runAsAdmin(db.url, statement);
      expect(await indexesOf(db.url)).toEqual([]);
    },
  );
});
