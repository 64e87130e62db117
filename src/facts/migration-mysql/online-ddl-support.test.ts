import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AlterOperation, ColumnSpec } from "./mysql-ddl.js";
import {
  type DocRow,
  MYSQL_ROWS,
  normaliseType,
  operationSupport,
  type ServerVersion,
  type TableContext,
} from "./online-ddl-support.js";

const FIXTURE = readFileSync(
  new URL("../../../test/fixtures/mysql/online-ddl-operations-8.0.txt", import.meta.url),
  "utf8",
);
const yes = (cell: string) => cell.replace("*", "").trim() === "Yes";
const printed = FIXTURE.split("\n")
  .filter((l) => l.includes("|") && !l.startsWith("#"))
  .map((l) => l.split("|").map((c) => c.trim()))
  .map(
    ([operation, instant, inPlace, rebuilds, dml, metadata]): DocRow => ({
      operation: operation as string,
      instant: yes(instant as string),
      inPlace: yes(inPlace as string),
      rebuildsTable: yes(rebuilds as string),
      permitsConcurrentDml: yes(dml as string),
      onlyModifiesMetadata: yes(metadata as string),
    }),
  );

const mysql = (...version: [number, number, number]): ServerVersion => ({ flavour: "mysql", version });
const table = (columns: Record<string, string> = {}, parts: Partial<TableContext> = {}): TableContext => ({
  column: (name) =>
    columns[name] ? { type: columns[name] as string, notNull: false, bytesPerChar: 4 } : undefined,
  hasFulltext: false,
  charset: "utf8mb4",
  addsPrimaryKey: false,
  dropsPrimaryKey: false,
  foreignKeyChecks: true,
  ...parts,
});
const column = (name: string, type: string, parts: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  type,
  notNull: null,
  hasDefault: false,
  autoIncrement: false,
  generated: null,
  key: null,
  charset: null,
  collation: null,
  ...parts,
});
const best = (op: AlterOperation, v: ServerVersion, t = table()) => operationSupport(op, v, t)?.best;

describe("MySQL 8.0 online DDL rows", () => {
  it("carries every row of the cited tables as the manual prints it", () => {
    expect(printed.length).toBe(20);
    const ours = Object.values(MYSQL_ROWS);
    for (const row of printed) expect(ours.find((r) => r.operation === row.operation)).toEqual(row);
  });

  it("applies the version notes: INSTANT ADD COLUMN last from 8.0.12 and anywhere from 8.0.29, DROP from 8.0.29, RENAME from 8.0.28", () => {
    const addLast: AlterOperation = {
      kind: "add-column",
      column: column("c", "int"),
      position: { kind: "last" },
    };
    const addFirst: AlterOperation = {
      kind: "add-column",
      column: column("c", "int"),
      position: { kind: "first" },
    };
    expect(best(addLast, mysql(8, 0, 11))).toBe("INPLACE");
    expect(best(addLast, mysql(8, 0, 12))).toBe("INSTANT");
    expect(best(addFirst, mysql(8, 0, 28))).toBe("INPLACE");
    expect(best(addFirst, mysql(8, 0, 29))).toBe("INSTANT");
    expect(best({ kind: "drop-column", column: "c" }, mysql(8, 0, 28))).toBe("INPLACE");
    expect(best({ kind: "drop-column", column: "c" }, mysql(8, 0, 29))).toBe("INSTANT");
    expect(best({ kind: "rename-column", from: "a", to: "b" }, mysql(8, 0, 27))).toBe("INPLACE");
    expect(best({ kind: "rename-column", from: "a", to: "b" }, mysql(8, 4, 0))).toBe("INSTANT");
    // Not on a table with a FULLTEXT index (the row's asterisk), nor for an AUTO_INCREMENT column.
    expect(best(addLast, mysql(8, 0, 35), table({}, { hasFulltext: true }))).toBe("INPLACE");
    const autoInc: AlterOperation = {
      kind: "add-column",
      column: column("c", "int", { autoIncrement: true }),
      position: { kind: "last" },
    };
    expect(operationSupport(autoInc, mysql(8, 0, 35), table())).toMatchObject({
      best: "INPLACE",
      lock: "SHARED",
    });
  });

  it("tells a VARCHAR extension within its length bytes from one past 255 bytes, and from a type change", () => {
    const modify = (to: string) => ({
      kind: "change-column" as const,
      from: "v",
      column: column("v", to),
      position: { kind: "last" as const },
    });
    const t = table({ v: "varchar(20)" });
    expect(operationSupport(modify("varchar(60)"), mysql(8, 0, 35), t)?.operation).toBe(
      "Extending VARCHAR column size",
    );
    // 20 → 60 characters of utf8mb4: 80 → 240 bytes, one length byte. 20 → 64: 256 bytes, two.
    expect(best(modify("varchar(64)"), mysql(8, 0, 35), t)).toBe("COPY");
    expect(best(modify("bigint"), mysql(8, 0, 35), t)).toBe("COPY");
    expect(best(modify("varchar(20)"), mysql(8, 0, 35), t)).toBe("INSTANT");
  });

  it("foreign keys: COPY with foreign_key_checks on, INPLACE with it off", () => {
    const fk: AlterOperation = { kind: "add-foreign-key", name: "fk" };
    expect(best(fk, mysql(8, 0, 35))).toBe("COPY");
    expect(best(fk, mysql(8, 0, 35), table({}, { foreignKeyChecks: false }))).toBe("INPLACE");
  });

  it("reads int(11) as int and integer as int", () => {
    expect(normaliseType("INT(11) unsigned")).toBe("int unsigned");
    expect(normaliseType("integer")).toBe("int");
  });
});

