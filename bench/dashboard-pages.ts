/**
 * Dashboard page times on a large store (issue #12: a page answers in at most 300 ms with 30 days of 5-minute
 * samples for 5,000 statements), and the store's size per sample.
 *
 * A private PostgreSQL 18 store is filled in SQL, one UTC day per transaction (generate_series, not one round trip
 * per sample): samples every 5 minutes, a delta for every statement in every sample (the worst case: 43 million
 * statement rows at full scale), plans of the top statements (one of them changing plan half-way), tables and
 * indexes, database counters, wait events, settings changes. The rollups and statement_top are written by the SQL
 * the collector runs (rollup-sql.ts). Then the server is restarted with the store's own settings, `dbopt serve`
 * runs on it and each page is fetched over HTTP several times: median and max.
 *
 *   npx tsx bench/dashboard-pages.ts [statements=5000] [days=30] [tables=200] [requests=7]
 *
 * 30 days × 5,000 statements (43.2 million statement rows, 11.5 GB) filled here in 53 min, 46–136 s a day, on 2
 * cores at load average ~20 (the same fill row by row into indexed partitions took 26 min for 10 days).
 * DBOPT_BENCH_STORE=DIR keeps the store: a second run only times the pages, and a fill that was interrupted goes
 * on from the last whole day.
 */
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedServer, UNSAFE_FAST_SETTINGS } from "../src/connectors/embedded/embedded-server.js";
import { parseRange } from "../src/dashboard/time-range.js";
import { serveDashboard } from "../src/pipeline/serve-dashboard.js";
import { STORE_SERVER_SETTINGS } from "../src/store/open-store.js";
import { readTarget, readTopStatements } from "../src/store/read-dashboard.js";
import { rankTopSql, rollupSamplesSql } from "../src/store/rollup-sql.js";
import { StoreConnection } from "../src/store/store-connection.js";
import { migrateStore } from "../src/store/store-migrations.js";
import { PartitionKeeper, partitionDay } from "../src/store/store-partitions.js";
import { ident, literal, sql } from "../src/util/sql-text.js";

const STATEMENTS = Number(process.argv[2] ?? 5_000);
const DAYS = Number(process.argv[3] ?? 30);
const TABLES = Number(process.argv[4] ?? 200);
const REQUESTS = Number(process.argv[5] ?? 7);
const EVERY_MIN = 5;
const PLANNED = 20;
const DAY_MS = 86_400_000;

/** Tables loaded as plain tables and attached once full; the others (rollups, gaps) get ordinary partitions. */
const LOADED = new Set([
  "sample",
  "statement_sample",
  "plan_sample",
  "table_sample",
  "index_sample",
  "database_sample",
  "wait_sample",
]);

const seconds = (started: number) => ((performance.now() - started) / 1000).toFixed(1);
const log = (line: string) => console.log(line);

