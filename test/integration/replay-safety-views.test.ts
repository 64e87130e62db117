/**
 * bench's replay safety on a database not marked --sandbox: a read that calls a server-acting or writing function
 * through a view (to any depth) or a row-level security policy is refused like a direct call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReasons } from "../../src/advisors/load/replay-safety.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { loadSqlParser } from "../../src/util/sql-parser.js";
import { createTestDatabase, server, type TestDatabase } from "../support/servers.js";

const SCHEMA = `
create table items (id int primary key, owner text not null);
insert into items select g, 'u' || g % 3 from generate_series(1, 30) g;
create view reaper as select pg_terminate_backend(pid) as killed from pg_stat_activity where false;
create view "Deep View" as select * from reaper;
create function bump() returns int language sql volatile as 'select 1';
create view bumps as select bump() as b, id from items;
create table guarded (id int primary key);
alter table guarded enable row level security;
create policy p on guarded using (pg_cancel_backend(0) is not null);
create view plain as select id, now() as at, random() as r from items;`;

describe.each(server("pg15"))("replay safety through views and policies ($name)", (srv) => {
  let db: TestDatabase;
  let connector: PostgresConnector;
  beforeAll(async () => {
    await loadSqlParser();
    db = await createTestDatabase(srv, SCHEMA);
    connector = await PostgresConnector.connect(resolveTarget({ db: db.url }));
  });
  afterAll(async () => {
    await connector?.close();
    await db?.drop();
  });

  it("refuses a read whose view, nested view or policy calls a VOLATILE function, and passes a harmless view", async () => {
    const reasons = await writeReasons(connector, [
      { id: "direct", sql: "select pg_terminate_backend(1)" },
      { id: "view", sql: "select * from reaper" },
      { id: "nested", sql: 'select * from public."Deep View"' },
      { id: "user", sql: "select id from bumps where id = 1" },
      { id: "policy", sql: "select * from guarded" },
      { id: "plain", sql: "select * from plain where id = 3" },
      { id: "table", sql: "select * from items where id = 3" },
    ]);
    expect(reasons.get("direct")).toMatch(
      /pg_terminate_backend\(\), a VOLATILE function that acts on the server/,
    );
    expect(reasons.get("view")).toMatch(
      /reads public\.reaper, .*pg_terminate_backend\(\).*acts on the server/,
    );
    expect(reasons.get("nested")).toMatch(/reads public\.reaper, .*pg_terminate_backend/);
    expect(reasons.get("user")).toMatch(
      /reads public\.bumps, .*bump\(\), a VOLATILE function that may write/,
    );
    expect(reasons.get("policy")).toMatch(/reads public\.guarded, .*pg_cancel_backend/);
    expect(reasons.get("plain")).toBeNull();
    expect(reasons.get("table")).toBeNull();
  });
});