describe("partition clauses", () => {
  const PARTITIONING = readFileSync(
    new URL("../../../test/fixtures/mysql/online-ddl-partitioning-8.4.txt", import.meta.url),
    "utf8",
  );
  const rows = new Map(
    PARTITIONING.split("\n")
      .filter((l) => l.includes("|") && !l.startsWith("#"))
      .map((l) => l.split("|").map((c) => c.trim()))
      .map(([clause, instant, inPlace, dml]) => [
        clause as string,
        { instant: yes(instant as string), inPlace: yes(inPlace as string), dml: yes(dml as string) },
      ]),
  );
  const op = (action: string, hashed?: boolean): AlterOperation => ({
    kind: "partition",
    action,
    ...(hashed !== undefined ? { hashed } : {}),
  });
  const cases: Array<[string, AlterOperation]> = [
    ["PARTITION BY", op("PARTITION BY")],
    ["ADD PARTITION", op("ADD PARTITION", false)],
    ["DROP PARTITION", op("DROP PARTITION")],
    ["TRUNCATE PARTITION", op("TRUNCATE PARTITION")],
    ["COALESCE PARTITION", op("COALESCE PARTITION")],
    ["REORGANIZE PARTITION", op("REORGANIZE PARTITION")],
    ["EXCHANGE PARTITION", op("EXCHANGE PARTITION")],
    ["REBUILD PARTITION", op("REBUILD PARTITION")],
    ["REMOVE PARTITIONING", op("REMOVE PARTITIONING")],
    ["ANALYZE PARTITION", op("ANALYZE PARTITION")],
    ["CHECK PARTITION", op("CHECK PARTITION")],
    ["OPTIMIZE PARTITION", op("OPTIMIZE PARTITION")],
    ["REPAIR PARTITION", op("REPAIR PARTITION")],
  ];

  it("MySQL 8.0/8.4: in place and lock as the manual's partitioning table prints them", () => {
    for (const [clause, operation] of cases) {
      const printedRow = rows.get(clause);
      const s = operationSupport(operation, mysql(8, 4, 0), table());
      expect(printedRow, clause).toBeDefined();
      expect(printedRow?.instant, clause).toBe(false);
      expect(s?.best, clause).toBe(printedRow?.inPlace ? "INPLACE" : "COPY");
      expect(s?.lock, clause).toBe(printedRow?.dml ? "NONE" : "SHARED");
    }
    // OPTIMIZE PARTITION: "ALGORITHM and LOCK clauses are ignored. Rebuilds the entire table."
    expect(operationSupport(op("OPTIMIZE PARTITION"), mysql(8, 4, 0), table())).toMatchObject({
      rebuildsInPlace: true,
      clauses: "ignored",
    });
    // DISCARD/IMPORT PARTITION: not the in-place API and no DML, but no row is copied (files detached or
    // attached): no copy, writes wait, and only ALGORITHM=DEFAULT, LOCK=DEFAULT.
    for (const clause of ["DISCARD PARTITION", "IMPORT PARTITION"]) {
      expect(rows.get(clause), clause).toEqual({ instant: false, inPlace: false, dml: false });
      expect(operationSupport(op(clause), mysql(8, 0, 35), table()), clause).toMatchObject({
        best: "INPLACE",
        lock: "SHARED",
        rebuildsInPlace: false,
        clauses: "default-only",
      });
    }
    // The asterisk of ADD PARTITION: HASH and KEY partitions move rows, and writes wait.
    expect(operationSupport(op("ADD PARTITION", true), mysql(8, 0, 35), table())).toMatchObject({
      best: "INPLACE",
      lock: "SHARED",
      rebuildsInPlace: true,
    });
  });

  it("MariaDB: metadata-only clauses in place without a lock, the ones that move rows as a copy", () => {
    const mariadb: ServerVersion = { flavour: "mariadb", version: [10, 11, 0] };
    const of = (o: AlterOperation) => {
      const s = operationSupport(o, mariadb, table());
      return s && `${s.best} ${s.lock}${s.rebuildsInPlace ? " copies" : ""}`;
    };
    expect(of(op("ADD PARTITION", false))).toBe("INPLACE NONE");
    expect(of(op("ADD PARTITION", true))).toBe("COPY SHARED copies");
    expect(of(op("COALESCE PARTITION"))).toBe("COPY SHARED copies");
    expect(of(op("PARTITION BY"))).toBe("COPY SHARED copies");
    // Measured on 10.11.19 (test/integration/mysql-partition-ddl.test.ts): ANALYZE/CHECK/REPAIR rebuild nothing,
    // writes go on (REPAIR holds them for its second half); OPTIMIZE rebuilds every partition online; DISCARD/IMPORT PARTITION is a syntax error.
    expect(of(op("ANALYZE PARTITION"))).toBe("INPLACE NONE");
    expect(of(op("CHECK PARTITION"))).toBe("INPLACE NONE");
    expect(of(op("REPAIR PARTITION"))).toBe("INPLACE SHARED");
    expect(of(op("OPTIMIZE PARTITION"))).toBe("INPLACE NONE copies");
    expect(operationSupport(op("DISCARD PARTITION"), mariadb, table())?.unsupported).toMatch(/ERROR 1064/);
    expect(operationSupport(op("DROP PARTITION"), mariadb, table())?.clauses).toBe("none");
    expect(operationSupport(op("PARTITION BY"), mariadb, table())?.clauses).toBeUndefined();
  });
});

