/**
 * Dashboard page times on a large store (issue #12: a page answers in at most 300 ms with 30 days of 5-minute
 * samples for 5,000 statements), and the store's size per sample.
 *
 * A private PostgreSQL 18 store is filled in SQL (generate_series, one statement per day of samples, not one round
 * trip per sample): samples every 5 minutes, a delta for every statement in every sample (the worst case: 43 million
 * statement rows at full scale), plans of the top statements (one of them changing plan half-way), tables and
 * indexes, settings changes. The rollups are filled by the same SQL the migration runs (rollup-sql.ts). Then
 * `dbopt serve` runs on it and each page is fetched over HTTP several times: median and max.
 *
 *   npx tsx bench/dashboard-pages.ts [statements=5000] [days=30] [tables=200] [requests=7]
 *
 * When the machine is too slow to fill full scale, run fewer statements or days: the script prints the scale it
 * used, and the rows a page reads at full scale (what its time depends on) next to the rows it read here.
 */
import pg from "pg";
import { startEmbeddedServer, UNSAFE_FAST_SETTINGS } from "../src/connectors/embedded/embedded-server.js";
import { serveDashboard } from "../src/pipeline/serve-dashboard.js";
import { rankTopSql, rollupSamplesSql } from "../src/store/rollup-sql.js";
import { StoreConnection } from "../src/store/store-connection.js";
import { migrateStore } from "../src/store/store-migrations.js";
import { PartitionKeeper } from "../src/store/store-partitions.js";

const STATEMENTS = Number(process.argv[2] ?? 5_000);
const DAYS = Number(process.argv[3] ?? 30);
const TABLES = Number(process.argv[4] ?? 200);
const REQUESTS = Number(process.argv[5] ?? 7);
const EVERY_MIN = 5;
const PLANNED = 20;
const DAY_MS = 86_400_000;

const seconds = (started: number) => ((performance.now() - started) / 1000).toFixed(1);
const log = (line: string) => console.log(line);

// DBOPT_BENCH_STORE=DIR keeps the filled store in DIR between runs (filled once), to time pages again or profile.
const kept = process.env.DBOPT_BENCH_STORE;
const server = await startEmbeddedServer({
  settings: { ...UNSAFE_FAST_SETTINGS, max_wal_size: "4GB", maintenance_work_mem: "256MB", work_mem: "64MB" },
  ...(kept ? { dataDirectory: kept } : {}),
});
try {
  const reused = kept ? await alreadyFilled(server.url) : false;
  if (!reused) await fill(server.url);
  // A store filled by an older dbopt is upgraded as collect would (serve only reads).
  else await upgrade(server.url);
  await report(server.url);
  await timePages(server.url);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await server.stop();
}

async function alreadyFilled(url: string): Promise<boolean> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query("select to_regclass('dbopt_store.sample') is not null as found");
    return Boolean(rows[0]?.found);
  } finally {
    await db.end();
  }
}

async function upgrade(url: string): Promise<void> {
  const store = await StoreConnection.connect(url);
  try {
    const started = performance.now();
    const { from, to } = await migrateStore(store);
    if (from !== to) log(`store upgraded from schema ${from} to ${to} in ${seconds(started)} s`);
  } finally {
    await store.close();
  }
}

