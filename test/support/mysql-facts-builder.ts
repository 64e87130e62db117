/** MysqlFacts for rule unit tests: defaults a fresh MariaDB 10.11 shows, overridden per test. */
import type {
  MysqlColumn,
  MysqlFacts,
  MysqlIndex,
  MysqlTable,
} from "../../src/facts/collect-mysql/mysql-facts.js";

export function mysqlFacts(parts: Partial<MysqlFacts> = {}): MysqlFacts {
  return {
    engine: "mysql",
    capturedAt: "2026-12-02T05:00:00.000Z",
    server: {
      flavour: "mariadb",
      version: "10.11.19",
      versionText: "10.11.19-MariaDB-0+deb12u1",
      database: "shop",
      uptimeSeconds: 30 * 86_400,
      performanceSchema: true,
      sysSchema: true,
      userstat: false,
    },
    tables: [],
    columns: [],
    indexes: [],
    foreignKeys: [],
    indexUsage: [],
    digests: [],
    status: {},
    variables: {},
    notes: [],
    ...parts,
  };
}

export function table(name: string, parts: Partial<MysqlTable> = {}): MysqlTable {
  return {
    schema: "shop",
    name,
    engine: "InnoDB",
    rows: 1000,
    dataBytes: 1 << 20,
    indexBytes: 0,
    autoIncrement: null,
    ...parts,
  };
}

export function column(
  tableName: string,
  name: string,
  columnType: string,
  parts: Partial<MysqlColumn> = {},
): MysqlColumn {
  return {
    schema: "shop",
    table: tableName,
    name,
    position: 1,
    columnType,
    dataType: columnType.replace(/\(.*$/, "").replace(/ .*$/, ""),
    nullable: false,
    extra: "",
    charset: null,
    collation: null,
    ...parts,
  };
}

/** An index; "PRIMARY" is the primary key. */
export function index(
  tableName: string,
  name: string,
  columns: string[],
  parts: Partial<MysqlIndex> = {},
): MysqlIndex {
  return {
    schema: "shop",
    table: tableName,
    name,
    unique: name === "PRIMARY",
    primary: name === "PRIMARY",
    type: "BTREE",
    columns: columns.map((c) => ({ name: c, subPart: null, expression: null })),
    sizeBytes: 16_384,
    ...parts,
  };
}
