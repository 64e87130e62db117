/**
 * The collector's own load on the database it samples (issue #12: at most 1% of one core and 1 s of queries per
 * sample, on a database with 5,000 statements in pg_stat_statements and 2,000 tables), and the store's size per
 * sample. Two private PostgreSQL 18 servers: the target, and the store, so the target's CPU is the collector's.
 * The target's CPU is read from /proc (the postmaster's own and reaped children's time, plus live backends).
 *
 *   npx tsx bench/collector-load.ts [samples=3]
 */
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import {
  type EmbeddedServer,
  startEmbeddedServer,
  UNSAFE_FAST_SETTINGS,
} from "../src/connectors/embedded/embedded-server.js";
import { resolveTarget } from "../src/connectors/postgres/target.js";
import { collectSamples } from "../src/pipeline/collect-samples.js";

const TABLES = 2_000;
const SAMPLES = Number(process.argv[2] ?? 3);
const CLOCK_TICKS = 100;

/** CPU seconds used so far by a server: the postmaster, the children it reaped, and the children alive now. */
function serverCpuSeconds(postmasterPid: number): number {
  const fields = (pid: number) => {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  };
  // Fields after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  const own = fields(postmasterPid);
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = fields(Number(entry));
      if (Number(f[1]) === postmasterPid) ticks += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return ticks / CLOCK_TICKS;
}

function postmasterPid(server: EmbeddedServer): number {
  const line = readFileSync(`${server.directory}/data/postmaster.pid`, "utf8").split("\n")[0];
  return Number(line);
}

const settings = {
  ...UNSAFE_FAST_SETTINGS,
  "pg_stat_statements.max": "10000",
  max_locks_per_transaction: "256",
};
const target = await startEmbeddedServer({ settings });
const storeServer = await startEmbeddedServer({ settings: UNSAFE_FAST_SETTINGS });
try {
  const admin = new pg.Client({ connectionString: target.url });
  await admin.connect();
  await admin.query("create database bench");
  await admin.end();
  const db = new pg.Client({ connectionString: target.urlFor("bench") });
  await db.connect();
  await db.query("create extension pg_stat_statements");
  process.stderr.write(`creating ${TABLES} tables with an index each…\n`);
  for (let start = 1; start <= TABLES; start += 200) {
    const ddl: string[] = [];
    for (let i = start; i < start + 200 && i <= TABLES; i++)
      ddl.push(
        `create table t${i} (id int primary key, v int, note text); insert into t${i} select g, g % 7, 'n' from generate_series(1, 20) g;`,
      );
    await db.query(ddl.join("\n"));
  }
  await db.query("analyze");
  const workload = async (round: number) => {
    // Three statements per table: 6,000 entries in pg_stat_statements.
    for (let i = 1; i <= TABLES; i++) {
      await db.query(`select v from t${i} where id = $1`, [1 + (round % 20)]);
      await db.query(`select count(*) from t${i} where v > $1`, [round % 7]);
      await db.query(`update t${i} set note = $1 where id = $2`, [`r${round}`, 1 + (round % 20)]);
    }
  };
  process.stderr.write("running the workload once…\n");
  await workload(0);
  const [counted] = (
    await db.query(
      "select count(*)::int as n from pg_stat_statements where dbid = (select oid from pg_database where datname = 'bench')",
    )
  ).rows as Array<{ n: number }>;

  const storeAdmin = new pg.Client({ connectionString: storeServer.url });
  await storeAdmin.connect();
  await storeAdmin.query("create database store");
  const storeUrl = storeServer.urlFor("store");
  const storeSize = async () => {
    const c = new pg.Client({ connectionString: storeUrl });
    await c.connect();
    const [row] = (
      await c.query(
        `select coalesce(sum(pg_total_relation_size(c.oid)), 0)::int8 as bytes from pg_class c
          where c.relnamespace = 'dbopt_store'::regnamespace and c.relkind in ('r', 'p')`,
      )
    ).rows as Array<{ bytes: number }>;
    await c.end();
    return Number(row?.bytes ?? 0);
  };
  const pid = postmasterPid(target);
  console.log(
    `target: PostgreSQL ${target.version}, ${TABLES} tables, ${counted?.n} statements in pg_stat_statements`,
  );
  console.log("sample  statements  ran  plans  queries-ms  target-cpu-s  cpu-%-of-core@5min  store-growth");
  let before = 0;
  for (let i = 1; i <= SAMPLES; i++) {
    if (i > 1) await workload(i);
    const cpu0 = serverCpuSeconds(pid);
    const run = await collectSamples({
      targets: [resolveTarget({ db: target.urlFor("bench") })],
      store: storeUrl,
      everyMs: 300_000,
      once: true,
    });
    const cpu = serverCpuSeconds(pid) - cpu0;
    const s = run.samples[0];
    if (!s || s.gap) throw new Error(`sample ${i} failed: ${s?.gap}`);
    const size = await storeSize();
    console.log(
      [
        String(i).padStart(6),
        String(s.statements).padStart(10),
        String(s.first ? "-" : s.active).padStart(4),
        String(s.plans).padStart(6),
        String(Math.round(s.targetMs)).padStart(10),
        cpu.toFixed(2).padStart(12),
        `${((cpu / 300) * 100).toFixed(2)}%`.padStart(19),
        `${((size - before) / 1024).toFixed(0)} kB`.padStart(13),
      ].join("  "),
    );
    before = size;
  }
  await storeAdmin.end();
  await db.end();
  console.log(`load average: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
} finally {
  await target.stop();
  await storeServer.stop();
}
