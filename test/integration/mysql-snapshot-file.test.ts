/**
 * analyze --save-snapshot on MariaDB writes the server's facts; check --snapshot and tune --snapshot read them
 * with no server, as check and tune read the live one.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/findings/finding.js";
import { createMariadbDatabase, type MariadbTestDatabase, mariadbAvailable } from "../support/mariadb.js";
import { runCli } from "../support/run-cli.js";

const available = await mariadbAvailable();

const SCHEMA = `
CREATE TABLE \`Audit Log\` (at DATETIME NOT NULL, message VARCHAR(40) NOT NULL) ENGINE=InnoDB;
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, KEY by_customer (customer_id),
  KEY by_customer_again (customer_id)) ENGINE=InnoDB;`;

describe.skipIf(!available)("MySQL/MariaDB snapshot files", () => {
  let db: MariadbTestDatabase;
  const scratch = mkdtempSync(join(tmpdir(), "dbopt-mysql-snapshot-"));
  const file = join(scratch, "facts.json");

  beforeAll(async () => {
    db = await createMariadbDatabase(SCHEMA);
    const r = await runCli(["analyze", "--db", db.url, "--save-snapshot", file, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("analyze --save-snapshot writes the facts it read", () => {
    const facts = JSON.parse(readFileSync(file, "utf8"));
    expect(facts.engine).toBe("mysql");
    expect(facts.server.database).toBe(db.name);
    expect(facts.tables.map((t: { name: string }) => t.name).sort()).toEqual(["Audit Log", "orders"]);
  });

  it("check --snapshot finds offline what check finds on the server", async () => {
    const offline = await runCli(["check", "--snapshot", file, "--format", "json"]);
    expect(offline.stderr).toBe("");
    expect(offline.code).toBe(0);
    const report = JSON.parse(offline.stdout) as { target: string; findings: Finding[] };
    expect(report.target).toBe(file);
    const live = await runCli(["check", "--db", db.url, "--format", "json"]);
    expect(live.code, live.stderr).toBe(0);
    // The schema's findings; the server's counters move between the two reads.
    const schemaFindings = (findings: Finding[]) =>
      findings
        .filter((f) => ["mysql/duplicate-index", "mysql/missing-primary-key"].includes(f.ruleId))
        .map((f) => `${f.ruleId}: ${f.title}`)
        .sort();
    expect(schemaFindings(report.findings)).toEqual(schemaFindings(JSON.parse(live.stdout).findings));
    expect(schemaFindings(report.findings)).toHaveLength(2);
  });

  it("tune --snapshot gives MySQLTuner's formulas from the file, and refuses PostgreSQL's options", async () => {
    const r = await runCli(["tune", "--snapshot", file, "--ram", "8GB", "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.recommendations.map((s: { name: string }) => s.name)).toContain("innodb_buffer_pool_size");
    const refused = await runCli(["tune", "--snapshot", file, "--ram", "8GB", "--storage", "hdd"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^dbopt: error: --storage does not apply to MySQL\/MariaDB/);
    const exact = await runCli(["check", "--snapshot", file, "--exact"]);
    expect(exact.code).toBe(2);
    expect(exact.stderr).toMatch(/^dbopt: error: --exact does not apply to MySQL\/MariaDB/);
  });
});