// DBOPT_BENCH_STORE=DIR keeps the filled store in DIR between runs (an interrupted fill continues), to time pages
// again or profile.
const kept = process.env.DBOPT_BENCH_STORE;
const directory = kept ?? (await mkdtemp(join(tmpdir(), "dbopt-bench-store-")));
if (!kept) await chmod(directory, 0o777);
try {
  // Loading: no crash safety, and wal_level=minimal so tables created in the loading transaction skip the WAL.
  const loader = await startEmbeddedServer({
    settings: {
      ...UNSAFE_FAST_SETTINGS,
      wal_level: "minimal",
      max_wal_senders: "0",
      max_wal_size: "8GB",
      maintenance_work_mem: "512MB",
      work_mem: "256MB",
    },
    dataDirectory: directory,
  });
  try {
    await fill(loader.url);
  } finally {
    await loader.stop();
  }
  // Pages are timed on the server as dbopt runs its store (open-store.ts), not on the loading settings.
  const server = await startEmbeddedServer({ settings: STORE_SERVER_SETTINGS, dataDirectory: directory });
  try {
    await report(server.url);
    await timePages(server.url, directory);
    await checkSums(server.url);
  } finally {
    await server.stop();
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  if (!kept) await rm(directory, { recursive: true, force: true });
}

interface Scale {
  targetId: string;
  /** The first statement's id: statements are first .. first + statements - 1. */
  first: string;
  start: Date;
  end: Date;
  days: number;
  statements: number;
  tables: number;
}

/**
 * Fills the store one UTC day at a time, each day in one transaction, so an interrupted fill continues with the
 * next day when run again on the same DBOPT_BENCH_STORE. A day's sample tables are loaded as plain tables and
 * attached as partitions afterwards: their indexes are built once on the loaded rows instead of row by row, and
 * with wal_level=minimal a table created in the loading transaction writes no WAL. What ends up in the store is
 * what partitions created by store-partitions.ts hold (ATTACH PARTITION creates the parent's indexes); the
 * rollups and statement_top are written by rollup-sql.ts as the collector writes them.
 */
async function fill(url: string): Promise<void> {
  const store = await StoreConnection.connect(url);
  const db = new pg.Client({ connectionString: url });
  db.on("error", () => {});
  await db.connect();
  try {
    await migrateStore(store);
    await db.query("set statement_timeout = 0");
    const scale = (await storedScale(db)) ?? (await addDimensions(db));
    log(
      `store scale: ${scale.statements} statements, ${scale.days} days of ${EVERY_MIN}-minute samples ` +
        `(${scale.start.toISOString()} .. ${scale.end.toISOString()}), ${scale.tables} tables`,
    );
    const tables = (
      await db.query<{ name: string }>(
        `select c.relname as name from pg_partitioned_table p join pg_class c on c.oid = p.partrelid
          where c.relnamespace = 'dbopt_store'::regnamespace and not c.relispartition order by 1`,
      )
    ).rows.map((r) => r.name);
    const done = new Set(
      (
        await db.query<{ name: string }>(
          `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'dbopt_store.sample'::regclass`,
        )
      ).rows.map((r) => r.name.replace(/^sample_p/, "")),
    );
    const filled = performance.now();
    let loaded = 0;
    for (
      let dayStart = Math.floor(scale.start.getTime() / DAY_MS) * DAY_MS;
      dayStart <= scale.end.getTime();
      dayStart += DAY_MS
    ) {
      const day = partitionDay(new Date(dayStart));
      if (done.has(day)) continue;
      const started = performance.now();
      const rows = await fillDay(db, scale, tables, new Date(dayStart));
      const vacuumed = performance.now();
      // As autovacuum would on the collector's store: visibility map (index-only scans) and statistics.
      await db.query(
        `vacuum (analyze) ${tables.map((t) => `${ident("dbopt_store")}.${ident(`${t}_p${day}`)}`).join(", ")}`,
      );
      loaded++;
      log(
        `day ${day} filled: ${rows.toLocaleString("en-US")} statement rows in ${seconds(started)} s ` +
          `(vacuum ${seconds(vacuumed)} s), ${seconds(filled)} s in all`,
      );
    }
    // The day after the newest sample, as the collector keeps it ready.
    await new PartitionKeeper(store).ensure(scale.end);
    if (loaded > 0) {
      await db.query("vacuum analyze");
      log(`filled ${loaded} days in ${seconds(filled)} s`);
    }
  } finally {
    await db.end();
    await store.close();
  }
}

/** The scale of a store filled (or partly filled) before: the dimension rows carry it. */
async function storedScale(db: pg.Client): Promise<Scale | null> {
  const { rows } = await db.query<{
    target_id: string | null;
    first: string;
    start: Date;
    end: Date;
    statements: number;
    tables: number;
  }>(
    `select t.id as target_id, min(s.id) as first, min(s.first_seen) as start, max(s.last_seen) as end,
            count(*)::int as statements,
            (select count(*)::int from dbopt_store.relation r where r.target_id = t.id and r.kind = 'table') as tables
       from dbopt_store.target t join dbopt_store.statement s on s.target_id = t.id
      group by t.id order by t.id limit 1`,
  );
  const r = rows[0];
  if (!r?.target_id) return null;
  return {
    targetId: r.target_id,
    first: r.first,
    start: r.start,
    end: r.end,
    days: Math.round((r.end.getTime() - r.start.getTime() + EVERY_MIN * 60_000) / DAY_MS),
    statements: r.statements,
    tables: r.tables,
  };
}

/** The target, its statements, tables, indexes, plans and settings history. */
async function addDimensions(db: pg.Client): Promise<Scale> {
  // The newest sample is the start of the current 5-minute slot; the oldest DAYS earlier.
  const end = new Date(Math.floor(Date.now() / (EVERY_MIN * 60_000)) * EVERY_MIN * 60_000);
  const start = new Date(end.getTime() - DAYS * DAY_MS + EVERY_MIN * 60_000);
  await db.query("begin");
  const [{ id: targetId }] = (
    await db.query<{ id: string }>(
      `insert into dbopt_store.target (system_identifier, database_name, address, server_version)
       values (1, 'shop', 'app@db.example:5432/shop', '18.1') returning id`,
    )
  ).rows as [{ id: string }];
  await db.query(
    `insert into dbopt_store.statement (target_id, queryid, user_name, toplevel, fingerprint, query, first_seen, last_seen)
     select $1, g, 'app', true, md5(g::text), 'select * from orders_' || g || ' where customer_id = $1 and created_at > $2',
            $2, $3
       from generate_series(1, $4) g`,
    [targetId, start, end, STATEMENTS],
  );
  const [{ first }] = (
    await db.query<{ first: string }>(
      "select min(id) as first from dbopt_store.statement where target_id = $1",
      [targetId],
    )
  ).rows as [{ first: string }];
  await db.query(
    `insert into dbopt_store.relation (target_id, kind, oid, schema_name, name, table_schema, table_name, definition, first_seen, last_seen)
     select $1::bigint, 'table', 100000 + g, 'public', 'orders_' || g, null, null, null, $2::timestamptz, $3::timestamptz from generate_series(1, $4::int) g
     union all
     select $1::bigint, 'index', 200000 + g, 'public', 'orders_' || g || '_pkey', 'public', 'orders_' || g,
            'CREATE UNIQUE INDEX orders_' || g || '_pkey ON public.orders_' || g || ' USING btree (id)', $2::timestamptz, $3::timestamptz
       from generate_series(1, $4::int) g`,
    [targetId, start, end, TABLES],
  );
  // Two plan shapes for the first statement (an index scan, then a sequential scan from the middle on), one for
  // the other planned statements.
  const planJson = (node: string, index: string | null, cost: number) =>
    JSON.stringify({
      root: {
        id: 0,
        nodeType: node,
        role: "child",
        subplanName: null,
        parallelAware: false,
        asyncCapable: false,
        details: {},
        relationName: "orders_1",
        schema: "public",
        alias: "orders_1",
        indexName: index,
        cost: { startup: 0, total: cost },
        planRows: 10,
        planWidth: 40,
        actual: null,
        buffers: null,
        ioTimings: null,
        workers: [],
        props: index ? { "Index Cond": "(customer_id = $1)" } : { Filter: "(customer_id = $1)" },
        children: [],
      },
      planningMs: null,
      planningBuffers: null,
      executionMs: null,
      serialization: null,
      triggers: [],
      jit: null,
      settings: {},
      queryIdentifier: null,
      analyzed: false,
    });
  await db.query(
    `insert into dbopt_store.plan (statement_id, shape_hash, plan, first_seen)
     select s.id, 'index-' || s.id, $2::jsonb, $4::timestamptz from dbopt_store.statement s where s.id < $1::bigint + $5
     union all select $1::bigint, 'seq-' || $1, $3::jsonb, $4::timestamptz`,
    [
      first,
      planJson("Index Scan", "orders_1_customer", 8.4),
      planJson("Seq Scan", null, 2431),
      start,
      PLANNED,
    ],
  );
  await db.query(
    `insert into dbopt_store.setting_change (target_id, changed_at, name, setting, unit, source, pending_restart)
     values ($1, $2, 'work_mem', '4096', 'kB', 'default', false), ($1, $2, 'random_page_cost', '4', null, 'default', false),
            ($1, $3, 'work_mem', '65536', 'kB', 'configuration file', false), ($1, $3, 'random_page_cost', '1.1', null, 'configuration file', false)`,
    [targetId, start, halfway(start, DAYS)],
  );
  await db.query("commit");
  return { targetId, first, start, end, days: DAYS, statements: STATEMENTS, tables: TABLES };
}

/** Where the first statement's plan flips and the settings change. */
function halfway(start: Date, days: number): Date {
  return new Date(start.getTime() + (days / 2) * DAY_MS);
}

/** The samples of one UTC day (within the store's range) in one transaction; returns the statement rows. */
async function fillDay(db: pg.Client, scale: Scale, tables: string[], dayStart: Date): Promise<number> {
  const day = partitionDay(dayStart);
  const dayEnd = new Date(dayStart.getTime() + DAY_MS);
  const from = new Date(Math.max(scale.start.getTime(), dayStart.getTime()));
  const to = new Date(Math.min(dayEnd.getTime(), scale.end.getTime() + 1));
  const part = (table: string) => sql`${ident("dbopt_store")}.${ident(`${table}_p${day}`)}`;
  const bounds = sql`for values from (${literal(dayStart.toISOString())}) to (${literal(dayEnd.toISOString())})`;
  const times =
    "generate_series($2::timestamptz, $3::timestamptz - interval '1 microsecond', interval '5 minutes') t";
  const slot = "(extract(epoch from t)::bigint / 300)";
  const n = "((extract(epoch from t) - extract(epoch from $4::timestamptz)) / 300)::bigint";
  await db.query("begin");
  for (const table of tables)
    await db.query(
      LOADED.has(table)
        ? sql`create table ${part(table)} (like ${ident("dbopt_store")}.${ident(table)})`
        : sql`create table ${part(table)} partition of ${ident("dbopt_store")}.${ident(table)} ${bounds}`,
    );
  await db.query(
    `insert into ${part("sample")} (target_id, taken_at, previous_taken_at, statements, statements_active, wait_probes,
                                   duration_ms, collector, dbopt_version)
     select $1, t, t - interval '5 minutes', $4, $4, 10, 800, 'bench', 'bench' from ${times}`,
    [scale.targetId, from, to, scale.statements],
  );
  // Statement k takes time in proportion to 1/k (a few heavy statements, a long tail), with a daily wave.
  const inserted = await db.query(
    `insert into ${part("statement_sample")}
     select $1, t, $4::bigint + k - 1, c, c * m, c * m * m * 1.3, c * 3, 0, c * 40, c % 7, 0, 0, 0, 0, 0, 0, false
       from ${times}
      cross join generate_series(1, $5) k
      cross join lateral (select (1 + (${slot} * 7 + k) % 5 + (1000 / k))::bigint as c,
                                 (0.2 + 2 * (1 + sin(${slot} / 288.0 * 6.28)) / (1 + k % 50))::float8 as m) v`,
    [scale.targetId, from, to, scale.first, scale.statements],
  );
  await db.query(
    `insert into ${part("plan_sample")} (target_id, taken_at, statement_id, plan_id, total_cost)
     select $1, t, p.statement_id, p.id, 1
       from ${times}
       join dbopt_store.plan p on (p.shape_hash like 'index-%') = (p.statement_id <> $4 or t < $5)`,
    [scale.targetId, from, to, scale.first, halfway(scale.start, scale.days)],
  );
  await db.query(
    `insert into ${part("table_sample")} (target_id, taken_at, relation_id, size_bytes, total_bytes, rows_estimate,
             frozen_xid_age, seq_scan, idx_scan, n_live_tup, n_dead_tup, n_tup_ins, n_tup_upd, n_tup_del)
     select $1, t, r.id, 8192 * (1000 + r.oid % 997 + n), 16384 * (1000 + r.oid % 997 + n), 100 * (1000 + n),
            (n * 97 + r.oid % 10000) % 200000000, n, n * 10, 100 * (1000 + n), (n * 13 + r.oid) % 50000, n * 100, n * 10, n
       from ${times}
       cross join lateral (select ${n} as n) s
       join dbopt_store.relation r on r.target_id = $1 and r.kind = 'table'`,
    [scale.targetId, from, to, scale.start],
  );
  await db.query(
    `insert into ${part("index_sample")} (target_id, taken_at, relation_id, size_bytes, is_valid, idx_scan, idx_tup_read, idx_tup_fetch)
     select $1, t, r.id, 8192 * (100 + r.oid % 97 + n / 10), true, n * 10, n * 10, n * 10
       from ${times}
       cross join lateral (select ${n} as n) s
       join dbopt_store.relation r on r.target_id = $1 and r.kind = 'index'`,
    [scale.targetId, from, to, scale.start],
  );
  // Database-wide counters and wait events, one row and a few rows per sample as the collector writes them.
  await db.query(
    `insert into ${part("database_sample")} (target_id, taken_at, size_bytes, numbackends, xact_commit, xact_rollback,
             blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, temp_files,
             temp_bytes, deadlocks, blk_read_ms, blk_write_ms, stats_reset, checkpoints_source, checkpoints_timed,
             checkpoints_requested, checkpoint_buffers_written, checkpoints_reset_at, wal_bytes, wal_records, wal_fpi,
             wal_reset_at)
     select $1, t, 1073741824 + n * 65536, 12, n * 3000, n * 3, n * 500, n * 90000, n * 400000, n * 20000, n * 900,
            n * 300, n * 20, n / 100, n * 4096, 0, n * 1.5, n * 0.2, $4, 'pg_stat_checkpointer', n / 60, n / 600,
            n * 800, $4, n * 2000000, n * 9000, n * 300, $4
       from ${times}
       cross join lateral (select ${n} as n) s`,
    [scale.targetId, from, to, scale.start],
  );
  await db.query(
    `insert into ${part("wait_sample")} (target_id, taken_at, state, wait_event_type, wait_event, queryid, sessions)
     select $1, t, w.state, w.type, w.event, w.queryid, 1 + (${slot} + w.queryid) % 4
       from ${times}
       cross join (values ('active', 'CPU', 'CPU', 1), ('active', 'CPU', 'CPU', 2), ('active', 'IO', 'DataFileRead', 1),
                          ('active', 'Lock', 'transactionid', 3), ('idle in transaction', 'Client', 'ClientRead', 0))
                  w (state, type, event, queryid)`,
    [scale.targetId, from, to],
  );
  // Attaching builds each partition's indexes (the parent's) over the loaded rows.
  for (const table of tables)
    if (LOADED.has(table))
      await db.query(
        sql`alter table ${ident("dbopt_store")}.${ident(table)} attach partition ${part(table)} ${bounds}`,
      );
  for (const rollup of rollupSamplesSql("s.target_id = $1 and s.taken_at >= $2 and s.taken_at < $3"))
    await db.query(rollup, [scale.targetId, from, to]);
  for (const top of rankTopSql("target_id = $1::bigint", "$2::timestamptz", "$3::timestamptz"))
    await db.query(top, [scale.targetId, from, to]);
  await db.query("commit");
  return inserted.rowCount ?? 0;
}

async function report(url: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const [{ targetId }] = (
    await db.query<{ targetId: string }>(`select min(id) as "targetId" from dbopt_store.target`)
  ).rows as [{ targetId: string }];

  const sizes = (
    await db.query<{ name: string; bytes: string; rows: string }>(
      `select p.relname as name, sum(pg_total_relation_size(c.oid))::bigint as bytes, sum(c.reltuples)::bigint as rows
         from pg_class p join pg_inherits i on i.inhparent = p.oid join pg_class c on c.oid = i.inhrelid
        where p.relnamespace = 'dbopt_store'::regnamespace and p.relkind = 'p' group by 1 order by 2 desc`,
    )
  ).rows;
  const [{ samples }] = (
    await db.query<{ samples: string }>(
      "select count(*) as samples from dbopt_store.sample where target_id = $1",
      [targetId],
    )
  ).rows as [{ samples: string }];
  const total = sizes.reduce((sum, s) => sum + Number(s.bytes), 0);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  log(
    `\nstore: ${Number(samples).toLocaleString("en-US")} samples, ${mb(total)} in sample tables and rollups`,
  );
  for (const s of sizes)
    log(
      `  ${s.name.padEnd(18)} ${mb(Number(s.bytes)).padStart(11)}  ${Number(s.rows).toLocaleString("en-US").padStart(12)} rows  ${(Number(s.bytes) / Number(samples) / 1024).toFixed(1).padStart(8)} kB/sample`,
    );
  log(
    `  per sample: ${(total / Number(samples) / 1024).toFixed(1)} kB (${STATEMENTS} statements, ${TABLES} tables and ${TABLES} indexes; ` +
      `${(total / Number(samples) / STATEMENTS).toFixed(0)} bytes per statement per sample, rollups and tables included)`,
  );
  await db.end();
}

/**
 * CPU time (ms) the store server has used so far: the postmaster and its finished children (cutime, cstime: the
 * parallel workers of a query end with it) and its running children. With the dashboard's own CPU it is the work
 * a page costs, which a loaded machine does not inflate the way it does the wall time.
 */
function serverCpuMs(dataDirectory: string): number {
  const ticks = (pid: string): number[] => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the command name in parentheses: state, ppid, ... utime is field 14, so index 11 here.
    return stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
  };
  const postmaster = readFileSync(join(dataDirectory, "postmaster.pid"), "utf8").split("\n")[0] as string;
  const own = ticks(postmaster);
  let total = (own[11] ?? 0) + (own[12] ?? 0) + (own[13] ?? 0) + (own[14] ?? 0);
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const t = ticks(pid);
      if (String(t[1]) === postmaster) total += (t[11] ?? 0) + (t[12] ?? 0);
    } catch {
      // Gone since the listing.
    }
  }
  // Linux's USER_HZ: /proc counts CPU time in hundredths of a second.
  return total * 10;
}