async function fill(url: string): Promise<void> {
  const store = await StoreConnection.connect(url);
  await migrateStore(store);
  const db = new pg.Client({ connectionString: url });
  db.on("error", () => {});
  await db.connect();
  await db.query("set statement_timeout = 0");
  // The newest sample is the start of the current 5-minute slot; the oldest DAYS earlier.
  const end = new Date(Math.floor(Date.now() / (EVERY_MIN * 60_000)) * EVERY_MIN * 60_000);
  const start = new Date(end.getTime() - DAYS * DAY_MS + EVERY_MIN * 60_000);
  const keeper = new PartitionKeeper(store);
  for (let t = start.getTime(); t <= end.getTime() + DAY_MS; t += DAY_MS) await keeper.ensure(new Date(t));

  const filled = performance.now();
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
    [targetId, start, new Date(start.getTime() + (DAYS / 2) * DAY_MS)],
  );

  const statementRows = { n: 0 };
  for (let day = 0; day < DAYS; day++) {
    const from = new Date(start.getTime() + day * DAY_MS);
    const to = new Date(Math.min(from.getTime() + DAY_MS, end.getTime() + 1));
    const slot = "(extract(epoch from t)::bigint / 300)";
    await db.query("begin");
    await db.query(
      `insert into dbopt_store.sample (target_id, taken_at, previous_taken_at, statements, statements_active, wait_probes,
                                      duration_ms, collector, dbopt_version)
       select $1, t, t - interval '5 minutes', $4, $4, 10, 800, 'bench', 'bench'
         from generate_series($2::timestamptz, $3::timestamptz - interval '1 microsecond', interval '5 minutes') t`,
      [targetId, from, to, STATEMENTS],
    );
    // Statement k takes time in proportion to 1/k (a few heavy statements, a long tail), with a daily wave.
    const inserted = await db.query(
      `insert into dbopt_store.statement_sample
       select $1, t, $4::bigint + k - 1, c, c * m, c * m * m * 1.3, c * 3, 0, c * 40, c % 7, 0, 0, 0, 0, 0, 0, false
         from generate_series($2::timestamptz, $3::timestamptz - interval '1 microsecond', interval '5 minutes') t
        cross join generate_series(1, $5) k
        cross join lateral (select (1 + (${slot} * 7 + k) % 5 + (1000 / k))::bigint as c,
                                   (0.2 + 2 * (1 + sin(${slot} / 288.0 * 6.28)) / (1 + k % 50))::float8 as m) v`,
      [targetId, from, to, first, STATEMENTS],
    );
    statementRows.n += inserted.rowCount ?? 0;
    await db.query(
      `insert into dbopt_store.plan_sample (target_id, taken_at, statement_id, plan_id, total_cost)
       select $1, t, p.statement_id, p.id, 1
         from generate_series($2::timestamptz, $3::timestamptz - interval '1 microsecond', interval '5 minutes') t
         join dbopt_store.plan p on (p.shape_hash like 'index-%') = (p.statement_id <> $4 or t < $5)`,
      [targetId, from, to, first, new Date(start.getTime() + (DAYS / 2) * DAY_MS)],
    );
    await db.query(
      `insert into dbopt_store.table_sample (target_id, taken_at, relation_id, size_bytes, total_bytes, rows_estimate,
               frozen_xid_age, seq_scan, idx_scan, n_live_tup, n_dead_tup, n_tup_ins, n_tup_upd, n_tup_del)
       select $1, t, r.id, 8192 * (1000 + r.oid % 997 + n), 16384 * (1000 + r.oid % 997 + n), 100 * (1000 + n),
              (n * 97 + r.oid % 10000) % 200000000, n, n * 10, 100 * (1000 + n), (n * 13 + r.oid) % 50000, n * 100, n * 10, n
         from generate_series($2::timestamptz, $3::timestamptz - interval '1 microsecond', interval '5 minutes') t
         cross join lateral (select ((extract(epoch from t) - extract(epoch from $4::timestamptz)) / 300)::bigint as n) s
         join dbopt_store.relation r on r.target_id = $1 and r.kind = 'table'`,
      [targetId, from, to, start],
    );
    await db.query(
      `insert into dbopt_store.index_sample (target_id, taken_at, relation_id, size_bytes, is_valid, idx_scan, idx_tup_read, idx_tup_fetch)
       select $1, t, r.id, 8192 * (100 + r.oid % 97 + n / 10), true, n * 10, n * 10, n * 10
         from generate_series($2::timestamptz, $3::timestamptz - interval '1 microsecond', interval '5 minutes') t
         cross join lateral (select ((extract(epoch from t) - extract(epoch from $4::timestamptz)) / 300)::bigint as n) s
         join dbopt_store.relation r on r.target_id = $1 and r.kind = 'index'`,
      [targetId, from, to, start],
    );
    for (const rollup of rollupSamplesSql("s.target_id = $1 and s.taken_at >= $2 and s.taken_at < $3"))
      await db.query(rollup, [targetId, from, to]);
    for (const top of rankTopSql("target_id = $1::bigint", "$2::timestamptz", "$3::timestamptz"))
      await db.query(top, [targetId, from, to]);
    await db.query("commit");
    log(
      `day ${day + 1}/${DAYS} filled (${statementRows.n.toLocaleString("en-US")} statement rows, ${seconds(filled)} s)`,
    );
  }
  await db.query("vacuum analyze");
  log(`filled in ${seconds(filled)} s`);
  await db.end();
  await store.close();
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
        where p.relnamespace = 'dbopt_store'::regnamespace group by 1 order by 2 desc`,
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

async function timePages(url: string): Promise<void> {
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
      `  ${"page".padEnd(22)} ${"status".padStart(6)} ${"median".padStart(9)} ${"max".padStart(9)} ${"bytes".padStart(9)}`,
    );
    for (const [name, path] of pages) {
      const times: number[] = [];
      let status = 0;
      let bytes = 0;
      for (let i = 0; i < REQUESTS; i++) {
        const started = performance.now();
        const response = await fetch(new URL(path, dashboard.url));
        bytes = (await response.arrayBuffer()).byteLength;
        times.push(performance.now() - started);
        status = response.status;
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] as number;
      log(
        `  ${name.padEnd(22)} ${String(status).padStart(6)} ${`${median.toFixed(0)} ms`.padStart(9)} ${`${(times.at(-1) as number).toFixed(0)} ms`.padStart(9)} ${bytes.toLocaleString("en-US").padStart(9)}`,
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
