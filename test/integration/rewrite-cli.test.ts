/**
 * `dbopt rewrite` through the real binary on PostgreSQL 15: statements from --sql and from pg_stat_statements
 * (--top), JSON and Markdown reports, rewrites proven and offered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RewriteReport } from "../../src/pipeline/rewrite-statements.js";
import { REWRITE_SCHEMA } from "../support/rewrite-schema.js";
import { runCli } from "../support/run-cli.js";
import {
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  server,
  type TestDatabase,
} from "../support/servers.js";

const NOT_IN =
  "select c.id from customers c where c.id between 150 and 260 and c.id not in (select customer_id from orders)";
const KEYSET = "select id, ref from orders order by id limit 20 offset 150000";

describe.each(server("pg15"))("dbopt rewrite command on $name", (testServer) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(testServer, REWRITE_SCHEMA);
    await runAsAdmin(database.url, "vacuum (analyze) customers, orders");
  }, 120_000);
  afterAll(async () => {
    await database?.drop();
  });

  it("proves and offers rewrites of --sql statements (JSON)", async () => {
    const r = await runCli([
      "rewrite",
      "--db",
      database.url,
      "--sql",
      `${NOT_IN}; ${KEYSET}`,
      "--runs",
      "3",
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as RewriteReport;
    expect(report.kind).toBe("rewrite");
    const verdicts = report.statements.map((s) => s.rewrites.map((w) => [w.ruleId, w.verdict]));
    expect(verdicts).toEqual([
      [["rewrite/not-in-to-not-exists", "faster"]],
      [["rewrite/offset-to-keyset", "faster"]],
    ]);
    expect(report.statements[1]?.rewrites[0]?.sql).toMatch(/WHERE orders\.id > \$1 ORDER BY id LIMIT 20$/);
  }, 120_000);

  it("writes Markdown with each rewrite's verdict, timings and what 'proven' means", async () => {
    const r = await runCli([
      "rewrite",
      "--db",
      database.url,
      "--sql",
      NOT_IN,
      "--runs",
      "3",
      "--format",
      "markdown",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\*\*1 proven faster\*\*/);
    expect(r.stdout).toMatch(/faster: offered as a fix/);
    expect(r.stdout).toMatch(/original [\d.]+ ms .* → rewritten [\d.]+ ms/);
    expect(r.stdout).toMatch(/NOT \(?EXISTS/);
    expect(r.stdout).toMatch(/It is not a proof for all data or all values/);
  }, 120_000);

  it("prints the terminal report and an HTML page with the verdicts and the offered SQL", async () => {
    const statements = `${NOT_IN}; select id from orders where id < 3`;
    const terminal = await runCli(["rewrite", "--db", database.url, "--sql", statements, "--runs", "3"]);
    expect(terminal.code, terminal.stderr).toBe(0);
    expect(terminal.stdout).toMatch(/2 statements: 1 rewrite proven faster/);
    expect(terminal.stdout).toMatch(/✔ NOT IN \(subquery\) → NOT EXISTS {2}rewrite\/not-in-to-not-exists/);
    expect(terminal.stdout).toMatch(/2\. select id from orders where id < 3\n {3}no rule applies/);
    const page = await runCli([
      "rewrite",
      "--db",
      database.url,
      "--sql",
      NOT_IN,
      "--runs",
      "3",
      "--format",
      "html",
    ]);
    expect(page.code, page.stderr).toBe(0);
    expect(page.stdout).toMatch(/^<!doctype html>/i);
    expect(page.stdout).toMatch(/<strong>faster: offered as a fix<\/strong>/);
    expect(page.stdout).toMatch(/<pre class="sql">SELECT c\.id FROM customers AS c/);
  }, 120_000);

  it("takes the heaviest SELECTs from pg_stat_statements with --top, proving them with drawn parameter values", async () => {
    await runAsAdmin(database.url, "create extension if not exists pg_stat_statements");
    await runAsAdmin(database.url, RESET_THIS_DATABASE_STATEMENTS);
    for (let i = 0; i < 3; i++) await runAsAdmin(database.url, NOT_IN);
    const r = await runCli([
      "rewrite",
      "--db",
      database.url,
      "--top",
      "5",
      "--runs",
      "3",
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as RewriteReport;
    const statement = report.statements.find((s) => /not in/i.test(s.sql));
    expect(statement?.source).toMatch(/^pg_stat_statements /);
    expect(statement?.calls).toBeGreaterThanOrEqual(3);
    const rewrite = statement?.rewrites.find((w) => w.ruleId === "rewrite/not-in-to-not-exists");
    expect(rewrite?.proof.parameterSets).toBe(5);
    expect(rewrite?.proof.equal, rewrite?.proof.reason ?? "").toBe(true);
  }, 120_000);
});
