/**
 * dbopt advise scaling on PostgreSQL 15, with the situations planted: a client that holds 40 idle connections, an
 * application that sets its search_path and LISTENs per session, and a read-mostly catalogue whose reads a replica
 * could serve, next to order reads that follow their own writes in the traces. The same idle connections read
 * back from a history store that `dbopt collect` filled; and a private PostgreSQL 15 logging every statement, where
 * a checkout client reads what it has just written and a catalogue browser reads the same tables without writing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScalingReport } from "../../src/pipeline/advise-scaling.js";
import { renderScalingHtml } from "../../src/reporters/scaling/scaling-html.js";
import { renderScalingTerminal } from "../../src/reporters/scaling/scaling-terminal.js";
import { PG15_BIN, type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.js";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

interface Finding {
  ruleId: string;
  severity: string;
  title: string;
  detail: string;
  evidence: Record<string, number | string | boolean | null>;
}

const SETUP = `
create extension if not exists pg_stat_statements;
create table products (id int primary key, category int not null, name text not null);
insert into products select g, g % 50, 'product ' || g from generate_series(1, 20000) g;
create table orders (id int primary key, customer int not null, status text not null);
insert into orders select g, g % 900, 'new' from generate_series(1, 5000) g;
analyze;`;

/** One OTLP/JSON trace per request: its database spans in order. */
function traceFile(requests: string[][]): string {
  let t = 1_700_000_000_000_000_000n;
  const spans = requests.flatMap((queries, r) =>
    queries.map((query, i) => {
      t += 1_000_000n;
      return {
        traceId: `trace${r}`.padEnd(32, "0"),
        spanId: `s${r}x${i}`.padEnd(16, "0"),
        name: "db",
        startTimeUnixNano: String(t),
        endTimeUnixNano: String(t + 500_000n),
        attributes: [
          { key: "db.system", value: { stringValue: "postgresql" } },
          { key: "db.statement", value: { stringValue: query } },
        ],
      };
    }),
  );
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "shop" } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
}

