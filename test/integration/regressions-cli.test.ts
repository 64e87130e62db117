/**
 * `dbopt regressions` on a store filled by real samples of the local PostgreSQL 15: a lookup that loses its index
 * between the baseline and the recent window is named with its plan change and the dropped index, and
 * --fail-on warning exits 1; a database whose workload did not change, and one whose statement only jitters,
 * report nothing and exit 0.
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSamples } from "../../src/pipeline/collect-samples.js";
import type { RegressionsReport } from "../../src/pipeline/find-regressions.js";
import { runCli } from "../support/run-cli.js";
import {
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  server,
  type TestDatabase,
} from "../support/servers.js";

// 100 rows per kind among 100,000: the index makes a lookup ~100× cheaper than reading the table.
const SETUP = `
create extension if not exists pg_stat_statements;
create table events (id int primary key, kind int not null, payload text not null);
insert into events select g, g % 1000, repeat('x', 40) from generate_series(1, 100000) g;
create index events_kind on events (kind);
analyze events;
`;
const LOOKUP = "select count(*) from events where kind = $1";
const JITTER = "select pg_sleep($1::float8)";
const SCAN = "select count(*) from events where payload = $1";
const ROUNDS = 3;
const CALLS = 100;
/**
 * Calls per round of the steady and the jittering statements, which must not be called slower: a window's time must
 * grow by 100 ms (and 1.5×) to be a regression, so the fewer their calls the more per call the other test file
 * running beside this one must add to one window only (0.83 ms each at 40, 0.33 ms at 100), while 120 calls a
 * window are still four times the 30 a verdict needs.
 */
const QUIET_CALLS = 40;

async function run(
  url: string,
  work: (client: pg.Client, i: number) => Promise<unknown> | null,
  calls = CALLS,
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < calls; i++) await work(client, i);
  } finally {
    await client.end();
  }
}

