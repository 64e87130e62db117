/**
 * dbopt collect into a store on the local PostgreSQL 15: the target and the store are two fresh databases of the
 * same server, dropped after. What is checked is what the store holds, read back with SQL.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DbError } from "../../src/connectors/db-error.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { type CollectOptions, collectSamples } from "../../src/pipeline/collect-samples.js";
import { readTopStatements } from "../../src/store/read-dashboard.js";
import { ROLLUP_ONE_SAMPLE, TOP_ONE_SAMPLE } from "../../src/store/rollup-sql.js";
import { StoreConnection } from "../../src/store/store-connection.js";
import { migrateStore, STORE_SCHEMA_VERSION, storeVersion } from "../../src/store/store-migrations.js";
import { PartitionKeeper, partitionDay } from "../../src/store/store-partitions.js";
import {
  availableServers,
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  type TestDatabase,
} from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create table orders (id int primary key, customer int not null, total numeric not null);
insert into orders select g, g % 100, g from generate_series(1, 5000) g;
create index orders_customer on orders (customer);
analyze orders;
`;

/** The workload: `calls` lookups by customer, through the extended protocol (one pg_stat_statements entry). */
async function lookups(url: string, calls: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < calls; i++)
      await client.query("select count(*) from orders where customer = $1", [i % 100]);
  } finally {
    await client.end();
  }
}

const LOOKUP = "select count(*) from orders where customer = $1";

