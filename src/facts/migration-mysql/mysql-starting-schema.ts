/**
 * The tables a MySQL/MariaDB migration set starts from, read from the --db server (read-only): size, rows,
 * character set, FULLTEXT indexes and each column's type and nullability, so a MODIFY can be told from a rename
 * and a COPY on a large table from one on a small one.
 */
import type { MysqlCapabilities } from "../../connectors/mysql/mysql-capabilities.js";
import { charsetName, collationName } from "./mysql-ddl.js";
import type { KnownColumn, ServerVersion } from "./online-ddl-support.js";

export interface KnownTable {
  schema: string;
  name: string;
  bytes: number;
  rows: number;
  charset: string | null;
  /** The table's default collation (utf8mb4_general_ci), which a MODIFY naming none gives a text column. */
  collation?: string | null;
  hasFulltext: boolean;
  columns: Map<string, KnownColumn>;
}

export interface MysqlStartingSchema {
  server: ServerVersion;
  database: string;
  tables: KnownTable[];
}

/** A session that can read: the read-only connector, or the sandbox of migrate trace. */
export interface SchemaSession {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  capabilities(): Promise<MysqlCapabilities>;
  target: { database: string };
}

/** The flavour and three-part version the online DDL tables and the executable comments are judged for. */
export function serverVersionOf(caps: MysqlCapabilities): ServerVersion {
  const [major = 0, minor = 0, patch = 0] = caps.version.split(".").map(Number);
  return { flavour: caps.flavour, version: [major, minor, patch] };
}

export async function mysqlSchemaFromDatabase(db: SchemaSession): Promise<MysqlStartingSchema> {
  const caps = await db.capabilities();
  const database = db.target.database;
  const tables = await db.query<{
    name: string;
    bytes: string | number | null;
    rows: string | number | null;
    collation: string | null;
  }>(
    `SELECT TABLE_NAME AS name, DATA_LENGTH + INDEX_LENGTH AS bytes, TABLE_ROWS AS \`rows\`, TABLE_COLLATION AS collation
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
    [database],
  );
  const columns = await db.query<{
    tableName: string;
    name: string;
    type: string;
    nullable: string;
    maxChars: string | number | null;
    octets: string | number | null;
    charset: string | null;
    collation: string | null;
    extra: string | null;
  }>(
    `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
            CHARACTER_MAXIMUM_LENGTH AS maxChars, CHARACTER_OCTET_LENGTH AS octets,
            CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, EXTRA AS extra
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?`,
    [database],
  );
  const indexed = await db.query<{ tableName: string; name: string }>(
    `SELECT DISTINCT TABLE_NAME AS tableName, COLUMN_NAME AS name FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND COLUMN_NAME IS NOT NULL`,
    [database],
  );
  const indexedColumns = new Set(indexed.map((c) => `${c.tableName}\u0000${c.name.toLowerCase()}`));
  const fulltext = await db.query<{ tableName: string }>(
    `SELECT DISTINCT TABLE_NAME AS tableName FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND INDEX_TYPE = 'FULLTEXT'`,
    [database],
  );
  const withFulltext = new Set(fulltext.map((f) => f.tableName));
  return {
    server: serverVersionOf(caps),
    database,
    tables: tables.map((t) => ({
      schema: database,
      name: t.name,
      bytes: Number(t.bytes ?? 0),
      rows: Number(t.rows ?? 0),
      charset: t.collation ? charsetName(t.collation.split("_")[0] ?? "") : null,
      collation: t.collation ? collationName(t.collation) : null,
      hasFulltext: withFulltext.has(t.name),
      columns: new Map(
        columns
          .filter((c) => c.tableName === t.name)
          .map((c) => [
            c.name.toLowerCase(),
            {
              type: c.type,
              notNull: c.nullable === "NO",
              bytesPerChar:
                c.maxChars && c.octets && Number(c.maxChars) > 0
                  ? Math.round(Number(c.octets) / Number(c.maxChars))
                  : null,
              charset: c.charset ? charsetName(c.charset) : null,
              collation: c.collation ? collationName(c.collation) : null,
              autoIncrement: /auto_increment/i.test(c.extra ?? ""),
              indexed: indexedColumns.has(`${t.name}\u0000${c.name.toLowerCase()}`),
            },
          ]),
      ),
    })),
  };
}
