import { describe, expect, it } from "vitest";
import { readDdl } from "./mysql-ddl.js";
import { lineAndColumn, splitStatements } from "./mysql-ddl-tokens.js";

const read = (sql: string) => {
  const [s] = splitStatements(sql);
  if (!s) throw new Error("no statement");
  return readDdl(s.tokens, sql);
};

describe("MySQL DDL reader", () => {
  it("splits at ';' outside quotes and comments, and places each statement", () => {
    const text = "-- one; two\nALTER TABLE `a;b` ADD COLUMN c INT; # x;\n/* ; */ CREATE INDEX i ON t ('; ');";
    const parts = splitStatements(text);
    expect(parts).toHaveLength(2);
    expect(lineAndColumn(text, parts[0]?.start ?? 0)).toEqual({ line: 2, column: 1 });
    expect(lineAndColumn(text, parts[1]?.start ?? 0)).toEqual({ line: 3, column: 9 });
  });

  it("reads ALTER TABLE specifications, names unquoted, and the ALGORITHM/LOCK clauses", () => {
    const ddl = read(
      "ALTER ONLINE TABLE `shop`.`we``ird` ADD COLUMN IF NOT EXISTS `n ew` VARCHAR(20) NOT NULL DEFAULT 'a,b' AFTER id, MODIFY COLUMN qty BIGINT UNSIGNED, DROP INDEX i, RENAME INDEX a TO b, ALTER COLUMN x SET DEFAULT 1, ALGORITHM = INPLACE, LOCK=NONE",
    );
    expect(ddl.kind).toBe("alter-table");
    if (ddl.kind !== "alter-table") return;
    expect(ddl.table).toEqual({ schema: "shop", name: "we`ird" });
    expect(ddl.algorithm).toBe("INPLACE");
    expect(ddl.lock).toBe("NONE");
    expect(ddl.operations).toEqual([
      {
        kind: "add-column",
        column: {
          name: "n ew",
          type: "varchar(20)",
          notNull: true,
          hasDefault: true,
          autoIncrement: false,
          generated: null,
          key: null,
          charset: null,
          collation: null,
        },
        position: { kind: "after", column: "id" },
      },
      {
        kind: "change-column",
        from: "qty",
        column: {
          name: "qty",
          type: "bigint unsigned",
          notNull: null,
          hasDefault: false,
          autoIncrement: false,
          generated: null,
          key: null,
          charset: null,
          collation: null,
        },
        position: { kind: "last" },
      },
      { kind: "drop-index", name: "i" },
      { kind: "rename-index", from: "a", to: "b" },
      { kind: "set-default", column: "x" },
    ]);
    expect(ddl.specsText).not.toContain("ALGORITHM");
  });

  it("reads CREATE/DROP INDEX with their clauses as the ALTER they are", () => {
    const create = read("CREATE UNIQUE INDEX u ON t (a, b(10) DESC) USING BTREE ALGORITHM=INPLACE LOCK=NONE");
    expect(create).toMatchObject({
      kind: "alter-table",
      verb: "create-index",
      algorithm: "INPLACE",
      lock: "NONE",
      operations: [
        { kind: "add-index", index: "unique", name: "u", columns: ["a", "b"], keyParts: "(a, b(10) DESC)" },
      ],
    });
    expect(read("DROP INDEX i ON t LOCK = SHARED")).toMatchObject({ verb: "drop-index", lock: "SHARED" });
  });

  it("reads foreign keys, partitions, charset changes, table options and generated columns", () => {
    const ddl = read(
      "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id), CONVERT TO CHARACTER SET utf8mb4, ROW_FORMAT=DYNAMIC, ADD COLUMN g INT AS (a + 1) STORED, DROP PARTITION p1",
    );
    if (ddl.kind !== "alter-table") throw new Error(ddl.kind);
    expect(ddl.operations.map((o) => o.kind)).toEqual([
      "add-foreign-key",
      "convert-charset",
      "table-option",
      "add-column",
      "partition",
    ]);
    expect(ddl.operations[3]).toMatchObject({ column: { generated: "stored" } });
  });

  it("reads a partition clause whole, its list of partitions included, and ADD PARTITION's kind", () => {
    const ops = (text: string) => {
      const ddl = read(text);
      return ddl.kind === "alter-table" ? ddl.operations : [];
    };
    expect(
      ops("ALTER TABLE t REORGANIZE PARTITION p2, p3 INTO (PARTITION p23 VALUES LESS THAN (3000))"),
    ).toEqual([{ kind: "partition", action: "REORGANIZE PARTITION" }]);
    expect(ops("ALTER TABLE t DROP PARTITION p1, p2")).toEqual([
      { kind: "partition", action: "DROP PARTITION" },
    ]);
    expect(ops("ALTER TABLE t ADD PARTITION (PARTITION p4 VALUES LESS THAN (4000))")).toEqual([
      { kind: "partition", action: "ADD PARTITION", hashed: false },
    ]);
    const repartition = read(
      "ALTER TABLE t ALGORITHM=COPY, LOCK = SHARED PARTITION BY HASH (id) PARTITIONS 4",
    );
    expect(repartition).toMatchObject({
      algorithm: "COPY",
      lock: "SHARED",
      operations: [{ kind: "partition", action: "PARTITION BY" }],
    });
    expect(ops("ALTER TABLE t ADD PARTITION PARTITIONS 2")).toEqual([
      { kind: "partition", action: "ADD PARTITION", hashed: true },
    ]);
  });

  it("reads SET foreign_key_checks, CREATE TABLE columns, and leaves other statements alone", () => {
    expect(read("SET foreign_key_checks = 0")).toEqual({ kind: "set-foreign-key-checks", on: false });
    expect(read("SET SESSION FOREIGN_KEY_CHECKS=1")).toEqual({ kind: "set-foreign-key-checks", on: true });
    const created = read("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL, KEY k (v))");
    expect(created).toMatchObject({
      kind: "create-table",
      columns: [
        { name: "id", key: "primary" },
        { name: "v", notNull: true },
      ],
    });
    expect(read("INSERT INTO t VALUES (1)")).toEqual({ kind: "other" });
  });

  it("reads an executable comment's content as the server does", () => {
    expect(read("/*!80013 ALTER TABLE t ADD INDEX i (a) */")).toMatchObject({ kind: "alter-table" });
  });

  it("reads ALGORITHM/LOCK written after a partition clause, and says where the grammar takes them", () => {
    const after = read("ALTER TABLE t PARTITION BY HASH (id) PARTITIONS 4, ALGORITHM=COPY");
    expect(after).toMatchObject({
      algorithm: "COPY",
      operations: [{ kind: "partition", action: "PARTITION BY" }],
      placedText: "ALTER TABLE t ALGORITHM=COPY PARTITION BY HASH (id) PARTITIONS 4",
    });
    if (after.kind !== "alter-table") throw new Error(after.kind);
    expect(after.syntaxError).toContain("ALGORITHM=COPY is written after PARTITION BY");
    expect(after.specsText).toBe("PARTITION BY HASH (id) PARTITIONS 4");
    // No comma at all, and after a standalone clause's list.
    expect(read("ALTER TABLE t REMOVE PARTITIONING LOCK = EXCLUSIVE")).toMatchObject({
      lock: "EXCLUSIVE",
      placedText: "ALTER TABLE t LOCK = EXCLUSIVE REMOVE PARTITIONING",
    });
    expect(read("ALTER TABLE `l``g` DROP PARTITION p1, p2, LOCK=NONE")).toMatchObject({
      lock: "NONE",
      placedText: "ALTER TABLE `l``g` LOCK=NONE, DROP PARTITION p1, p2",
    });
    // KEY partitioning's ALGORITHM=2 is its hashing, not the online DDL clause.
    expect(read("ALTER TABLE t PARTITION BY KEY ALGORITHM=2 (id) PARTITIONS 4")).toMatchObject({
      algorithm: null,
      syntaxError: null,
    });
    // Where the grammar takes them: no finding.
    for (const ok of [
      "ALTER TABLE t ALGORITHM=COPY, LOCK=SHARED PARTITION BY HASH (id) PARTITIONS 4",
      "ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE, DROP PARTITION p1, p2",
      "ALTER TABLE t REORGANIZE PARTITION p1, p2 INTO (PARTITION p12 VALUES LESS THAN (20))",
      "ALTER TABLE t IMPORT PARTITION p1, p2 TABLESPACE",
    ])
      expect(read(ok), ok).toMatchObject({ syntaxError: null, placedText: null });
  });

  it("reads PARTITION BY after a specification with no comma, and refuses the forms MariaDB 10.11 refuses", () => {
    expect(read("ALTER TABLE t ADD COLUMN c INT PARTITION BY HASH (id) PARTITIONS 2")).toMatchObject({
      syntaxError: null,
      operations: [
        { kind: "add-column", column: { name: "c", type: "int" } },
        { kind: "partition", action: "PARTITION BY" },
      ],
    });
    const error = (sql: string) => {
      const ddl = read(sql);
      return ddl.kind === "alter-table" ? ddl.syntaxError : null;
    };
    // Each of these is ERROR 1064 on MariaDB 10.11.19.
    expect(error("ALTER TABLE t ADD COLUMN c INT, PARTITION BY HASH (id) PARTITIONS 2")).toContain(
      "a comma stands before PARTITION BY",
    );
    expect(error("ALTER TABLE t ADD COLUMN y INT, DROP PARTITION p0")).toContain(
      "DROP PARTITION cannot be combined with other changes",
    );
    expect(error("ALTER TABLE t DROP PARTITION p0, ADD COLUMN y INT")).toContain(
      "ADD COLUMN y follows DROP PARTITION",
    );
    expect(error("ALTER TABLE t DISCARD TABLESPACE, ALGORITHM=INPLACE")).toContain(
      "ALGORITHM=INPLACE is written after DISCARD TABLESPACE",
    );
    expect(read("ALTER TABLE t ADD COLUMN y INT, DROP PARTITION p0")).toMatchObject({ placedText: null });
  });

  it("reads DISCARD and IMPORT TABLESPACE of the whole table", () => {
    expect(read("ALTER TABLE t DISCARD TABLESPACE")).toMatchObject({
      operations: [{ kind: "tablespace", action: "DISCARD" }],
    });
    expect(read("ALTER TABLE t IMPORT TABLESPACE")).toMatchObject({
      operations: [{ kind: "tablespace", action: "IMPORT" }],
    });
    expect(read("ALTER TABLE t DISCARD PARTITION p1 TABLESPACE")).toMatchObject({
      operations: [{ kind: "partition", action: "DISCARD PARTITION" }],
    });
  });

  it("reads a column's CHARACTER SET and COLLATE (utf8 as utf8mb3)", () => {
    expect(
      read("ALTER TABLE t MODIFY c VARCHAR(10) CHARACTER SET utf8 COLLATE utf8_bin NOT NULL"),
    ).toMatchObject({
      operations: [
        { kind: "change-column", column: { charset: "utf8mb3", collation: "utf8mb3_bin", notNull: true } },
      ],
    });
    expect(read("ALTER TABLE t CHANGE c c TEXT CHARSET latin1")).toMatchObject({
      operations: [{ column: { charset: "latin1", collation: null } }],
    });
  });
});
