import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { createTestDatabase, server, type TestDatabase } from "../../../test/support/servers.js";
import { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../connectors/postgres/target.js";
import { readMigrationSet } from "../../facts/migration/migration-set.js";
import { schemaFromDatabase } from "../../facts/migration/starting-schema.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { defaultOptions } from "../rule.js";
import { checksNotNull, setNotNull } from "./set-not-null.js";

describe("migration/set-not-null", () => {
  it("gives the CHECK recipe before 18 and the NOT VALID NOT NULL one on 18", async () => {
    const sql = "alter table users alter column email set not null;";
    const [f16] = await lintSql(setNotNull, sql, { pgVersion: 16 });
    expect(f16?.fix?.sql).toContain("CHECK (email IS NOT NULL) NOT VALID");
    expect(f16?.evidence).toMatchObject({ lock: "AccessExclusiveLock" });
    const [f18] = await lintSql(setNotNull, sql, { pgVersion: 18 });
    expect(f18?.fix?.sql).toContain("ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID");
  });

  it("is quiet after a validated CHECK (col IS NOT NULL), and on new tables", async () => {
    expect(
      await lintSql(
        setNotNull,
        `alter table users add constraint e_nn check (email is not null) not valid;
         alter table users validate constraint e_nn;
         alter table users alter column email set not null;`,
      ),
    ).toEqual([]);
    expect(
      await lintSql(setNotNull, "create table t (a int);\nalter table t alter column a set not null;"),
    ).toEqual([]);
  });

  it("after validating a constraint added by an earlier migration, warns with that assumption (squawk's cross-migration case)", async () => {
    const [f] = await lintSql(
      setNotNull,
      "alter table foo validate constraint foo_bar_not_null;\nalter table foo alter column bar set not null;",
    );
    expect(f?.severity).toBe("warning");
    expect(f?.title).toContain("unless foo_bar_not_null (validated at line 1) is CHECK (bar IS NOT NULL)");
    // A constraint of this set that is not the NOT NULL check proves nothing: still an error.
    const [fk] = await lintSql(
      setNotNull,
      `alter table foo add constraint fk foreign key (a) references b (id) not valid;
       alter table foo validate constraint fk;
       alter table foo alter column bar set not null;`,
    );
    expect(fk?.severity).toBe("error");
  });
});

describe.each(server("pg15"))("migration/set-not-null with --db ($name)", (pg) => {
  let database: TestDatabase;
  let db: PostgresConnector;
  beforeAll(async () => {
    database = await createTestDatabase(
      pg,
      `create table customers (id int primary key);
       create table orders (id int primary key, customer_id int, note text, "Odd ""col""" text);
       alter table orders add constraint orders_customer_fk foreign key (customer_id) references customers (id) not valid;
       alter table orders add constraint orders_note_check check (note is not null) not valid;
       alter table orders add constraint odd_nn check ("Odd ""col""" is not null and id > 0);`,
    );
    db = await PostgresConnector.connect(resolveTarget({ db: database.url }));
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const lintWithDb = async (sql: string) => {
    await loadSqlParser();
    const schema = await schemaFromDatabase(db);
    const facts = readMigrationSet([{ file: "m.sql", text: sql }], {
      pgVersion: 15,
      existing: schema.existing,
      ...(schema.constraints ? { constraints: schema.constraints } : {}),
    });
    // The test tables are empty: grade them as the 2M-row table of the report would be.
    return setNotNull.check(facts, { ...defaultOptions(setNotNull), smallTableBytes: 0 });
  };

  it("reads what an earlier VALIDATE CONSTRAINT validated: a foreign key proves nothing, the NOT NULL check does", async () => {
    const [fk] = await lintWithDb(
      "alter table orders validate constraint orders_customer_fk;\nalter table orders alter column note set not null;",
    );
    expect(fk?.severity).toBe("error");
    expect(fk?.title).toBe("SET NOT NULL on orders.note reads the whole table while blocking it");
    expect(
      await lintWithDb(
        "alter table orders validate constraint orders_note_check;\nalter table orders alter column note set not null;",
      ),
    ).toEqual([]);
    // Not validated anywhere: the check does not count yet.
    expect((await lintWithDb("alter table orders alter column note set not null;"))[0]?.severity).toBe(
      "error",
    );
  });

  it("counts a validated check of the database that ANDs the NOT NULL with more, on an awkward column name", async () => {
    expect(await lintWithDb('alter table orders alter column "Odd ""col""" set not null;')).toEqual([]);
  });
});

describe("migration/set-not-null without --db", () => {
  it("assumes only a constraint whose name says CHECK or names the column may be the NOT NULL check", async () => {
    const [fk] = await lintSql(
      setNotNull,
      "alter table orders validate constraint orders_customer_fk;\nalter table orders alter column note set not null;",
    );
    expect(fk?.severity).toBe("error");
    const [chk] = await lintSql(
      setNotNull,
      "alter table orders validate constraint orders_chk;\nalter table orders alter column note set not null;",
    );
    expect(chk?.severity).toBe("warning");
  });

  it("reads pg_get_constraintdef's text", () => {
    expect(checksNotNull("CHECK ((note IS NOT NULL))", "note")).toBe(true);
    expect(checksNotNull("CHECK ((note IS NOT NULL)) NOT VALID", "note")).toBe(true);
    expect(checksNotNull("CHECK (((id > 0) AND (note IS NOT NULL)))", "note")).toBe(true);
    expect(checksNotNull("CHECK ((((note IS NOT NULL) AND (id > 0)) OR (id < 0)))", "note")).toBe(false);
    expect(checksNotNull("CHECK (((note IS NOT NULL) OR (id > 0)))", "note")).toBe(false);
    expect(checksNotNull("CHECK ((NOT (note IS NOT NULL)))", "note")).toBe(false);
    expect(checksNotNull("CHECK ((other IS NOT NULL))", "note")).toBe(false);
    expect(checksNotNull("FOREIGN KEY (note) REFERENCES c(id)", "note")).toBe(false);
  });
});
