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
