import { beforeAll, describe, expect, it } from "vitest";
import { type MigrationStatement, readMigrationSet } from "../../facts/migration/migration-set.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { sql } from "../../util/sql-text.js";
import {
  columnConstraintEnd,
  edit,
  keywordAt,
  nodeOffset,
  ownStatement,
  typeSource,
} from "./statement-text.js";

type Node = Record<string, unknown>;

function statements(text: string): MigrationStatement[] {
  return readMigrationSet([{ file: "m.sql", text }], { pgVersion: 16 }).statements;
}

function addedColumn(st: MigrationStatement): Node {
  const cmd = ((st.stmt.AlterTableStmt as Node).cmds as Node[])[0]?.AlterTableCmd as Node;
  return (cmd.def as Node).ColumnDef as Node;
}

describe("statement text edits", () => {
  beforeAll(loadSqlParser);

  it("ends the user's statement after its last token, so a trailing comment cannot swallow the semicolon", () => {
    const [st] = statements("create index i on t (a) -- the last line, no semicolon");
    expect(st && ownStatement(st)).toBe("create index i on t (a);");
  });

  it("inserts at token positions in statements after multi-byte text", () => {
    const [, st] = statements('select \'é\';\ncreate index "Ünï" on "Tâble" (a);');
    if (!st) throw new Error("no statement");
    const index = keywordAt(st, "INDEX");
    expect(index && edit(st, [{ at: index.end, text: sql` CONCURRENTLY` }])).toBe(
      'create index CONCURRENTLY "Ünï" on "Tâble" (a);',
    );
  });

  it("reads a column's type as written, up to its first constraint", () => {
    const types = statements(
      [
        "alter table t add column a interval day to second(3) not null;",
        "alter table t add column b double precision[] default '{}';",
        'alter table t add column c timestamp(3) with time zone collate "C";',
        'alter table t add column d "My Schema"."My Type" references u (id);',
        "alter table t add column e numeric(10, 2);",
      ].join("\n"),
    ).map((st) => typeSource(st, addedColumn(st).typeName as Node));
    expect(types).toEqual([
      "interval day to second(3)",
      "double precision[]",
      "timestamp(3) with time zone",
      '"My Schema"."My Type"',
      "numeric(10, 2)",
    ]);
  });

  it("finds where a column constraint ends: ON DELETE SET NULL and DEFERRABLE stay, NOT NULL starts the next", () => {
    const [st] = statements(
      "alter table t add column o int constraint fk references u (id) on delete set null deferrable initially deferred not null unique;",
    );
    if (!st) throw new Error("no statement");
    const fk = (addedColumn(st).constraints as Node[])
      .map((c) => c.Constraint as Node)
      .find((c) => c.contype === "CONSTR_FOREIGN");
    const start = nodeOffset(st, fk?.location) ?? -1;
    expect(st.sql.slice(start, columnConstraintEnd(st, start))).toBe(
      "constraint fk references u (id) on delete set null deferrable initially deferred",
    );
  });
});