async function until<T>(probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe.each(availableServers())("history store on $name", (srv) => {
  let target: TestDatabase;
  let store: TestDatabase;

  const once = (extra: Partial<CollectOptions> = {}) =>
    collectSamples({
      targets: [resolveTarget({ db: target.url })],
      store: store.url,
      everyMs: 60_000,
      once: true,
      ...extra,
    });
  const storeRows = async <R = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    (await runAsAdmin(store.url, sql, params)).rows as R[];
  /** The lookup's delta in each sample, oldest first. */
  const lookupDeltas = () =>
    storeRows<{ calls: number; rows: number; total_ms: number; restarted: boolean }>(
      `select ss.calls::int, ss.rows::int, ss.total_ms, ss.restarted
         from dbopt_store.statement_sample ss join dbopt_store.statement s on s.id = ss.statement_id
        where s.query = $1 order by ss.taken_at`,
      [LOOKUP],
    );

  beforeAll(async () => {
    target = await createTestDatabase(srv, SETUP);
  });
  afterAll(async () => {
    await target?.drop();
  });
  beforeEach(async () => {
    store = await createTestDatabase(srv);
    await runAsAdmin(target.url, RESET_THIS_DATABASE_STATEMENTS);
  });
  afterEach(async () => {
    await store?.drop();
  });

  it("gives the workload between two samples as deltas, with its plan, tables, indexes and settings", async () => {
    const first = await once();
    expect(first.schema).toEqual({ from: 0, to: STORE_SCHEMA_VERSION });
    expect(first.samples[0]).toMatchObject({ gap: null, first: true });
    await lookups(target.url, 40);
    const second = await once();
    expect(second.samples[0]).toMatchObject({ gap: null, first: false, restarted: null });

    const deltas = await lookupDeltas();
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({ calls: 40, rows: 40, restarted: false });
    expect(deltas[0]?.total_ms).toBeGreaterThan(0);

    const samples = await storeRows<{ previous: Date | null; probes: number }>(
      "select previous_taken_at as previous, wait_probes as probes from dbopt_store.sample order by taken_at",
    );
    expect(samples).toHaveLength(2);
    expect(samples[0]?.previous).toBeNull();
    expect(samples[1]?.previous).not.toBeNull();
    expect(samples[1]?.probes).toBe(5);

    // The lookup was the top statement of the second interval: its generic plan is stored with a shape hash.
    const plans = await storeRows<{ hash: string; nodes: string }>(
      `select p.shape_hash as hash, p.plan::text as nodes from dbopt_store.plan_sample ps
         join dbopt_store.plan p on p.id = ps.plan_id join dbopt_store.statement s on s.id = ps.statement_id
        where s.query = $1`,
      [LOOKUP],
    );
    expect(plans).toHaveLength(1);
    expect(plans[0]?.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(plans[0]?.nodes).toContain("orders");

    const tables = await storeRows<{ name: string; n: number; size: number; live: number }>(
      `select r.name, count(*)::int as n, max(t.size_bytes)::int8 as size, max(t.n_live_tup)::int as live
         from dbopt_store.table_sample t join dbopt_store.relation r on r.id = t.relation_id group by r.name`,
    );
    expect(tables).toEqual([{ name: "orders", n: 2, size: expect.any(Number), live: 5000 }]);
    expect(tables[0]?.size).toBeGreaterThan(100_000);
    const indexes = await storeRows<{ name: string }>(
      "select distinct r.name from dbopt_store.index_sample i join dbopt_store.relation r on r.id = i.relation_id order by 1",
    );
    expect(indexes.map((i) => i.name)).toEqual(["orders_customer", "orders_pkey"]);

    // Settings: all of them once, then only changes (none here).
    const settings = await storeRows<{ at: Date; n: number }>(
      "select changed_at as at, count(*)::int as n from dbopt_store.setting_change group by 1",
    );
    expect(settings).toHaveLength(1);
    expect(settings[0]?.n).toBeGreaterThan(200);
    const database = await storeRows<{ commits: number }>(
      "select xact_commit as commits from dbopt_store.database_sample order by taken_at",
    );
    expect(database).toHaveLength(2);
    expect(Number(database[1]?.commits)).toBeGreaterThan(Number(database[0]?.commits));
  });

  it("gives no negative or doubled figures when the database's statements are reset between samples", async () => {
    await once();
    await lookups(target.url, 30);
    await once();
    await runAsAdmin(target.url, RESET_THIS_DATABASE_STATEMENTS);
    await lookups(target.url, 5);
    await once();
    const deltas = await lookupDeltas();
    expect(deltas.map((d) => d.calls)).toEqual([30, 5]);
    expect(deltas[1]?.restarted).toBe(true);
    const [negative] = await storeRows<{ n: number }>(
      `select count(*)::int as n from dbopt_store.statement_sample
        where calls < 0 or total_ms < 0 or rows < 0 or sum_sq_ms < 0 or shared_blks_hit < 0 or plan_ms < 0`,
    );
    expect(negative?.n).toBe(0);
    // A sample with no workload in between records no activity for the lookup.
    await once();
    expect((await lookupDeltas()).map((d) => d.calls)).toEqual([30, 5]);
  });

  // Before 17 an entry reset and then run more often than before is only seen to grow: the delta is then short.
  it.runIf(srv.name === "pg18")(
    "counts all calls after a reset even past the old counters (stats_since, 17+)",
    async () => {
      await once();
      await lookups(target.url, 10);
      await once();
      await runAsAdmin(target.url, RESET_THIS_DATABASE_STATEMENTS);
      await lookups(target.url, 25);
      await once();
      const deltas = await lookupDeltas();
      expect(deltas.map((d) => [d.calls, d.restarted])).toEqual([
        [10, false],
        [25, true],
      ]);
    },
  );

  it("counts the sessions seen waiting in each look at pg_stat_activity", async () => {
    const holder = new pg.Client({ connectionString: target.url });
    const waiter = new pg.Client({ connectionString: target.url });
    await holder.connect();
    await waiter.connect();
    try {
      // SHARE blocks the UPDATE, not the collector's reads or EXPLAIN.
      await holder.query("begin; lock table orders in share mode");
      const blocked = waiter.query("update orders set total = total where id = 1").catch(() => {});
      await until(async () => {
        const rows = await runAsAdmin(
          target.url,
          "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        );
        return rows.rowCount ? true : null;
      });
      const run = await once();
      expect(run.samples[0]?.waitProbes).toBe(5);
      await holder.query("rollback");
      await blocked;
    } finally {
      await holder.end();
      await waiter.end();
    }
    const waits = await storeRows<{ state: string; type: string; event: string; sessions: number }>(
      `select state, wait_event_type as type, wait_event as event, sessions from dbopt_store.wait_sample
        where wait_event_type = 'Lock'`,
    );
    expect(waits).toEqual([{ state: "active", type: "Lock", event: "relation", sessions: 5 }]);
  });

  it("lets collectors start on a new store at the same time: one migrates, both write", async () => {
    const runs = await Promise.all([once(), once()]);
    expect(runs.map((r) => r.samples[0]?.gap)).toEqual([null, null]);
    const versions = await storeRows<{ version: number }>(
      "select version from dbopt_store.schema_version order by 1",
    );
    expect(versions).toHaveLength(STORE_SCHEMA_VERSION);
    const [targets] = await storeRows<{ n: number }>("select count(*)::int as n from dbopt_store.target");
    expect(targets?.n).toBe(1);
    // Each sample is written, or dropped as superseded when the other collector's later one came first.
    const written = runs.filter((r) => !r.samples[0]?.superseded).length;
    const [samples] = await storeRows<{ n: number }>("select count(*)::int as n from dbopt_store.sample");
    expect(samples?.n).toBe(written);
    expect(written).toBeGreaterThanOrEqual(1);
  });

  it("records an unreachable target as a gap and samples the other one", async () => {
    const run = await collectSamples({
      targets: [
        resolveTarget({ db: target.url }),
        resolveTarget({ db: "postgresql://nobody@127.0.0.1:1/nothing" }),
      ],
      store: store.url,
      everyMs: 60_000,
      once: true,
    });
    expect(run.samples.map((s) => s.gap === null)).toEqual([true, false]);
    expect(run.samples[1]?.gap).toMatch(/connection refused/);
    const gaps = await storeRows<{ address: string; code: string }>(
      "select t.address, g.error_code as code from dbopt_store.gap g join dbopt_store.target t on t.id = g.target_id",
    );
    expect(gaps).toEqual([{ address: "nobody@127.0.0.1:1/nothing", code: "connection-refused" }]);
    const sampled = await storeRows<{ database_name: string; system_identifier: string | null }>(
      "select t.database_name, t.system_identifier::text from dbopt_store.sample s join dbopt_store.target t on t.id = s.target_id",
    );
    expect(sampled).toEqual([
      { database_name: target.name, system_identifier: expect.stringMatching(/^-?\d+$/) },
    ]);
  });

  it("upgrades a store at schema version 2 (before the rollups and top statements), keeping its samples, and refuses a newer one", async () => {
    const connection = await StoreConnection.connect(store.url);
    try {
      await migrateStore(connection, 2);
      expect(await storeVersion(connection)).toBe(2);
    } finally {
      await connection.close();
    }
    await expect(storeRows("select 1 from dbopt_store.statement_rollup")).rejects.toThrow(/does not exist/);
    // An older collector's gap and two samples of one statement in the old schema.
    const writer = await StoreConnection.connect(store.url);
    await new PartitionKeeper(writer).ensure(new Date()).finally(() => writer.close());
    await storeRows(
      `insert into dbopt_store.target (system_identifier, database_name, address) values (1, 'old', 'x@old:5432/old');
       insert into dbopt_store.gap (target_id, taken_at, error_code, error, collector)
       select id, now(), 'connection-refused', 'old gap', 'old/1' from dbopt_store.target;
       insert into dbopt_store.statement (target_id, queryid, user_name, toplevel, query, first_seen, last_seen)
       select id, 42, 'old', true, 'select 42', now(), now() from dbopt_store.target;
       insert into dbopt_store.sample (target_id, taken_at, statements, statements_active, wait_probes, duration_ms,
                                       collector, dbopt_version)
       select id, date_trunc('hour', now()) + m * interval '1 minute', 1, 1, 0, 1, 'old/1', '0.0.1'
         from dbopt_store.target, (values (1), (2)) v (m);
       insert into dbopt_store.statement_sample
       select s.target_id, s.taken_at, st.id, 10, 20.5, 50, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, false
         from dbopt_store.sample s join dbopt_store.statement st on st.target_id = s.target_id;`,
    );

    // A statement for the new collector to plan: the target's statements were reset before this test.
    await lookups(target.url, 5);
    const run = await once();
    expect(run.schema).toEqual({ from: 2, to: STORE_SCHEMA_VERSION });
    expect(run.samples[0]?.gap).toBeNull();
    const versions = await storeRows<{ version: number }>(
      "select version from dbopt_store.schema_version order by 1",
    );
    expect(versions.map((v) => v.version)).toEqual(
      Array.from({ length: STORE_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    expect(await storeRows("select error from dbopt_store.gap")).toEqual([{ error: "old gap" }]);
    // The upgrade summed the old samples into the rollups (both in one hour and one day).
    expect(
      await storeRows(
        `select r.grain, r.samples, r.calls::int, r.total_ms from dbopt_store.statement_rollup r
           join dbopt_store.statement st on st.id = r.statement_id where st.queryid = 42 order by 1`,
      ),
    ).toEqual([
      { grain: "day", samples: 2, calls: 20, total_ms: 41 },
      { grain: "hour", samples: 2, calls: 20, total_ms: 41 },
    ]);
    // Migration 004 ranked them into each hour's, day's and week's top statements.
    expect(
      await storeRows(
        `select r.grain, r.total_ms from dbopt_store.statement_top r
           join dbopt_store.statement st on st.id = r.statement_id where st.queryid = 42 order by 1`,
      ),
    ).toEqual([
      { grain: "day", total_ms: 41 },
      { grain: "hour", total_ms: 41 },
      { grain: "week", total_ms: 41 },
    ]);
    // The new collector's sample went into them too, in its own transaction.
    const [sampled] = await storeRows<{ samples: number }>(
      `select count(*)::int as samples from dbopt_store.workload_rollup w
         join dbopt_store.sample s on s.target_id = w.target_id and s.taken_at = w.bucket
        where w.grain = 'sample' and s.collector <> 'old/1'`,
    );
    expect(sampled?.samples).toBe(1);
    // Every hour and day bucket's statements are in its top (fewer than 50 here), the new sample's too.
    const perGrain = (table: string) =>
      storeRows(
        `select grain, count(*)::int as n from dbopt_store.${table} where grain <> 'week' group by 1 order by 1`,
      );
    expect(await perGrain("statement_top")).toEqual(await perGrain("statement_rollup"));
    expect((await storeRows("select 1 from dbopt_store.plan_sample")).length).toBeGreaterThan(0);

    await storeRows(
      "insert into dbopt_store.schema_version (version, description, dbopt_version) values ($1, 'from the future', '9.9.9')",
      [STORE_SCHEMA_VERSION + 1],
    );
    const refused = await once().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DbError);
    expect((refused as DbError).message).toMatch(
      new RegExp(`has schema version ${STORE_SCHEMA_VERSION + 1}, newer than this dbopt`),
    );
  });

  it("keeps each hour's, day's and week's 50 heaviest statements, and ranks a range on them", async () => {
    const writer = await StoreConnection.connect(store.url);
    try {
      await migrateStore(writer);
      const at = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000 + 10 * 60_000);
      await new PartitionKeeper(writer).ensure(at);
      // 60 statements in one sample, statement k taking k ms: the heaviest 50 are 11..60.
      await writer.query(
        `insert into dbopt_store.target (system_identifier, database_name, address) values (1, 'top', 'x@top:5432/top');
         insert into dbopt_store.statement (target_id, queryid, user_name, toplevel, query, first_seen, last_seen)
         select t.id, k, 'app', true, 'select ' || k, now(), now() from dbopt_store.target t, generate_series(1, 60) k;`,
      );
      const [{ id: targetId }] = (await writer.query<{ id: string }>(
        "select id from dbopt_store.target",
      )) as [{ id: string }];
      await writer.query(
        `insert into dbopt_store.sample (target_id, taken_at, statements, statements_active, wait_probes, duration_ms,
                                         collector, dbopt_version) values ($1, $2, 60, 60, 0, 1, 'test', 'test')`,
        [targetId, at],
      );
      await writer.query(
        `insert into dbopt_store.statement_sample
         select $1, $2, st.id, 1, st.queryid, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, false
           from dbopt_store.statement st`,
        [targetId, at],
      );
      for (const sql of [...ROLLUP_ONE_SAMPLE, ...TOP_ONE_SAMPLE]) await writer.query(sql, [targetId, at]);
      expect(
        await storeRows(
          `select t.grain, count(*)::int as n, min(st.queryid)::int as lightest from dbopt_store.statement_top t
             join dbopt_store.statement st on st.id = t.statement_id group by 1 order by 1`,
        ),
      ).toEqual([
        { grain: "day", n: 50, lightest: 11 },
        { grain: "hour", n: 50, lightest: 11 },
        { grain: "week", n: 50, lightest: 11 },
      ]);
      const top = await readTopStatements(
        writer,
        Number(targetId),
        { from: new Date(at.getTime() - 60_000), to: new Date(at.getTime() + 60_000) },
        10,
      );
      expect(top.map((t) => t.query)).toEqual(Array.from({ length: 10 }, (_, i) => `select ${60 - i}`));
      expect(top[0]).toMatchObject({ calls: 1, totalMs: 60 });
    } finally {
      await writer.close();
    }
  });

  it("drops whole days of samples older than --keep, and keeps the recent ones", async () => {
    await once();
    const connection = await StoreConnection.connect(store.url);
    const old = new Date(Date.now() - 10 * 86_400_000);
    try {
      await new PartitionKeeper(connection).ensure(old);
      await connection.query(
        "insert into dbopt_store.gap (target_id, taken_at, error_code, error, collector) select id, $1, 'x', 'old', 'test' from dbopt_store.target",
        [old],
      );
    } finally {
      await connection.close();
    }
    const partitionsOf = async (day: string) =>
      (
        await storeRows<{ name: string }>(
          "select relname as name from pg_class where relnamespace = 'dbopt_store'::regnamespace and relname like $1",
          [`%\\_p${day}`],
        )
      ).map((r) => r.name);
    expect(await partitionsOf(partitionDay(old))).toContain(`gap_p${partitionDay(old)}`);

    const run = await once({ keepMs: 3 * 86_400_000 });
    expect(run.droppedDays).toContain(partitionDay(old));
    expect(await partitionsOf(partitionDay(old))).toEqual([]);
    expect(await storeRows("select error from dbopt_store.gap")).toEqual([]);
    const today = await partitionsOf(partitionDay(new Date()));
    expect(today).toContain(`sample_p${partitionDay(new Date())}`);
    expect((await storeRows("select 1 from dbopt_store.sample")).length).toBe(2);
  });
});
