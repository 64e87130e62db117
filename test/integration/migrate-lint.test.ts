import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, server, type TestDatabase } from "../support/servers.js";

const FIXTURES = new URL("../fixtures/migrations/", import.meta.url).pathname;
const PRISMA = join(FIXTURES, "prisma-app");

interface LintJson {
  files: string[];
  applied: number;
  findings: Array<{
    ruleId: string;
    severity: string;
    file: string;
    line: number;
    lock: string | null;
    table: string | null;
  }>;
}

describe("dbopt migrate lint", () => {
  it("lints a Prisma folder from a given migration, reading the earlier ones as applied", async () => {
    const r = await runCli(["migrate", "lint", PRISMA, "--from", "20240201", "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as LintJson;
    expect(out.applied).toBe(1);
    const errors = out.findings.filter((f) => f.severity === "error").map((f) => `${f.ruleId}@${f.line}`);
    expect(errors.sort()).toEqual([
      "migration/add-column-rewrite@8",
      "migration/alter-column-type@11",
      "migration/constraint-validated-in-place@2",
      "migration/create-index-not-concurrent@5",
      "migration/set-not-null@5",
    ]);
  });

  it("finds nothing in the whole Prisma history (every table is new) nor in safe Drizzle migrations", async () => {
    const whole = await runCli(["migrate", "lint", PRISMA, "--format", "json"]);
    expect(whole.code).toBe(0);
    // Advice only: the 32-bit users.id key, and Prisma's BIGSERIAL where an identity column is the standard form.
    expect((JSON.parse(whole.stdout) as LintJson).findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ["migration/prefer-robust-types", "info"],
      ["migration/prefer-robust-types", "info"],
    ]);
    const safe = await runCli(["migrate", "lint", join(FIXTURES, "drizzle-safe")]);
    expect(safe.code).toBe(0);
    expect(safe.stdout).toContain("No hazards found.");
  });

  it("writes GitHub annotations and SARIF", async () => {
    const gh = await runCli(["migrate", "lint", PRISMA, "--from", "20240301", "--format", "github"]);
    expect(gh.stdout).toMatch(
      /^::error file=.*20240301000000_constraints\/migration\.sql,line=2,col=1,title=migration\/constraint-validated-in-place::/m,
    );
    const sarif = await runCli(["migrate", "lint", PRISMA, "--from", "20240301", "--format", "sarif"]);
    const log = JSON.parse(sarif.stdout) as {
      version: string;
      runs: Array<{ results: Array<{ ruleId: string; level: string }> }>;
    };
    expect(log.version).toBe("2.1.0");
    expect(
      log.runs[0]?.results.some((x) => x.ruleId === "migration/set-not-null" && x.level === "error"),
    ).toBe(true);
  });

  it("takes the starting schema from a dump, and says where SQL does not parse", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-lint-"));
    writeFileSync(
      join(dir, "schema.sql"),
      "\\restrict abc\nCREATE TABLE public.users (id bigint, email text);\nCREATE INDEX users_email ON public.users (email);\n",
    );
    writeFileSync(join(dir, "001.sql"), "DROP INDEX users_email;\n");
    const r = await runCli([
      "migrate",
      "lint",
      join(dir, "001.sql"),
      "--schema",
      join(dir, "schema.sql"),
      "--format",
      "json",
    ]);
    expect((JSON.parse(r.stdout) as LintJson).findings.map((f) => [f.ruleId, f.table])).toContainEqual([
      "migration/drop-index-not-concurrent",
      "users",
    ]);
    writeFileSync(join(dir, "002.sql"), "ALTER TABLE users ADD COLUMN;\n");
    const bad = await runCli(["migrate", "lint", join(dir, "002.sql")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/002\.sql:1:\d+ does not parse/);
    expect(bad.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });
});

describe("dbopt migrate lint on real ORM output", () => {
  it("Django sqlmigrate with its pg_dump starting schema: the foreign key, the unique field and the indexes; no rewrite for the widenings", async () => {
    const django = join(FIXTURES, "django-widen-and-link");
    const r = await runCli([
      "migrate",
      "lint",
      join(django, "0002_widen_and_link.sql"),
      "--schema",
      join(django, "schema.sql"),
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as LintJson;
    expect(out.findings.map((f) => `${f.ruleId}@${f.line}`).sort()).toEqual([
      "migration/add-column-constraint@5",
      "migration/add-column-constraint@9",
      "migration/create-index-not-concurrent@18",
      "migration/create-index-not-concurrent@19",
      "migration/missing-lock-timeout@5",
    ]);
    // Without the dump, varchar(255) → text and numeric(10,2) → (12,2) are possible rewrites: the types are unknown.
    const blind = await runCli([
      "migrate",
      "lint",
      join(django, "0002_widen_and_link.sql"),
      "--format",
      "json",
    ]);
    const types = (JSON.parse(blind.stdout) as LintJson).findings.filter(
      (f) => f.ruleId === "migration/alter-column-type",
    );
    expect(types.map((f) => [f.line, f.severity])).toEqual([
      [13, "warning"],
      [17, "warning"],
    ]);
  });

  it("Alembic offline SQL: the index and the lock timeout, not the alembic_version bookkeeping", async () => {
    const r = await runCli([
      "migrate",
      "lint",
      join(FIXTURES, "alembic-add-plan", "9a8b7c6d5e4f_add_plan.sql"),
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect((JSON.parse(r.stdout) as LintJson).findings.map((f) => `${f.ruleId}@${f.line}`).sort()).toEqual([
      "migration/create-index-not-concurrent@7",
      "migration/missing-lock-timeout@5",
    ]);
  });
});

describe.each(server("pg15"))("dbopt migrate lint --db on $name", (s) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(
      s,
      "create table big (id bigint primary key, note text); insert into big select g, repeat('x', 200) from generate_series(1, 100000) g; create table tiny (id bigint primary key, note varchar(20)); analyze;",
    );
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });

  it("grades by table size and knows column types from the database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-lint-"));
    writeFileSync(
      join(dir, "001.sql"),
      "SET lock_timeout = '1s';\nALTER TABLE big ALTER COLUMN note SET NOT NULL;\nALTER TABLE tiny ALTER COLUMN note SET NOT NULL;\nALTER TABLE tiny ALTER COLUMN note TYPE varchar(40);\n",
    );
    const r = await runCli(["migrate", "lint", dir, "--db", db.url, "--format", "json"]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as LintJson & { pgVersion: number };
    expect(out.pgVersion).toBe(15);
    expect(out.findings.map((f) => [f.table, f.severity])).toEqual([
      ["big", "error"],
      ["tiny", "warning"],
    ]);
  });
});
