import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { readMigrationSet } from "./migration-set.js";
import { runnerSections } from "./runner-sections.js";

// Permify's goose migration internal/storage/postgres/migrations/20231230174418_schema_version_index.sql, as
// published (MIT licence, Copyright (c) 2022 Tolga Özen).
const GOOSE = `-- +goose Up
-- +goose StatementBegin
CREATE INDEX IF NOT EXISTS idx_schema_version ON schema_definitions (version);
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DROP INDEX IF EXISTS idx_schema_version;
-- +goose StatementEnd
`;

const read = (text: string, assumeInTransaction = false) =>
  readMigrationSet([{ file: "m.sql", text }], { pgVersion: 16, assumeInTransaction, existing: null })
    .statements;

describe("runner sections (goose, sql-migrate, dbmate)", () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  it("reads only goose's up part, in the transaction goose wraps it in, at the file's own lines", () => {
    const statements = read(GOOSE);
    expect(statements.map((s) => [s.line, s.sql, s.transaction])).toEqual([
      [3, "CREATE INDEX IF NOT EXISTS idx_schema_version ON schema_definitions (version)", "m.sql"],
    ]);
  });

  it("NO TRANSACTION, notransaction and transaction:false run the up part outside a transaction, whatever --assume-in-transaction says", () => {
    const goose = read(
      `-- +goose NO TRANSACTION\n${GOOSE.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY")}`,
      true,
    );
    expect(goose.map((s) => s.transaction)).toEqual([null]);
    const sqlMigrate = read(
      "-- +migrate Up notransaction\ncreate index concurrently i on t (a);\n-- +migrate Down\ndrop index i;\n",
      true,
    );
    expect(sqlMigrate.map((s) => [s.sql, s.transaction])).toEqual([
      ["create index concurrently i on t (a)", null],
    ]);
    const dbmate = read(
      "-- migrate:up transaction:false\ncreate index concurrently i on t (a);\n\n-- migrate:down\ndrop index i;\n",
    );
    expect(dbmate.map((s) => [s.line, s.transaction])).toEqual([[2, null]]);
  });

  it("leaves files without markers alone, and keeps CRLF line ends in the blanked part", () => {
    const plain = "create index i on t (a);\n-- migrate down later\ndrop index i;\n";
    expect(runnerSections(plain)).toEqual({ text: plain, inTransaction: null });
    const crlf = runnerSections("-- migrate:up\r\nselect 1;\r\n-- migrate:down\r\ndrop table t;\r\n");
    expect(crlf.text).toBe("-- migrate:up\r\nselect 1;\r\n-- migrate:down\r\n             \r\n");
    expect(crlf.inTransaction).toBe(true);
  });
});
