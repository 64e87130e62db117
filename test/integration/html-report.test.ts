/**
 * dbopt's HTML reports in a real browser: the built CLI writes `--format html` files for a check of a live
 * database (PostgreSQL 15, names holding markup, quotes and ampersands), the regressions of a store filled by real
 * samples (an index dropped between the windows) and the diff of two snapshots around such a drop, a captured
 * plan, a plan comparison (both plans drawn), a PostgreSQL 18 log, OpenTelemetry traces, a migration linted and
 * traced (PostgreSQL, and MySQL's lint and trace on MariaDB 10.11); Debian's chromium opens each one headless through puppeteer-core with every request intercepted, so the
 * test fails if the page asks for anything but the file itself. It checks what each page shows against the same
 * command's JSON (finding titles, the plan picture's nodes, the fix SQL, the charts' bars) and saves screenshots.
 * Without chromium the suite fails in CI and is skipped elsewhere with a line naming it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSamples } from "../../src/pipeline/collect-samples.js";
import { FIXTURES } from "../support/fixtures.js";
import { createMariadbDatabase, mariadbAvailable } from "../support/mariadb.js";
import { BIN, runCli } from "../support/run-cli.js";
import {
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  server,
  type TestDatabase,
} from "../support/servers.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p)) ?? null;
if (!CHROMIUM) {
  if (process.env.CI === "true") throw new Error("chromium is required in CI (apt-get install -y chromium)");
  console.warn(
    "skipping the HTML report browser tests: no chromium at /usr/bin/chromium (apt-get install -y chromium)",
  );
}

const mariadbUp = await mariadbAvailable();

const SCRIPT = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p)) ?? null;

/** A table name a page must show as text: markup, both quotes, an ampersand. */
const AWKWARD = `Order <script>alert("x")</script> & 'co'`;
const quoted = `"${AWKWARD.replaceAll('"', '""')}"`;
const SETUP = `
create table customer (id int primary key, name text);
create table ${quoted} (id int, customer_id int references customer (id), total numeric);
create index "dup a" on ${quoted} (total);
create index "dup b" on ${quoted} (total);
insert into customer select g, 'c' || g from generate_series(1, 200) g;
insert into ${quoted} select g, 1 + g % 200, g from generate_series(1, 2000) g;
analyze;
`;

interface Finding {
  ruleId: string;
  title: string;
  fix?: { sql?: string };
}

