import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectCapabilities } from "../../src/connectors/postgres/capabilities.js";
import { DBOPT_TAG, PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectWorkload } from "../../src/facts/collect/collect-workload.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

// The statements dbopt sends must reach pg_stat_statements with their tag, or dbopt later counts its own work
// as the user's: a trailing `;` cut a tag put after it, and PostgreSQL 18 drops a leading comment.
describe.each(availableServers())("dbopt's tag in pg_stat_statements on $name", (server) => {
  let database: TestDatabase;
  let db: PostgresConnector;

  beforeAll(async () => {
    database = await createTestDatabase(
      server,
      `create extension pg_stat_statements;
       create table "Tag; Me" (id int primary key, v text);
       insert into "Tag; Me" select g, 'v' || g from generate_series(1, 50) g;`,
    );
    db = await PostgresConnector.connect(resolveTarget({ db: database.url }));
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("tags a statement that ends in a semicolon and each statement of a multi-statement text", async () => {
    await db.query(`select count(*) from "Tag; Me" where id > 10;`);
    await db.query(
      `select v from "Tag; Me" where id = 3; select id from "Tag; Me" where v = 'a;b' -- why;\n;`,
    );
    await db.inRolledBackTransaction(async () => {
      await db.query(`update "Tag; Me" set v = 'x;' where id = 4;`);
    });
    // The user's own statement, untagged: the filter below must still see it.
    await runAsAdmin(database.url, `select v from "Tag; Me" where id < 5 order by v;`);
    const rows = (
      await runAsAdmin(
        database.url,
        `select query from pg_stat_statements
          where dbid = (select oid from pg_database where datname = current_database()) and query like '%"Tag; Me"%'`,
      )
    ).rows as { query: string }[];
    const texts = rows.map((r) => r.query);
    // The setup's create and insert have no WHERE; the user's statement is the one with ORDER BY.
    const ours = texts.filter((q) => q.includes("where") && !q.includes("order by"));
    expect(ours.length, texts.join("\n")).toBe(4);
    for (const q of ours) expect(q, q).toContain(DBOPT_TAG);

    const workload = await collectWorkload(db, await detectCapabilities(db));
    const seen = workload.statements.map((s) => s.query).filter((q) => q.includes('"Tag; Me" where'));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain("order by v");
  });
});
