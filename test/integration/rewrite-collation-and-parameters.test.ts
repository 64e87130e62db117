/**
 * Two review findings of `dbopt rewrite` on the local PostgreSQL 15 with the generated schema:
 * - statements numbering their parameters with gaps ($1 and $3, or only $2) are proven with drawn values at their
 *   own numbers (before: "no values for $2", nothing proven);
 * - under a nondeterministic (case-insensitive) collation 'anon' = 'ANON' holds: the rules that decide string
 *   equality from the constants' text decline such a column (read from the catalog), and the rewrite they would
 *   have made is refused by the proof.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proofParameterSets } from "../../src/advisors/rewrite/proof-parameters.js";
import { proveRewrite } from "../../src/advisors/rewrite/prove-rewrite.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { rewriteStatements } from "../../src/pipeline/rewrite-statements.js";
import { loadSqlParser } from "../../src/util/sql-parser.js";
import { REWRITE_SCHEMA } from "../support/rewrite-schema.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

/** 2,000 people: every 10th without a nick, every 3rd (else) nicknamed 'Bob'; the same values in plain_nick. */
const PEOPLE = `
create collation case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
create table people (id integer primary key, nick text collate case_insensitive, plain_nick text);
insert into people
select g, v, v from generate_series(1, 2000) g,
  lateral (select case when g % 10 = 0 then null when g % 3 = 0 then 'Bob' else 'user' || g end as v) s;
create index people_nick on people (nick);
create index people_plain_nick on people (plain_nick);
`;

describe.each(server("pg15"))("dbopt rewrite's review findings on $name", (testServer) => {
  let database: TestDatabase;
  let db: PostgresConnector;
  beforeAll(async () => {
    await loadSqlParser();
    database = await createTestDatabase(testServer, REWRITE_SCHEMA + PEOPLE);
    await runAsAdmin(database.url, "vacuum (analyze) customers, orders, people");
    db = await PostgresConnector.connect(resolveTarget({ db: database.url }));
  }, 180_000);
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("draws values for $1 and $3 (no $2) at their own numbers, typed by their columns, NULL where unused", async () => {
    const sql =
      "select id from orders where date(created_at) = '2024-02-01' and customer_id = $1 and qty < $3";
    const drawn = await proofParameterSets(db, sql, 3);
    expect(drawn.note).toMatch(
      /^3 value sets: \$1 from public\.orders\.customer_id's \w+, \$3 from public\.orders\.qty/,
    );
    expect(drawn.sets).toHaveLength(3);
    for (const set of drawn.sets ?? []) {
      expect(set).toHaveLength(3);
      expect(set[0]).toMatch(/^'\d+'::bigint$/);
      expect(set[1]).toBe("NULL");
      expect(set[2]).toMatch(/^'\d+'::integer$/);
    }
    const report = await rewriteStatements(db, { sql, runs: 3, parameterSets: 3 });
    const [statement] = report.statements;
    expect(statement?.parameters).toBe(drawn.note);
    const rewrite = statement?.rewrites.find((r) => r.ruleId === "rewrite/sargable-date-function");
    expect(rewrite?.proof.parameterSets).toBe(3);
    expect(rewrite?.proof.equal, rewrite?.proof.reason ?? "").toBe(true);
  }, 180_000);

  it("proves a statement that uses only $2, and a keyset rewrite that adds $3 after it", async () => {
    const only2 = "select id from orders where date(created_at) = '2024-02-01' and customer_id = $2";
    const report = await rewriteStatements(db, { sql: only2, runs: 3, parameterSets: 2 });
    const [statement] = report.statements;
    expect(statement?.parameters).toMatch(/^2 value sets: \$2 from public\.orders\.customer_id/);
    const [rewrite] = statement?.rewrites ?? [];
    expect(rewrite?.ruleId).toBe("rewrite/sargable-date-function");
    expect(rewrite?.proof.equal, rewrite?.proof.reason ?? "").toBe(true);
    expect(rewrite?.proof.parameterSets).toBe(2);

    const paged = "select id, ref from orders where customer_id = $2 order by id limit 20 offset 300";
    const keyset = (await rewriteStatements(db, { sql: paged, runs: 3, parameterSets: 2 })).statements[0]
      ?.rewrites[0];
    expect(keyset?.ruleId).toBe("rewrite/offset-to-keyset");
    expect(keyset?.sql).toMatch(/\$3/);
    expect(keyset?.proof.equal, keyset?.proof.reason ?? "").toBe(true);
    expect(keyset?.proof.rows.original).toBe(20);
  }, 180_000);

  it("says which number lacks a value instead of passing undefined", async () => {
    const proof = await proveRewrite(
      db,
      "select id from orders where customer_id = $1 and qty < $3",
      "select id from orders where qty < $3 and customer_id = $1",
      { parameterSets: [["'7'::bigint", "NULL"]] },
    );
    expect(proof.equal).toBe(false);
    expect(proof.reason).toBe("a parameter set has fewer than 3 values");
  });

  it("declines coalesce(col, 'anon') = 'ANON' on a case-insensitive column, and the proof refuses the naive rewrite", async () => {
    const ci = "select id from people where coalesce(nick, 'anon') = 'ANON'";
    const plain = "select id from people where coalesce(plain_nick, 'anon') = 'ANON'";
    const report = await rewriteStatements(db, { sql: `${ci};\n${plain}`, runs: 3 });
    const rule = (sql: string) =>
      report.statements
        .find((s) => s.sql === sql)
        ?.rewrites.filter((r) => r.ruleId === "rewrite/coalesce-equality");
    expect(rule(ci)).toEqual([]);
    // The same text on the deterministic column is rewritten (the rule is not simply off) and proven equal.
    const [control] = rule(plain) ?? [];
    expect(control?.sql).toBe("SELECT id FROM people WHERE plain_nick = 'ANON'");
    expect(control?.proof.equal, control?.proof.reason ?? "").toBe(true);
    // The 200 people without a nick match 'anon' = 'ANON' case-insensitively; nick = 'ANON' finds none.
    const naive = await proveRewrite(db, ci, "select id from people where nick = 'ANON'", { runs: 1 });
    expect(naive.equal).toBe(false);
    expect(naive.reason).toBe("row counts differ: 200 and 0");
  }, 180_000);

  it("keeps UNION of 'bob' and 'BOB' on a case-insensitive column, and the proof refuses UNION ALL", async () => {
    const ci = "select id from people where nick = 'bob' union select id from people where nick = 'BOB'";
    const plain =
      "select id from people where plain_nick = 'bob' union select id from people where plain_nick = 'BOB'";
    const report = await rewriteStatements(db, { sql: `${ci};\n${plain}`, runs: 3 });
    const rule = (sql: string) =>
      report.statements
        .find((s) => s.sql === sql)
        ?.rewrites.filter((r) => r.ruleId === "rewrite/union-to-union-all");
    expect(rule(ci)).toEqual([]);
    expect(rule(plain)?.[0]?.proof.equal).toBe(true);
    const naive = await proveRewrite(db, ci, ci.replace(" union ", " union all "), { runs: 1 });
    expect(naive.equal).toBe(false);
    expect(naive.reason).toMatch(/^row counts differ: (\d+) and (\d+)$/);
    const [, a, b] = /(\d+) and (\d+)/.exec(naive.reason as string) ?? [];
    expect(Number(b)).toBe(2 * Number(a));
  }, 180_000);
});
