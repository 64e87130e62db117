/**
 * What advise partitioning --sandbox runs stays out of the workload the next run reads: every statement it sends
 * reaches pg_stat_statements with the /* dbopt *\/ tag (its migration statements end in ';'), and timing the
 * user's statement adds no calls to the user's own entry (a statement with the values inlined has its queryid).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { overridesFrom } from "../../src/cli/rule-overrides.js";
import { DBOPT_TAG, PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { advisePartitioning } from "../../src/pipeline/advise-partitioning.js";
import { PARTITIONING_RULES } from "../../src/rules/registry.js";
import {
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  server,
  type TestDatabase,
} from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create table "Sand Events" (id bigserial primary key, at timestamptz not null, kind int not null);
insert into "Sand Events" (at, kind)
  select timestamptz '2026-01-01' + g * interval '40 seconds', g % 9 from generate_series(1, 200000) g;
analyze;`;

const OWN = `select calls, query from pg_stat_statements
  where dbid = (select oid from pg_database where datname = current_database())`;

describe.each(server("pg15"))("advise partitioning --sandbox and pg_stat_statements ($name)", (srv) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(srv, SETUP);
    await runAsAdmin(db.url, RESET_THIS_DATABASE_STATEMENTS);
    for (let d = 1; d <= 10; d++)
      await runAsAdmin(
        db.url,
        `select count(*) from "Sand Events" where at >= '2026-02-${String(d).padStart(2, "0")}' and at < '2026-02-${String(d).padStart(2, "0")} 12:00'`,
      );
  }, 300_000);
  afterAll(async () => {
    await db?.drop();
  });

  it("leaves the user's entry as it was and tags everything it ran", async () => {
    const report = await advisePartitioning(() => PostgresConnector.connect(resolveTarget({ db: db.url })), {
      sandbox: true,
      overrides: overridesFrom(["architecture/partition-table.minRows=100000"], PARTITIONING_RULES),
    });
    expect(report.advice[0]?.proof?.length).toBeGreaterThan(0);
    const rows = (await runAsAdmin(db.url, OWN)).rows as Array<{ calls: number; query: string }>;
    const untagged = rows.filter((r) => !r.query.includes(DBOPT_TAG));
    const user = untagged.filter((r) => r.query.startsWith('select count(*) from "Sand Events"'));
    expect(user.map((r) => Number(r.calls))).toEqual([10]);
    // The migration ran: its INSERT ... SELECT statements are there, tagged.
    expect(rows.some((r) => r.query.startsWith("INSERT INTO") && r.query.includes(DBOPT_TAG))).toBe(true);
    const others = untagged.filter(
      (r) => !user.includes(r) && !/pg_stat_statements_reset|^select calls, query/.test(r.query),
    );
    expect(others.map((r) => r.query)).toEqual([]);
  });
});