async function timePages(url: string, dataDirectory: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const [{ targetId, first, days, statements, tables }] = (
    await db.query<{ targetId: string; first: string; days: number; statements: number; tables: number }>(
      `select (select min(id) from dbopt_store.target) as "targetId", (select min(id) from dbopt_store.statement) as first,
              (select round(extract(epoch from max(taken_at) - min(taken_at)) / 86400)::int from dbopt_store.sample) as days,
              (select count(*)::int from dbopt_store.statement) as statements,
              (select count(*)::int from dbopt_store.relation where kind = 'table') as tables`,
    )
  ).rows as [{ targetId: string; first: string; days: number; statements: number; tables: number }];
  await db.end();
  const dashboard = await serveDashboard({ store: url, host: "127.0.0.1", port: 0 });
  try {
    const statement = Number(first);
    const pages: Array<[string, string]> = [
      ["databases", "/"],
      ["database, last 24h", `/database/${targetId}?last=24h`],
      ["database, last 7d", `/database/${targetId}?last=7d`],
      ["database, last 30d", `/database/${targetId}?last=30d`],
      ["statement, last 24h", `/statement/${statement}?last=24h`],
      ["statement, last 30d", `/statement/${statement}?last=30d`],
      ["plan diff", `/plan-diff?before=1&after=${PLANNED + 1}`],
      ["findings", `/database/${targetId}/findings`],
      ["growth, last 30d", `/database/${targetId}/growth?last=30d`],
      ["settings", `/database/${targetId}/settings`],
    ];
    log(
      `\npage times over HTTP, ${REQUESTS} requests each (${statements} statements, ${days} days of ${EVERY_MIN}-minute samples, ${tables} tables):`,
    );
    log(
      `  ${"page".padEnd(22)} ${"status".padStart(6)} ${"median".padStart(9)} ${"max".padStart(9)} ${"bytes".padStart(9)}   CPU per request, median: dbopt + store server`,
    );
    for (const [name, path] of pages) {
      const times: number[] = [];
      const ownCpu: number[] = [];
      const storeCpu: number[] = [];
      let status = 0;
      let bytes = 0;
      for (let i = 0; i < REQUESTS; i++) {
        const cpu = process.cpuUsage();
        const server = serverCpuMs(dataDirectory);
        const started = performance.now();
        const response = await fetch(new URL(path, dashboard.url));
        bytes = (await response.arrayBuffer()).byteLength;
        times.push(performance.now() - started);
        const used = process.cpuUsage(cpu);
        ownCpu.push((used.user + used.system) / 1000);
        storeCpu.push(serverCpuMs(dataDirectory) - server);
        status = response.status;
      }
      const median = (list: number[]) =>
        [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
      log(
        `  ${name.padEnd(22)} ${String(status).padStart(6)} ${`${median(times).toFixed(0)} ms`.padStart(9)} ${`${Math.max(...times).toFixed(0)} ms`.padStart(9)} ${bytes.toLocaleString("en-US").padStart(9)}   ${median(ownCpu).toFixed(0)} + ${median(storeCpu).toFixed(0)} ms`,
      );
    }
    log(
      `  (load average now: ${(await import("node:os"))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} on ${(await import("node:os")).cpus().length} cores)`,
    );
  } finally {
    await dashboard.close();
  }
}

/**
 * The database page's figures are sums over rollups and edge samples (read-dashboard.ts): each range's top ten
 * must equal the plain sum of their samples over the same range.
 */
async function checkSums(url: string): Promise<void> {
  const store = await StoreConnection.connect(url);
  try {
    const [{ id }] = (await store.query<{ id: string }>("select min(id) as id from dbopt_store.target")) as [
      { id: string },
    ];
    const target = await readTarget(store, Number(id));
    const results: string[] = [];
    for (const last of ["24h", "7d", "30d"]) {
      const range = parseRange(new URLSearchParams({ last }), target?.lastSample ?? null);
      const top = await readTopStatements(store, Number(id), range, 10);
      const plain = await store.query<{ statement_id: string; calls: string; total_ms: number }>(
        `select statement_id, sum(calls) as calls, sum(total_ms) as total_ms from dbopt_store.statement_sample
          where target_id = $1 and statement_id = any($2::bigint[]) and taken_at >= $3 and taken_at < $4
          group by 1`,
        [id, top.map((t) => t.id), range.from, range.to],
      );
      const byId = new Map(plain.map((p) => [Number(p.statement_id), p]));
      const off = top.filter((t) => {
        const p = byId.get(t.id);
        return (
          !p || Number(p.calls) !== t.calls || Math.abs(Number(p.total_ms) - t.totalMs) > 1e-6 * t.totalMs
        );
      });
      results.push(
        `${last}: ${off.length ? `${off.length} of ${top.length} differ` : `all ${top.length} exact`}`,
      );
      if (off.length) process.exitCode = 1;
    }
    log(`database page sums against the plain samples: ${results.join(", ")}`);
  } finally {
    await store.close();
  }
}
