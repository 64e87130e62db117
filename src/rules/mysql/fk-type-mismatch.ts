import type { MysqlColumn } from "../../facts/collect-mysql/mysql-facts.js";
import type { Finding } from "../../findings/finding.js";
import { mysqlIdent, mysqlQname, sql, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { MYSQL_DOCS, type MysqlRuleFacts } from "./mysql-rule-facts.js";

/** The type without integer display widths, which change nothing ("int(11)" is "int"). */
function comparableType(column: MysqlColumn): string {
  return column.columnType.toLowerCase().replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, "$1");
}

/**
 * A foreign key column whose type, length or character set differs from the column it references: joins
 * convert one side (an index on it may not be used), and values that fit one side may not fit the other.
 */
export const mysqlFkTypeMismatch: Rule<MysqlRuleFacts> = {
  id: "mysql/fk-type-mismatch",
  family: "health",
  group: "tables",
  title: "Foreign key column type differs from the referenced column",
  description:
    "A foreign key column whose type, length or character set is not the referenced column's: joins convert one side, and a value that fits one side may not fit the other.",
  maxSeverity: "warning",
  docsUrl: `${MYSQL_DOCS}/create-table-foreign-keys.html`,
  options: {},
  check({ mysql }) {
    const column = (table: string, name: string) =>
      mysql.columns.find((c) => c.table === table && c.name === name);
    const findings: Finding[] = [];
    for (const fk of mysql.foreignKeys) {
      if (fk.refSchema !== mysql.server.database) continue;
      fk.columns.forEach((name, i) => {
        const child = column(fk.table, name);
        const parent = column(fk.refTable, fk.refColumns[i] ?? "");
        if (!child || !parent) return;
        const sameType = comparableType(child) === comparableType(parent);
        const sameCharset = child.charset === parent.charset && child.collation === parent.collation;
        if (sameType && sameCharset) return;
        findings.push({
          ruleId: this.id,
          severity: "warning",
          title: `${fk.table}.${name} is ${child.columnType}, ${fk.refTable}.${parent.name} is ${parent.columnType}`,
          detail: `The foreign key ${fk.name} joins ${fk.table}.${name} (${child.columnType}${child.collation ? ` ${child.collation}` : ""}) to ${fk.refTable}.${parent.name} (${parent.columnType}${parent.collation ? ` ${parent.collation}` : ""}).`,
          evidence: {
            table: fk.table,
            column: name,
            columnType: child.columnType,
            referencedTable: fk.refTable,
            referencedColumn: parent.name,
            referencedType: parent.columnType,
            collation: child.collation,
            referencedCollation: parent.collation,
          },
          fix: {
            // The referenced column's type as the server printed it (information_schema.COLUMNS.COLUMN_TYPE).
            sql: sql`ALTER TABLE ${mysqlQname(fk.schema, fk.table)} MODIFY COLUMN ${mysqlIdent(name)} ${sqlFrom("server", parent.columnType)}${sameCharset || !parent.collation ? sqlFrom("dbopt", "") : sql` COLLATE ${mysqlIdent(parent.collation)}`} ${sqlFrom("dbopt", child.nullable ? "NULL" : "NOT NULL")}`,
            note: "gives the column the referenced column's type; restate its DEFAULT and COMMENT if it has them (a table copy on a large table: pt-online-schema-change or gh-ost)",
          },
          docsUrl: this.docsUrl,
          impact: 1,
          objects: [`${fk.schema}.${fk.table}`, `${fk.refSchema}.${fk.refTable}`],
        });
      });
    }
    return findings;
  },
};
