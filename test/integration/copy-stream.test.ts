/**
 * COPY through the connector (connectors/postgres/copy-stream.ts) on PostgreSQL 15: text COPY carries every value
 * as it was (NULLs, tabs, newlines, backslashes, bytea, jsonb, arrays, non-ASCII), large copies arrive whole with
 * backpressure, COPY TO runs in a read-only session, and an error leaves the session usable.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbError } from "../../src/connectors/db-error.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const SETUP = `
create table "Odd ""Values""" (id int primary key, t text, b bytea, j jsonb, a int[], ts timestamptz);
insert into "Odd ""Values""" values
  (1, E'tab\\there\\nnew line \\\\ back', '\\x00ff0a09'::bytea, '{"k": "v\\n"}', '{1,NULL,3}', '2026-01-01 10:00+02'),
  (2, NULL, NULL, NULL, NULL, NULL),
  (3, 'ünïcödé ✓ "quoted"', ''::bytea, '[]', '{}', 'infinity'),
  (4, E'\\\\N', '\\x5c4e'::bytea, 'null', '{-1}', '-infinity');
insert into "Odd ""Values""" select g, repeat(md5(g::text), 20), decode(md5(g::text), 'hex'), null, array[g], now()
  from generate_series(5, 100000) g;
create table "Copy Target" (like "Odd ""Values""");`;

describe.each(server("pg15"))("COPY through the connector ($name)", (srv) => {
  let db: TestDatabase;
  let source: PostgresConnector;
  let target: PostgresConnector;

  beforeAll(async () => {
    db = await createTestDatabase(srv, SETUP);
    source = await PostgresConnector.connect(resolveTarget({ db: db.url }));
    target = await PostgresConnector.connect(resolveTarget({ db: db.url }));
    await target.allowWrites();
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await target?.close();
    await db?.drop();
  });

  it("copies every value as it was, 100,000 rows of about 700 bytes, from a read-only session", async () => {
    const sink = await target.copyIn(`COPY "Copy Target" FROM STDIN`);
    const read = await source.inReadOnlySnapshot(() =>
      source.copyOut(`COPY (SELECT * FROM "Odd ""Values""") TO STDOUT`, (chunk) => sink.write(chunk)),
    );
    expect(read).toBe(100_000);
    expect(await sink.end()).toBe(100_000);
    const differ = await runAsAdmin(
      db.url,
      `select count(*)::int as n from ((table "Odd ""Values""" except all table "Copy Target")
         union all (table "Copy Target" except all table "Odd ""Values""")) d`,
    );
    expect(differ.rows[0].n).toBe(0);
  });

  it("a COPY that fails becomes a DbError and the sessions go on", async () => {
    await expect(target.copyIn(`COPY "No Such Table" FROM STDIN`)).rejects.toBeInstanceOf(DbError);
    await expect(source.copyOut(`COPY (SELECT 1/0) TO STDOUT`, () => undefined)).rejects.toBeInstanceOf(
      DbError,
    );
    // Bad data fails at the end, and what the COPY wrote is gone.
    const sink = await target.copyIn(`COPY "Copy Target" (id) FROM STDIN`);
    sink.write(Buffer.from("not a number\n"));
    await expect(sink.end()).rejects.toBeInstanceOf(DbError);
    expect(await source.query<{ one: number }>("select 1 as one")).toEqual([{ one: 1 }]);
    expect(await target.query<{ one: number }>("select 1 as one")).toEqual([{ one: 1 }]);
  });

  it("refuses to write through COPY FROM on a read-only session", async () => {
    await expect(source.copyIn(`COPY "Copy Target" FROM STDIN`)).rejects.toThrow(/read-only/);
    expect(await source.query<{ one: number }>("select 1 as one")).toEqual([{ one: 1 }]);
  });
});
