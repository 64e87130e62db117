/**
 * dbopt serve in a real browser: a store on the local PostgreSQL 15 filled by real collections of a fresh database
 * running a small workload (an index dropped half-way, so the statement's plan changes), the dashboard served on a
 * free port, and Debian's chromium driven headless through puppeteer-core opening each page, clicking through to
 * a statement and its plan diff, and saving screenshots. Without chromium the suite fails in CI and is skipped
 * elsewhere with a line naming it.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { SHOWN_PER_RULE } from "../../src/dashboard/pages/findings-page.js";
import { collectSamples } from "../../src/pipeline/collect-samples.js";
import { type RunningDashboard, serveDashboard } from "../../src/pipeline/serve-dashboard.js";
import { createTestDatabase, server, type TestDatabase } from "../support/servers.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p)) ?? null;
if (!CHROMIUM) {
  if (process.env.CI === "true") throw new Error("chromium is required in CI (apt-get install -y chromium)");
  console.warn(
    "skipping the dashboard browser tests: no chromium at /usr/bin/chromium (apt-get install -y chromium)",
  );
}

const SETUP = `
create extension if not exists pg_stat_statements;
create table orders (id int primary key, customer int not null, total numeric not null);
insert into orders select g, g % 1000, g from generate_series(1, 50000) g;
create index orders_customer on orders (customer);
analyze orders;
`;
const LOOKUP = "select count(*) from orders where customer = $1";
const SUM = "select sum(total) from orders where id between $1 and $2";

async function workload(url: string, lookups: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < lookups; i++) {
      await client.query(LOOKUP, [i % 1000]);
      if (i % 4 === 0) await client.query(SUM, [i, i + 100]);
    }
  } finally {
    await client.end();
  }
}

describe.skipIf(!CHROMIUM).each(server("pg15"))("dbopt serve on $name, in chromium", (srv) => {
  let target: TestDatabase;
  let store: TestDatabase;
  let dashboard: RunningDashboard;
  let browser: Browser;
  const shots = mkdtempSync(join(tmpdir(), "dbopt-dashboard-"));

  const sample = () =>
    collectSamples({
      targets: [resolveTarget({ db: target.url })],
      store: store.url,
      everyMs: 60_000,
      once: true,
    });

  beforeAll(async () => {
    target = await createTestDatabase(srv, SETUP);
    store = await createTestDatabase(srv);
    await sample();
    for (let round = 0; round < 4; round++) {
      // Half-way the index goes: the lookup's generic plan turns into a sequential scan.
      if (round === 2) {
        const c = new pg.Client({ connectionString: target.url });
        await c.connect();
        await c.query("drop index orders_customer");
        // A setting change the next sample sees (new sessions of this database), for the settings history.
        await c.query(`alter database "${target.name}" set work_mem = '8MB'`);
        await c.end();
      }
      await workload(target.url, round < 2 ? 400 : 150);
      await sample();
    }
    dashboard = await serveDashboard({ store: store.url, host: "127.0.0.1", port: 0 });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM as string,
      headless: true,
      // Root in a container has no user namespaces for chromium's sandbox.
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    console.log(`dashboard screenshots in ${shots}`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await target?.drop();
    await store?.drop();
  });

  /** Non-transparent pixels on the chart's canvas: more than the axes alone means data was drawn. */
  const inkedPixels = (page: Page, selector: string) =>
    page.$eval(selector, (div) => {
      // Structural types: the test's TypeScript has no DOM library.
      const canvas = div.querySelector("canvas") as unknown as {
        width: number;
        height: number;
        getContext(kind: "2d"): {
          getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
        };
      };
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) inked++;
      return inked;
    });

  it("lists the database, draws its top statements stacked, and goes through a statement to its plan diff", async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });

    const home = await page.goto(dashboard.url);
    expect(home?.status()).toBe(200);
    const databases = await page.$$eval("#databases tbody tr", (rows) =>
      rows.map((r) => r.textContent ?? ""),
    );
    expect(databases).toHaveLength(1);
    expect(databases[0]).toContain(target.name);
    // 5 samples, no gap
    expect(await page.$eval("#databases tbody tr td:nth-child(2)", (td) => td.textContent)).toBe("5");
    await page.screenshot({ path: join(shots, "1-databases.png"), fullPage: true });

    await Promise.all([page.waitForNavigation(), page.click(`#databases a[href^="/database/"]`)]);
    await page.waitForSelector("#time-chart[data-drawn]");
    const statements = await page.$$eval("#statements tbody tr", (rows) =>
      rows.map((r) => r.textContent ?? ""),
    );
    expect(statements.some((s) => s.includes("where customer = $1"))).toBe(true);
    expect(statements.some((s) => s.includes("where id between $1 and $2"))).toBe(true);
    // 4 samples with deltas (the first has none) plus the sample times: the chart has points, and ink beyond axes
    expect(Number(await page.$eval("#time-chart", (d) => d.getAttribute("data-drawn")))).toBeGreaterThan(0);
    expect(await inkedPixels(page, "#time-chart")).toBeGreaterThan(2000);
    const legend = await page.$$eval("#time-chart .u-legend .u-label", (ls) => ls.map((l) => l.textContent));
    expect(legend).toContain("all others");
    await page.screenshot({ path: join(shots, "2-database.png"), fullPage: true });

    // The range filter: the last hour still holds every sample; a range before the first sample holds none.
    await page.goto(`${page.url().split("?")[0]}?from=2000-01-01T00:00&to=2000-01-02T00:00`);
    expect(await page.$eval("main", (m) => m.textContent)).toContain("No sample in this range.");
    await page.goBack();
    await page.waitForSelector("#time-chart[data-drawn]");

    const lookupLink = await page.$$eval("#statements tbody tr a", (as) =>
      as
        .filter((a) => a.textContent?.includes("where customer = $1"))
        .map((a) => a.getAttribute("href") as string),
    );
    expect(lookupLink).toHaveLength(1);
    await Promise.all([page.waitForNavigation(), page.click(`#statements a[href="${lookupLink[0]}"]`)]);
    // main, not #query: when the page is an error, its text is what the failure shows
    expect(await page.$eval("main", (q) => q.textContent)).toContain(LOOKUP);
    await page.waitForSelector("#calls-chart[data-drawn]");
    await page.waitForSelector("#mean-chart[data-drawn]");
    expect(await inkedPixels(page, "#calls-chart")).toBeGreaterThan(1000);
    // The dropped index changed the plan once: marked, and two plans stored, the first on the index.
    expect(await page.$$eval("#plan-changes li", (li) => li.length)).toBe(1);
    const plans = await page.$$eval("section.stored-plan", (s) => s.map((p) => p.textContent ?? ""));
    expect(plans).toHaveLength(2);
    expect(plans[0]).toContain("orders_customer");
    expect(plans[1]).toContain("Seq Scan");

    // Each plan drawn as a picture: one box per node, the scan named in it; the p95 line and how it is estimated.
    const pictures = await page.$$eval("section.stored-plan svg.plan-picture", (svgs) =>
      svgs.map((svg) => ({ nodes: svg.querySelectorAll("g.plan-node").length, text: svg.textContent ?? "" })),
    );
    expect(pictures).toHaveLength(2);
    expect(pictures[0]?.text).toContain("orders_customer");
    expect(pictures[1]?.text).toContain("Seq Scan");
    expect(pictures.every((p) => p.nodes >= 2)).toBe(true);
    const meanLegend = await page.$$eval("#mean-chart .u-legend .u-label", (ls) =>
      ls.map((l) => l.textContent),
    );
    expect(meanLegend).toEqual(expect.arrayContaining(["mean", "p95 (estimated)"]));
    expect(await page.$eval("#p95-method", (p) => p.textContent)).toContain("log-normal");
    await page.screenshot({ path: join(shots, "3-statement.png"), fullPage: true });

    // From the marked plan change to the diff of the plan before it and the plan after.
    await Promise.all([page.waitForNavigation(), page.click("#plan-changes a.plan-diff")]);
    const divergence = await page.$eval("#divergence", (h) => h.textContent ?? "");
    expect(divergence).toContain("Where the plans diverge");
    expect(await page.$eval("#plan-diff", (p) => p.textContent)).toContain("Seq Scan");
    expect(await page.$eval("#before-picture svg", (svg) => svg.textContent)).toContain("orders_customer");
    expect(await page.$eval("#after-picture svg", (svg) => svg.textContent)).toContain("Seq Scan");
    // The diverging node outlined in both pictures: the bitmap scan before, the sequential scan after.
    expect(await page.$eval("#before-picture g[data-marked]", (g) => g.textContent)).toContain(
      "Bitmap Heap Scan",
    );
    expect(await page.$eval("#after-picture g[data-marked]", (g) => g.textContent)).toContain("Seq Scan");
    await page.screenshot({ path: join(shots, "4-plan-diff.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("shows the findings, the tables and indexes over time and the settings history, linked from the database", async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(dashboard.url);
    await Promise.all([page.waitForNavigation(), page.click(`#databases a[href^="/database/"]`)]);
    const databasePath = new URL(page.url()).pathname;

    await Promise.all([page.waitForNavigation(), page.click('#database-pages a[href$="/findings"]')]);
    const main = () => page.$eval("main", (m) => m.textContent ?? "");
    expect(await main()).toContain("Health of tables and indexes");
    // The health rules that run on what the store keeps, and the ones that need dbopt check.
    expect(await page.$eval("#not-run", (p) => p.textContent)).toContain("health/missing-primary-key");
    expect(await main()).toContain("health/dead-tuples");
    // One section per health rule, with its count and at most a few findings in full.
    const sections = await page.$$eval("#health-findings .rule-findings", (list) =>
      list.map((section) => ({
        rule: section.getAttribute("data-rule"),
        count: Number(section.getAttribute("data-count")),
        shown: section.querySelectorAll("li.finding").length,
      })),
    );
    expect(sections.length).toBeGreaterThan(0);
    for (const section of sections) {
      expect(section.shown).toBe(Math.min(section.count, SHOWN_PER_RULE));
      expect(new Set(sections.map((x) => x.rule)).size).toBe(sections.length);
    }
    // The plan rules ran on the latest plans: the statements that had plans in the last day.
    expect(await main()).toMatch(
      /on the generic plan each statement had in the last day of samples \([1-9]\d* statements with plans\)/,
    );
    await page.screenshot({ path: join(shots, "5-findings.png"), fullPage: true });

    await page.goto(new URL(`${databasePath}/growth?last=24h`, dashboard.url).href);
    await page.waitForSelector("#table-size-chart[data-drawn]");
    // Each relation's size in the range's first and last sample (a table of 50,000 rows is megabytes).
    const sizes = await page.$$eval("#table-size-table tbody tr", (rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent ?? "")),
    );
    expect(sizes[0]).toEqual([
      "public.orders",
      expect.stringMatching(/^\d+\.\d MB$/),
      expect.stringMatching(/^\d+\.\d MB$/),
      expect.any(String),
    ]);
    expect(await page.$eval("#index-size-table", (t) => t.textContent)).toMatch(
      /public\.orders_pkey[\d.]+ (kB|MB)/,
    );
    // xid age grows with every transaction the workload ran.
    const ages = await page.$$eval("#xid-age-table tbody tr td.n", (tds) =>
      tds.map((td) => td.textContent ?? ""),
    );
    expect(ages.slice(0, 2).every((a) => /^\d[\d,]*$/.test(a))).toBe(true);
    expect(await inkedPixels(page, "#table-size-chart")).toBeGreaterThan(1000);
    // Five samples, each its own point.
    expect(await page.$eval("#resolution", (p) => p.textContent)).toMatch(/^5 points, one sample each/);
    await page.screenshot({ path: join(shots, "6-growth.png"), fullPage: true });

    await page.goto(new URL(`${databasePath}/settings`, dashboard.url).href);
    const changes = await page.$$eval("#setting-changes tbody tr", (rows) =>
      rows.map((r) => r.textContent ?? ""),
    );
    expect(changes).toEqual([expect.stringMatching(/work_mem.*4096 kB.*8192 kB.*database/)]);
    await page.screenshot({ path: join(shots, "7-settings.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("answers each page well under 300 ms on this store", async () => {
    const paths = ["/"];
    const targets = await (await fetch(dashboard.url)).text();
    const databasePath = /href="(\/database\/\d+)"/.exec(targets)?.[1] as string;
    paths.push(
      databasePath,
      `${databasePath}/findings`,
      `${databasePath}/growth`,
      `${databasePath}/settings`,
    );
    const databasePage = await (await fetch(new URL(databasePath, dashboard.url))).text();
    paths.push(/href="(\/statement\/\d+)[^"]*"/.exec(databasePage)?.[1] as string);
    const times: Record<string, number> = {};
    for (const path of paths) {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const response = await fetch(new URL(path, dashboard.url));
        expect(response.status).toBe(200);
        await response.text();
        best = Math.min(best, performance.now() - started);
      }
      times[path] = Math.round(best * 10) / 10;
    }
    console.log(`dashboard page times (best of 5, ms): ${JSON.stringify(times)}`);
    for (const ms of Object.values(times)) expect(ms).toBeLessThan(300);
  });

  it("on loopback without a token, refuses a request that names another host (DNS rebinding)", async () => {
    const { port } = new URL(dashboard.url);
    const statusFor = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest({ host: "127.0.0.1", port, path: "/", headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on("error", reject);
        request.end();
      });
    expect(await statusFor(`attacker.example:${port}`)).toBe(403);
    expect(await statusFor(`localhost:${port}`)).toBe(200);
    expect(await statusFor(`127.0.0.1:${port}`)).toBe(200);
  });

  it("off loopback, refuses a request without the token (401) and takes it from the query, a cookie or a header", async () => {
    const open = await serveDashboard({ store: store.url, host: "0.0.0.0", port: 0 });
    try {
      expect(open.token).toMatch(/^[\w-]{20,}$/);
      expect(open.url).toContain(`?token=${open.token}`);
      const base = `http://127.0.0.1:${open.port}`;
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect((await fetch(`${base}/assets/uplot.js`)).status).toBe(401);
      expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
      const first = await fetch(`${base}/?token=${open.token}`);
      expect(first.status).toBe(200);
      const cookie = (first.headers.get("set-cookie") ?? "").split(";")[0] as string;
      expect((await fetch(`${base}/assets/uplot.js`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${base}/`, { headers: { authorization: `Bearer ${open.token}` } })).status).toBe(
        200,
      );
    } finally {
      await open.close();
    }
  });
});
