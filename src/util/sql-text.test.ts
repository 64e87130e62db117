import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWKWARD_NAMES } from "../../test/support/awkward-names.js";
import { availableServers, createTestDatabase, type TestDatabase } from "../../test/support/servers.js";
import { quoteIdent } from "./sql-identifiers.js";
import { loadSqlParser } from "./sql-parser.js";
import { checkSql, ident, list, literal, qname, sql, UnparsableSqlError } from "./sql-text.js";

beforeAll(loadSqlParser);

describe("sql template", () => {
  it("quotes names and literals, keeps numbers, refuses what is not finite", () => {
    const built = sql`ALTER TABLE ${qname("Sales", "line item")} ALTER COLUMN ${ident("Qty")} SET STATISTICS ${1000};`;
    expect(built).toBe('ALTER TABLE "Sales"."line item" ALTER COLUMN "Qty" SET STATISTICS 1000;');
    expect(sql`SELECT ${literal("it's")}`).toBe("SELECT 'it''s'");
    expect(list([ident("a"), ident("B")])).toBe('a, "B"');
    expect(() => sql`SET x = ${Number.NaN}`).toThrow(/finite/);
  });

  it("parses back every name as one statement", async () => {
    for (const name of AWKWARD_NAMES) {
      const text = sql`ANALYZE ${qname("Other Schema", name)};`;
      expect(checkSql(text, 1)).toBe(text);
    }
  });

  it("catches SQL that does not parse, and one statement that became two", () => {
    expect(() => checkSql("CREATE INDEX ON t (…);")).toThrow(UnparsableSqlError);
    expect(() => checkSql("ANALYZE t; DROP TABLE canary;", 1)).toThrow(/2 statements where 1/);
  });
});

const servers = availableServers();

describe.each(servers)("quoting on a real server ($name)", (server) => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase(server);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("quotes as quote_ident() does", async () => {
    const { rows } = await client.query<{ q: string }>(
      "select quote_ident(n) as q from unnest($1::text[]) n",
      [AWKWARD_NAMES],
    );
    expect(AWKWARD_NAMES.map(quoteIdent)).toEqual(rows.map((r) => r.q));
  });

  it("creates, analyzes and drops objects with every awkward name, and nothing else", async () => {
    await client.query("create table canary (id int)");
    for (const name of AWKWARD_NAMES) {
      const schema = `s ${name}`;
      await client.query(sql`CREATE SCHEMA ${ident(schema)}`);
      await client.query(sql`CREATE TABLE ${qname(schema, name)} (${ident(name)} int)`);
      await client.query(sql`INSERT INTO ${qname(schema, name)} VALUES (${1})`);
      await client.query(checkSql(sql`ANALYZE ${qname(schema, name)};`, 1));
      await client.query(sql`COMMENT ON TABLE ${qname(schema, name)} IS ${literal(name)}`);
      const { rows } = await client.query<{ c: string }>(
        sql`SELECT obj_description(${literal(`${quoteIdent(schema)}.${quoteIdent(name)}`)}::regclass) AS c`,
      );
      expect(rows[0]?.c).toBe(name);
      await client.query(sql`DROP SCHEMA ${ident(schema)} CASCADE`);
    }
    const { rows } = await client.query("select to_regclass('canary') as t");
    expect(rows[0].t).toBe("canary");
  });
});