describe.skipIf(!CHROMIUM)("HTML reports in chromium", () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), "dbopt-html-report-"));

  beforeAll(async () => {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM as string,
      headless: true,
      // Root in a container has no user namespaces for chromium's sandbox.
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    console.log(`HTML report files and screenshots in ${dir}`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Write the report with `args --format html -o FILE` and the same report as JSON; both must succeed. */
  async function writeBoth(name: string, args: string[], okCodes = [0]) {
    const file = join(dir, `${name}.html`);
    const written = await runCli([...args, "--format", "html", "-o", file]);
    expect(written.stderr).toBe("");
    expect(okCodes, written.stderr).toContain(written.code);
    expect(written.stdout).toBe("");
    const json = await runCli([...args, "--format", "json"]);
    expect(okCodes, json.stderr).toContain(json.code);
    return { file, json: JSON.parse(json.stdout) as Record<string, unknown> };
  }

  /** Open the file with every request intercepted: anything but the file itself is refused and recorded. */
  async function open(file: string): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const url = pathToFileURL(file).href;
    const foreign: string[] = [];
    const errors: string[] = [];
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      if (request.url() === url) void request.continue();
      else {
        foreign.push(request.url());
        void request.abort();
      }
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    const response = await page.goto(url, { waitUntil: "load" });
    expect(response?.ok()).toBe(true);
    return { page, foreign, errors };
  }

  const texts = (page: Page, selector: string) =>
    page.$$eval(selector, (nodes) => nodes.map((n) => (n.textContent ?? "").trim()));

  async function finish(page: Page, name: string, foreign: string[], errors: string[]) {
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    // No script runs in a report: none is written, and none can come from the report's text.
    expect(await page.$$eval("script", (s) => s.length)).toBe(0);
    await page.close();
  }

  describe.each(server("pg15"))("dbopt check on $name", (srv) => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(srv, SETUP);
    }, 60_000);
    afterAll(async () => {
      await db?.drop();
    });

    it("shows its findings with their fix SQL, and the awkward table name as text", async () => {
      const { file, json } = await writeBoth("check", ["check", "--db", db.url]);
      const findings = json.findings as Finding[];
      expect(findings.length).toBeGreaterThan(2);
      const { page, foreign, errors } = await open(file);
      expect(await page.$eval("h1", (h) => h.textContent)).toBe("dbopt check");
      expect(await page.$eval("#meta", (m) => m.textContent)).toContain(db.name);
      // Two runs on a shared server: its own findings (checkpoints, settings) may change between them; those
      // about this database's tables may not.
      const ours = findings.filter((f) => f.title.includes(AWKWARD) || f.title.includes("dup "));
      expect(ours.length).toBeGreaterThan(2);
      const titles = await texts(page, "article.finding .title");
      for (const f of ours) expect(titles).toContain(f.title);
      const fixes = await texts(page, "article.finding pre.sql");
      for (const f of ours) if (f.fix?.sql) expect(fixes).toContain(f.fix.sql.trim());
      expect(titles.length).toBe(await page.$$eval("article.finding", (a) => a.length));
      // The duplicate index's fix names the table and the index exactly as the SQL must quote them.
      expect(fixes.some((sql) => sql.includes('"dup a"') || sql.includes('"dup b"'))).toBe(true);
      expect(titles.join("\n")).toContain(AWKWARD);
      await finish(page, "check", foreign, errors);
    }, 120_000);

    it("analyze: each explained statement's plan drawn, every node once, coloured by its findings", async () => {
      await runAsAdmin(db.url, "create extension if not exists pg_stat_statements");
      await runAsAdmin(db.url, RESET_THIS_DATABASE_STATEMENTS);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        for (let i = 0; i < 50; i++) {
          await client.query(`select * from ${quoted} where total > $1 order by total`, [i]);
          await client.query(
            `select c.name, sum(o.total) from customer c join ${quoted} o on o.customer_id = c.id where c.id = $1 group by c.name`,
            [i],
          );
        }
      } finally {
        await client.end();
      }
      const { file, json } = await writeBoth("analyze", ["analyze", "--db", db.url]);
      const planned = (
        json.statements as Array<{ query: string; planTree: { root: unknown } | null }>
      ).filter((s) => s.planTree);
      expect(planned.some((s) => s.query.includes(quoted))).toBe(true);
      const { page, foreign, errors } = await open(file);
      expect(await page.$eval("h1", (h) => h.textContent)).toBe("dbopt analyze");
      const drawn = await page.$$eval("#plans figure.picture", (figures) =>
        figures.map((f) => f.querySelectorAll("g.plan-node").length),
      );
      const nodes = (tree: { root: unknown }) => {
        let n = 0;
        const stack = [tree.root as { children: unknown[] }];
        while (stack.length) {
          const node = stack.pop() as { children: unknown[] };
          n++;
          stack.push(...(node.children as { children: unknown[] }[]));
        }
        return n;
      };
      // Each plan the JSON holds is drawn with every node once. The two runs (HTML, then JSON) read
      // pg_stat_statements a moment apart, so one may list a statement the other does not: compare as multisets.
      const left = [...drawn];
      for (const count of planned.map((s) => nodes(s.planTree as { root: unknown }))) {
        expect(left).toContain(count);
        left.splice(left.indexOf(count), 1);
      }
      expect(drawn.length - planned.length).toBeLessThanOrEqual(1);
      expect((await texts(page, "#plans h3")).join("\n")).toContain(quoted);
      await finish(page, "analyze", foreign, errors);
    }, 120_000);
  });

  describe.each(server("pg15"))("dbopt regressions on $name", (srv) => {
    let store: TestDatabase;
    let target: TestDatabase;
    let recentFrom: string;
    const LOOKUP = "select count(*) from events where kind = $1";

    const workload = async () => {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      try {
        for (let i = 0; i < 100; i++) await client.query(LOOKUP, [i % 1000]);
      } finally {
        await client.end();
      }
    };
    const sample = () =>
      collectSamples({
        targets: [resolveTarget({ db: target.url })],
        store: store.url,
        everyMs: 60_000,
        once: true,
      });

    beforeAll(async () => {
      // The lookup loses its index between the baseline and the recent window (as in regressions-cli.test.ts).
      [store, target] = await Promise.all([
        createTestDatabase(srv),
        createTestDatabase(
          srv,
          `create extension if not exists pg_stat_statements;
           create table events (id int primary key, kind int not null, payload text not null);
           insert into events select g, g % 1000, repeat('x', 40) from generate_series(1, 100000) g;
           create index events_kind on events (kind);
           analyze events;`,
        ),
      ]);
      await runAsAdmin(target.url, RESET_THIS_DATABASE_STATEMENTS);
      await sample();
      for (let r = 0; r < 3; r++) {
        await workload();
        await sample();
      }
      const [now] = (await runAsAdmin(store.url, "select now() as now")).rows as { now: Date }[];
      recentFrom = (now as { now: Date }).now.toISOString();
      await runAsAdmin(target.url, "drop index events_kind");
      for (let r = 0; r < 3; r++) {
        await workload();
        await sample();
      }
    }, 240_000);
    afterAll(async () => {
      await Promise.all([store, target].map((d) => d?.drop()));
    });

    it("dbopt diff of two snapshot files around the drop: the regression drawn, its fix SQL", async () => {
      // The index was dropped between the two windows of the store; two snapshots taken now hold the same
      // statement before (reset counters) and after a further round without it.
      const before = join(dir, "before.json");
      const after = join(dir, "after.json");
      await runAsAdmin(target.url, RESET_THIS_DATABASE_STATEMENTS);
      await runAsAdmin(target.url, "create index events_kind on events (kind)");
      await workload();
      expect((await runCli(["snapshot", "--db", target.url, "--out", before])).code).toBe(0);
      await runAsAdmin(target.url, "drop index events_kind");
      await workload();
      expect((await runCli(["snapshot", "--db", target.url, "--out", after])).code).toBe(0);
      const { file, json } = await writeBoth("diff", ["diff", before, after]);
      const findings = json.findings as Finding[];
      expect(findings.length).toBeGreaterThan(0);
      const { page, foreign, errors } = await open(file);
      expect(await texts(page, "article.finding .title")).toEqual(findings.map((f) => f.title));
      expect(await page.$$eval("#regressions-chart g.pair", (g) => g.length)).toBe(findings.length);
      expect(await texts(page, "article.finding pre.sql")).toContain(findings[0]?.fix?.sql?.trim());
      await finish(page, "diff", foreign, errors);
    }, 120_000);

    it("draws each regression's mean before and after, with its cause and evidence", async () => {
      const args = [
        "regressions",
        "--store",
        store.url,
        "--db",
        target.url,
        "--since",
        recentFrom,
        "--baseline",
        "1h",
      ];
      const { file, json } = await writeBoth("regressions", args);
      const findings = (json.targets as Array<{ findings: Finding[] }>)[0]?.findings ?? [];
      expect(findings.length).toBeGreaterThan(0);
      const { page, foreign, errors } = await open(file);
      expect(await texts(page, "article.finding .title")).toEqual(findings.map((f) => f.title));
      expect(await page.$$eval("#target-1-chart g.pair", (g) => g.length)).toBe(findings.length);
      // The recent bar is the longer one: the statement got slower.
      const [baseline, recent] = await page.$$eval("#target-1-chart g.pair rect", (rects) =>
        rects.map((r) => r.getBoundingClientRect().width),
      );
      expect(recent as number).toBeGreaterThan(baseline as number);
      expect(await page.$eval("main", (m) => m.textContent)).toContain("events_kind");
      await finish(page, "regressions", foreign, errors);
    }, 120_000);
  });

  it("explain: the plan picture draws every node, the tree lists them, findings with their fix", async () => {
    const plan = join(FIXTURES, "plans", "pg15", "hash-join-batches.txt");
    const { file, json } = await writeBoth("explain", ["explain", plan]);
    const nodes: string[] = [];
    const stack = [json.plan as { label: string; children: unknown[] }];
    for (let n = stack.pop(); n; n = stack.pop()) {
      nodes.push(n.label);
      stack.push(...(n.children as Array<{ label: string; children: unknown[] }>));
    }
    const { page, foreign, errors } = await open(file);
    const boxes = await page.$$eval("#plan-picture svg g.plan-node", (g) => g.length);
    expect(boxes).toBe(nodes.length);
    // The picture is drawn, not only written: each box has a size on screen.
    const sizes = await page.$$eval("#plan-picture svg g.plan-node rect", (rects) =>
      rects.map((r) => {
        const box = r.getBoundingClientRect();
        return box.width * box.height;
      }),
    );
    expect(sizes.every((a) => a > 100)).toBe(true);
    const tree = await texts(page, "#plan-tree tbody td.node");
    expect(tree).toHaveLength(nodes.length);
    for (const label of nodes) expect(tree.some((row) => row.includes(label))).toBe(true);
    const findings = json.findings as Finding[];
    expect(await texts(page, "article.finding .title")).toEqual(findings.map((f) => f.title));
    const spill = findings.find((f) => f.fix?.sql);
    expect(await texts(page, "article.finding pre.sql")).toContain(spill?.fix?.sql?.trim());
    await finish(page, "explain", foreign, errors);
  }, 60_000);

  it("logs: statements and time per minute drawn over time, statements as bars, the N+1 finding with its fix", async () => {
    const log = join(FIXTURES, "logs", "pg18-stderr.log");
    const { file, json } = await writeBoth("logs", ["logs", log]);
    const statements = json.statements as Array<{ query: string }>;
    const loops = json.nPlusOne as unknown[];
    const minutes = json.perMinute as Array<{ minute: number; statements: number }>;
    expect(minutes.length).toBeGreaterThan(1);
    const { page, foreign, errors } = await open(file);
    // One column a minute, its height in proportion to the minute's statements.
    const columns = await page.$$eval("#statements-per-minute svg rect.column", (rects) =>
      rects.map((r) => r.getBoundingClientRect().height),
    );
    expect(columns).toHaveLength(minutes.length);
    const most = Math.max(...minutes.map((m) => m.statements));
    minutes.forEach((m, i) => {
      expect(columns[i] as number).toBeCloseTo((Math.max(...columns) * m.statements) / most, 0);
    });
    expect(await page.$$eval("#time-per-minute svg rect.column", (r) => r.length)).toBe(minutes.length);
    const bars = await page.$$eval("#statements-chart svg g.bar rect", (rects) =>
      rects.map((r) => r.getBoundingClientRect().width),
    );
    expect(bars).toHaveLength(Math.min(15, statements.length));
    expect(bars[0]).toBe(Math.max(...bars));
    const rows = await texts(page, "#statements tbody td code");
    expect(rows[0]).toBe(statements[0]?.query);
    expect(loops.length).toBeGreaterThan(0);
    // Each N+1 loop is a finding of workload/n-plus-one, shown with its batched statement.
    const findings = json.findings as Finding[];
    expect(findings.filter((f) => f.ruleId === "workload/n-plus-one")).toHaveLength(loops.length);
    expect(await texts(page, "#findings article.finding .title")).toEqual(findings.map((f) => f.title));
    expect(await texts(page, "#findings pre.sql")).toEqual(
      findings.flatMap((f) => (f.fix?.sql ? [f.fix.sql.trim()] : [])),
    );
    await finish(page, "logs", foreign, errors);
  }, 60_000);

  it("explain --compare: both plans drawn, where they diverge and why, the merged tree node by node", async () => {
    const dir = join(FIXTURES, "plans", "compare", "pg15");
    const before = join(dir, "index-dropped-join.before.txt");
    const after = join(dir, "index-dropped-join.after.json");
    const { file, json } = await writeBoth("explain-compare", ["explain", "--compare", before, after]);
    const verdict = json.verdict as { divergence: { label: string; why: string[] } };
    const entries = json.entries as Array<{ beforeId: number | null; afterId: number | null }>;
    expect(json.plans).toBeUndefined();
    const { page, foreign, errors } = await open(file);
    expect(await page.$eval("#divergence h2", (h) => h.textContent)).toBe(
      `Where the plans diverge: ${verdict.divergence.label}`,
    );
    expect(await texts(page, "#divergence li")).toEqual(verdict.divergence.why);
    // Each picture draws every node of its plan: the merged tree's entries that side has.
    expect(await page.$$eval("#plan-picture-before g.plan-node", (g) => g.length)).toBe(
      entries.filter((e) => e.beforeId !== null).length,
    );
    expect(await page.$$eval("#plan-picture-after g.plan-node", (g) => g.length)).toBe(
      entries.filter((e) => e.afterId !== null).length,
    );
    expect(await page.$$eval("#plan-diff tbody tr", (rows) => rows.length)).toBe(entries.length);
    expect(await page.$eval("#plan-diff tr.diverges td.node", (td) => td.textContent)).toContain(
      "◀ diverges here",
    );
    await finish(page, "explain-compare", foreign, errors);
  }, 60_000);

  it("traces: the N+1 findings of OpenTelemetry spans with their fix, statements drawn by total time", async () => {
    const { file, json } = await writeBoth("traces", [
      "traces",
      join(FIXTURES, "traces", "pg-stable.otlp.json"),
    ]);
    const findings = json.findings as Finding[];
    const statements = json.statements as unknown[];
    expect(findings.length).toBeGreaterThan(0);
    const { page, foreign, errors } = await open(file);
    expect(await texts(page, "#findings article.finding .title")).toEqual(findings.map((f) => f.title));
    expect(await texts(page, "#findings pre.sql")).toEqual(
      findings.flatMap((f) => (f.fix?.sql ? [f.fix.sql.trim()] : [])),
    );
    expect(await page.$$eval("#statements-chart g.bar", (g) => g.length)).toBe(
      Math.min(15, statements.length),
    );
    await finish(page, "traces", foreign, errors);
  }, 60_000);

  it("migrate lint: each finding in the page, with the safe recipe", async () => {
    const migration = join(FIXTURES, "migrations", "django-widen-and-link", "0002_widen_and_link.sql");
    const schema = join(FIXTURES, "migrations", "django-widen-and-link", "schema.sql");
    const { file, json } = await writeBoth(
      "migrate-lint",
      ["migrate", "lint", migration, "--schema", schema],
      [0, 1],
    );
    const findings = json.findings as Finding[];
    expect(findings.length).toBeGreaterThan(0);
    const { page, foreign, errors } = await open(file);
    expect(await texts(page, "article.finding .title")).toEqual(findings.map((f) => f.title));
    expect(await page.$eval("article.finding .location", (p) => p.textContent)).toContain(
      "0002_widen_and_link.sql:",
    );
    await finish(page, "migrate-lint", foreign, errors);
  }, 60_000);

  it("migrate trace: what each statement locked, and the workload re-planned before and after (a lost index drawn)", async () => {
    const work = mkdtempSync(join(tmpdir(), "dbopt-html-trace-"));
    writeFileSync(
      join(work, "schema.sql"),
      "create table t (id int primary key, k int not null);\ncreate index t_k on t (k);\n",
    );
    mkdirSync(join(work, "migrations"));
    writeFileSync(join(work, "migrations", "001_drop.sql"), "drop index t_k;\n");
    writeFileSync(join(work, "workload.sql"), "-- calls: 100\nselect * from t where k = 1;\n");
    const args = [
      "migrate",
      "trace",
      join(work, "migrations"),
      "--schema",
      join(work, "schema.sql"),
      "--rows",
      "t=20000",
      "--workload",
      join(work, "workload.sql"),
    ];
    const { file, json } = await writeBoth("migrate-trace", args, [0, 1]);
    const replanned = json.replanned as Array<{ worse: boolean; indexesLost: string[] }>;
    expect(replanned.map((r) => [r.worse, r.indexesLost])).toEqual([[true, ["t_k"]]]);
    const { page, foreign, errors } = await open(file);
    expect(await texts(page, "#statements pre.query")).toEqual(["drop index t_k"]);
    expect(await page.$$eval("#replan-chart g.pair", (g) => g.length)).toBe(1);
    const [before, after] = await page.$$eval("#replan-chart g.pair rect", (rects) =>
      rects.map((r) => r.getBoundingClientRect().width),
    );
    expect(after as number).toBeGreaterThan(before as number);
    expect(await page.$eval("#replanned tbody tr", (tr) => tr.textContent)).toContain("no longer uses t_k");
    await finish(page, "migrate-trace", foreign, errors);
  }, 180_000);

  it("migrate lint --dialect mysql: each statement's algorithm and lock, each finding, a markup table name as text", async () => {
    const work = mkdtempSync(join(tmpdir(), "dbopt-html-mysql-lint-"));
    const awkward = AWKWARD.replaceAll("`", "``");
    const migration = join(work, "001_orders.sql");
    writeFileSync(
      migration,
      [
        `ALTER TABLE \`${awkward}\` MODIFY COLUMN total BIGINT;`,
        "ALTER TABLE orders ADD COLUMN note VARCHAR(20), ALGORITHM=INSTANT;",
        "ALTER TABLE orders ADD INDEX by_note (note);",
        "ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, note);",
        "",
      ].join("\n"),
    );
    const args = ["migrate", "lint", "--dialect", "mysql", "--server-version", "8.0.35", migration];
    const { file, json } = await writeBoth("migrate-lint-mysql", args, [0, 1]);
    // The lint JSON flattens each finding: its place, algorithm and lock beside the title.
    const findings = json.findings as Array<Finding & { line: number; algorithm: string; lock: string }>;
    expect(findings.length).toBeGreaterThan(0);
    const { page, foreign, errors } = await open(file);
    expect(await texts(page, "article.finding .title")).toEqual(findings.map((f) => f.title));
    expect(await page.$eval("#summary", (t) => t.textContent)).toContain("MySQL 8.0.35");
    // One row per flagged statement, in file order, with what the JSON says it takes.
    const rows = await page.$$eval("#ddl tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim())),
    );
    const statements = [...new Map(findings.map((f) => [f.line, [f.algorithm, f.lock]])).entries()];
    expect(rows.map((r) => [Number(/:(\d+):\d+$/.exec(r[0] as string)?.[1]), r.slice(1, 3)])).toEqual(
      statements,
    );
    expect(rows[0]?.slice(1, 4)).toEqual(["COPY", "SHARED", "writes"]);
    expect(await texts(page, "article.finding pre.query")).toContain(
      `ALTER TABLE \`${awkward}\` MODIFY COLUMN total BIGINT`,
    );
    await finish(page, "migrate-lint-mysql", foreign, errors);
  }, 60_000);

  it.skipIf(!mariadbUp)(
    "migrate trace on MariaDB: each online form tried with the server's answer, a markup table name as text",
    async () => {
      const awkward = AWKWARD.replaceAll("`", "``");
      const db = await createMariadbDatabase(
        `CREATE TABLE \`${awkward}\` (id INT PRIMARY KEY, total INT, note VARCHAR(20));
         INSERT INTO \`${awkward}\` SELECT seq, seq, 'n' FROM seq_1_to_2000;`,
      );
      try {
        const work = mkdtempSync(join(tmpdir(), "dbopt-html-mysql-trace-"));
        const migration = join(work, "001_orders.sql");
        writeFileSync(
          migration,
          [
            `ALTER TABLE \`${awkward}\` ADD COLUMN \`x "q"\` INT;`,
            `ALTER TABLE \`${awkward}\` MODIFY COLUMN total BIGINT;`,
            `ALTER TABLE \`${awkward}\` ADD INDEX \`by <note>\` (note);`,
            "",
          ].join("\n"),
        );
        const file = join(dir, "migrate-trace-mysql.html");
        const args = ["migrate", "trace", "--db", db.url, "--sandbox", migration];
        const written = await runCli([...args, "--format", "html", "-o", file]);
        expect(written.stderr).toBe("");
        expect([0, 1]).toContain(written.code);
        // The trace changes the sandbox: the JSON run is on the same tables as they were before.
        await db.run(
          `DROP TABLE \`${awkward}\`; CREATE TABLE \`${awkward}\` (id INT PRIMARY KEY, total INT, note VARCHAR(20));
           INSERT INTO \`${awkward}\` SELECT seq, seq, 'n' FROM seq_1_to_2000;`,
        );
        const json = await runCli([...args, "--format", "json"]);
        expect([0, 1], json.stderr).toContain(json.code);
        const report = JSON.parse(json.stdout) as {
          statements: Array<{
            sql: string;
            attempts: Array<{ algorithm: string; accepted: boolean; sql: string }>;
          }>;
          findings: Finding[];
        };
        const { page, foreign, errors } = await open(file);
        expect(await page.$eval("h1", (h) => h.textContent)).toBe("dbopt migrate trace");
        expect(await page.$eval("header.report", (h) => h.textContent)).toContain("MariaDB 10.");
        expect(await texts(page, "#statements pre.query")).toEqual(report.statements.map((t) => t.sql));
        expect(report.statements[0]?.sql).toBe(`ALTER TABLE \`${awkward}\` ADD COLUMN \`x "q"\` INT`);
        // Each statement's attempts, in the order tried, with the statement sent and the server's answer.
        const attempts = await page.$$eval("#statements article", (articles) =>
          articles.map((a) =>
            [...a.querySelectorAll("table.attempts tbody tr")].map((tr) => {
              const cells = [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim());
              return [cells[0], cells[1]?.startsWith("accepted"), cells[2]];
            }),
          ),
        );
        expect(attempts).toEqual(
          report.statements.map((t) => t.attempts.map((a) => [a.algorithm, a.accepted, a.sql])),
        );
        // The type change is refused in every online form and copies; the others run online.
        expect(attempts.map((a) => a.at(-1)?.[1])).toEqual([true, false, true]);
        expect(await texts(page, "#statements .outcome")).toEqual([
          "Ran online with ALGORITHM=INSTANT.",
          "No online form accepted: ran as written, writes blocked meanwhile.",
          "Ran online with ALGORITHM=NOCOPY.",
        ]);
        expect(await texts(page, "#findings article.finding .title")).toEqual(
          report.findings.map((f) => f.title),
        );
        await finish(page, "migrate-trace-mysql", foreign, errors);
      } finally {
        await db.drop();
      }
    },
    180_000,
  );

  it("an unknown format names html among the formats, in one line", async () => {
    const r = await runCli([
      "explain",
      join(FIXTURES, "plans", "pg15", "hash-join-batches.txt"),
      "--format",
      "htm",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("html");
  });

  it.skipIf(!SCRIPT)(
    "--format html on a terminal without -o is refused in one line that asks for a file",
    async () => {
      // script(1) gives the command a terminal for standard output, as a user typing it has.
      const plan = join(FIXTURES, "plans", "pg15", "hash-join-batches.txt");
      const r = spawnSync(
        SCRIPT as string,
        ["-qec", `${process.execPath} ${BIN} explain ${plan} --format html`, "/dev/null"],
        {
          encoding: "utf8",
          env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
        },
      );
      expect(r.status).toBe(2);
      const lines = r.stdout.trim().split(/\r?\n/);
      expect(lines).toEqual([
        "dbopt: error: --format html writes a web page, not text for the terminal. Add -o report.html (or send standard output to a file), then open it in a browser.",
      ]);
    },
  );
});
