import { beforeAll, describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { addColumnRewrite } from "../../rules/migration/add-column-rewrite.js";
import { concurrentlyInTransaction } from "../../rules/migration/concurrently-in-transaction.js";
import { setNotNull } from "../../rules/migration/set-not-null.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { readMigrationSet } from "./migration-set.js";

const read = (text: string) =>
  readMigrationSet([{ file: "m.sql", text }], { pgVersion: 16, assumeInTransaction: false, existing: null })
    .statements;

// The re-runnable shape real migrations use (written for this test, after the pattern of PrairieLearn's and
// Supabase's migrations).
const GUARDED = `ALTER TABLE variants ADD CONSTRAINT variants_course_id_not_null CHECK (course_id IS NOT NULL) NOT VALID;
ALTER TABLE variants VALIDATE CONSTRAINT variants_course_id_not_null;
DO $$
BEGIN
    IF (SELECT convalidated FROM pg_constraint WHERE conname = 'variants_course_id_not_null') THEN
        ALTER TABLE variants
        ALTER COLUMN course_id
        SET NOT NULL;
    ELSE
        RAISE EXCEPTION 'NULL row(s) exist in column';
    END IF;
END;
$$;
ALTER TABLE variants DROP CONSTRAINT variants_course_id_not_null;
`;

describe("statements inside DO blocks", () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  it("are read at their own line and column, inside the block's transaction, after the block", () => {
    const statements = read(GUARDED);
    expect(statements.map((s) => [s.kind, s.line, s.column, s.within ?? null, s.transaction])).toEqual([
      ["AlterTableStmt", 1, 1, null, null],
      ["AlterTableStmt", 2, 1, null, null],
      ["DoStmt", 3, 1, null, null],
      ["AlterTableStmt", 6, 9, "DO block at line 3", "m.sql:DO block at line 3"],
      ["AlterTableStmt", 14, 1, null, null],
    ]);
    expect(statements[3]?.sql).toBe(
      "ALTER TABLE variants\n        ALTER COLUMN course_id\n        SET NOT NULL",
    );
  });

  it("are judged like any statement: the guarded SET NOT NULL after the validated check is safe, a volatile default inside a block is not", async () => {
    expect(await lintSql(setNotNull, GUARDED)).toEqual([]);
    const [rewrite] = await lintSql(
      addColumnRewrite,
      "DO $$\nBEGIN\n  ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\nEND\n$$;",
    );
    expect(rewrite).toMatchObject({ severity: "error", location: { line: 3, column: 3 } });
    const [concurrently] = await lintSql(
      concurrentlyInTransaction,
      "DO $$ BEGIN CREATE INDEX CONCURRENTLY i ON orders (token); END $$;",
    );
    expect(concurrently?.severity).toBe("error");
  });

  it("leaves other languages and dynamic EXECUTE strings alone", () => {
    expect(read("DO LANGUAGE plperl $$ print 1 $$;").map((s) => s.kind)).toEqual(["DoStmt"]);
    expect(read("DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;").map((s) => s.kind)).toEqual(["DoStmt"]);
  });
});
