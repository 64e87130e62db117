import type { MysqlFacts, MysqlIndex } from "../../facts/collect-mysql/mysql-facts.js";
import type { MachineFacts } from "../../facts/machine-facts.js";

/** What the MySQL/MariaDB rules read: the server's facts, and the machine's when the user gave them (--ram). */
export interface MysqlRuleFacts {
  mysql: MysqlFacts;
  machine?: MachineFacts;
}

export const MYSQL_DOCS = "https://dev.mysql.com/doc/refman/8.0/en";

/** A key part as people write it: col, or col(10) for a prefix. */
function keyPart(part: MysqlIndex["columns"][number]): string {
  const name = part.name ?? part.expression ?? "?";
  return part.subPart === null ? name : `${name}(${part.subPart})`;
}

export function keyParts(index: MysqlIndex): string[] {
  return index.columns.map(keyPart);
}

/** The primary key's columns of a table, empty when it has none. */
export function primaryKeyColumns(mysql: MysqlFacts, table: string): string[] {
  const pk = mysql.indexes.find((i) => i.table === table && i.primary);
  return pk ? pk.columns.map((c) => c.name ?? "") : [];
}

/** B-tree indexes only: FULLTEXT and SPATIAL indexes are never prefixes of another. */
export function isBtree(index: MysqlIndex): boolean {
  return index.type === "BTREE" || index.type === "HASH";
}

export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