describe("character sets and collations of a MODIFY", () => {
  const maria: ServerVersion = { flavour: "mariadb", version: [10, 11, 6] };
  const known = (charset: string, collation: string, indexed = false) =>
    ({ type: "varchar(20)", notNull: false, bytesPerChar: 4, charset, collation, indexed }) as const;
  const t = table(
    {},
    {
      charset: "utf8mb4",
      collation: "utf8mb4_general_ci",
      column: (name) =>
        ({
          l: known("latin1", "latin1_swedish_ci"),
          m: known("utf8mb3", "utf8mb3_general_ci"),
          b: known("utf8mb4", "utf8mb4_general_ci"),
          ki: known("utf8mb4", "utf8mb4_general_ci", true),
        })[name],
    },
  );
  const modify = (name: string, type: string, parts: Partial<ColumnSpec> = {}): AlterOperation => ({
    kind: "change-column",
    from: name,
    column: column(name, type, parts),
    position: { kind: "last" },
  });
  it("reads the definition's CHARACTER SET and COLLATE, else the table's defaults (MariaDB 10.11 as measured)", () => {
    // A MODIFY naming no character set converts a latin1 column of a utf8mb4 table: a copy.
    expect(best(modify("l", "varchar(30)"), maria, t)).toBe("COPY");
    expect(best(modify("l", "varchar(30)", { charset: "latin1" }), maria, t)).toBe("INSTANT");
    expect(best(modify("m", "varchar(20)", { charset: "utf8mb4" }), maria, t)).toBe("INSTANT");
    expect(best(modify("b", "varchar(20)", { collation: "utf8mb4_bin" }), maria, t)).toBe("INSTANT");
    expect(best(modify("ki", "varchar(20)", { collation: "utf8mb4_bin" }), maria, t)).toBe("NOCOPY");
    // MySQL: the character set is part of the data type.
    expect(best(modify("m", "varchar(20)", { charset: "utf8mb4" }), mysql(8, 0, 35), t)).toBe("COPY");
    const collation = operationSupport(
      modify("b", "varchar(20)", { collation: "utf8mb4_bin" }),
      mysql(8, 4, 0),
      t,
    );
    expect(collation?.assumption).toContain("no collation change");
    // CONVERT TO the table's own set still converts a column in another set.
    expect(
      best({ kind: "convert-charset", charset: "utf8mb4" }, maria, { ...t, columnCharsets: ["latin1"] }),
    ).toBe("COPY");
    expect(
      best({ kind: "convert-charset", charset: "utf8mb4" }, maria, { ...t, columnCharsets: ["utf8mb4"] }),
    ).toBe("INSTANT");
  });
});
