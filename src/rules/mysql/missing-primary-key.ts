import type { Finding } from "../../findings/finding.js";
import { list, mysqlIdent, mysqlQname, sql } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

/**
 * A table with no primary key. InnoDB then clusters on a hidden 6-byte row id that no query can use, and
 * row-based replication finds each changed row on a replica by scanning. When a unique index on NOT NULL
 * columns exists, promoting it is the fix; otherwise only the user knows the key.
 */
export const mysqlMissingPrimaryKey: Rule<MysqlRuleFacts> = {
  id: "mysql/missing-primary-key",
  family: "health",
  group: "tables",
  title: "Table without a primary key (MySQL/MariaDB)",
  description:
    "A table with no primary key: InnoDB clusters it on a hidden row id, row-based replicas find each changed row by a scan, and duplicate rows cannot be told apart.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/innodb-index-types.html`,
  options: {},
  check({ mysql }) {
    const withKey = new Set(mysql.indexes.filter((i) => i.primary).map((i) => i.table));
    return mysql.tables
      .filter((t) => !withKey.has(t.name))
      .map((table): Finding => {
        const notNull = (column: string | null) =>
          mysql.columns.some((c) => c.table === table.name && c.name === column && !c.nullable);
        const candidate = mysql.indexes.find(
          (i) =>
            i.table === table.name &&
            i.unique &&
            i.columns.every((c) => c.subPart === null && notNull(c.name)),
        );
        return {
          ruleId: this.id,
          severity: "warning",
          title: `table ${table.name} has no primary key`,
          detail: `${table.name} (about ${table.rows} rows, ${table.engine ?? "unknown engine"}) has no primary key${candidate ? `; the unique index ${candidate.name} on NOT NULL columns can become it` : ""}.`,
          evidence: {
            table: table.name,
            rows: table.rows,
            engine: table.engine,
            candidate: candidate?.name ?? null,
          },
          fix: candidate
            ? {
                sql: sql`ALTER TABLE ${mysqlQname(table.schema, table.name)} ADD PRIMARY KEY (${list(candidate.columns.map((c) => mysqlIdent(c.name ?? "")))})`,
                note: `the columns of ${candidate.name} are unique and NOT NULL already; ${candidate.name} can be dropped afterwards`,
              }
            : {
                note: "add a key the rows are identified by, or an id column: ALTER TABLE ... ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY (a table copy: use pt-online-schema-change or gh-ost on a large table)",
              },
          docsUrl: this.docsUrl,
          impact: table.dataBytes,
          objects: [`${table.schema}.${table.name}`],
        };
      });
  },
};