describe.each(server("pg15"))("dbopt regressions on $name", (srv) => {
  let store: TestDatabase;
  let changed: TestDatabase;
  let steady: TestDatabase;
  let noisy: TestDatabase;
  let grown: TestDatabase;
  let recentFrom: string;

  const sample = () =>
    collectSamples({
      targets: [changed, steady, noisy, grown].map((d) => resolveTarget({ db: d.url })),
      store: store.url,
      everyMs: 60_000,
      once: true,
    });
  const workload = async () => {
    await run(changed.url, (c, i) => c.query(LOOKUP, [i % 1000]));
    await run(steady.url, (c, i) => c.query(LOOKUP, [i % 1000]), QUIET_CALLS);
    // The same statement taking 0 to 10 ms at random, in both windows: a loaded machine's late wake-ups from the
    // sleep (a few ms) stay well under the 1.5× a regression needs.
    await run(noisy.url, (c) => c.query(JITTER, [Math.random() * 0.01]), QUIET_CALLS);
    // A scan of the whole table, which gets slower as the table grows.
    await run(grown.url, (c, i) => (i % 2 ? c.query(SCAN, [`y${i}`]) : null));
  };
  const regressions = (db: TestDatabase, ...extra: string[]) =>
    runCli([
      "regressions",
      "--store",
      store.url,
      "--db",
      db.url,
      "--since",
      recentFrom,
      "--baseline",
      "1h",
      "--format",
      "json",
      ...extra,
    ]);

  beforeAll(async () => {
    [store, changed, steady, noisy, grown] = await Promise.all([
      createTestDatabase(srv),
      createTestDatabase(srv, SETUP),
      createTestDatabase(srv, SETUP),
      createTestDatabase(srv, SETUP),
      createTestDatabase(srv, SETUP),
    ]);
    for (const d of [changed, steady, noisy, grown]) await runAsAdmin(d.url, RESET_THIS_DATABASE_STATEMENTS);
    await sample();
    for (let r = 0; r < ROUNDS; r++) {
      await workload();
      await sample();
    }
    // The store's times are the server's clock: take the boundary from it.
    const [now] = (await runAsAdmin(store.url, "select now() as now")).rows as { now: Date }[];
    recentFrom = (now as { now: Date }).now.toISOString();
    await runAsAdmin(changed.url, "drop index events_kind");
    await runAsAdmin(
      grown.url,
      "insert into events select g, g % 1000, repeat('x', 40) from generate_series(100001, 400000) g; analyze events",
    );
    for (let r = 0; r < ROUNDS; r++) {
      await workload();
      await sample();
    }
  }, 240_000);
  afterAll(async () => {
    await Promise.all([store, changed, steady, noisy, grown].map((d) => d?.drop()));
  });

  it("names the slower statement, its plan change and the dropped index, and --fail-on warning exits 1", async () => {
    const result = await regressions(changed, "--fail-on", "warning");
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as RegressionsReport & { kind: string };
    expect(report.kind).toBe("regressions");
    const [target] = report.targets;
    expect(target?.baseline.samples).toBe(ROUNDS);
    expect(target?.recent.samples).toBe(ROUNDS);
    const [finding] = target?.findings ?? [];
    expect(finding?.query).toBe(LOOKUP);
    expect(finding?.section).toBe("time");
    expect(finding?.evidence.cause).toBe("index-dropped");
    expect(finding?.evidence.causes).toBe("index-dropped, plan-changed");
    expect(finding?.evidence.droppedIndex).toBe("public.events_kind");
    expect(String(finding?.evidence.planBefore)).toMatch(/using events_kind/);
    expect(String(finding?.evidence.planAfter)).toMatch(/Seq Scan on (public\.)?events/);
    expect(String(finding?.evidence.divergesAt)).toMatch(/events/);
    expect(finding?.evidence.callsBefore).toBe(ROUNDS * CALLS);
    expect(Number(finding?.evidence.slowerBy)).toBeGreaterThan(1.5);
    expect(finding?.timeMs).toBeGreaterThan(100);
    expect(finding?.title).toMatch(/index public\.events_kind dropped, plan changed/);
    expect(finding?.detail).toMatch(/Welch's t = /);
    // No other statement of the workload is called a regression.
    expect(target?.findings.map((f) => f.query)).toEqual([LOOKUP]);
  });

  it("names new statistics and the table's growth as the causes of a scan that got slower", async () => {
    const result = await regressions(grown);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as RegressionsReport;
    const finding = report.targets[0]?.findings.find((f) => f.query === SCAN);
    expect(String(finding?.evidence.causes)).toMatch(/statistics-analyzed/);
    expect(String(finding?.evidence.causes)).toMatch(/table-grew/);
    expect(finding?.evidence.rowsAfter).toBeGreaterThan(3 * Number(finding?.evidence.rowsBefore));
    expect(finding?.detail).toMatch(/public\.events grew from [\d,]+ to [\d,]+ rows/);
  });

  it("reports nothing for a database whose workload did not change, and exits 0", async () => {
    const result = await regressions(steady, "--fail-on", "warning");
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as RegressionsReport;
    expect(report.targets).toHaveLength(1);
    expect(report.targets[0]?.compared).toBeGreaterThan(0);
    expect(report.targets[0]?.findings).toEqual([]);
  });

  it("does not cry wolf on a statement whose time only jitters", async () => {
    const result = await regressions(noisy, "--fail-on", "warning");
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as RegressionsReport;
    expect(report.targets[0]?.findings).toEqual([]);
  });

  it("prints the regression with its cause in the terminal and Markdown reports", async () => {
    const terminal = await runCli([
      "regressions",
      "--store",
      store.url,
      "--since",
      recentFrom,
      "--baseline",
      "1h",
    ]);
    expect(terminal.code, terminal.stderr).toBe(0);
    expect(terminal.stdout).toMatch(/index public\.events_kind dropped/);
    expect(terminal.stdout).toMatch(/No regressions/);
    const markdown = await regressions(changed, "--format", "markdown");
    expect(markdown.stdout).toMatch(/^# dbopt regressions/);
    expect(markdown.stdout).toMatch(/\| warning \||\| error \|/);
  });

  it("says in one line when the store does not know the database, or the window is not a period", async () => {
    const unknown = await runCli(["regressions", "--store", store.url, "--target", "no_such_db"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/has no samples of no_such_db/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    // No --store and no embedded store yet: said, without initialising an empty one.
    const home = join(tmpdir(), `dbopt-no-store-${process.pid}`);
    const none = await runCli(["regressions"], { env: { DBOPT_HOME: home } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no history store in .* yet/);
    expect(existsSync(home)).toBe(false);
    const bad = await runCli(["regressions", "--store", store.url, "--since", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since must be a period/);
  });
});