describe.each(server("pg15"))("dbopt advise scaling ($name)", (srv) => {
  let db: TestDatabase;
  const idle: pg.Client[] = [];
  let dir = "";
  let report: { findings: Finding[]; notes: string[]; activity: { samples: number } };

  beforeAll(async () => {
    db = await createTestDatabase(srv, SETUP);
    await runAsAdmin(
      db.url,
      "select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)",
    );
    const app = new pg.Client({ connectionString: db.url });
    await app.connect();
    await app.query("SET search_path = public");
    await app.query("LISTEN orders_changed");
    for (let i = 0; i < 300; i++) await app.query(`select * from products where category = ${i % 50}`);
    for (let i = 1; i <= 100; i++) {
      await app.query(`update orders set status = 'paid' where id = ${i}`);
      await app.query(`select * from orders where id = ${i}`);
    }
    await app.end();
    // The client that holds its connections open and idle.
    for (let i = 0; i < 40; i++) {
      const c = new pg.Client({ connectionString: db.url, application_name: "idle-holder" });
      await c.connect();
      idle.push(c);
    }
    dir = mkdtempSync(join(tmpdir(), "dbopt-scaling-"));
    const requests = [
      ...Array.from({ length: 25 }, (_, i) => [`select * from products where category = ${i}`]),
      ...Array.from({ length: 10 }, (_, i) => [
        `update orders set status = 'paid' where id = ${i + 1}`,
        `select * from orders where id = ${i + 1}`,
      ]),
    ];
    writeFileSync(join(dir, "traces.json"), traceFile(requests));
    const r = await runCli([
      "advise",
      "scaling",
      "--db",
      db.url,
      "--samples",
      "3",
      "--interval",
      "100ms",
      "--cpus",
      "2",
      "--traces",
      join(dir, "traces.json"),
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(idle.map((c) => c.end()));
    if (dir) rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  const finding = (id: string) => report.findings.find((f) => f.ruleId === id);

  it("sizes the pool from the cores and sees the idle connections a pooler would free", () => {
    const f = finding("architecture/pool-size");
    expect(report.activity.samples).toBe(3);
    expect(f?.severity).toBe("warning");
    expect(f?.evidence.maxConnections).toBeGreaterThanOrEqual(40);
    expect(f?.evidence.idleShare).toBeGreaterThan(0.5);
    expect(f?.evidence.poolSize).toBe(5);
    expect(f?.evidence.meanTransactionMs).not.toBeNull();
  });

  it("names the session state that transaction pooling would break", () => {
    const f = finding("architecture/pooler-mode");
    expect(f?.severity).toBe("warning");
    expect(f?.evidence).toMatchObject({ setCalls: 1, listenCalls: 1 });
    expect(f?.detail).toMatch(/LISTEN registers the server connection/);
  });

  it("finds the catalogue reads a replica could take, and keeps the order reads that follow their writes", () => {
    const f = finding("architecture/read-replicas");
    expect(f?.evidence.lagTolerantStatements).toBe(1);
    expect(f?.evidence.readsOwnWritesStatements).toBe(1);
    // The first run behind the judgement, by its trace span and the write's.
    expect(f?.detail).toMatch(
      /select \* from orders where id = \$1 \(10 of 10 runs: first at trace \w+ span \w+ \(.+\) after the write at trace \w+ span \w+ \(.+\)\)/,
    );
    expect(Number(f?.evidence.readShare)).toBeGreaterThan(0.3);
  });

  it("reads the connections dbopt collect stored instead of sampling now, and says over how many samples and days", async () => {
    const store = await createTestDatabase(srv);
    try {
      for (let i = 0; i < 3; i++) {
        const c = await runCli(["collect", "--db", db.url, "--store", store.url, "--once"]);
        expect(c.code).toBe(0);
      }
      const [row] = (
        await runAsAdmin(
          store.url,
          `select count(*)::int as n, max(idle)::int as idle, max(max_connections)::int as max_connections,
                  count(*) filter (where groups @> '[{"application": "idle-holder", "state": "idle"}]')::int as holders
             from dbopt_store.activity_sample`,
        )
      ).rows;
      expect(row).toMatchObject({ n: 3, holders: 3 });
      expect(row.idle).toBeGreaterThanOrEqual(40);
      const r = await runCli([
        "advise",
        "scaling",
        "--db",
        db.url,
        "--store",
        store.url,
        "--since",
        "1d",
        "--cpus",
        "2",
        "--format",
        "json",
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const stored = JSON.parse(r.stdout) as typeof report & {
        activitySource: { kind: string; days: number };
      };
      // Three samples taken across 00:00 UTC lie on two days.
      expect(stored.activitySource).toMatchObject({ kind: "store" });
      expect([1, 2]).toContain(stored.activitySource?.days);
      const f = stored.findings.find((x) => x.ruleId === "architecture/pool-size");
      expect(f?.evidence).toMatchObject({ samples: 3, samplesFrom: "store", poolSize: 5 });
      expect([1, 2]).toContain(f?.evidence.storedDays);
      expect(Number(f?.evidence.maxConnections)).toBeGreaterThanOrEqual(40);
      expect(f?.severity).toBe("warning");
      expect(f?.detail).toMatch(/3 samples dbopt collect stored over [12] days?/);
      expect(f?.detail).toMatch(/4\d idle from application "idle-holder"/);
    } finally {
      await store.drop();
    }
  }, 120_000);

  it("samples now when the store has nothing of the database, and says so", async () => {
    const store = await createTestDatabase(srv);
    try {
      // A store another database was collected into.
      const other = await createTestDatabase(srv, "create extension if not exists pg_stat_statements");
      try {
        expect((await runCli(["collect", "--db", other.url, "--store", store.url, "--once"])).code).toBe(0);
      } finally {
        await other.drop();
      }
      const r = await runCli([
        "advise",
        "scaling",
        "--db",
        db.url,
        "--store",
        store.url,
        "--samples",
        "2",
        "--interval",
        "50ms",
        "--format",
        "json",
      ]);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as typeof report & { activitySource: { kind: string } };
      expect(out.activitySource.kind).toBe("live");
      expect(out.activity.samples).toBe(2);
      expect(out.notes.join(" ")).toMatch(/No stored connection samples: the store has no samples of/);
    } finally {
      await store.drop();
    }
  }, 120_000);

  it("says what is wrong with a bad option in one line", async () => {
    const r = await runCli(["advise", "scaling", "--db", db.url, "--samples", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--samples/);
    const missing = await runCli(["advise", "scaling", "--db", db.url, "--traces", join(dir, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json/);
    const since = await runCli(["advise", "scaling", "--db", db.url, "--store", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr.trim().split("\n")).toHaveLength(1);
    expect(since.stderr).toMatch(/--since must be a period like 12h or 7d/);
    const log = await runCli(["advise", "scaling", "--db", db.url, "--log", join(dir, "nope.log")]);
    expect(log.code).toBe(2);
    expect(log.stderr).toMatch(/nope\.log/);
  });
});

interface LogReport {
  findings: Finding[];
  notes: string[];
  logsRead: { statements: number; sessions: number; shapes: number; matchedShapes: number } | null;
}

describe("dbopt advise scaling --log on a PostgreSQL 15 logging every statement", () => {
  let pgs: PrivatePostgres | null = null;
  let url = "";
  let report: LogReport;
  const log = () => join(pgs?.logDirectory ?? "", "postgresql.log");

  const waitForLog = async (path: string, text: string) => {
    for (let i = 0; i < 100 && !(existsSync(path) && readFileSync(path, "utf8").includes(text)); i++)
      await new Promise((r) => setTimeout(r, 100));
  };

  beforeAll(async () => {
    pgs = startPrivatePostgres(PG15_BIN, 54_900 + Math.floor(Math.random() * 90), {
      logging_collector: "on",
      log_destination: "stderr",
      log_filename: "postgresql.log",
      log_min_duration_statement: "0",
      log_line_prefix: "%m [%p] %q%u@%d ",
      shared_preload_libraries: "pg_stat_statements",
    });
    url = pgs.url;
    await runAsAdmin(
      url,
      `create extension pg_stat_statements;
       create table products (id int primary key, category int not null, name text not null);
       insert into products select g, g % 50, 'product ' || g from generate_series(1, 20000) g;
       create table orders (id int primary key, customer int not null, status text not null);
       create table carts (id int primary key, items int not null);
       insert into carts select g, 0 from generate_series(0, 4) g;`,
    );
    await runAsAdmin(url, "vacuum analyze");
    await runAsAdmin(url, "select pg_stat_statements_reset()");
    // The checkout reads the order it has just inserted (in its transaction) and the cart it has just updated
    // (right after the commit); the catalogue browser, another session, reads products and the same orders table
    // without writing anything. Both run at once, so their statements interleave in the log.
    const checkout = async () => {
      const c = new pg.Client({ connectionString: url, application_name: "checkout" });
      await c.connect();
      for (let id = 1; id <= 25; id++) {
        await c.query("BEGIN");
        await c.query("insert into orders (id, customer, status) values ($1, $2, 'new')", [id, id % 7]);
        await c.query("select * from orders where id = $1", [id]);
        await c.query("COMMIT");
        await c.query("update carts set items = items + 1 where id = $1", [id % 5]);
        await c.query("select items from carts where id = $1", [id % 5]);
      }
      await c.end();
    };
    const browser = async () => {
      const c = new pg.Client({ connectionString: url, application_name: "browser" });
      await c.connect();
      for (let i = 0; i < 30; i++) {
        await c.query("select * from products where category = $1", [i % 50]);
        await c.query("select count(*) from orders where customer = $1", [i % 7]);
      }
      await c.end();
    };
    await Promise.all([checkout(), browser()]);
    await waitForLog(log(), "from orders where customer");
    const r = await runCli([
      "advise",
      "scaling",
      "--db",
      url,
      "--samples",
      "1",
      "--log",
      log(),
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
  }, 120_000);

  afterAll(() => pgs?.remove());

  it("keeps the reads that follow their own session's writes on the primary, and offloads the others", () => {
    const f = report.findings.find((x) => x.ruleId === "architecture/read-replicas");
    expect(f?.evidence).toMatchObject({ readsOwnWritesStatements: 2, lagTolerantStatements: 2 });
    expect(f?.detail).toMatch(/read their own writes in the logs/);
    expect(f?.detail).toMatch(
      /select \* from orders where id = \$1 \(25 of 25 runs: 25 in the writing transaction; first at \S+postgresql\.log:\d+ after the write at \S+postgresql\.log:\d+\)/,
    );
    expect(f?.detail).toMatch(
      /select items from carts where id = \$1 \(25 of 25 runs: 25 soon after its commit; first at \S+postgresql\.log:\d+ after the write at \S+postgresql\.log:\d+\)/,
    );
    expect(f?.detail).toMatch(/never reading their own writes in the logs/);
    expect(report.logsRead?.sessions).toBeGreaterThanOrEqual(2);
    // Every read shape of the log is a pg_stat_statements entry of the database (the four, and the reset call).
    expect(report.logsRead?.matchedShapes).toBe(report.logsRead?.shapes);
    expect(report.logsRead?.matchedShapes).toBeGreaterThanOrEqual(4);
    expect(report.notes.join(" ")).not.toMatch(/neither a session id/);
  });

  it("names the log lines behind each read-your-own-writes judgement, in JSON, the terminal and the HTML report", () => {
    const full = report as unknown as ScalingReport;
    const reads = full.ownWriteReads ?? [];
    expect(reads.map((r) => [r.query, r.after, r.seen, r.examples.length])).toEqual(
      expect.arrayContaining([
        ["select * from orders where id = $1", 25, 25, 3],
        ["select items from carts where id = $1", 25, 25, 3],
      ]),
    );
    // Each line named is the read or the write, as the server logged it.
    const lines = readFileSync(log(), "utf8").split("\n");
    const at = (source: unknown) => {
      const s = source as { kind: string; file: string; line: number | null };
      expect(s).toMatchObject({ kind: "log", file: log() });
      return lines[(s.line ?? 0) - 1] ?? "";
    };
    for (const e of reads.find((r) => r.query.startsWith("select * from orders"))?.examples ?? []) {
      expect(at(e.read)).toMatch(
        /statement: select \* from orders where id = \$1|execute .*: select \* from orders/,
      );
      expect(at(e.write)).toMatch(/insert into orders/);
    }
    for (const e of reads.find((r) => r.query.startsWith("select items"))?.examples ?? []) {
      expect(at(e.read)).toMatch(/select items from carts/);
      expect(at(e.write)).toMatch(/update carts set items/);
    }
    const first = reads[0]?.examples[0];
    if (!first) throw new Error("no read-your-own-writes example to show");
    const where = `${log()}:${(first.read as { line: number }).line} after the write at ${log()}:${(first.write as { line: number }).line}`;
    expect(renderScalingTerminal(full, { colour: false })).toContain(where);
    const page = renderScalingHtml(full);
    expect(page).toContain('<h2 id="own-writes">Reads of their own writes (kept on the primary)</h2>');
    expect(page).toContain(`<li><code>${where}</code></li>`);
  });

  it("says when the log's prefix has neither a session nor a process id, and what to set", async () => {
    // A second private server: its log_line_prefix is a command-line setting, which ALTER SYSTEM cannot change.
    const bare = startPrivatePostgres(PG15_BIN, 54_800 + Math.floor(Math.random() * 90), {
      logging_collector: "on",
      log_destination: "stderr",
      log_filename: "no-pid.log",
      log_min_duration_statement: "0",
      log_line_prefix: "%m ",
    });
    try {
      await runAsAdmin(bare.url, "create table products (id int primary key, category int not null)");
      const c = new pg.Client({ connectionString: bare.url });
      await c.connect();
      for (let i = 0; i < 3; i++) await c.query("select * from products where category = $1", [i]);
      await c.end();
      const path = join(bare.logDirectory, "no-pid.log");
      await waitForLog(path, "products where category");
      const r = await runCli([
        "advise",
        "scaling",
        "--db",
        bare.url,
        "--samples",
        "1",
        "--log",
        path,
        "--format",
        "json",
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as LogReport;
      expect(out.notes.join(" ")).toMatch(
        /neither a session id \(%c\) nor a process id \(%p\).*log_line_prefix = '%m \[%p\] %q%u@%d '/,
      );
    } finally {
      bare.remove();
    }
  }, 60_000);
});
