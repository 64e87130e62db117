import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { setNotNull } from "./set-not-null.js";

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
});
